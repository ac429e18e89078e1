using System;
using System.Collections.Generic;
using System.Threading;

namespace OptDsl.Runtime;

/// <summary>Approximates the Pareto front of an <see cref="IParetoProblem"/> by a sweep of scalarized solves (see <c>docs/pareto.md</c>).</summary>
public static class ParetoSweep
{
    /// <summary>Relative tolerance (of each objective's range) under which two points count as the same point.</summary>
    private const double DuplicateTolerance = 1e-6;

    /// <summary>
    /// Solves the anchors (each objective alone), then <paramref name="points"/> scalarizations chosen by
    /// <paramref name="method"/>, and returns the non-dominated converged solutions. Solves that do not converge are
    /// recorded in <see cref="ParetoFront.Failed"/>, never thrown; cancellation through
    /// <see cref="SolveOptions.CancellationToken"/> stops the sweep and returns what was found with
    /// <see cref="ParetoFront.Cancelled"/> set.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 points or objectives, names/senses of the wrong length, a bad start point, an undefined method, or the epsilon method for a problem without <see cref="IParetoProblem.HasEpsilonRows"/>.</exception>
    public static ParetoFront Run(IParetoProblem problem, ParetoMethod method, int points, SolveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        string name = problem.GetType().Name;
        int k = problem.ObjectiveCount;
        if (k < 2)
            throw new ArgumentException($"ParetoSweep.Run ({name}): a Pareto front needs at least 2 objectives, but the problem has {k}.", nameof(problem));
        if (points < 2)
            throw new ArgumentException($"ParetoSweep.Run ({name}): points must be at least 2, got {points}.", nameof(points));
        if (method is not (ParetoMethod.WeightedSum or ParetoMethod.Epsilon))
            throw new ArgumentException($"ParetoSweep.Run ({name}): undefined method {(int)method}.", nameof(method));
        if (method == ParetoMethod.Epsilon && !problem.HasEpsilonRows)
            throw new ArgumentException($"ParetoSweep.Run ({name}): the epsilon method needs the problem's epsilon-constraint rows, and this one has none (its pareto block uses the weighted-sum method); sweep it with ParetoMethod.WeightedSum, or write 'method: epsilon' in the pareto block.", nameof(method));
        var names = problem.ObjectiveNames;
        var maximize = problem.Maximize;
        if (names is null || names.Count != k)
            throw new ArgumentException($"ParetoSweep.Run ({name}): ObjectiveNames has {names?.Count ?? 0} entries for {k} objectives.", nameof(problem));
        if (maximize is null || maximize.Count != k)
            throw new ArgumentException($"ParetoSweep.Run ({name}): Maximize has {maximize?.Count ?? 0} entries for {k} objectives.", nameof(problem));
        int n = problem.Dimension;
        if (n < 1)
            throw new ArgumentException($"ParetoSweep.Run ({name}): the dimension must be at least 1, got {n}.", nameof(problem));
        var start = problem.StartPoint();
        if (start is null || start.Length != n)
            throw new ArgumentException($"ParetoSweep.Run ({name}): StartPoint() has length {start?.Length ?? 0}, expected {n}.", nameof(problem));

        var sweep = new Sweep(problem, options, k, n);

        // 1. Anchors: each objective alone (payoff table, in minimization form s_j·f_j).
        var anchors = new ParetoPoint?[k];
        for (int a = 0; a < k && !sweep.Cancelled; a++)
            anchors[a] = sweep.Solve(Unit(k, a), Infinite(k), start);

        var ideal = new double[k];
        var nadir = new double[k];
        var range = new double[k];
        bool any = false;
        for (int j = 0; j < k; j++)
        {
            ideal[j] = double.PositiveInfinity;
            nadir[j] = double.NegativeInfinity;
            foreach (var anchor in anchors)
            {
                if (anchor is null) continue;
                double v = sweep.MinForm(anchor.Objectives, j);
                ideal[j] = Math.Min(ideal[j], v);
                nadir[j] = Math.Max(nadir[j], v);
                any = true;
            }
            double r = nadir[j] - ideal[j];
            range[j] = r > 1e-12 * Math.Max(1, Math.Max(Math.Abs(ideal[j]), Math.Abs(nadir[j]))) ? r : 1;
        }

        if (any && !sweep.Cancelled)
        {
            if (method == ParetoMethod.WeightedSum) WeightedSum(sweep, anchors, range, points, start);
            else Epsilon(sweep, anchors, ideal, nadir, points, start);
        }

        // 2. Filter, remove near-duplicates, sort by the first objective as written.
        var candidates = sweep.Candidates;
        var vectors = new List<double[]>(candidates.Count);
        foreach (var c in candidates) vectors.Add(c.Objectives);
        var kept = new List<ParetoPoint>();
        foreach (int i in ParetoFilter.NonDominated(vectors, maximize)) kept.Add(candidates[i]);
        kept.Sort((p, q) =>
        {
            for (int j = 0; j < k; j++)
            {
                int c = p.Objectives[j].CompareTo(q.Objectives[j]);
                if (c != 0) return c;
            }
            return 0;
        });
        var front = new List<ParetoPoint>(kept.Count);
        foreach (var p in kept)
        {
            bool duplicate = false;
            foreach (var q in front)
            {
                bool same = true;
                for (int j = 0; j < k && same; j++)
                    same = Math.Abs(p.Objectives[j] - q.Objectives[j]) <= DuplicateTolerance * range[j];
                if (same)
                {
                    duplicate = true;
                    break;
                }
            }
            if (!duplicate) front.Add(p);
        }

        var idealWritten = new double[k];
        var nadirWritten = new double[k];
        for (int j = 0; j < k; j++)
        {
            double s = maximize[j] ? -1 : 1;
            idealWritten[j] = any ? s * ideal[j] : double.NaN;
            nadirWritten[j] = any ? s * nadir[j] : double.NaN;
        }
        return new ParetoFront(names, maximize, method, front, sweep.Failures, idealWritten, nadirWritten, sweep.Solves, sweep.Cancelled);
    }

