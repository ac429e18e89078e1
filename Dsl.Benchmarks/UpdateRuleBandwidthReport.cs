using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Reports;

namespace OptDsl.Benchmarks;

/// <summary>
/// The update-loop target of issue 10: for every case of <see cref="UpdateRuleBenchmarks"/>, the bytes one fused step must
/// move (<see cref="UpdateRuleBenchmarks.BytesPerEntry"/> × N) ÷ its time, as a fraction of the bandwidth of the triad
/// measured in the same case of the same run (≥ 0.80 to meet it); the same for the old TensorPrimitives sequence, with the
/// bytes the fused step needs (so the fraction shows the time it wastes). Of minimums (the verdict) and of medians.
/// Also against the triad with non-temporal stores (<see cref="TriadBenchmarks"/>), the stricter comparison.
/// </summary>
public static class UpdateRuleBandwidthReport
{
    public const double Target = 0.80;

    /// <summary>The table ("" when the class did not run).</summary>
    public static string Write(IEnumerable<Summary> summaries)
    {
        var times = new Dictionary<(string Case, string Method), (double Min, double Median)>();
        (double Min, double Median)? nonTemporal = null;
        foreach (var report in summaries.SelectMany(summary => summary.Reports))
        {
            var benchmark = report.BenchmarkCase;
            if (report.ResultStatistics is not { } statistics) continue;
            if (benchmark.Descriptor.Type == typeof(TriadBenchmarks) && benchmark.Descriptor.WorkloadMethod.Name == nameof(TriadBenchmarks.NonTemporal))
                nonTemporal = (statistics.Min, statistics.Median);
            if (benchmark.Descriptor.Type != typeof(UpdateRuleBenchmarks)) continue;
            string caseName = (string)benchmark.Parameters[nameof(UpdateRuleBenchmarks.Case)];
            times[(caseName, benchmark.Descriptor.WorkloadMethod.Name)] = (statistics.Min, statistics.Median);
        }
        if (times.Count == 0) return "";

        var text = new StringBuilder();
        text.AppendLine("## Update rules: bandwidth against the triad (one run)").AppendLine();
        text.AppendLine($"N = {UpdateRuleBenchmarks.N.ToString("N0", CultureInfo.InvariantCulture)}. Bytes per entry: what one fused step must read and write (STREAM's count). GB/s = bytes ÷ time;");
        text.AppendLine("fraction = that ÷ the triad's GB/s in the same case. The old sequence is credited with the same bytes. Of minimums, (of medians).").AppendLine();
        double triadBytes = (double)UpdateRuleBenchmarks.TriadBytesPerEntry * UpdateRuleBenchmarks.N;
        if (nonTemporal is { } nt)
            text.AppendLine($"Triad with non-temporal stores (TriadBenchmarks.NonTemporal, once in this run): {F(triadBytes / nt.Min)} ({F(triadBytes / nt.Median)}) GB/s; \"fused / NT\" compares with it.").AppendLine();
        text.AppendLine("| Case | B/entry | triad GB/s | fused GB/s | fused / triad | fused / NT triad | old GB/s | old / triad | old time / fused time | target ≥ 0.80 |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (string caseName in UpdateRuleBenchmarks.Cases)
        {
            if (!times.TryGetValue((caseName, nameof(UpdateRuleBenchmarks.Triad)), out var triad)) continue;
            double bytes = (double)UpdateRuleBenchmarks.BytesPerEntry(caseName) * UpdateRuleBenchmarks.N;
            double triadMin = triadBytes / triad.Min, triadMedian = triadBytes / triad.Median; // bytes per ns = GB/s
            string fused = "-", fusedFraction = "-", fusedNonTemporal = "-", old = "-", oldFraction = "-", speedup = "-", verdict = "no result";
            bool hasFused = times.TryGetValue((caseName, nameof(UpdateRuleBenchmarks.Fused)), out var f);
            if (hasFused)
            {
                fused = $"{F(bytes / f.Min)} ({F(bytes / f.Median)})";
                double fraction = bytes / f.Min / triadMin;
                fusedFraction = $"{F(fraction)} ({F(bytes / f.Median / triadMedian)})";
                verdict = fraction >= Target ? "met" : "MISSED";
                if (nonTemporal is { } n) fusedNonTemporal = $"{F(bytes / f.Min / (triadBytes / n.Min))} ({F(bytes / f.Median / (triadBytes / n.Median))})";
            }
            if (times.TryGetValue((caseName, nameof(UpdateRuleBenchmarks.TensorPrimitivesSequence)), out var o))
            {
                old = $"{F(bytes / o.Min)} ({F(bytes / o.Median)})";
                oldFraction = $"{F(bytes / o.Min / triadMin)} ({F(bytes / o.Median / triadMedian)})";
                if (hasFused) speedup = $"{F(o.Min / f.Min)} ({F(o.Median / f.Median)})";
            }
            text.AppendLine($"| {caseName} | {UpdateRuleBenchmarks.BytesPerEntry(caseName)} | {F(triadMin)} ({F(triadMedian)}) | {fused} | {fusedFraction} | {fusedNonTemporal} | {old} | {oldFraction} | {speedup} | {verdict} |");
        }
        text.AppendLine();
        return text.ToString();
    }

    private static string F(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
