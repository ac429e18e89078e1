using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Dsl.Tests")]
// The L-BFGS history benchmark (LbfgsHistoryBenchmarks) drives QuasiNewton.LbfgsMemory directly.
[assembly: InternalsVisibleTo("Dsl.Benchmarks")]