    private static void WeightedSum(Sweep sweep, ParetoPoint?[] anchors, double[] range, int points, double[] start)
    {
        int k = range.Length;
        var upper = Infinite(k);
        var previous = anchors[0]?.X ?? FirstAnchorX(anchors) ?? start;
        foreach (var w in SimplexLattice(k, points))
        {
            if (sweep.Cancelled) return;
            if (IsUnit(w)) continue; // an anchor, already solved
            // Normalize: minimize Σ w_k (s_k f_k − ideal_k) / range_k, i.e. weights w_k / range_k (the constant drops),
            // rescaled so that the largest weight is 1, like the anchors' unit weights.
            var weights = new double[k];
            double max = 0;
            for (int j = 0; j < k; j++)
            {
                weights[j] = w[j] / range[j];
                max = Math.Max(max, weights[j]);
            }
            for (int j = 0; j < k; j++) weights[j] /= max;
            var point = sweep.Solve(weights, upper, previous);
            if (point is not null) previous = point.X;
        }
    }

    private static void Epsilon(Sweep sweep, ParetoPoint?[] anchors, double[] ideal, double[] nadir, int points, double[] start)
    {
        int k = ideal.Length;
        var weights = Unit(k, 0);
        if (k == 2)
        {
            // Between the anchors' values of objective 2: the ends are the anchors themselves (level hi leaves the row
            // inactive, level lo admits only the second anchor's values), so only the interior levels are solved,
            // from the tightest up: each solution is feasible for the next level.
            double lo = anchors[1] is { } a1 ? sweep.MinForm(a1.Objectives, 1) : ideal[1];
            double hi = anchors[0] is { } a0 ? sweep.MinForm(a0.Objectives, 1) : nadir[1];
            if (!(hi > lo)) return;
            var previous = anchors[1]?.X ?? FirstAnchorX(anchors) ?? start;
            for (int i = 1; i < points - 1; i++)
            {
                if (sweep.Cancelled) return;
                var upper = Infinite(k);
                upper[1] = lo + (hi - lo) * i / (points - 1);
                var point = sweep.Solve(weights, upper, previous);
                if (point is not null) previous = point.X;
            }
            return;
        }

        // K > 2: a g^(K−1) grid over objectives 2..K, levels ideal + (i/g)·(nadir − ideal) for i = 1..g (the level at
        // the ideal value itself admits at best one point and is left to the anchors).
        int g = Math.Max(2, (int)Math.Round(Math.Pow(points, 1.0 / (k - 1))));
        var index = new int[k - 1];
        var last = anchors[0]?.X ?? FirstAnchorX(anchors) ?? start;
        while (true)
        {
            if (sweep.Cancelled) return;
            var upper = Infinite(k);
            for (int j = 1; j < k; j++) upper[j] = ideal[j] + (nadir[j] - ideal[j]) * (index[j - 1] + 1) / g;
            var point = sweep.Solve(weights, upper, last);
            if (point is not null) last = point.X;
            int d = index.Length - 1;
            while (d >= 0 && ++index[d] == g)
            {
                index[d] = 0;
                d--;
            }
            if (d < 0) return;
        }
    }

