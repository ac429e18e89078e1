using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using OptDsl.Runtime;
using OptDsl.Tests.Runtime;

namespace OptDsl.Benchmarks.SolverComparison;

/// <summary>
/// What one solve did, counted at the shared function: its final f, whether that is the published optimum (MGH) or
/// the certified values (NIST), iterations, and the calls of the shared function.
/// </summary>
/// <param name="Method">The benchmark method, e.g. <c>OptDslBfgs</c>.</param>
/// <param name="Evaluations">f+∇f calls (BFGS, L-BFGS: <c>Gradient</c> plus any f-only <c>Objective</c> calls), or residual calls (LM).</param>
/// <param name="ObjectiveOnly">Of <paramref name="Evaluations"/>, the f-only calls (BFGS, L-BFGS).</param>
/// <param name="Jacobians">Jacobian calls (LM).</param>
/// <param name="Accuracy">What the final point achieved: "f* = …", "local min …", or NIST's log relative errors.</param>
/// <param name="Elapsed">The wall time of this one solve (Stopwatch, JIT included): shown only for a case too slow to repeat under BenchmarkDotNet.</param>
public sealed record SolveRecord(
    string Case, string Method, double F, string Status, bool Failed, int Iterations,
    int Evaluations, int ObjectiveOnly, int Jacobians, bool Reached, string Accuracy, TimeSpan Elapsed);

/// <summary>
/// The records of this process, by benchmark class, case and method; filled in the benchmarks' [GlobalSetup], once per
/// process (every method's setup asks for all of its case's records; the solves are deterministic).
/// </summary>
public static class ComparisonRecords
{
    /// <summary>NIST: the certified values count as reached when every parameter has at least this many correct digits (LRE).</summary>
    public const double CertifiedDigits = 6;

    private static readonly ConcurrentDictionary<(string Class, string Case, string Method), SolveRecord> s_records = new();

    public static SolveRecord? Find(string benchmarkClass, string caseName, string method) =>
        s_records.TryGetValue((benchmarkClass, caseName, method), out var record) ? record : null;

    /// <summary>Solves once with <paramref name="solve"/>, counting the calls of the shared function, and keeps the record (unless there is one).</summary>
    public static SolveRecord Record(string benchmarkClass, QuasiNewtonCase problem, string method, Func<IGradientProblem, double[], Outcome> solve)
    {
        if (Find(benchmarkClass, problem.Name, method) is { } existing) return existing;
        var counting = new CountingGradientProblem(problem.Create());
        var clock = Stopwatch.StartNew();
        var outcome = solve(counting, problem.Start);
        var elapsed = clock.Elapsed;
        int objectiveOnly = counting.ObjectiveCalls, evaluations = counting.GradientCalls + counting.ObjectiveCalls;
        int known = outcome.Failed ? -1 : Array.FindIndex(problem.KnownMinima, fStar => Matches(outcome.F, fStar));
        string accuracy = outcome.Failed ? "-" : known switch
        {
            0 => $"f* = {Number(problem.KnownMinima[0])}",
            > 0 => $"local min f = {Number(problem.KnownMinima[known])}",
            _ => "no published minimum",
        };
        var record = new SolveRecord(problem.Name, method, outcome.F, outcome.Status, outcome.Failed, outcome.Iterations,
            evaluations, objectiveOnly, 0, known == 0, accuracy, elapsed);
        s_records[(benchmarkClass, problem.Name, method)] = record;
        return record;
    }

    /// <summary>As <see cref="Record(string, QuasiNewtonCase, string, Func{IGradientProblem, double[], Outcome})"/>, for a NIST run.</summary>
    public static SolveRecord Record(string benchmarkClass, LeastSquaresCase run, string method, Func<ILeastSquaresProblem, double[], Outcome> solve)
    {
        if (Find(benchmarkClass, run.Name, method) is { } existing) return existing;
        var data = run.Data;
        var counting = new CountingLeastSquaresProblem(run.Create(data));
        var clock = Stopwatch.StartNew();
        var outcome = solve(counting, run.Start);
        var elapsed = clock.Elapsed;
        int residuals = counting.ResidualCalls, jacobians = counting.JacobianCalls;
        double parameterLre = outcome.Failed ? 0 : data.Certified.Select((certified, k) => NistDataset.LogRelativeError(outcome.X[k], certified)).Min();
        double rssLre = outcome.Failed ? 0 : NistDataset.LogRelativeError(outcome.F, data.CertifiedResidualSumOfSquares);
        string accuracy = outcome.Failed ? "-" : $"LRE {parameterLre:0.0} (RSS {rssLre:0.0})";
        var record = new SolveRecord(run.Name, method, outcome.F, outcome.Status, outcome.Failed, outcome.Iterations,
            residuals, 0, jacobians, !outcome.Failed && parameterLre >= CertifiedDigits, accuracy, elapsed);
        s_records[(benchmarkClass, run.Name, method)] = record;
        return record;
    }

    /// <summary>The MGH suite's rule (Dsl.Tests MghSolverTests): 5 digits of f*, or f ≤ 1e-8 where f* = 0.</summary>
    public static bool Matches(double f, double fStar) =>
        fStar == 0 ? Math.Abs(f) <= 1e-8 : Math.Abs(f - fStar) <= 1e-5 * fStar;

    public static IEnumerable<SolveRecord> All(string benchmarkClass) =>
        s_records.Where(entry => entry.Key.Class == benchmarkClass).Select(entry => entry.Value);

    private static string Number(double value) => value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
}
