using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace OptDsl.Benchmarks;

/// <summary>
/// One job sized for the project's machine (2 shared cores): one launch, 5 warmup and 15 measured iterations of
/// ~250 ms each, so the whole suite finishes in about five minutes. Timings on a shared machine are noisy; the
/// ratios between benchmarks of one run are the numbers to read. Memory is measured for every benchmark.
/// The benchmarks run in this process (in-process toolchain): BenchmarkDotNet's default toolchain rebuilds the
/// project and its references into its own artifacts path, which the ANTLR build of Dsl.Grammar does not support,
/// and a rebuild would also race the other builds in this tree. Run from a Release build (dotnet run -c Release).
/// </summary>
public static class BenchmarkConfig
{
    public static IConfig Create() =>
        DefaultConfig.Instance
            .AddJob(Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(5)
                .WithIterationCount(15)
                .WithIterationTime(TimeInterval.FromMilliseconds(250))
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithId("SharedTwoCore"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.Median, StatisticColumn.Min, new AllocationCheck.Column())
            .HideColumns(Column.Error)
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40));
}
