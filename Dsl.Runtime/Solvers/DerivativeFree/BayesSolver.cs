using System;
using OptDsl.Runtime.Internal;
using OptDsl.Runtime.Linear;

namespace OptDsl.Runtime;

/// <summary>The acquisition function of <see cref="BayesSolver"/>.</summary>
public enum Acquisition
{
    /// <summary>Expected improvement over the best value (Jones, Schonlau &amp; Welch 1998).</summary>
    Ei,
    /// <summary>The lower confidence bound μ − 2σ (Srinivas et al. 2010's GP-UCB for minimization).</summary>
    Ucb,
    /// <summary>Probability of improvement (Kushner 1964).</summary>
    Pi,
}

/// <summary>
/// Bayesian optimization (<c>.opt</c> name <c>bayes</c>) for expensive objectives of up to about 20 variables, each
/// evaluation spent where a Gaussian-process model of f expects the most.
/// <list type="bullet">
/// <item>Design: the start point and 2n more points of a seeded Latin hypercube in the box.</item>
/// <item>Model: a Gaussian process on the standardized values, with the Matérn 5/2 kernel, one length scale per
/// variable (ARD) in coordinates scaled to [0, 1], a signal variance and a noise variance. The hyperparameters maximize
/// the log marginal likelihood (Rasmussen &amp; Williams 2006, §5.4), searched in their logarithms by
/// <see cref="NelderMeadSolver"/> within bounds, from the previous values, after each of the first 30 points and then
/// after every ⌈m/15⌉-th.</item>
/// <item>Next point: the maximum of the <see cref="Acquisition"/> (expected improvement by default) over 1000 + 100n
/// seeded uniform candidates and, refined by Nelder–Mead in the box, the best five of them.</item>
/// <item>The natural end: <see cref="Trials"/> evaluations in all.</item>
/// </list>
/// Needs finite bounds. The model's cost grows as the cube of the number of trials (a few hundred at most).
/// </summary>
public sealed class BayesSolver : DerivativeFreeSolver
{
    /// <summary><c>bayes</c>.</summary>
    public override string Name => "bayes";

    /// <summary>Objective evaluations in all, the initial design included (<c>trials</c>, default 50).</summary>
    public int Trials { get; set; } = 50;

    /// <summary><c>acquisition</c>: <c>ei</c> (default), <c>ucb</c> or <c>pi</c>.</summary>
    public Acquisition Acquisition { get; set; } = Acquisition.Ei;


    /// <summary>The largest <see cref="Trials"/>: the model's cost grows as its cube.</summary>
    public const int MaxTrials = OptionLimits.MaxBayesTrials;

    private protected override void CheckSettings()
    {
        if (Trials < 2 || Trials > MaxTrials) throw new ArgumentException($"{Name}: Trials must lie in [2, {MaxTrials}] (got {Trials}).", nameof(Trials));
    }

    private protected override SolveResult Search(IObjectiveProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        int n = x.Length;
        var random = new Random(monitor.Options.Seed ?? 0);
        var points = new double[Trials][];
        var values = new double[Trials];
        int m = 0;
        var best = (double[])x.Clone();
        double bestValue = double.PositiveInfinity;

        void Add(double[] scaled)
        {
            var point = new double[n];
            for (int j = 0; j < n; j++) point[j] = box.Lower[j] + Math.Clamp(scaled[j], 0, 1) * (box.Upper[j] - box.Lower[j]);
            double f = SearchBox.Clean(monitor.Objective(problem, point));
            points[m] = scaled;
            values[m] = f;
            m++;
            if (f < bestValue) { bestValue = f; point.AsSpan().CopyTo(best); }
        }

        // The design: the start point and a Latin hypercube of 2n points.
        var start = new double[n];
        for (int j = 0; j < n; j++) start[j] = (x[j] - box.Lower[j]) / (box.Upper[j] - box.Lower[j]);
        int design = Math.Min(Trials, 2 * n + 1);
        var strata = new int[n][];
        for (int j = 0; j < n; j++)
        {
            strata[j] = new int[design - 1];
            for (int k = 0; k < strata[j].Length; k++) strata[j][k] = k;
            for (int k = strata[j].Length - 1; k > 0; k--) { int r = random.Next(k + 1); (strata[j][k], strata[j][r]) = (strata[j][r], strata[j][k]); }
        }
        for (int k = 0; k < design; k++)
        {
            if (monitor.ShouldStop(out var status)) return monitor.Result(best, bestValue, double.NaN, status);
            if (k == 0) { Add(start); continue; }
            var u = new double[n];
            for (int j = 0; j < n; j++) u[j] = (strata[j][k - 1] + random.NextDouble()) / (design - 1);
            Add(u);
        }
        monitor.SetStart(double.IsFinite(values[0]) ? values[0] : 1, Vec.InfNorm(x));
        monitor.RecordIteration(bestValue, double.NaN);

        // log ℓ₁…ℓₙ, log σ², log σₙ² on the standardized values.
        var theta = new double[n + 2];
        for (int j = 0; j < n; j++) theta[j] = Math.Log(0.3);
        theta[n] = 0;
        theta[n + 1] = Math.Log(1e-4);
        var lower = SearchBox.Filled(n + 2, Math.Log(1e-3));
        var upper = SearchBox.Filled(n + 2, Math.Log(20.0));
        (lower[n], upper[n]) = (Math.Log(1e-2), Math.Log(1e2));
        (lower[n + 1], upper[n + 1]) = (Math.Log(1e-10), Math.Log(1e-1));
        var thetaBounds = new Bounds(lower, upper);
        var candidate = new double[n];
        while (m < Trials)
        {
            if (monitor.ShouldStop(out var status)) return monitor.Result(best, bestValue, double.NaN, status);
            // The hyperparameters are searched again after each of the first 30 points, then after every ⌈m/15⌉-th (the
            // model is still refitted to every point): the search costs hundreds of factorizations of an m×m matrix.
            bool search = m < 30 || m % ((m + 14) / 15) == 0;
            var model = GaussianProcess.Fit(points, values, m, theta, thetaBounds, search);
            if (model is null)
            {
                // The kernel matrix is not positive definite at any hyperparameters tried: sample uniformly instead.
                for (int j = 0; j < n; j++) candidate[j] = random.NextDouble();
                Add((double[])candidate.Clone());
                continue;
            }
            model.Theta.AsSpan().CopyTo(theta);
            Add(model.NextPoint(Acquisition, random, points, m));
            monitor.RecordIteration(bestValue, double.NaN);
        }
        return Finish(problem, best, bestValue, box, monitor, $"{Trials} trials done");
    }
}
