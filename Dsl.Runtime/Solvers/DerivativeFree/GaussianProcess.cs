using System;
using OptDsl.Runtime.Internal;
using OptDsl.Runtime.Linear;

namespace OptDsl.Runtime;

/// <summary>
/// The Gaussian-process model of <see cref="BayesSolver"/>: zero mean on the standardized values, Matérn 5/2 kernel
/// σ²(1 + √5 r + 5r²/3) e^(−√5 r) with r² = Σⱼ (Δⱼ/ℓⱼ)², plus a noise variance σₙ² on the diagonal; points in [0, 1]ⁿ.
/// </summary>
internal sealed class GaussianProcess
{
    private readonly double[][] _points;
    private readonly int _m, _n;
    private readonly double[] _l, _alpha;
    private readonly double _best;

    /// <summary>log ℓ₁…ℓₙ, log σ², log σₙ².</summary>
    public double[] Theta { get; }

    private GaussianProcess(double[][] points, int m, double[] theta, double[] l, double[] alpha, double best)
    {
        _points = points;
        _m = m;
        _n = points[0].Length;
        Theta = theta;
        _l = l;
        _alpha = alpha;
        _best = best;
    }

    /// <summary>
    /// Standardizes the first <paramref name="m"/> values, then maximizes the log marginal likelihood over the
    /// hyperparameters from <paramref name="start"/> within <paramref name="bounds"/>. Null when no kernel matrix tried
    /// is positive definite. Infinite values (a failed evaluation) are replaced by the largest finite one. Without
    /// <paramref name="search"/> the hyperparameters stay at <paramref name="start"/>.
    /// </summary>
    public static GaussianProcess? Fit(double[][] points, double[] values, int m, double[] start, Bounds bounds, bool search = true)
    {
        double max = double.NegativeInfinity, mean = 0, count = 0;
        for (int i = 0; i < m; i++) if (double.IsFinite(values[i])) { max = Math.Max(max, values[i]); mean += values[i]; count++; }
        if (count == 0) return null;
        mean /= count;
        var y = new double[m];
        for (int i = 0; i < m; i++) y[i] = double.IsFinite(values[i]) ? values[i] : max;
        double variance = 0;
        for (int i = 0; i < m; i++) variance += (y[i] - mean) * (y[i] - mean);
        double std = Math.Sqrt(variance / m);
        if (!(std > 0)) std = 1;
        double best = double.PositiveInfinity;
        for (int i = 0; i < m; i++) { y[i] = (y[i] - mean) / std; best = Math.Min(best, y[i]); }

        var theta = start;
        if (search)
        {
            var likelihood = new NegativeLogLikelihood(points, y, m);
            var solver = new NelderMeadSolver { Restarts = 1, SimplexTolerance = 1e-4 };
            var result = solver.Minimize(likelihood, start, new SolveOptions { MaxEvaluations = 100 + 60 * start.Length, MaxIterations = int.MaxValue, RecordHistory = false }, bounds);
            if (double.IsFinite(result.Objective)) theta = result.X;
        }
        var k = new double[m * m];
        var l = new double[m * m];
        Kernel(points, m, theta, k);
        if (!Cholesky.TryFactor(k, l, m)) return null;
        var alpha = (double[])y.Clone();
        Cholesky.Solve(l, m, alpha);
        return new GaussianProcess(points, m, (double[])theta.Clone(), l, alpha, best);
    }

