using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using OptDsl.Benchmarks.SolverComparison;

namespace OptDsl.Benchmarks;

/// <summary>
/// OptDsl's <c>BfgsSolver</c> and <c>LbfgsSolver</c> against MathNet.Numerics 5's <c>BfgsMinimizer</c> and
/// <c>LimitedMemoryBfgsMinimizer</c>: one benchmark is one whole solve from the standard start of an MGH problem, with
/// the same generated f and ∇f (through a call-counting wrapper) for both libraries and the stopping rules of
/// <see cref="ComparisonRuns"/>. [GlobalSetup] checks the generated gradient against central differences and
/// MathNet's adapter against the direct call, then solves once per method to record f, iterations and evaluations
/// (<see cref="ComparisonRecords"/>, reported by <see cref="SolverComparisonReport"/>). A MathNet solve that throws is
/// recorded as failed, and its benchmark times the solve up to the exception.
/// Shorter iterations than the suite's job: the solves take from microseconds to 0.1 s, and with
/// <see cref="LeastSquaresSolverComparisonBenchmarks"/> there are 63 cases (about 4–5 minutes in all).
/// MathNet's BFGS on extended Rosenbrock n = 1000 takes over a minute per solve, so BenchmarkDotNet does not repeat
/// it: the report shows the Stopwatch time of its one recorded solve instead (<see cref="Timed"/>).
/// </summary>
[WarmupCount(3)]
[IterationCount(12)]
[IterationTime(120)]
[Config(typeof(TooSlowToRepeat))]
public class SolverComparisonBenchmarks
{
    private CountingGradientProblem _problem = null!;
    private double[] _start = [];

    /// <summary>The problem, by <see cref="QuasiNewtonCase.Name"/>.</summary>
    [ParamsSource(nameof(Problems))]
    public string Problem { get; set; } = "";

    public static IEnumerable<string> Problems => ComparisonCases.QuasiNewton.Select(c => c.Name);

    [GlobalSetup]
    public void Setup()
    {
        var problem = ComparisonCases.QuasiNewtonCase(Problem);
        _problem = new CountingGradientProblem(problem.Create());
        _start = problem.Start;
        ComparisonChecks.QuasiNewton(problem);

        string type = nameof(SolverComparisonBenchmarks);
        ComparisonRecords.Record(type, problem, nameof(OptDslBfgs), ComparisonRuns.OptDslBfgs);
        ComparisonRecords.Record(type, problem, nameof(MathNetBfgs), ComparisonRuns.MathNetBfgs);
        ComparisonRecords.Record(type, problem, nameof(OptDslLbfgs), ComparisonRuns.OptDslLbfgs);
        ComparisonRecords.Record(type, problem, nameof(MathNetLbfgs), ComparisonRuns.MathNetLbfgs);
    }

    [Benchmark]
    public double OptDslBfgs() => ComparisonRuns.OptDslBfgs(_problem, _start).F;

    [Benchmark]
    public double MathNetBfgs() => ComparisonRuns.MathNetBfgs(_problem, _start).F;

    [Benchmark]
    public double OptDslLbfgs() => ComparisonRuns.OptDslLbfgs(_problem, _start).F;

    [Benchmark]
    public double MathNetLbfgs() => ComparisonRuns.MathNetLbfgs(_problem, _start).F;

    /// <summary>False for the one case BenchmarkDotNet leaves out: MathNet's dense BFGS on extended Rosenbrock n = 1000.</summary>
    public static bool Timed(string method, string problem) => !(method == nameof(MathNetBfgs) && problem == "ExtRosenbrock1000");

    private sealed class TooSlowToRepeat : ManualConfig
    {
        public TooSlowToRepeat() =>
            AddFilter(new SimpleFilter(benchmark => Timed(benchmark.Descriptor.WorkloadMethod.Name, (string)benchmark.Parameters[nameof(Problem)])));
    }
}
