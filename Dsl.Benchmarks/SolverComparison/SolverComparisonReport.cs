using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Reports;

namespace OptDsl.Benchmarks.SolverComparison;

/// <summary>
/// The tables of the MathNet comparison: per problem and method pair, both libraries' f, whether it is the optimum,
/// iterations, evaluations and wall time, with the ratios OptDsl / MathNet, every number from the same run.
/// Written after a BenchmarkDotNet run (with times) or by <c>--compare</c> (records only, no timing).
/// </summary>
public static class SolverComparisonReport
{
    /// <summary>The command-line option that prints the records without timing (a few seconds).</summary>
    public const string Option = "--compare";

    private sealed record Pair(string Class, string Title, string OptDsl, string MathNet, bool LeastSquares);

    private static readonly Pair[] s_pairs =
    [
        new(nameof(SolverComparisonBenchmarks), "BFGS: OptDsl `BfgsSolver` / MathNet `BfgsMinimizer`", nameof(SolverComparisonBenchmarks.OptDslBfgs), nameof(SolverComparisonBenchmarks.MathNetBfgs), false),
        new(nameof(SolverComparisonBenchmarks), "L-BFGS (memory 10): OptDsl `LbfgsSolver` / MathNet `LimitedMemoryBfgsMinimizer`", nameof(SolverComparisonBenchmarks.OptDslLbfgs), nameof(SolverComparisonBenchmarks.MathNetLbfgs), false),
        new(nameof(LeastSquaresSolverComparisonBenchmarks), "Levenberg–Marquardt: OptDsl `LevenbergMarquardtSolver` / MathNet `LevenbergMarquardtMinimizer`", nameof(LeastSquaresSolverComparisonBenchmarks.OptDslLm), nameof(LeastSquaresSolverComparisonBenchmarks.MathNetLm), true),
    ];

    /// <summary>A solve's time: BenchmarkDotNet's minimum and median, or (<see cref="Single"/>) one Stopwatch-timed solve.</summary>
    private sealed record Timing(double MinNs, double? MedianNs, long? AllocatedBytes, bool Single = false);

    /// <summary>The report for the comparison benchmarks in <paramref name="summaries"/> ("" when none ran).</summary>
    public static string Write(IEnumerable<Summary> summaries)
    {
        var timings = new Dictionary<(string Class, string Case, string Method), Timing>();
        foreach (var report in summaries.SelectMany(summary => summary.Reports))
        {
            var benchmark = report.BenchmarkCase;
            string type = benchmark.Descriptor.Type.Name;
            if (!s_pairs.Any(pair => pair.Class == type) || report.ResultStatistics is not { } statistics) continue;
            string caseName = benchmark.Parameters.Items.Select(p => p.Value?.ToString() ?? "").FirstOrDefault() ?? "";
            long? allocated = report.Success ? report.GcStats.GetBytesAllocatedPerOperation(benchmark) : null;
            timings[(type, caseName, benchmark.Descriptor.WorkloadMethod.Name)] = new Timing(statistics.Min, statistics.Median, allocated);
        }
        return timings.Count == 0 ? "" : Tables(timings);
    }

    /// <summary><c>--compare</c>: solves every case once per method and prints the records, without timing.</summary>
    public static int PrintWithoutTiming()
    {
        foreach (var problem in ComparisonCases.QuasiNewton)
        {
            ComparisonChecks.QuasiNewton(problem);
            string type = nameof(SolverComparisonBenchmarks);
            ComparisonRecords.Record(type, problem, nameof(SolverComparisonBenchmarks.OptDslBfgs), ComparisonRuns.OptDslBfgs);
            ComparisonRecords.Record(type, problem, nameof(SolverComparisonBenchmarks.MathNetBfgs), ComparisonRuns.MathNetBfgs);
            ComparisonRecords.Record(type, problem, nameof(SolverComparisonBenchmarks.OptDslLbfgs), ComparisonRuns.OptDslLbfgs);
            ComparisonRecords.Record(type, problem, nameof(SolverComparisonBenchmarks.MathNetLbfgs), ComparisonRuns.MathNetLbfgs);
        }
        foreach (var run in ComparisonCases.LeastSquares)
        {
            ComparisonChecks.LeastSquares(run);
            string type = nameof(LeastSquaresSolverComparisonBenchmarks);
            ComparisonRecords.Record(type, run, nameof(LeastSquaresSolverComparisonBenchmarks.OptDslLm), ComparisonRuns.OptDslLm);
            ComparisonRecords.Record(type, run, nameof(LeastSquaresSolverComparisonBenchmarks.MathNetLm), ComparisonRuns.MathNetLm);
        }
        Console.WriteLine(Tables(new Dictionary<(string, string, string), Timing>()));
        return 0;
    }