    /// <summary>
    /// Weight vectors on the simplex, in order. K = 2: <paramref name="points"/> evenly spaced weights (1 − t, t), anchors
    /// included. K &gt; 2: the simplex lattice {w : w_k = i_k/H, Σ i_k = H} with H chosen so that its size
    /// C(H + K − 1, K − 1) is closest to <paramref name="points"/>.
    /// </summary>
    internal static List<double[]> SimplexLattice(int k, int points)
    {
        var result = new List<double[]>();
        if (k == 2)
        {
            for (int i = 0; i < points; i++)
            {
                double t = (double)i / (points - 1);
                result.Add(new[] { 1 - t, t });
            }
            return result;
        }
        int h = 1;
        while (LatticeSize(h, k) < points) h++;
        if (h > 1 && points - LatticeSize(h - 1, k) < LatticeSize(h, k) - points) h--;
        var parts = new int[k];
        Compose(parts, 0, h, h, result);
        return result;
    }

    private static double LatticeSize(int h, int k)
    {
        double c = 1; // C(h + k − 1, k − 1)
        for (int i = 1; i < k; i++) c = c * (h + i) / i;
        return Math.Round(c);
    }

    private static void Compose(int[] parts, int position, int remaining, int h, List<double[]> result)
    {
        if (position == parts.Length - 1)
        {
            parts[position] = remaining;
            var w = new double[parts.Length];
            for (int j = 0; j < w.Length; j++) w[j] = (double)parts[j] / h;
            result.Add(w);
            return;
        }
        for (int i = remaining; i >= 0; i--)
        {
            parts[position] = i;
            Compose(parts, position + 1, remaining - i, h, result);
        }
    }

    private static double[]? FirstAnchorX(ParetoPoint?[] anchors)
    {
        foreach (var a in anchors) if (a is not null) return a.X;
        return null;
    }

    private static bool IsUnit(double[] w)
    {
        int nonzero = 0;
        foreach (double v in w) if (v != 0) nonzero++;
        return nonzero == 1;
    }

    private static double[] Unit(int k, int j)
    {
        var w = new double[k];
        w[j] = 1;
        return w;
    }

    private static double[] Infinite(int k)
    {
        var u = new double[k];
        Array.Fill(u, double.PositiveInfinity);
        return u;
    }

    /// <summary>The bookkeeping of one sweep: candidates, failures, counts, cancellation.</summary>
    private sealed class Sweep(IParetoProblem problem, SolveOptions? options, int k, int n)
    {
        private readonly CancellationToken _token = options?.CancellationToken ?? default;

        public List<ParetoPoint> Candidates { get; } = new();
        public List<ParetoFailure> Failures { get; } = new();
        public int Solves { get; private set; }
        public bool Cancelled { get; private set; }

        public double MinForm(double[] objectives, int j) => problem.Maximize[j] ? -objectives[j] : objectives[j];

        /// <summary>One scalarized solve; the converged (or acceptable) point (also added to the candidates) or null.</summary>
        public ParetoPoint? Solve(double[] weights, double[] upper, double[] start)
        {
            if (_token.IsCancellationRequested)
            {
                Cancelled = true;
                return null;
            }
            Solves++;
            var result = problem.SolveScalarized(weights, upper, start, options);
            if (result.Status == SolveStatus.Cancelled || _token.IsCancellationRequested) Cancelled = true;
            if (result.Succeeded && result.X is { } x && x.Length == n)
            {
                var values = new double[k];
                problem.ObjectiveValues(x, values);
                bool finite = true;
                foreach (double v in values) finite &= double.IsFinite(v);
                if (finite)
                {
                    var point = new ParetoPoint((double[])x.Clone(), values, result);
                    Candidates.Add(point);
                    return point;
                }
            }
            Failures.Add(new ParetoFailure(weights, upper, result));
            return null;
        }
    }
}