    /// <summary>The kernel matrix with the noise on its diagonal (and a jitter of 1e-10).</summary>
    private static void Kernel(double[][] points, int m, double[] theta, double[] k)
    {
        int n = points[0].Length;
        double signal = Math.Exp(theta[n]), noise = Math.Exp(theta[n + 1]);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double v = Covariance(points[i], points[j], theta, signal);
                k[i * m + j] = v;
                k[j * m + i] = v;
            }
            k[i * m + i] += noise + 1e-10;
        }
    }

    private static double Covariance(ReadOnlySpan<double> a, double[] b, double[] theta, double signal)
    {
        double r2 = 0;
        for (int j = 0; j < a.Length; j++)
        {
            double d = (a[j] - b[j]) / Math.Exp(theta[j]);
            r2 += d * d;
        }
        double r = Math.Sqrt(5 * r2);
        return signal * (1 + r + r * r / 3) * Math.Exp(-r);
    }

    /// <summary>The posterior mean and standard deviation (standardized) at <paramref name="u"/>.</summary>
    public (double Mean, double Std) Predict(ReadOnlySpan<double> u)
    {
        double signal = Math.Exp(Theta[_n]);
        Span<double> v = _m <= 512 ? stackalloc double[_m] : new double[_m];
        double mean = 0;
        for (int i = 0; i < _m; i++)
        {
            v[i] = Covariance(u, _points[i], Theta, signal);
            mean += v[i] * _alpha[i];
        }
        // v ← L⁻¹ k*: the variance is k(u, u) − ‖v‖².
        for (int i = 0; i < _m; i++)
        {
            double sum = v[i];
            for (int k = 0; k < i; k++) sum -= _l[i * _m + k] * v[k];
            v[i] = sum / _l[i * _m + i];
        }
        double variance = signal;
        for (int i = 0; i < _m; i++) variance -= v[i] * v[i];
        return (mean, Math.Sqrt(Math.Max(variance, 1e-12 * signal)));
    }

    /// <summary>The acquisition's value at <paramref name="u"/> (larger is better).</summary>
    public double Value(Acquisition acquisition, ReadOnlySpan<double> u)
    {
        var (mean, std) = Predict(u);
        double z = (_best - mean) / std;
        return acquisition switch
        {
            Acquisition.Pi => NormalCdf(z),
            Acquisition.Ucb => -(mean - 2 * std),
            _ => (_best - mean) * NormalCdf(z) + std * Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI),
        };
    }

    /// <summary>
    /// The acquisition's maximum over 1000 + 100n seeded uniform candidates, the best five refined by Nelder–Mead in
    /// [0, 1]ⁿ; a point already sampled (within 1e-9 in every coordinate) is passed over.
    /// </summary>
    public double[] NextPoint(Acquisition acquisition, Random random, double[][] points, int m)
    {
        int count = 1000 + 100 * _n;
        var candidates = new double[count][];
        var scores = new double[count];
        for (int c = 0; c < count; c++)
        {
            candidates[c] = new double[_n];
            for (int j = 0; j < _n; j++) candidates[c][j] = random.NextDouble();
            scores[c] = Value(acquisition, candidates[c]);
        }
        var order = new int[count];
        for (int c = 0; c < count; c++) order[c] = c;
        Array.Sort(order, (p, q) => scores[q] != scores[p] ? scores[q].CompareTo(scores[p]) : p.CompareTo(q));
        var unit = new Bounds(new double[_n], SearchBox.Filled(_n, 1.0));
        var surface = new AcquisitionSurface(this, acquisition, _n);
        double[]? best = null;
        double bestScore = double.NegativeInfinity;
        for (int r = 0; r < Math.Min(5, count); r++)
        {
            var refined = new NelderMeadSolver { Restarts = 0, SimplexTolerance = 1e-6 }.Minimize(surface, candidates[order[r]],
                new SolveOptions { MaxEvaluations = 100 + 50 * _n, MaxIterations = int.MaxValue, RecordHistory = false }, unit);
            foreach (var (point, score) in new[] { (refined.X, -refined.Objective), (candidates[order[r]], scores[order[r]]) })
            {
                if (!(score > bestScore) || IsSampled(point, points, m)) continue;
                best = (double[])point.Clone();
                bestScore = score;
            }
        }
        if (best is not null) return best;
        foreach (int c in order) if (!IsSampled(candidates[c], points, m)) return candidates[c];
        return candidates[order[0]];
    }

    private static bool IsSampled(double[] u, double[][] points, int m)
    {
        for (int i = 0; i < m; i++)
        {
            bool same = true;
            for (int j = 0; j < u.Length && same; j++) same = Math.Abs(u[j] - points[i][j]) <= 1e-9;
            if (same) return true;
        }
        return false;
    }

    /// <summary>Φ(z) from erfc (Numerical Recipes' erfcc, relative error below 1.2e-7).</summary>
    internal static double NormalCdf(double z)
    {
        double x = -z / Math.Sqrt(2), ax = Math.Abs(x), t = 1 / (1 + 0.5 * ax);
        double erfc = t * Math.Exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return 0.5 * (x >= 0 ? erfc : 2 - erfc);
    }

    /// <summary>−log p(y | θ) up to a constant: ½ yᵀK⁻¹y + Σ log Lᵢᵢ (+∞ where K is not positive definite).</summary>
    private sealed class NegativeLogLikelihood(double[][] points, double[] y, int m) : IObjectiveProblem
    {
        private readonly double[] _k = new double[m * m], _l = new double[m * m], _alpha = new double[m];

        public int Dimension => points[0].Length + 2;

        public double Objective(ReadOnlySpan<double> theta)
        {
            Kernel(points, m, theta.ToArray(), _k);
            if (!Cholesky.TryFactor(_k, _l, m)) return double.PositiveInfinity;
            y.AsSpan().CopyTo(_alpha);
            Cholesky.Solve(_l, m, _alpha);
            double value = 0;
            for (int i = 0; i < m; i++) value += 0.5 * y[i] * _alpha[i] + Math.Log(_l[i * m + i]);
            return value;
        }
    }

    /// <summary>The negated acquisition, for Nelder–Mead.</summary>
    private sealed class AcquisitionSurface(GaussianProcess model, Acquisition acquisition, int n) : IObjectiveProblem
    {
        public int Dimension => n;

        public double Objective(ReadOnlySpan<double> u) => -model.Value(acquisition, u);
    }
}
