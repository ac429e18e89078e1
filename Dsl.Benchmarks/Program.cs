using System;
using System.Linq;
using BenchmarkDotNet.Running;
using OptDsl.Benchmarks.SolverComparison;

namespace OptDsl.Benchmarks;

/// <summary>
/// dotnet run -c Release --project Dsl.Benchmarks -- --filter '*'                               (the whole suite, a few minutes)
/// dotnet run -c Release --project Dsl.Benchmarks -- --filter '*ExtendedRosenbrockBenchmarks*'  (one class)
/// Any BenchmarkDotNet option works (--list flat, --job short, ...); every job runs in this process (--inProcess is
/// implied when --job is given, see <see cref="BenchmarkConfig"/>); a --job adds to this suite's own job. After the run the ratios that the targets are about, and the
/// zero-allocation check of every derivative, are printed and written to BenchmarkDotNet.Artifacts/results/ratios.md.
/// DOTNET_TieredPGO=0 dotnet run -c Release --project Dsl.Benchmarks -- --filter '*KernelBenchmarks*'  (a runtime setting: on the whole run;
/// the benchmarks run in this process, so --envVars, a job's environment variables, is refused: it would change nothing but the job's label)
/// dotnet Dsl.Benchmarks.dll --calls CLASS METHOD PARAMETER CALLS: no timing; runs one kernel, e.g. to print its machine code.
/// dotnet Dsl.Benchmarks.dll --compare-models: no timing; the losses the training benchmarks reach (ML.NET's, OptDsl's, the optimum).
/// dotnet Dsl.Benchmarks.dll --compare-search: no timing; nelder_mead against MathNet's NelderMeadSimplex on the MGH problems (f, evaluations, statuses) and on the global test functions (successes, evaluations).
/// dotnet Dsl.Benchmarks.dll --compare-ipopt [--broad | --held-out | --scaled]: no timing; ipm and auglag against IPOPT (Ipopt/install.sh installs it) on Hock–Schittkowski problems (see Ipopt/IpoptComparison.cs).
/// dotnet Dsl.Benchmarks.dll --compare: no timing; solves every problem of the MathNet comparison once per method and
/// prints f, iterations and evaluations (the timed run is --filter '*SolverComparison*').
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == KernelRunner.Option) return KernelRunner.Run(args);
        if (args.Length > 0 && args[0] == SolverComparisonReport.Option) return SolverComparisonReport.PrintWithoutTiming();
        if (args.Length > 0 && args[0] == "--compare-models") return ModelTrainingBenchmarks.Check();
        if (args.Length > 0 && args[0] == "--compare-ipopt") return Ipopt.IpoptComparison.Run(args);
        if (args.Length > 0 && args[0] == "--compare-search")
        {
            NelderMeadComparisonBenchmarks.Check();
            SearchSuiteComparisonBenchmarks.Check();
            return 0;
        }

        // Every job runs in this process, so a job's environment variables (--envVars) would only label the results: the
        // runtime read its settings (DOTNET_TieredPGO, ...) when this process started. Set them on the whole run instead.
        if (args.Any(arg => arg.StartsWith("--envVars", StringComparison.OrdinalIgnoreCase)))
        {
            Console.Error.WriteLine("--envVars has no effect on in-process benchmarks (it would only relabel the job). Set the variable on the " +
                "whole run instead, e.g. DOTNET_TieredPGO=0 dotnet run -c Release --project Dsl.Benchmarks -- --filter ... (docs/benchmarks.md).");
            return 2;
        }

        // A job given on the command line (--job short) would otherwise use the out-of-process toolchain, which cannot
        // rebuild this project (see BenchmarkConfig). Without one, --inProcess would add BenchmarkDotNet's default job.
        bool jobOnCommandLine = args.Any(arg => arg is "--job" or "-j" || arg.StartsWith("--job=", StringComparison.Ordinal));
        if (jobOnCommandLine && !args.Any(arg => arg is "--inProcess" or "-i")) args = [.. args, "--inProcess"];
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchmarkConfig.Create());
        return RatioReport.Write(summaries);
    }
}
