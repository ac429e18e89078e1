using System;
using System.Collections.Generic;

namespace OptDsl.Tests.Fuzz;

/// <summary>
/// Central differences refined by Richardson extrapolation (as Compiler/Derivatives.cs), computed at two base steps so
/// each estimate comes with its own error estimate: rounding noise and too-large steps show up as disagreement between
/// the two, a function that oscillates faster than the steps shows up as disagreement with a tiny-step difference, and a
/// reference that cannot vouch for itself is reported as inconclusive instead of as a mismatch.
/// </summary>
public static class FiniteDifferences
{
    /// <summary>d/dt g(t) at t = 0 for a vector-valued g, with an error estimate per component.</summary>
    public static (double[] Derivative, double[] Error) Derivative(Func<double, double[]> g, double h)
    {
        var cache = new Dictionary<double, double[]>();
        double[] G(double t)
        {
            if (!cache.TryGetValue(t, out var v)) cache[t] = v = g(t);
            return v;
        }
        double[] D(double s)
        {
            var a = G(s);
            var b = G(-s);
            var d = new double[a.Length];
            for (int i = 0; i < d.Length; i++) d[i] = (a[i] - b[i]) / (2 * s);
            return d;
        }
        double[] R(double s)
        {
            double[] d1 = D(s), d2 = D(s / 2), d3 = D(s / 4);
            var r = new double[d1.Length];
            for (int i = 0; i < r.Length; i++)
            {
                double r1 = (4 * d2[i] - d1[i]) / 3, r2 = (4 * d3[i] - d2[i]) / 3;
                r[i] = (16 * r2 - r1) / 15;
            }
            return r;
        }
        var coarse = R(h);
        var fine = R(h / 2);
        // A plain central difference at a tiny step: a function that oscillates faster than the base steps (cos of a
        // large multiple of x) makes coarse and fine agree on an aliased value; this one does not.
        double tiny = h * 1e-5;
        var small = D(tiny);
        var error = new double[fine.Length];
        for (int i = 0; i < error.Length; i++)
        {
            // Rounding noise: each difference divides an error of about ε·|g| by the step, and the extrapolation
            // amplifies it about tenfold; two estimates can agree by accident (both at the noise floor, e.g. ±0).
            double magnitude = 0;
            bool flat = true;
            double first = cache[h][i];
            foreach (var v in cache.Values)
            {
                magnitude = Math.Max(magnitude, Math.Abs(v[i]));
                flat &= v[i] == first;
            }
            double noise = 10 * 2.2e-16 * magnitude / (h / 8);
            // Flat in double precision (a saturated sigmoid): the function does not move at any step, so the differences
            // say nothing about a nonzero derivative. Marked NaN: only an exact 0 matches it (see Compare).
            error[i] = flat ? double.NaN : Math.Max(Math.Abs(coarse[i] - fine[i]), noise);
            // Aliasing: the tiny-step difference disagrees with the extrapolation far beyond its own rounding noise and
            // the extrapolation's error; the estimate cannot vouch for itself (a real error of the exact derivative
            // leaves both estimates agreeing, so it is still a mismatch).
            double tinyNoise = 10 * 2.2e-16 * magnitude / tiny;
            if (!flat && Math.Abs(small[i] - fine[i]) > 100 * (tinyNoise + error[i]))
                error[i] = Math.Max(error[i], Math.Abs(small[i] - fine[i]));
        }
        return (fine, error);
    }

    public static (double Derivative, double Error) Derivative(Func<double, double> g, double h)
    {
        var (d, e) = Derivative(t => [g(t)], h);
        return (d[0], e[0]);
    }

    /// <summary>The outcome of comparing an exact value with a difference estimate.</summary>
    public enum Verdict { Match, Mismatch, Inconclusive }

    /// <summary>
    /// Exact <paramref name="actual"/> against the estimate: a match within <paramref name="tolerance"/> (relative to
    /// max(1, |values|, <paramref name="scale"/>)) plus ten times the estimate's own error; inconclusive when the
    /// estimate's error is itself large or the estimate is not finite.
    /// </summary>
    public static Verdict Compare(double actual, double estimate, double error, double tolerance, double scale = 1)
    {
        if (double.IsNaN(error) && double.IsFinite(estimate))
            return Math.Abs(actual - estimate) <= tolerance * Math.Max(Math.Max(1, scale), Math.Abs(estimate)) ? Verdict.Match : Verdict.Inconclusive;
        if (!double.IsFinite(estimate) || !double.IsFinite(error)) return Verdict.Inconclusive;
        double s = Math.Max(Math.Max(1, scale), Math.Max(Math.Abs(actual), Math.Abs(estimate)));
        if (Math.Abs(actual - estimate) <= tolerance * s + 10 * error) return Verdict.Match;
        if (error > 1e-4 * s) return Verdict.Inconclusive;
        return Verdict.Mismatch;
    }

    /// <summary>Exact identity up to rounding: |a − b| ≤ tol·max(1, |a|, |b|, scale). NaN never matches.</summary>
    public static bool Same(double a, double b, double tolerance, double scale = 1)
    {
        if (double.IsInfinity(a) || double.IsInfinity(b)) return a == b;
        return Math.Abs(a - b) <= tolerance * Math.Max(Math.Max(1, scale), Math.Max(Math.Abs(a), Math.Abs(b)));
    }
}
