using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Reports;
using OptDsl.Benchmarks.SolverComparison;

namespace OptDsl.Benchmarks;

/// <summary>
/// After a run: the ratios the targets are about (each from two benchmarks of the same run and the same
/// parameters), the check that no derivative (and no update step) allocates, the update rules' bandwidth against the
/// triad, and the tables of the MathNet solver comparison.
/// Printed, and written to results/ratios.md.
/// </summary>
public static class RatioReport
{
    private sealed record Ratio(string Class, string Numerator, string Denominator, double? Target);

    private static readonly Ratio[] s_ratios =
    [
        new(nameof(ExtendedRosenbrockBenchmarks), "Gradient", "HandWrittenGradient", 1.2),
        new(nameof(ExtendedRosenbrockBenchmarks), "Gradient", "Objective", 3.0),
        new(nameof(ExtendedRosenbrockBenchmarks), "HandWrittenGradient", "Objective", null),
        new(nameof(ExtendedRosenbrockBenchmarks), "FiniteDifferenceGradient", "Gradient", null),
        new(nameof(LeastSquaresBenchmarks), "Gradient", "HandWrittenGradient", 1.2),
        new(nameof(LeastSquaresBenchmarks), "Gradient", "Objective", 3.0),
        new(nameof(LeastSquaresBenchmarks), "HandWrittenGradient", "Objective", null),
        new(nameof(LeastSquaresBenchmarks), "Residuals", "Objective", null),
        new(nameof(LeastSquaresBenchmarks), "ResidualJacobian", "Objective", null),
        new(nameof(HessianVectorProductBenchmarks), "HessianVectorProduct", "Gradient", null),
        new(nameof(HessianVectorProductBenchmarks), "HessianVectorProduct", "HandWrittenHessianVectorProduct", null),
        new(nameof(HessianVectorProductBenchmarks), "Gradient", "Objective", 3.0),
        new(nameof(LbfgsHistoryBenchmarks), "RuntimeLbfgsMemory", "HandWrittenTwoLoop", 1.5),
        // Issue 10: generated kernels against the best hand-written SIMD ones (the targets, with the default runtime and
        // with DOTNET_TieredPGO=0: run twice, see docs/benchmarks.md), and against plain scalar loops (context).
        new(nameof(ExtendedRosenbrockKernelBenchmarks), "Gradient", "HandWrittenSimdGradient", 1.10),
        new(nameof(ExtendedRosenbrockKernelBenchmarks), "Gradient", "HandWrittenScalarGradient", null),
        new(nameof(ExtendedRosenbrockKernelBenchmarks), "HandWrittenScalarGradient", "HandWrittenSimdGradient", null),
        new(nameof(ExtendedRosenbrockKernelBenchmarks), "HessianVectorProduct", "HandWrittenSimdHessianVectorProduct", 1.25),
        new(nameof(ExtendedRosenbrockKernelBenchmarks), "HessianVectorProduct", "HandWrittenScalarHessianVectorProduct", null),
        new(nameof(LogisticRegressionKernelBenchmarks), "Gradient", "HandWrittenSimdGradient", 1.10),
        new(nameof(LogisticRegressionKernelBenchmarks), "Gradient", "HandWrittenPerRowGradient", null),
        new(nameof(LogisticRegressionKernelBenchmarks), "Gradient", "HandWrittenScalarGradient", null),
        new(nameof(LogisticRegressionKernelBenchmarks), "HandWrittenScalarGradient", "HandWrittenSimdGradient", null),
        new(nameof(LogisticRegressionKernelBenchmarks), "HessianVectorProduct", "HandWrittenSimdHessianVectorProduct", 1.25),
        new(nameof(LogisticRegressionKernelBenchmarks), "HessianVectorProduct", "HandWrittenScalarHessianVectorProduct", null),
        new(nameof(SoftplusKernelBenchmarks), "Gradient", "HandWrittenSimdGradient", 1.10),
        new(nameof(SoftplusKernelBenchmarks), "Gradient", "HandWrittenScalarGradient", null),
        new(nameof(SoftplusKernelBenchmarks), "HandWrittenScalarGradient", "HandWrittenSimdGradient", null),
        new(nameof(LeastSquaresKernelBenchmarks), "Gradient", "HandWrittenSimdGradient", 1.10),
        new(nameof(LeastSquaresKernelBenchmarks), "Gradient", "HandWrittenScalarGradient", null),
        new(nameof(LeastSquaresKernelBenchmarks), "HandWrittenScalarGradient", "HandWrittenSimdGradient", null),
    ];

    /// <summary>The classes whose every benchmark must allocate nothing per call.</summary>
    private static readonly string[] s_allocationFree =
    [
        nameof(ExtendedRosenbrockBenchmarks), nameof(LeastSquaresBenchmarks), nameof(HessianVectorProductBenchmarks), nameof(LbfgsHistoryBenchmarks),
        nameof(ExtendedRosenbrockKernelBenchmarks), nameof(LogisticRegressionKernelBenchmarks), nameof(SoftplusKernelBenchmarks), nameof(LeastSquaresKernelBenchmarks),
        nameof(UpdateRuleBenchmarks),
    ];

    private sealed record Measurement(
        string Class, string Method, string Job, string Parameters, double? MedianNs, double? MinNs, long? AllocatedBytes, long? ThreadBytes);

