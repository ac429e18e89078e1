using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using OptDsl.Benchmarks.SolverComparison;
using OptDsl.Runtime;

namespace OptDsl.Benchmarks;

/// <summary>
/// Issue 12: MathNet.Numerics 5's <c>NelderMeadSimplex</c> (what a .NET user has today) against OptDsl's <c>nelder_mead</c>
/// and <c>cmaes</c> on the global test functions of the test suite (Dsl.Tests/Search/Functions), from 20 starts drawn
/// uniformly in each box (the campaign's starts, docs/search.md). MathNet: one run, its relative value-range test at
/// 1e-12, a first simplex of 10% of each range (as OptDsl's), no bounds (it has none: a point outside the box is
/// counted a failure). OptDsl: <c>nelder_mead</c> with its defaults (3 restarts), within 20,000·n evaluations. One
/// benchmark is the 20 solves of one function. --compare-search prints success rates and expected running times, also
/// of <c>nelder_mead</c> with random restarts until the budget is spent and of <c>cmaes</c> with 9 IPOP restarts (both
/// spend the whole budget by design, so their time says nothing a run to the target would).
/// </summary>
[WarmupCount(1)]
[IterationCount(5)]
[InvocationCount(1)]
public class SearchSuiteComparisonBenchmarks
{
    public const int Seeds = 20;

    private SearchFunction _function = null!;

    [ParamsSource(nameof(Functions))]
    public string Function { get; set; } = "";

    public static IEnumerable<string> Functions => SearchFunction.All.Select(f => f.Name);

    [GlobalSetup]
    public void Setup() => _function = SearchFunction.All.Single(f => f.Name == Function);

    [Benchmark(Baseline = true)]
    public double MathNetNelderMead() => Enumerable.Range(0, Seeds).Sum(seed => MathNet(_function, _function.Start(seed)).F);

    [Benchmark]
    public double OptDslNelderMead() => Enumerable.Range(0, Seeds).Sum(seed => OptDsl(new NelderMeadSolver(), _function, seed).F);

    public static (double F, double[] X) MathNet(SearchFunction function, double[] start)
    {
        var problem = function.Problem;
        var objective = ObjectiveFunction.Value(x => problem.Objective(MathNetAdapters.Values(x)));
        var perturbation = Vector<double>.Build.Dense(start.Length, j => 0.1 * (function.Upper[j] - function.Lower[j]));
        try
        {
            var result = new NelderMeadSimplex(NelderMeadComparisonBenchmarks.MathNetTolerance, NelderMeadComparisonBenchmarks.MaxIterations)
                .FindMinimum(objective, Vector<double>.Build.DenseOfArray(start), perturbation);
            return (result.FunctionInfoAtMinimum.Value, result.MinimizingPoint.ToArray());
        }
        catch (MaximumIterationsException)
        {
            return (double.NaN, start);
        }
    }

    public static (double F, double[] X) OptDsl(Solver<IObjectiveProblem> solver, SearchFunction function, int seed)
    {
        var r = solver.Minimize(function.Problem, function.Start(seed),
            new SolveOptions { Seed = seed, MaxEvaluations = 20_000 * function.Dimension, MaxIterations = int.MaxValue, RecordHistory = false },
            new Bounds(function.Lower, function.Upper));
        return (r.Objective, r.X);
    }

