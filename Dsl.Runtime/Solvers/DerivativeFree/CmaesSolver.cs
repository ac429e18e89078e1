using System;
using OptDsl.Runtime.Internal;
using OptDsl.Runtime.Linear;

namespace OptDsl.Runtime;

/// <summary>
/// CMA-ES, the covariance matrix adaptation evolution strategy (<c>.opt</c> name <c>cmaes</c>), as in Hansen, "The CMA
/// Evolution Strategy: A Tutorial" (2016), with its default parameters (population λ = 4 + ⌊3 ln n⌋, μ = ⌊λ/2⌋ with
/// logarithmic weights, cumulation c_σ, c_c, rank-one c₁ and rank-μ c_μ updates, step-size damping d_σ) and IPOP restarts
/// (Auger &amp; Hansen 2005): each restart doubles λ and starts from a uniformly drawn point of the box. It needs finite
/// bounds on every variable: the search runs in coordinates scaled to [0, 1] per variable (σ₀ is a fraction of each
/// range) and reaches the box through a mirror map (a coordinate beyond a bound is reflected back), so every evaluated
/// point is feasible while the distribution stays unconstrained. A run ends by the tutorial's stopping rules (TolFun
/// 1e-12 relative over the recent generations, TolX 1e-12 relative to σ₀, a covariance condition number of 1e14), a
/// restart follows while <see cref="Restarts"/> allow; the best point over all runs is the answer. The same seed gives
/// the same run, also with <see cref="Parallelism"/> (the population is drawn before it is evaluated, and each point's
/// value lands in its own slot).
/// </summary>
public sealed class CmaesSolver : DerivativeFreeSolver
{
    /// <summary><c>cmaes</c>.</summary>
    public override string Name => "cmaes";

    /// <summary>The initial step size as a fraction of each variable's range (<c>sigma0</c>, default 0.3).</summary>
    public double Sigma0 { get; set; } = 0.3;

    /// <summary>The first run's population λ (<c>population</c>; 0, the default, for 4 + ⌊3 ln n⌋).</summary>
    public int Population { get; set; }

    /// <summary>IPOP restarts after the first run (<c>restarts</c>, default 4: populations λ to 16λ), each with twice the population.</summary>
    public int Restarts { get; set; } = 4;

    /// <summary>Threads that evaluate a population (default 1). The problem's Objective must then be safe to call concurrently (generated problems are).</summary>
    public int Parallelism { get; set; } = 1;


    private protected override void CheckSettings()
    {
        Arguments.Positive(Sigma0, nameof(Sigma0), Name);
        if (Population < 0 || Population == 1 || Population > OptionLimits.MaxPopulation)
            throw new ArgumentException($"{Name}: Population must be 0 (automatic) or lie in [2, {OptionLimits.MaxPopulation}] (got {Population}).", nameof(Population));
        if (Restarts < 0) throw new ArgumentException($"{Name}: Restarts must be ≥ 0 (got {Restarts}).", nameof(Restarts));
        SearchBox.CheckParallelism(Parallelism, Name);
    }

    private protected override SolveResult Search(IObjectiveProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        int n = x.Length;
        var random = new Random(monitor.Options.Seed ?? 0);
        double f0 = monitor.Objective(problem, x);
        var best = (double[])x.Clone();
        double bestValue = double.IsNaN(f0) ? double.PositiveInfinity : f0;
        monitor.SetStart(double.IsFinite(f0) ? f0 : 1, Vec.InfNorm(x));

        var mean = new double[n];
        for (int j = 0; j < n; j++) mean[j] = (x[j] - box.Lower[j]) / (box.Upper[j] - box.Lower[j]);
        int lambda = Population > 0 ? Population : 4 + (int)Math.Floor(3 * Math.Log(n));
        string rule = "";
        for (int run = 0; ; run++)
        {
            if (run > 0)
            {
                if (lambda > OptionLimits.MaxPopulation / 2) break;
                lambda *= 2;
                for (int j = 0; j < n; j++) mean[j] = random.NextDouble();
            }
            var end = Run(problem, box, monitor, random, mean, lambda, best, ref bestValue, out rule);
            if (end is { } limit) return monitor.Result(best, bestValue, double.NaN, limit);
            if (run >= Restarts) break;
        }
        if (!double.IsFinite(bestValue))
            return monitor.Result(best, bestValue, double.NaN, SolveStatus.Diverged, "Diverged: the objective was never finite in the box.", double.NaN);
        return Finish(problem, best, bestValue, box, monitor,
            $"the CMA-ES runs ended ({rule}; the last with population {lambda})");
    }

