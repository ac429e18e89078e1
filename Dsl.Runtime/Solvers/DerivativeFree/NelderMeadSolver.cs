using System;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// The Nelder–Mead simplex method (<c>.opt</c> name <c>nelder_mead</c>; Nelder &amp; Mead 1965, in the formulation of
/// Lagarias, Reeds, Wright &amp; Wright 1998) with the adaptive coefficients of Gao &amp; Han (2012) for n ≥ 2: reflection 1,
/// expansion 1 + 2/n, contraction 3/4 − 1/(2n), shrink 1 − 1/n (the classic 1, 2, ½, ½ for n = 1), which keep the
/// simplex from collapsing early in higher dimensions. Trial points are projected onto the bounds. When the simplex has
/// shrunk below <see cref="SimplexTolerance"/> and its values agree to <see cref="ValueTolerance"/>, the method restarts
/// (up to <see cref="Restarts"/> times): from a fresh simplex at the best point, since a collapsed, degenerate simplex is
/// the method's known failure (McKinnon 1998) and a restart its remedy; once such a restart gains nothing, from points
/// drawn uniformly in the box (seeded; only when every variable has finite bounds, else the method stops there),
/// keeping the best point of all runs.
/// Needs only objective values; see <see cref="DerivativeFreeEnd"/> for how it judges the point it stops at.
/// </summary>
public sealed class NelderMeadSolver : DerivativeFreeSolver
{
    /// <summary><c>nelder_mead</c>.</summary>
    public override string Name => "nelder_mead";

    /// <summary>Stop (or restart) when every vertex is within this times max(1, ‖x_best‖∞) of the best (<c>simplex_tol</c>, default 1e-8; 0 leaves only the value test and the limits).</summary>
    public double SimplexTolerance { get; set; } = 1e-8;

    /// <summary>… and every vertex's value within this times max(1, |f_best|) of the best (default 1e-12).</summary>
    public double ValueTolerance { get; set; } = 1e-12;

    /// <summary>Fresh simplexes after a collapse (<c>restarts</c>, default 3): at the best point, then from random points of a finite box.</summary>
    public int Restarts { get; set; } = 3;


    /// <summary>Takes unbounded variables (its random restarts need a finite box and stop without one).</summary>
    private protected override bool NeedsBox => false;

    private protected override void CheckSettings()
    {
        Arguments.NonNegative(SimplexTolerance, nameof(SimplexTolerance), Name);
        Arguments.NonNegative(ValueTolerance, nameof(ValueTolerance), Name);
        if (Restarts < 0) throw new ArgumentException($"{Name}: Restarts must be ≥ 0 (got {Restarts}).", nameof(Restarts));
    }