    /// <summary>
    /// Per function: each side's successes (f ≤ f* + 1e-4·(1 + |f*|) inside the box) and COCO's expected running time
    /// (evaluations until the target was first reached in the successful runs, plus all evaluations of the failed
    /// runs, over the successes), the measure of docs/search.md.
    /// </summary>
    public static void Check()
    {
        Console.WriteLine();
        Console.WriteLine($"Global test functions, {Seeds} starts each: successes and expected running time (ERT)");
        Console.WriteLine("| function | n | MathNet NelderMeadSimplex | ERT | OptDsl nelder_mead | ERT | nelder_mead, restarts: 1000 | ERT | cmaes, restarts: 9 | ERT |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        int[] totals = new int[4];
        foreach (var function in SearchFunction.All)
        {
            var counted = new CountingObjective(function);
            var cells = new List<string>();
            for (int side = 0; side < 4; side++)
            {
                int successes = 0;
                long evaluations = 0;
                for (int seed = 0; seed < Seeds; seed++)
                {
                    counted.Reset();
                    var (f, x) = side switch
                    {
                        0 => MathNet(function with { Problem = counted }, function.Start(seed)),
                        1 => OptDsl(new NelderMeadSolver(), function with { Problem = counted }, seed),
                        2 => OptDsl(new NelderMeadSolver { Restarts = 1000 }, function with { Problem = counted }, seed),
                        _ => OptDsl(new CmaesSolver { Restarts = 9 }, function with { Problem = counted }, seed),
                    };
                    if (function.Succeeded(f, x))
                    {
                        successes++;
                        evaluations += counted.FirstHit;
                    }
                    else evaluations += counted.Calls;
                }
                totals[side] += successes;
                string ert = successes == 0 ? "∞" : (evaluations / (double)successes).ToString("0", CultureInfo.InvariantCulture);
                cells.Add($"{successes}/{Seeds} | {ert}");
            }
            Console.WriteLine($"| {function.Name} | {function.Dimension} | {string.Join(" | ", cells)} |");
        }
        int runs = SearchFunction.All.Count * Seeds;
        Console.WriteLine($"| all | | {totals[0]}/{runs} | | {totals[1]}/{runs} | | {totals[2]}/{runs} | | {totals[3]}/{runs} | |");
    }

    /// <summary>Counts the calls of f and notes the first that reached the target inside the box.</summary>
    private sealed class CountingObjective(SearchFunction function) : IObjectiveProblem
    {
        public int Calls { get; private set; }

        public int FirstHit { get; private set; }

        public int Dimension => function.Dimension;

        public void Reset() => (Calls, FirstHit) = (0, 0);

        public double Objective(ReadOnlySpan<double> x)
        {
            double f = function.Problem.Objective(x);
            Calls++;
            if (FirstHit == 0 && function.Succeeded(f, x)) FirstHit = Calls;
            return f;
        }
    }
}

/// <summary>A global test function of the suite: the generated problem, its box and its published optimum (the file's header).</summary>
public sealed record SearchFunction(string Name, IObjectiveProblem Problem, double[] Lower, double[] Upper, double Optimum)
{
    public int Dimension => Problem.Dimension;

    public static readonly IReadOnlyList<SearchFunction> All =
    [
        Make("abs_sum_5", new AbsSum5()),
        Make("ackley_10", new Ackley10()),
        Make("ackley_2", new Ackley2()),
        Make("branin", new Branin()),
        Make("goldstein_price", new GoldsteinPrice()),
        Make("griewank_10", new Griewank10()),
        Make("hartmann_3", new Hartmann3()),
        Make("hartmann_6", new Hartmann6()),
        Make("levy_5", new Levy5()),
        Make("max_abs_4", new MaxAbs4()),
        Make("rastrigin_10", new Rastrigin10()),
        Make("rastrigin_2", new Rastrigin2()),
        Make("rastrigin_5", new Rastrigin5()),
        Make("rosenbrock_4", new Rosenbrock4()),
        Make("schwefel_2", new Schwefel2()),
        Make("schwefel_5", new Schwefel5()),
        Make("shekel_10", new Shekel10()),
        Make("six_hump_camel", new SixHumpCamel()),
        Make("sphere_10", new Sphere10()),
        Make("styblinski_tang_5", new StyblinskiTang5()),
    ];

    /// <summary>The function of <c>{name}.opt</c>, its optimum read from the file's "// optimum:" line.</summary>
    private static SearchFunction Make(string name, IObjectiveProblem problem)
    {
        string line = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "TestData", "search", name + ".opt"))
            .First(l => l.StartsWith("// optimum:", StringComparison.Ordinal));
        double optimum = double.Parse(line["// optimum:".Length..].Trim(), CultureInfo.InvariantCulture);
        dynamic generated = problem;
        Bounds bounds = generated.VariableBounds();
        return new SearchFunction(name, problem, bounds.Lower.ToArray(), bounds.Upper.ToArray(), optimum);
    }

    /// <summary>The campaign's start for <paramref name="seed"/>: uniform in the box, drawn by Random(1000 + seed).</summary>
    public double[] Start(int seed)
    {
        var random = new Random(1000 + seed);
        var x = new double[Dimension];
        for (int j = 0; j < x.Length; j++) x[j] = Lower[j] + random.NextDouble() * (Upper[j] - Lower[j]);
        return x;
    }

    public bool Succeeded(double f, ReadOnlySpan<double> x)
    {
        for (int j = 0; j < x.Length; j++)
            if (!(x[j] >= Lower[j] && x[j] <= Upper[j])) return false;
        return f <= Optimum + 1e-4 * (1 + Math.Abs(Optimum));
    }
}
