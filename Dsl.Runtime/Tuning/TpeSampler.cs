using System;
using System.Collections.Generic;
using System.Linq;

namespace OptDsl.Runtime.Tuning;

/// <summary>
/// <c>search bayes(trials, seed)</c>: the tree-structured Parzen estimator (Bergstra, Bardenet, Bengio &amp; Kégl,
/// "Algorithms for hyper-parameter optimization", NeurIPS 2011), univariate, with the defaults of Optuna's
/// <c>TPESampler</c>:
/// <list type="bullet">
/// <item>the first <see cref="StartupTrials"/> trials (10) are drawn as <see cref="RandomSampler"/> draws them;</item>
/// <item>then the finished trials are split: the best γ(n) = min(⌈0.1·n⌉, 25) complete trials are "good", the other
/// complete trials and every pruned trial (it was cut for being worse) are "bad";</item>
/// <item>for each hyperparameter, a Parzen estimator l of the good values and g of the bad ones: a mixture of normals
/// truncated to the range, one per value plus a prior (the range's middle, its width as spread), each value's spread the
/// larger gap to its sorted neighbours, clipped to [width / min(100, 1 + n), width] ("magic clip"); in log coordinates
/// for a <c>logrange</c>, over [a − ½, b + ½] rounded for an integer; for a set, the frequency of each value with a
/// prior weight spread evenly;</item>
/// <item>24 candidates drawn from l, and the one with the largest l(x)/g(x) taken (expected improvement, for TPE).</item>
/// </list>
/// Each trial draws from its own generator (the seed and the trial's number), so a study repeats for the same seed.
/// </summary>
public sealed class TpeSampler : TrialSampler
{
    private const int Candidates = 24;

    public TpeSampler(int trials, int seed = 0)
    {
        if (trials < 1) throw new ArgumentOutOfRangeException(nameof(trials), trials, "bayes needs at least one trial.");
        Trials = trials;
        Seed = seed;
    }

    public int Trials { get; }

    public int Seed { get; }

    /// <summary>Trials drawn at random before the estimators take over (10, as Optuna).</summary>
    public int StartupTrials { get; init; } = 10;

    public override string Description => $"bayes(trials: {Trials}, seed: {Seed})";

    public override int TrialCount(SearchSpace space) => Trials;

    public override double[] Parameters(SearchSpace space, int number, IReadOnlyList<Trial> finished)
    {
        var random = RandomSampler.Generator(Seed, number);
        if (number < StartupTrials) return RandomSampler.Draw(space, random);
        var complete = finished.Where(t => t.State == TrialState.Complete && double.IsFinite(t.Value)).OrderBy(t => t.Value).ThenBy(t => t.Number).ToList();
        if (complete.Count < 1) return RandomSampler.Draw(space, random);
        var pruned = finished.Where(t => t.State == TrialState.Pruned).ToList();

        int n = complete.Count + pruned.Count;
        int good = Math.Min(Math.Min((int)Math.Ceiling(0.1 * n), 25), complete.Count);
        var below = complete.Take(good).ToList();
        var above = complete.Skip(good).Concat(pruned).ToList();
        var result = new double[space.Dimensions.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var d = space.Dimensions[i];
            var l = below.Select(t => t.ParameterValues[i]).ToList();
            var g = above.Select(t => t.ParameterValues[i]).ToList();
            result[i] = d.Kind == DimensionKind.Choice ? Categorical(d, l, g, random) : Numeric(d, l, g, random);
        }
        return result;
    }