    /// <summary>One CMA-ES run from <paramref name="start"/> (scaled coordinates); a limit's status, or null when the run stopped by a rule.</summary>
    private SolveStatus? Run(IObjectiveProblem problem, Box box, IterationMonitor monitor, Random random, double[] start, int lambda,
                             double[] best, ref double bestValue, out string rule)
    {
        int n = start.Length;
        int mu = lambda / 2;
        var weights = new double[mu];
        double sum = 0, sumSquares = 0;
        for (int i = 0; i < mu; i++) { weights[i] = Math.Log((lambda + 1) / 2.0) - Math.Log(i + 1); sum += weights[i]; }
        for (int i = 0; i < mu; i++) { weights[i] /= sum; sumSquares += weights[i] * weights[i]; }
        double muEff = 1 / sumSquares;
        double cSigma = (muEff + 2) / (n + muEff + 5);
        double dSigma = 1 + 2 * Math.Max(0, Math.Sqrt((muEff - 1) / (n + 1)) - 1) + cSigma;
        double cc = (4 + muEff / n) / (n + 4 + 2 * muEff / n);
        double c1 = 2 / ((n + 1.3) * (n + 1.3) + muEff);
        double cMu = Math.Min(1 - c1, 2 * (muEff - 2 + 1 / muEff) / ((n + 2) * (n + 2) + muEff));
        double chiN = Math.Sqrt(n) * (1 - 1.0 / (4 * n) + 1.0 / (21.0 * n * n));

        var mean = (double[])start.Clone();
        double sigma = Sigma0;
        var pSigma = new double[n];
        var pc = new double[n];
        var c = new double[n * n];
        var b = new double[n * n];
        var d = new double[n];
        var work = new double[n * n];
        for (int j = 0; j < n; j++) { c[j * n + j] = 1; b[j * n + j] = 1; d[j] = 1; }
        var z = new double[lambda][];
        var y = new double[lambda][];
        var points = new double[lambda][];
        var values = new double[lambda];
        var order = new int[lambda];
        for (int k = 0; k < lambda; k++) { z[k] = new double[n]; y[k] = new double[n]; points[k] = new double[n]; }
        var yw = new double[n];
        var zw = new double[n];
        int window = 10 + (int)Math.Ceiling(30.0 * n / lambda);
        var recentBest = new double[window];
        int generation = 0;

        while (true)
        {
            if (monitor.ShouldStop(out var status)) { rule = ""; return status; }
            if (monitor.RemainingEvaluations < lambda) { rule = ""; return SolveStatus.MaxEvaluations; }
            for (int k = 0; k < lambda; k++)
            {
                for (int j = 0; j < n; j++) z[k][j] = SearchBox.Gaussian(random);
                for (int r = 0; r < n; r++)
                {
                    double s = 0;
                    for (int j = 0; j < n; j++) s += b[r * n + j] * d[j] * z[k][j];
                    y[k][r] = s;
                }
                for (int j = 0; j < n; j++) points[k][j] = SearchBox.Mirror(mean[j] + sigma * y[k][j], box.Lower[j], box.Upper[j]);
            }
            SearchBox.Evaluate(problem, monitor, points, values, Parallelism);
            SearchBox.SortByValue(values, order);
            if (values[order[0]] < bestValue)
            {
                bestValue = values[order[0]];
                points[order[0]].AsSpan().CopyTo(best);
            }
            monitor.RecordIteration(bestValue, sigma);

            Array.Clear(yw);
            Array.Clear(zw);
            for (int i = 0; i < mu; i++)
            {
                var yi = y[order[i]];
                var zi = z[order[i]];
                for (int j = 0; j < n; j++) { yw[j] += weights[i] * yi[j]; zw[j] += weights[i] * zi[j]; }
            }
            for (int j = 0; j < n; j++) mean[j] += sigma * yw[j];
            // C^(−1/2)·y_w = B·z_w.
            double normPs = 0;
            for (int r = 0; r < n; r++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += b[r * n + j] * zw[j];
                pSigma[r] = (1 - cSigma) * pSigma[r] + Math.Sqrt(cSigma * (2 - cSigma) * muEff) * s;
                normPs += pSigma[r] * pSigma[r];
            }
            normPs = Math.Sqrt(normPs);
            generation++;
            bool hSigma = normPs / Math.Sqrt(1 - Math.Pow(1 - cSigma, 2 * generation)) < (1.4 + 2.0 / (n + 1)) * chiN;
            for (int j = 0; j < n; j++) pc[j] = (1 - cc) * pc[j] + (hSigma ? Math.Sqrt(cc * (2 - cc) * muEff) * yw[j] : 0);
            double keep = 1 - c1 - cMu + (hSigma ? 0 : c1 * cc * (2 - cc));
            for (int r = 0; r < n; r++)
            {
                for (int j = 0; j <= r; j++)
                {
                    double rankMu = 0;
                    for (int i = 0; i < mu; i++) rankMu += weights[i] * y[order[i]][r] * y[order[i]][j];
                    double v = keep * c[r * n + j] + c1 * pc[r] * pc[j] + cMu * rankMu;
                    c[r * n + j] = v;
                    c[j * n + r] = v;
                }
            }
            sigma *= Math.Exp(cSigma / dSigma * (normPs / chiN - 1));
            if (!SymmetricEigen.Decompose(c, work, d, b, n)) { rule = "the covariance matrix became non-finite"; return null; }
            double dMax = 0, dMin = double.PositiveInfinity;
            for (int j = 0; j < n; j++)
            {
                d[j] = Math.Sqrt(Math.Max(d[j], 1e-300));
                dMax = Math.Max(dMax, d[j]);
                dMin = Math.Min(dMin, d[j]);
            }

            // The tutorial's stopping rules.
            recentBest[(generation - 1) % window] = values[order[0]];
            double spread = values[order[lambda - 1]] - values[order[0]];
            if (generation >= window)
            {
                double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
                foreach (double v in recentBest) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
                if (Math.Max(hi - lo, spread) <= 1e-12 * Math.Max(1, Math.Abs(bestValue))) { rule = "the values stopped changing (TolFun)"; return null; }
            }
            double maxStd = 0;
            for (int j = 0; j < n; j++) maxStd = Math.Max(maxStd, Math.Sqrt(c[j * n + j]));
            if (sigma * Math.Max(maxStd, dMax) <= 1e-12 * Sigma0) { rule = "the step size collapsed (TolX)"; return null; }
            if (dMax > 1e7 * dMin) { rule = "the covariance matrix's condition number passed 1e14"; return null; }
            if (!double.IsFinite(sigma) || sigma > 1e6 * Sigma0) { rule = "the step size diverged"; return null; }
        }
    }
}
