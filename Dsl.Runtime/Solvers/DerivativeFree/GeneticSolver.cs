using System;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// A real-coded genetic algorithm (<c>.opt</c> name <c>ga</c>) in the style of Deb's NSGA-II operators for one
/// objective: binary tournament selection, simulated binary crossover (SBX, Deb &amp; Agrawal 1995; bounded form of Deb
/// &amp; Goyal 1996) with distribution index 15 applied to a pair with probability <see cref="Crossover"/> (each
/// coordinate with probability ½), polynomial mutation (bounded form, Deb &amp; Deb 2014) with distribution index 20
/// applied to each coordinate with probability <see cref="Mutation"/> (default 1/n), and elitism: the two best
/// individuals pass to the next generation unchanged. (NSGA-II's (μ + λ) replacement was tried and lost the
/// population's diversity within a few hundred generations on Rosenbrock.) Needs finite bounds; individual 0 starts at the start point, the
/// others uniformly in the box. Its natural end is <see cref="Generations"/> generations, or a population gathered within
/// 1e-9 of each range. Each generation is evaluated at once (on <see cref="Parallelism"/> threads, with the same values).
/// </summary>
public sealed class GeneticSolver : DerivativeFreeSolver
{
    private const double CrossoverIndex = 15, MutationIndex = 20;
    private int Elite => Math.Max(2, Population / 10);

    /// <summary><c>ga</c>.</summary>
    public override string Name => "ga";

    /// <summary>Individuals per generation (<c>population</c>, default 50).</summary>
    public int Population { get; set; } = 50;

    /// <summary>Generations before the natural end (<c>generations</c>, default 500).</summary>
    public int Generations { get; set; } = 500;

    /// <summary>Probability that a coordinate mutates (<c>mutation</c>; NaN, the default, for 1/n).</summary>
    public double Mutation { get; set; } = double.NaN;

    /// <summary>Probability that a pair of parents is crossed (<c>crossover</c>, default 0.9).</summary>
    public double Crossover { get; set; } = 0.9;

    /// <inheritdoc cref="CmaesSolver.Parallelism"/>
    public int Parallelism { get; set; } = 1;


    private protected override void CheckSettings()
    {
        if (Population < 4 || Population > OptionLimits.MaxPopulation)
            throw new ArgumentException($"{Name}: Population must lie in [4, {OptionLimits.MaxPopulation}] (got {Population}).", nameof(Population));
        if (Generations < 1) throw new ArgumentException($"{Name}: Generations must be at least 1 (got {Generations}).", nameof(Generations));
        if (!double.IsNaN(Mutation) && !(Mutation >= 0 && Mutation <= 1)) throw new ArgumentException($"{Name}: Mutation must lie in [0, 1] (got {Mutation}).", nameof(Mutation));
        if (!(Crossover >= 0 && Crossover <= 1)) throw new ArgumentException($"{Name}: Crossover must lie in [0, 1] (got {Crossover}).", nameof(Crossover));
        SearchBox.CheckParallelism(Parallelism, Name);
    }

