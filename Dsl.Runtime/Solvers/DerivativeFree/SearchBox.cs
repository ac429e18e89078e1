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
