using System;
using System.Threading.Tasks;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>What the population methods share: the finite box they search, uniform draws from it, and the evaluation of a population (in parallel when asked, with the same values as one thread).</summary>
internal static class SearchBox
{
    /// <summary>Throws unless every variable has finite bounds with lower &lt; upper.</summary>
    public static void RequireFinite(Box box, int n, string solver)
    {
        for (int j = 0; j < n; j++)
        {
            if (!box.IsBounded || !double.IsFinite(box.Lower[j]) || !double.IsFinite(box.Upper[j]) || !(box.Upper[j] > box.Lower[j]))
                throw new ArgumentException($"{solver}: every variable needs finite bounds with lower < upper (variable {j} has [{(box.IsBounded ? box.Lower[j] : double.NegativeInfinity)}, {(box.IsBounded ? box.Upper[j] : double.PositiveInfinity)}]).", "bounds");
        }
    }

    /// <summary>True when all <paramref name="n"/> variables have finite lower and upper bounds (points can be drawn from the box).</summary>
    public static bool IsFinite(Box box, int n)
    {
        if (!box.IsBounded) return false;
        for (int j = 0; j < n; j++)
            if (!double.IsFinite(box.Lower[j]) || !double.IsFinite(box.Upper[j])) return false;
        return true;
    }

    /// <summary>The point of [lo, hi] that scaled coordinate <paramref name="u"/> maps to: u reflected into [0, 1] at its ends.</summary>
    public static double Mirror(double u, double lo, double hi)
    {
        double t = u % 2.0;
        if (t < 0) t += 2.0;
        double v = t <= 1.0 ? t : 2.0 - t;
        return lo + v * (hi - lo);
    }

    /// <summary>A standard normal deviate (Box–Muller; the same sequence for the same <paramref name="random"/>).</summary>
    public static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// A Metropolis move of <c>anneal</c> and <c>replica_exchange</c>: every coordinate of <paramref name="from"/> shifted by
    /// a normal step of <paramref name="step"/> times its range, mirrored back into the box.
    /// </summary>
    public static void Neighbour(Random random, Box box, double[] from, double step, double[] into)
    {
        for (int j = 0; j < from.Length; j++)
        {
            double lo = box.Lower[j], hi = box.Upper[j];
            into[j] = Mirror((from[j] - lo) / (hi - lo) + step * Gaussian(random), lo, hi);
        }
    }

    /// <summary>The Metropolis rule: a move from <paramref name="f"/> to <paramref name="trial"/> is taken with probability min(1, e^(−(trial − f)/T)).</summary>
    public static bool Metropolis(Random random, double trial, double f, double temperature) =>
        trial <= f || (double.IsFinite(trial) && random.NextDouble() < Math.Exp(-(trial - f) / temperature));

    /// <summary>The largest distance of a point from <paramref name="best"/>, per coordinate as a fraction of its range (how gathered a population is).</summary>
    public static double Spread(double[][] points, double[] best, Box box)
    {
        double spread = 0;
        foreach (var p in points)
            for (int j = 0; j < best.Length; j++) spread = Math.Max(spread, Math.Abs(p[j] - best[j]) / (box.Upper[j] - box.Lower[j]));
        return spread;
    }

    /// <summary>Indices by increasing value, ties by index (so runs repeat).</summary>
    public static void SortByValue(double[] values, int[] order)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (p, q) => values[p] != values[q] ? values[p].CompareTo(values[q]) : p.CompareTo(q));
    }

    /// <summary>An array of <paramref name="n"/> copies of <paramref name="value"/>.</summary>
    public static double[] Filled(int n, double value)
    {
        var a = new double[n];
        Array.Fill(a, value);
        return a;
    }

    /// <summary>A point drawn uniformly from the box.</summary>
    public static void Uniform(Random random, Box box, double[] into)
    {
        for (int j = 0; j < into.Length; j++) into[j] = box.Lower[j] + random.NextDouble() * (box.Upper[j] - box.Lower[j]);
    }

    /// <summary>Each point's value into its own slot (NaN taken as +∞), on <paramref name="parallelism"/> threads.</summary>
    public static void Evaluate(IObjectiveProblem problem, IterationMonitor monitor, double[][] points, double[] values, int parallelism, int count = -1)
    {
        if (count < 0) count = points.Length;
        if (parallelism == 1)
        {
            for (int k = 0; k < count; k++) values[k] = Clean(monitor.Objective(problem, points[k]));
            return;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, k => values[k] = Clean(problem.Objective(points[k])));
        monitor.CountEvaluations(count);
    }

    public static double Clean(double f) => double.IsNaN(f) ? double.PositiveInfinity : f;

    /// <summary>
    /// The temperature at which an average uphill move is first accepted with probability about e^(−1): the standard
    /// deviation of f over 10·n points drawn uniformly in the box (counted evaluations; a better point found on the way
    /// becomes <paramref name="best"/>). Null when the budget runs out first.
    /// </summary>
    public static double? CalibratedTemperature(IObjectiveProblem problem, IterationMonitor monitor, Random random, Box box, double[] best, ref double bestValue)
    {
        int n = best.Length;
        var probe = new double[n];
        double sum = 0, sumSquares = 0;
        int count = 0;
        for (int k = 0; k < 10 * n; k++)
        {
            if (monitor.EvaluationBudgetExhausted) return null;
            Uniform(random, box, probe);
            double v = Clean(monitor.Objective(problem, probe));
            if (v < bestValue) { bestValue = v; probe.AsSpan().CopyTo(best); }
            if (!double.IsFinite(v)) continue;
            sum += v;
            sumSquares += v * v;
            count++;
        }
        double mean = count > 0 ? sum / count : 0;
        double t = count > 1 ? Math.Sqrt(Math.Max(sumSquares / count - mean * mean, 0)) : 1;
        return t > 0 && double.IsFinite(t) ? t : Math.Max(1, Math.Abs(mean));
    }

    /// <summary>Checks a thread count against the runtime's limit.</summary>
    public static void CheckParallelism(int parallelism, string solver)
    {
        if (parallelism < 1 || parallelism > OptionLimits.MaxParallelism)
            throw new ArgumentException($"{solver}: Parallelism must lie in [1, {OptionLimits.MaxParallelism}] (got {parallelism}).", "Parallelism");
    }
}