    private static string Tables(IReadOnlyDictionary<(string Class, string Case, string Method), Timing> timings)
    {
        var text = new StringBuilder();
        text.AppendLine("## Solvers vs MathNet.Numerics (one run)").AppendLine();
        text.AppendLine("Ratios are OptDsl / MathNet (below 1: OptDsl needs fewer evaluations or less time). Time: BenchmarkDotNet's minimum");
        text.AppendLine("(and median) of one whole solve. Evaluation ratios and their geometric means count only problems where both reached the optimum.").AppendLine();
        foreach (var pair in s_pairs)
        {
            var cases = pair.LeastSquares
                ? ComparisonCases.LeastSquares.Select(c => (c.Name, Title: $"{c.Dataset} start {c.StartNumber}"))
                : ComparisonCases.QuasiNewton.Select(c => (c.Name, Title: c.Title));
            var rows = new List<string>();
            var evaluationRatios = new List<double>();
            var timeRatios = new List<double>();
            int reachedOptDsl = 0, reachedMathNet = 0, both = 0;
            foreach (var (name, title) in cases)
            {
                var optDsl = ComparisonRecords.Find(pair.Class, name, pair.OptDsl);
                var mathNet = ComparisonRecords.Find(pair.Class, name, pair.MathNet);
                if (optDsl is null || mathNet is null) continue;
                var timeOptDsl = TimeOf(timings, pair.Class, optDsl);
                var timeMathNet = TimeOf(timings, pair.Class, mathNet);
                if (optDsl.Reached) reachedOptDsl++;
                if (mathNet.Reached) reachedMathNet++;
                bool comparable = optDsl.Reached && mathNet.Reached;
                int evaluationsOptDsl = optDsl.Evaluations + optDsl.Jacobians, evaluationsMathNet = mathNet.Evaluations + mathNet.Jacobians;
                double evaluationRatio = (double)evaluationsOptDsl / evaluationsMathNet;
                double? timeRatio = timeOptDsl is not null && timeMathNet is not null ? timeOptDsl.MinNs / timeMathNet.MinNs : null;
                if (comparable)
                {
                    both++;
                    evaluationRatios.Add(evaluationRatio);
                    if (timeRatio is { } t) timeRatios.Add(t);
                }
                string evaluationCell = Parenthesized(Ratio(evaluationRatio), !comparable);
                string timeRatioCell = timeRatio is { } value
                    ? Parenthesized(timeOptDsl!.MedianNs is { } a && timeMathNet!.MedianNs is { } b ? $"{Ratio(value)} ({Ratio(a / b)})" : Ratio(value), !comparable)
                    : "-";
                string timeCells = $"{Time(timeOptDsl)} | {Time(timeMathNet)} | {timeRatioCell} | {Bytes(timeOptDsl?.AllocatedBytes)} / {Bytes(timeMathNet?.AllocatedBytes)}";
                string counts = pair.LeastSquares
                    ? $"{optDsl.Evaluations} + {optDsl.Jacobians} / {mathNet.Evaluations} + {mathNet.Jacobians}"
                    : $"{Evaluations(optDsl)} / {Evaluations(mathNet)}";
                rows.Add($"| {title} | {Outcome(optDsl)} | {Outcome(mathNet)} | {optDsl.Iterations} / {Iterations(mathNet)} | {counts} | {evaluationCell} | {timeCells} |");
            }
            if (rows.Count == 0) continue;

            text.AppendLine($"### {pair.Title}").AppendLine();
            string evaluationsHeader = pair.LeastSquares ? "r + J evaluations O / M" : "f+∇f evaluations O / M";
            text.AppendLine($"| problem | OptDsl: f, stop | MathNet: f, stop | iterations O / M | {evaluationsHeader} | evaluations O/M | time O (min) | time M (min) | time O/M: min (median) | allocated per solve O / M |");
            text.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var row in rows) text.AppendLine(row);
            text.AppendLine();
            text.AppendLine($"Optimum reached: OptDsl {reachedOptDsl} of {rows.Count}, MathNet {reachedMathNet} of {rows.Count}. "
                + $"Over the {both} problems both solved: geometric mean of evaluations O/M {GeometricMean(evaluationRatios)}"
                + (timeRatios.Count > 0 ? $", of time O/M (minimums) {GeometricMean(timeRatios)}." : "."));
            text.AppendLine();
        }
        text.AppendLine("A ratio in parentheses compares runs that did not both reach the optimum (or certified values), so it says little.");
        text.AppendLine("†: one solve timed by a Stopwatch (the recording solve in [GlobalSetup]), because the case is too slow for BenchmarkDotNet's repetitions.");
        return text.ToString();
    }

    /// <summary>BenchmarkDotNet's timing of a record's method, or, for a case left out by design, its recording solve.</summary>
    private static Timing? TimeOf(IReadOnlyDictionary<(string Class, string Case, string Method), Timing> timings, string benchmarkClass, SolveRecord record)
    {
        if (timings.TryGetValue((benchmarkClass, record.Case, record.Method), out var timing)) return timing;
        bool leftOut = benchmarkClass == nameof(SolverComparisonBenchmarks) && !SolverComparisonBenchmarks.Timed(record.Method, record.Case);
        return leftOut && timings.Count > 0 ? new Timing(record.Elapsed.TotalNanoseconds, null, null, Single: true) : null;
    }

    private static string Parenthesized(string text, bool parenthesize) => parenthesize ? $"({text})" : text;

    private static string Outcome(SolveRecord record) =>
        record.Failed
            ? $"**failed**: {Escape(record.Status)}"
            : $"{F(record.F)} {(record.Reached ? "✓" : "✗")} {record.Accuracy}, {record.Status}";

    private static string Evaluations(SolveRecord record) =>
        record.Failed ? "-" : record.ObjectiveOnly > 0 ? $"{record.Evaluations} ({record.ObjectiveOnly} f only)" : $"{record.Evaluations}";

    private static string Iterations(SolveRecord record) => record.Failed ? "-" : record.Iterations.ToString(CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>Two decimals, or two significant digits below 0.1 (MathNet's BFGS on extended Rosenbrock is 100–4000× slower).</summary>
    private static string Ratio(double value) =>
        value.ToString(value >= 0.095 ? "0.00" : "G2", CultureInfo.InvariantCulture);

    private static string GeometricMean(List<double> values) =>
        values.Count == 0 ? "-" : Ratio(Math.Exp(values.Average(Math.Log)));

    private static string Time(Timing? timing) =>
        timing is null ? "-" : Time(timing.MinNs) + (timing.Single ? "†" : "");

    private static string Time(double ns) => ns switch
    {
        < 1e3 => $"{ns.ToString("0", CultureInfo.InvariantCulture)} ns",
        < 1e6 => $"{(ns / 1e3).ToString("0.0", CultureInfo.InvariantCulture)} µs",
        < 1e9 => $"{(ns / 1e6).ToString("0.00", CultureInfo.InvariantCulture)} ms",
        _ => $"{(ns / 1e9).ToString("0.00", CultureInfo.InvariantCulture)} s",
    };

    private static string Bytes(long? bytes) => bytes switch
    {
        null => "-",
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{(bytes.Value / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} KB",
        _ => $"{(bytes.Value / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture)} MB",
    };

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
