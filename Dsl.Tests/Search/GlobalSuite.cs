using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using OptDsl.Runtime;
using OptDsl.Tests.Compiler;

namespace OptDsl.Tests.Search;

/// <summary>
/// The global test functions of <c>Search/Functions/*.opt</c>, compiled by the generator, with their published optima
/// (each file's "// optimum:" line) and boxes. A run succeeds when it reaches f* + 1e-4·(1 + |f*|), COCO/BBOB's style of
/// target; <see cref="Run"/> runs one method from one seed.
/// </summary>
internal sealed record GlobalFunction(string Name, double Optimum, IObjectiveProblem Problem, Bounds Bounds, bool Smooth)
{
    private static readonly ConcurrentDictionary<string, GlobalFunction> s_cache = new();

    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Search", "Functions");

    public static IEnumerable<string> Names => Directory.GetFiles(Folder, "*.opt").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    public static GlobalFunction Load(string name) => s_cache.GetOrAdd(name, n =>
    {
        string text = File.ReadAllText(Path.Combine(Folder, n + ".opt"));
        double optimum = double.Parse(text.Split('\n').First(l => l.StartsWith("// optimum:", StringComparison.Ordinal))["// optimum:".Length..].Trim(), CultureInfo.InvariantCulture);
        string type = text.Split('\n').First(l => l.StartsWith("problem ", StringComparison.Ordinal)).Split(' ')[1];
        var assembly = GeneratedCode.Build(n + ".opt", text);
        dynamic problem = assembly.Create(type);
        bool smooth = !text.Contains("abs(", StringComparison.Ordinal) && !text.Contains("max(", StringComparison.Ordinal);
        return new GlobalFunction(n, optimum, (IObjectiveProblem)problem, (Bounds)problem.VariableBounds(), smooth);
    });

    public double Target => Optimum + 1e-4 * (1 + Math.Abs(Optimum));

    public int Dimension => Problem.Dimension;

    /// <summary>A start drawn uniformly from the box by <paramref name="seed"/>.</summary>
    public double[] Start(int seed)
    {
        var random = new Random(1000 + seed);
        var x = new double[Dimension];
        for (int j = 0; j < x.Length; j++) x[j] = Bounds.Lower[j] + random.NextDouble() * (Bounds.Upper[j] - Bounds.Lower[j]);
        return x;
    }

    /// <summary>
    /// Runs <paramref name="solver"/> from the seed's start with the seed, within <paramref name="budget"/> evaluations;
    /// also returns the evaluation at which f first reached <see cref="Target"/> (0 if never), COCO's runtime to target,
    /// and the calls of f and its gradient in all.
    /// </summary>
    public (SolveResult Result, int ToTarget, int Calls) Run(Solver<IObjectiveProblem> solver, int seed, int budget)
    {
        var counting = new Counting(Problem, Target);
        var r = solver.Minimize(counting, Start(seed), new SolveOptions { Seed = seed, MaxEvaluations = budget, MaxIterations = int.MaxValue, RecordHistory = false }, Bounds);
        return (r, counting.ToTarget, counting.Calls);
    }

    /// <summary>Counts the calls of f and of the gradient (a polish's), and notes the first that reaches the target.</summary>
    private sealed class Counting(IObjectiveProblem inner, double target) : IGradientProblem
    {
        private int _count;

        public int ToTarget { get; private set; }

        public int Calls => _count;

        public int Dimension => inner.Dimension;

        public double Objective(ReadOnlySpan<double> x)
        {
            double f = inner.Objective(x);
            Count(f);
            return f;
        }

        public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
        {
            double f = ((IGradientProblem)inner).Gradient(x, gradient);
            Count(f);
            return f;
        }

        private void Count(double f)
        {
            int count = System.Threading.Interlocked.Increment(ref _count);
            if (f <= target && ToTarget == 0) ToTarget = count;
        }
    }
}
