using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using OptDsl.Benchmarks.SolverComparison;
using OptDsl.Runtime;

namespace OptDsl.Benchmarks;

/// <summary>
/// Issue 12: OptDsl's <c>nelder_mead</c> against MathNet.Numerics 5's <c>NelderMeadSimplex</c>, what a .NET user has
/// today, on the MGH problems of the solver comparison up to n = 4 (the generated f through a call counter, from the
/// standard starts). One benchmark is one whole solve. Stopping rules: MathNet's relative value range below 1e-12
/// (its only test besides the iteration limit); OptDsl's defaults (simplex within 1e-8 relative, values within 1e-12,
/// restarts at the best point until one gains nothing, then the gradient test at the end). --compare-search prints
/// the final f, evaluations and statuses of both, without timing.
/// </summary>
[WarmupCount(3)]
[IterationCount(12)]
[IterationTime(120)]
public class NelderMeadComparisonBenchmarks
{
    private CountingGradientProblem _problem = null!;
    private double[] _start = [];

    [ParamsSource(nameof(Problems))]
    public string Problem { get; set; } = "";

    public static IEnumerable<string> Problems => ComparisonCases.QuasiNewton.Where(c => c.Dimension <= 4).Select(c => c.Name);

    [GlobalSetup]
    public void Setup()
    {
        var problem = ComparisonCases.QuasiNewtonCase(Problem);
        _problem = new CountingGradientProblem(problem.Create());
        _start = problem.Start;
    }

    [Benchmark(Baseline = true)]
    public double MathNetNelderMead() => MathNet(_problem, _start).F;

    [Benchmark]
    public double OptDslNelderMead() => OptDsl(_problem, _start).F;

    /// <summary>MathNet's relative tolerance on the simplex's value range, and its iteration limit.</summary>
    public const double MathNetTolerance = 1e-12;
    public const int MaxIterations = 100_000;

    public static (double F, double[] X, string Status) MathNet(IGradientProblem problem, double[] start)
    {
        try
        {
            var objective = ObjectiveFunction.Value(x => problem.Objective(MathNetAdapters.Values(x)));
            var result = new NelderMeadSimplex(MathNetTolerance, MaxIterations).FindMinimum(objective, Vector<double>.Build.DenseOfArray(start));
            return (result.FunctionInfoAtMinimum.Value, result.MinimizingPoint.ToArray(), result.ReasonForExit.ToString());
        }
        catch (Exception e)
        {
            return (double.NaN, start, e.GetType().Name);
        }
    }

    public static (double F, double[] X, string Status) OptDsl(IGradientProblem problem, double[] start, int restarts = 3)
    {
        var r = new NelderMeadSolver { VerifyWithGradient = true, Restarts = restarts }.Minimize(problem, start, new SolveOptions { MaxIterations = MaxIterations, RecordHistory = false });
        return (r.Objective, r.X, r.Status.ToString());
    }

    /// <summary>Prints, per problem, each side's final f (and its gap to the known minimum), objective evaluations and status.</summary>
    public static int Check()
    {
        Console.WriteLine("| problem | f* | MathNet f | evaluations | exit | OptDsl f | evaluations | status | without restarts: f | evaluations | status |");
        Console.WriteLine("|---|---:|---:|---:|---|---:|---:|---|---:|---:|---|");
        foreach (var name in Problems)
        {
            var c = ComparisonCases.QuasiNewtonCase(name);
            var counted = new CountingGradientProblem(c.Create());
            var m = MathNet(counted, c.Start);
            int mathNetCalls = counted.ObjectiveCalls;
            counted.Reset();
            var o = OptDsl(counted, c.Start);
            int optDslCalls = counted.ObjectiveCalls + counted.GradientCalls;
            counted.Reset();
            var once = OptDsl(counted, c.Start, restarts: 0);
            int onceCalls = counted.ObjectiveCalls + counted.GradientCalls;
            Console.WriteLine($"| {c.Title} | {c.KnownMinima[0]:G6} | {m.F:G6} | {mathNetCalls} | {m.Status} | {o.F:G6} | {optDslCalls} | {o.Status} | {once.F:G6} | {onceCalls} | {once.Status} |");
        }
        return 0;
    }
}