    private protected override SolveResult Search(IObjectiveProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        int n = x.Length, size = Population;
        double mutation = double.IsNaN(Mutation) ? 1.0 / n : Mutation;
        var random = new Random(monitor.Options.Seed ?? 0);
        var population = new double[size][];
        var children = new double[size][];
        var values = new double[size];
        var childValues = new double[size];
        var order = new int[size];
        for (int i = 0; i < size; i++)
        {
            population[i] = new double[n];
            children[i] = new double[n];
            if (i == 0) x.AsSpan().CopyTo(population[0]);
            else SearchBox.Uniform(random, box, population[i]);
        }
        if (monitor.RemainingEvaluations < size) return monitor.Result(x, double.NaN, double.NaN, SolveStatus.MaxEvaluations);
        SearchBox.Evaluate(problem, monitor, population, values, Parallelism);
        monitor.SetStart(double.IsFinite(values[0]) ? values[0] : 1, Vec.InfNorm(x));
        SearchBox.SortByValue(values, order);

        for (int generation = 1; ; generation++)
        {
            var best = population[order[0]];
            double spread = SearchBox.Spread(population, best, box);
            monitor.RecordIteration(values[order[0]], spread);
            if (generation > Generations)
                return Finish(problem, (double[])best.Clone(), values[order[0]], box, monitor, $"{Generations} generations done");
            if (spread <= 1e-9)
                return Finish(problem, (double[])best.Clone(), values[order[0]], box, monitor,
                    $"the population gathered within 1e-9 of each range after {generation - 1} generations");
            if (monitor.ShouldStop(out var status)) return monitor.Result((double[])best.Clone(), values[order[0]], double.NaN, status);
            if (monitor.RemainingEvaluations < size - Elite) return monitor.Result((double[])best.Clone(), values[order[0]], double.NaN, SolveStatus.MaxEvaluations);

            // The children of tournament winners fill the first places; the two best individuals pass unchanged into
            // the last ones (their values are known).
            int fresh = size - Elite;
            for (int k = 0; k < fresh; k += 2)
            {
                var a = population[Tournament(random, values)];
                var b = population[Tournament(random, values)];
                var c1 = children[k];
                var c2 = k + 1 < fresh ? children[k + 1] : null;
                a.AsSpan().CopyTo(c1);
                if (c2 is not null) b.AsSpan().CopyTo(c2);
                if (c2 is not null && random.NextDouble() < Crossover) Sbx(random, a, b, c1, c2, box);
                Mutate(random, c1, mutation, box);
                if (c2 is not null) Mutate(random, c2, mutation, box);
            }
            for (int e = 0; e < Elite; e++)
            {
                population[order[e]].AsSpan().CopyTo(children[fresh + e]);
                childValues[fresh + e] = values[order[e]];
            }
            SearchBox.Evaluate(problem, monitor, children, childValues, Parallelism, fresh);
            (population, children) = (children, population);
            Array.Copy(childValues, values, size);
            SearchBox.SortByValue(values, order);
        }
    }

    private static int Tournament(Random random, double[] values)
    {
        int i = random.Next(values.Length), j = random.Next(values.Length);
        return values[j] < values[i] || (values[j] == values[i] && j < i) ? j : i;
    }

    /// <summary>Bounded SBX on each coordinate with probability ½ (Deb's implementation, as in NSGA-II).</summary>
    private static void Sbx(Random random, double[] a, double[] b, double[] c1, double[] c2, Box box)
    {
        for (int j = 0; j < a.Length; j++)
        {
            if (random.NextDouble() > 0.5 || Math.Abs(a[j] - b[j]) <= 1e-14) continue;
            double lo = box.Lower[j], hi = box.Upper[j];
            double y1 = Math.Min(a[j], b[j]), y2 = Math.Max(a[j], b[j]);
            double u = random.NextDouble();
            double beta = 1 + 2 * (y1 - lo) / (y2 - y1);
            double alpha = 2 - Math.Pow(beta, -(CrossoverIndex + 1));
            double betaq = u <= 1 / alpha ? Math.Pow(u * alpha, 1 / (CrossoverIndex + 1)) : Math.Pow(1 / (2 - u * alpha), 1 / (CrossoverIndex + 1));
            double child1 = 0.5 * (y1 + y2 - betaq * (y2 - y1));
            beta = 1 + 2 * (hi - y2) / (y2 - y1);
            alpha = 2 - Math.Pow(beta, -(CrossoverIndex + 1));
            betaq = u <= 1 / alpha ? Math.Pow(u * alpha, 1 / (CrossoverIndex + 1)) : Math.Pow(1 / (2 - u * alpha), 1 / (CrossoverIndex + 1));
            double child2 = 0.5 * (y1 + y2 + betaq * (y2 - y1));
            child1 = Math.Clamp(child1, lo, hi);
            child2 = Math.Clamp(child2, lo, hi);
            if (random.NextDouble() < 0.5) (child1, child2) = (child2, child1);
            c1[j] = child1;
            c2[j] = child2;
        }
    }

    /// <summary>Bounded polynomial mutation of each coordinate with probability <paramref name="probability"/>.</summary>
    private static void Mutate(Random random, double[] c, double probability, Box box)
    {
        for (int j = 0; j < c.Length; j++)
        {
            if (random.NextDouble() >= probability) continue;
            double lo = box.Lower[j], hi = box.Upper[j], range = hi - lo;
            double d1 = (c[j] - lo) / range, d2 = (hi - c[j]) / range, u = random.NextDouble(), power = 1 / (MutationIndex + 1), dq;
            if (u < 0.5) dq = Math.Pow(2 * u + (1 - 2 * u) * Math.Pow(1 - d1, MutationIndex + 1), power) - 1;
            else dq = 1 - Math.Pow(2 * (1 - u) + 2 * (u - 0.5) * Math.Pow(1 - d2, MutationIndex + 1), power);
            c[j] = Math.Clamp(c[j] + dq * range, lo, hi);
        }
    }
}
