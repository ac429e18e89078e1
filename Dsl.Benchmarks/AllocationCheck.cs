using System;
using System.Collections.Concurrent;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace OptDsl.Benchmarks;

/// <summary>
/// The exact zero-allocation check of the derivatives. BenchmarkDotNet's MemoryDiagnoser counts the bytes of
/// every thread, so the tiered JIT's background recompilation can show up as a few bytes per call of code that
/// allocates nothing (BenchmarkDotNet issue #1542). This check counts the calling thread only
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), over a few calls after two warm-up calls, in [GlobalSetup];
/// any allocation throws, so the benchmark fails. The result is shown in the "Alloc/call (thread)" column.
/// </summary>
public static class AllocationCheck
{
    private const int Calls = 4;
    private static readonly ConcurrentDictionary<string, long> s_bytesPerCall = new();

    /// <summary>Calls <paramref name="call"/> and throws if a call allocated on this thread.</summary>
    /// <param name="parameters">As BenchmarkDotNet displays the case's parameters, e.g. <c>[N=100]</c>.</param>
    public static void Run(Type benchmarks, string method, string parameters, Action call)
    {
        call();
        call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < Calls; k++) call();
        long bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
        s_bytesPerCall[Key(benchmarks.Name, method, parameters)] = bytes;
        if (bytes != 0)
            throw new InvalidOperationException($"{benchmarks.Name}.{method} {parameters} allocates {bytes} B per call; the benchmarked code must allocate nothing.");
    }

    /// <summary>The bytes per call measured for a benchmark, if it was checked in this process.</summary>
    public static long? BytesPerCall(BenchmarkCase benchmark) =>
        s_bytesPerCall.TryGetValue(Key(benchmark.Descriptor.Type.Name, benchmark.Descriptor.WorkloadMethod.Name, benchmark.Parameters.DisplayInfo), out long bytes)
            ? bytes
            : null;

    private static string Key(string type, string method, string parameters) => $"{type}.{method} {parameters}";

    /// <summary>The "Alloc/call (thread)" column: the exact check's result ("0 B"), or "-" for benchmarks not checked.</summary>
    public sealed class Column : IColumn
    {
        public string Id => nameof(AllocationCheck);
        public string ColumnName => "Alloc/call (thread)";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Metric;
        public int PriorityInCategory => 100;
        public bool IsNumeric => false;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Bytes allocated per call on the calling thread, checked exactly in [GlobalSetup] (a nonzero value fails the benchmark)";
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => BytesPerCall(benchmarkCase) is { } bytes ? $"{bytes} B" : "-";
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
    }
}