    private static double Categorical(TuneDimension d, List<double> below, List<double> above, Random random)
    {
        int k = d.Values.Count;
        double[] Weights(List<double> observed)
        {
            var w = new double[k];
            for (int c = 0; c < k; c++) w[c] = 1.0 / k + observed.Count(v => v == d.Values[c]);
            double sum = w.Sum();
            for (int c = 0; c < k; c++) w[c] /= sum;
            return w;
        }
        var l = Weights(below);
        var g = Weights(above);
        int best = -1;
        double bestScore = double.NegativeInfinity;
        for (int s = 0; s < Candidates; s++)
        {
            double u = random.NextDouble(), acc = 0;
            int c = k - 1;
            for (int j = 0; j < k; j++)
            {
                acc += l[j];
                if (u < acc) { c = j; break; }
            }
            double score = Math.Log(l[c]) - Math.Log(g[c]);
            if (score > bestScore) { bestScore = score; best = c; }
        }
        return d.Values[best];
    }

    private static double Numeric(TuneDimension d, List<double> below, List<double> above, Random random)
    {
        bool log = d.Kind == DimensionKind.LogRange;
        double lo = d.IsInteger ? d.Low - 0.5 : d.Low, hi = d.IsInteger ? d.High + 0.5 : d.High;
        if (log) (lo, hi) = (Math.Log(lo), Math.Log(hi));
        double To(double v) => log ? Math.Log(v) : v;
        var l = new Parzen(below.Select(To).ToList(), lo, hi);
        var g = new Parzen(above.Select(To).ToList(), lo, hi);
        double best = double.NaN, bestScore = double.NegativeInfinity;
        for (int s = 0; s < Candidates; s++)
        {
            double x = l.Sample(random);
            double score = l.LogDensity(x) - g.LogDensity(x);
            if (score > bestScore || double.IsNaN(best)) { bestScore = score; best = x; }
        }
        double value = log ? Math.Exp(best) : best;
        return d.IsInteger ? Math.Clamp(Math.Round(value), d.Low, d.High) : Math.Clamp(value, d.Low, d.High);
    }

    /// <summary>A mixture of normals truncated to [lo, hi]: one per observation and the prior, equally weighted.</summary>
    private sealed class Parzen
    {
        private readonly double[] _mu, _sigma, _mass;
        private readonly double _lo, _hi;

        public Parzen(List<double> observations, double lo, double hi)
        {
            _lo = lo;
            _hi = hi;
            double width = hi - lo;
            var mus = observations.Append(0.5 * (lo + hi)).ToArray();
            int prior = mus.Length - 1;
            var order = Enumerable.Range(0, mus.Length).OrderBy(i => mus[i]).ToArray();
            _sigma = new double[mus.Length];
            double minSigma = width / Math.Min(100.0, 1.0 + observations.Count);
            for (int r = 0; r < order.Length; r++)
            {
                int i = order[r];
                double left = r > 0 ? mus[i] - mus[order[r - 1]] : 0, right = r + 1 < order.Length ? mus[order[r + 1]] - mus[i] : 0;
                double sigma = i == prior ? width : Math.Max(left, right);
                _sigma[i] = Math.Clamp(sigma, minSigma, width);
            }
            _mu = mus;
            _mass = new double[mus.Length];
            for (int i = 0; i < mus.Length; i++)
                _mass[i] = Math.Max(GaussianProcess.NormalCdf((hi - mus[i]) / _sigma[i]) - GaussianProcess.NormalCdf((lo - mus[i]) / _sigma[i]), 1e-300);
        }

        public double Sample(Random random)
        {
            int i = random.Next(_mu.Length);
            for (int attempt = 0; attempt < 100; attempt++)
            {
                double x = _mu[i] + _sigma[i] * SearchBox.Gaussian(random);
                if (x >= _lo && x <= _hi) return x;
            }
            return _lo + random.NextDouble() * (_hi - _lo);
        }

        public double LogDensity(double x)
        {
            double sum = 0;
            for (int i = 0; i < _mu.Length; i++)
            {
                double z = (x - _mu[i]) / _sigma[i];
                sum += Math.Exp(-0.5 * z * z) / (_sigma[i] * Math.Sqrt(2 * Math.PI) * _mass[i]);
            }
            return Math.Log(Math.Max(sum / _mu.Length, 1e-300));
        }
    }
}