    /// <summary>Writes the report; returns 1 if a derivative allocated or a benchmark gave no result, else 0.</summary>
    public static int Write(IEnumerable<Summary> summaries)
    {
        var list = summaries.ToList();
        var measurements = list
            .SelectMany(summary => summary.Reports)
            .Select(report => new Measurement(
                report.BenchmarkCase.Descriptor.Type.Name,
                report.BenchmarkCase.Descriptor.WorkloadMethod.Name,
                report.BenchmarkCase.Job.ResolvedId,
                report.BenchmarkCase.Parameters.DisplayInfo,
                report.ResultStatistics?.Median,
                report.ResultStatistics?.Min,
                report.Success ? report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) : null,
                AllocationCheck.BytesPerCall(report.BenchmarkCase)))
            .ToList();
        if (measurements.Count == 0) return 0;

        var text = new StringBuilder();
        int status = 0;
        var ratioRows = new List<string>();
        foreach (var ratio in s_ratios)
        {
            foreach (var group in measurements.Where(m => m.Class == ratio.Class).GroupBy(m => (m.Job, m.Parameters)))
            {
                var numerator = group.FirstOrDefault(m => m.Method == ratio.Numerator);
                var denominator = group.FirstOrDefault(m => m.Method == ratio.Denominator);
                if (numerator?.MinNs is not { } a || denominator?.MinNs is not { } b || b <= 0) continue;
                double value = a / b;
                string byMedian = numerator.MedianNs is { } c && denominator.MedianNs is { } d && d > 0 ? F(c / d) : "-";
                string verdict = ratio.Target is { } target ? (value <= target ? $"≤ {F(target)}: met" : $"≤ {F(target)}: MISSED") : "informative";
                ratioRows.Add($"| {ratio.Class} | {group.Key.Job} | {group.Key.Parameters} | {ratio.Numerator} / {ratio.Denominator} | {F(value)} | {byMedian} | {verdict} |");
            }
        }
        if (ratioRows.Count > 0)
        {
            text.AppendLine("## Ratios (one run)").AppendLine();
            text.AppendLine(RuntimeSettings()).AppendLine();
            text.AppendLine("Of minimums (the verdict), and of medians: on a busy shared machine other work only adds time, so the");
            text.AppendLine("minimums are the least perturbed estimate; where the two disagree much, the run was disturbed.").AppendLine();
            text.AppendLine("| Class | Job | Parameters | Ratio | Of minimums | Of medians | Target |").AppendLine("|---|---|---|---|---:|---:|---|");
            foreach (var row in ratioRows) text.AppendLine(row);
            text.AppendLine();
        }

        var checkedForAllocation = measurements.Where(m => s_allocationFree.Contains(m.Class)).ToList();
        if (checkedForAllocation.Count > 0)
        {
            text.AppendLine("## Allocation per call").AppendLine();
            text.AppendLine("Exact: bytes allocated on the calling thread per call, checked in [GlobalSetup]. MemoryDiagnoser: BenchmarkDotNet's");
            text.AppendLine("all-threads count, where the tiered JIT's background work can add a few bytes (BenchmarkDotNet issue #1542).").AppendLine();
            text.AppendLine("| Class | Parameters | Method | Exact | MemoryDiagnoser | Check |").AppendLine("|---|---|---|---:|---:|---|");
            foreach (var m in checkedForAllocation)
            {
                bool ok = m.ThreadBytes == 0;
                if (!ok) status = 1;
                string exact = m.ThreadBytes is { } thread ? $"{thread} B" : "not checked";
                string diagnoser = m.AllocatedBytes is { } bytes ? $"{bytes} B" : "no result";
                text.AppendLine($"| {m.Class} | {m.Parameters} | {m.Method} | {exact} | {diagnoser} | {(ok ? "zero: ok" : "FAILED")} |");
            }
            text.AppendLine();
        }

        // The update rules' bandwidth against the triad (UpdateRuleBenchmarks), if they ran.
        text.Append(UpdateRuleBandwidthReport.Write(list));

        // The MathNet comparison's tables (SolverComparisonBenchmarks, LeastSquaresSolverComparisonBenchmarks), if they ran.
        text.Append(SolverComparisonReport.Write(list));

        if (measurements.Any(m => m.MedianNs is null))
        {
            status = 1;
            text.AppendLine("Some benchmarks gave no result (see the log above; a failed correctness check in [GlobalSetup] shows there).");
        }

        Console.WriteLine();
        Console.WriteLine(text.ToString());
        string? directory = list.FirstOrDefault()?.ResultsDirectoryPath;
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, "ratios.md");
            File.WriteAllText(path, text.ToString());
            Console.WriteLine($"Ratios written to {path}");
        }
        return status;
    }

    /// <summary>
    /// The JIT settings of this process that the targets depend on. The benchmarks run in this process (in-process
    /// toolchain), so a job's environment variables cannot change them: DOTNET_TieredPGO=0 is set on the whole run.
    /// </summary>
    private static string RuntimeSettings()
    {
        static string? Knob(string name) =>
            Environment.GetEnvironmentVariable("DOTNET_" + name) ?? Environment.GetEnvironmentVariable("COMPlus_" + name);
        string pgo = Knob("TieredPGO") is "0" ? "off (DOTNET_TieredPGO=0)" : "on (the default)";
        string tiered = Knob("TieredCompilation") is "0" ? "off (DOTNET_TieredCompilation=0)" : "on (the default)";
        return $"Runtime {Environment.Version}: dynamic PGO {pgo}, tiered compilation {tiered}.";
    }

    private static string F(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