    private protected override SolveResult Search(IObjectiveProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        int n = x.Length;
        double f0 = monitor.Objective(problem, x);
        if (!double.IsFinite(f0))
            return monitor.Result(x, f0, double.NaN, SolveStatus.Diverged, "Diverged: the objective is not finite at the start point.", double.NaN);
        monitor.SetStart(f0, Vec.InfNorm(x));

        var simplex = new double[n + 1][];
        var values = new double[n + 1];
        for (int i = 0; i <= n; i++) simplex[i] = new double[n];
        var centroid = new double[n];
        var trial = new double[n];
        var second = new double[n];
        var best = (double[])x.Clone();
        double bestValue = f0;

        bool adaptive = n >= 2;
        double reflect = 1, expand = adaptive ? 1 + 2.0 / n : 2, contract = adaptive ? 0.75 - 0.5 / n : 0.5, shrink = adaptive ? 1 - 1.0 / n : 0.5;

        bool finiteBox = SearchBox.IsFinite(box, n);
        var random = new Random(monitor.Options.Seed ?? 0);
        var origin = (double[])best.Clone();
        double originValue = bestValue;
        int restarts = 0;
        bool local = true;
        double valueAtRestart = double.PositiveInfinity;
        while (true)
        {
            if (!Build(problem, origin, originValue, box, monitor, simplex, values, out var limit))
                return monitor.Result(best, bestValue, double.NaN, limit);
            while (true)
            {
                Order(simplex, values);
                if (values[0] < bestValue) { bestValue = values[0]; simplex[0].AsSpan().CopyTo(best); }
                double diameter = Diameter(simplex, out double xNorm);
                monitor.RecordIteration(bestValue, diameter);
                if (diameter <= SimplexTolerance * Math.Max(1, xNorm)
                    && values[n] - values[0] <= ValueTolerance * Math.Max(1, Math.Abs(values[0])))
                    break;
                if (monitor.ShouldStop(out var status)) return monitor.Result(best, bestValue, double.NaN, status);
                if (monitor.RemainingEvaluations < 2) return monitor.Result(best, bestValue, double.NaN, SolveStatus.MaxEvaluations);

                Array.Clear(centroid);
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++) centroid[j] += simplex[i][j];
                for (int j = 0; j < n; j++) centroid[j] /= n;
                var worst = simplex[n];

                double fr = Point(problem, box, monitor, centroid, worst, -reflect, trial);
                if (fr < values[0])
                {
                    double fe = Point(problem, box, monitor, centroid, worst, -reflect * expand, second);
                    if (fe < fr) Accept(simplex, values, second, fe);
                    else Accept(simplex, values, trial, fr);
                }
                else if (fr < values[n - 1])
                {
                    Accept(simplex, values, trial, fr);
                }
                else
                {
                    // Outside contraction when the reflection beat the worst vertex, inside otherwise.
                    bool outside = fr < values[n];
                    double fc = Point(problem, box, monitor, centroid, worst, outside ? -reflect * contract : contract, second);
                    if (fc < (outside ? fr : values[n])) Accept(simplex, values, second, fc);
                    else
                    {
                        for (int i = 1; i <= n; i++)
                        {
                            if (monitor.EvaluationBudgetExhausted) return monitor.Result(best, bestValue, double.NaN, SolveStatus.MaxEvaluations);
                            for (int j = 0; j < n; j++) simplex[i][j] = simplex[0][j] + shrink * (simplex[i][j] - simplex[0][j]);
                            if (box.IsBounded) box.Project(simplex[i]);
                            values[i] = Value(problem, monitor, simplex[i]);
                        }
                    }
                }
            }
            // Collapsed: restart at the best point until a restart gains nothing; then, in a finite box, from random points.
            bool gained = valueAtRestart - bestValue > ValueTolerance * Math.Max(1, Math.Abs(bestValue));
            if (local && restarts > 0 && !gained) local = false;
            if (restarts >= Restarts || (!local && !finiteBox))
                return Finish(problem, best, bestValue, box, monitor,
                    $"the simplex shrank below {SimplexTolerance:G3} (relative) with its values within {ValueTolerance:G3} after {restarts} restart{(restarts == 1 ? "" : "s")}");
            restarts++;
            valueAtRestart = bestValue;
            if (local)
            {
                best.AsSpan().CopyTo(origin);
                originValue = bestValue;
            }
            else
            {
                for (int j = 0; j < n; j++) origin[j] = box.Lower[j] + random.NextDouble() * (box.Upper[j] - box.Lower[j]);
                if (monitor.EvaluationBudgetExhausted) return monitor.Result(best, bestValue, double.NaN, SolveStatus.MaxEvaluations);
                originValue = Value(problem, monitor, origin);
                if (originValue < bestValue) { bestValue = originValue; origin.AsSpan().CopyTo(best); }
            }
        }
    }

    /// <summary>f, with NaN taken as +∞ so that the simplex moves away from it.</summary>
    private static double Value(IObjectiveProblem problem, IterationMonitor monitor, double[] x)
    {
        double f = monitor.Objective(problem, x);
        return double.IsNaN(f) ? double.PositiveInfinity : f;
    }

    /// <summary>centroid + t·(worst − centroid), projected onto the box, and its value.</summary>
    private static double Point(IObjectiveProblem problem, Box box, IterationMonitor monitor, double[] centroid, double[] worst, double t, double[] into)
    {
        for (int j = 0; j < into.Length; j++) into[j] = centroid[j] + t * (worst[j] - centroid[j]);
        if (box.IsBounded) box.Project(into);
        return Value(problem, monitor, into);
    }

    private static void Accept(double[][] simplex, double[] values, double[] point, double value)
    {
        int n = values.Length - 1;
        point.AsSpan().CopyTo(simplex[n]);
        values[n] = value;
    }

    /// <summary>
    /// The first simplex: the best point and one vertex per coordinate, moved by 10% of the variable's range when it has
    /// finite bounds (inwards from a bound), else by 5% of |xᵢ| (0.00025 at 0), as SciPy does.
    /// </summary>
    private static bool Build(IObjectiveProblem problem, double[] best, double bestValue, Box box, IterationMonitor monitor, double[][] simplex, double[] values, out SolveStatus limit)
    {
        int n = best.Length;
        best.AsSpan().CopyTo(simplex[0]);
        values[0] = bestValue;
        for (int i = 1; i <= n; i++)
        {
            if (monitor.ShouldStop(out limit)) return false;
            int j = i - 1;
            var v = simplex[i];
            best.AsSpan().CopyTo(v);
            double lo = box.IsBounded ? box.Lower[j] : double.NegativeInfinity, hi = box.IsBounded ? box.Upper[j] : double.PositiveInfinity;
            double h = double.IsFinite(hi - lo) ? 0.1 * (hi - lo) : best[j] != 0 ? 0.05 * Math.Abs(best[j]) : 0.00025;
            v[j] = best[j] + h <= hi ? best[j] + h : best[j] - h;
            if (v[j] < lo) v[j] = lo;
            values[i] = Value(problem, monitor, v);
        }
        limit = default;
        return true;
    }

    /// <summary>Sorts the vertices by value (stable: ties keep their order, so runs repeat).</summary>
    private static void Order(double[][] simplex, double[] values)
    {
        for (int i = 1; i < values.Length; i++)
        {
            var point = simplex[i];
            double value = values[i];
            int k = i - 1;
            while (k >= 0 && values[k] > value)
            {
                simplex[k + 1] = simplex[k];
                values[k + 1] = values[k];
                k--;
            }
            simplex[k + 1] = point;
            values[k + 1] = value;
        }
    }

    private static double Diameter(double[][] simplex, out double bestNorm)
    {
        bestNorm = Vec.InfNorm(simplex[0]);
        double diameter = 0;
        for (int i = 1; i < simplex.Length; i++)
            for (int j = 0; j < simplex[0].Length; j++) diameter = Math.Max(diameter, Math.Abs(simplex[i][j] - simplex[0][j]));
        return diameter;
    }
}
