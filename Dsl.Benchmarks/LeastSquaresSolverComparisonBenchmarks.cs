using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using OptDsl.Benchmarks.SolverComparison;

namespace OptDsl.Benchmarks;

/// <summary>
/// OptDsl's <c>LevenbergMarquardtSolver</c> against MathNet.Numerics 5's <c>LevenbergMarquardtMinimizer</c> on NIST StRD
/// regressions from both starts: the same generated residuals and Jacobian (through a call-counting wrapper) for both,
/// MathNet's through <c>ObjectiveFunction.NonlinearModel</c> with the analytic Jacobian. [GlobalSetup] checks the generated
/// Jacobian against central differences and f at the certified parameters against the certified residual sum of
/// squares, then solves once per library to record the result (<see cref="ComparisonRecords"/>).
/// </summary>
[WarmupCount(3)]
[IterationCount(12)]
[IterationTime(120)]
public class LeastSquaresSolverComparisonBenchmarks
{
    private CountingLeastSquaresProblem _problem = null!;
    private double[] _start = [];

    /// <summary>Dataset and start, e.g. <c>Misra1a-1</c>.</summary>
    [ParamsSource(nameof(Runs))]
    public string Run { get; set; } = "";

    public static IEnumerable<string> Runs => ComparisonCases.LeastSquares.Select(c => c.Name);

    [GlobalSetup]
    public void Setup()
    {
        var run = ComparisonCases.LeastSquaresCase(Run);
        _problem = new CountingLeastSquaresProblem(run.Create(run.Data));
        _start = run.Start;
        ComparisonChecks.LeastSquares(run);

        string type = nameof(LeastSquaresSolverComparisonBenchmarks);
        ComparisonRecords.Record(type, run, nameof(OptDslLm), ComparisonRuns.OptDslLm);
        ComparisonRecords.Record(type, run, nameof(MathNetLm), ComparisonRuns.MathNetLm);
    }

    [Benchmark]
    public double OptDslLm() => ComparisonRuns.OptDslLm(_problem, _start).F;

    [Benchmark]
    public double MathNetLm() => ComparisonRuns.MathNetLm(_problem, _start).F;
}
