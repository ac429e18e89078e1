using System;
using System.Linq;
using OptDsl.Runtime;

namespace OptDsl.Tests.Compiler;

/// <summary>Independent references for derivatives: central differences refined by Richardson extrapolation.</summary>
public static class Derivatives
{
    /// <summary>d/dt g(t) at 0 from central differences at h, h/2, h/4, extrapolated twice (error O(h⁶)).</summary>
    public static double Differentiate(Func<double, double> g, double h)
    {
        double D(double s) => (g(s) - g(-s)) / (2 * s);
        double d1 = D(h), d2 = D(h / 2), d3 = D(h / 4);
        double r1 = (4 * d2 - d1) / 3, r2 = (4 * d3 - d2) / 3;
        return (16 * r2 - r1) / 15;
    }

    public static double[] Gradient(Func<double[], double> f, double[] x)
    {
        var g = new double[x.Length];
        for (int k = 0; k < x.Length; k++)
        {
            int kk = k;
            double h = 1e-3 * Math.Max(1, Math.Abs(x[k]));
            g[k] = Differentiate(t => { var y = (double[])x.Clone(); y[kk] += t; return f(y); }, h);
        }
        return g;
    }

    /// <summary>Column j of the Hessian: the derivative of the exact gradient along e_j.</summary>
    public static double[] HessianFromGradient(IGradientProblem p, double[] x)
    {
        int n = x.Length;
        var h = new double[n * n];
        var g = new double[n];
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                int jj = j, ii = i;
                double step = 1e-3 * Math.Max(1, Math.Abs(x[j]));
                h[i * n + j] = Differentiate(t => { var y = (double[])x.Clone(); y[jj] += t; p.Gradient(y, g); return g[ii]; }, step);
            }
        }
        return h;
    }

    /// <summary>
    /// The rounding noise of <see cref="Gradient"/> for a function of magnitude |f| near x: central differences divide an
    /// error of about ε|f| by the step, so badly scaled functions (|f| ≈ 1e12) get a reference no better than that.
    /// </summary>
    public static double GradientNoise(double f, double[] x) => 8 * 2.2e-16 * Math.Abs(f) / (1e-3 * Math.Max(1, x.Max(Math.Abs)) / 4);

    /// <summary>|a − b| ≤ tol·max(1, |a|, |b|) + absolute, elementwise, with a message naming the first mismatch.</summary>
    public static void AssertClose(double[] expected, double[] actual, double tolerance, string what, double absolute = 0)
    {
        if (expected.Length != actual.Length) throw new Xunit.Sdk.XunitException($"{what}: lengths {expected.Length} and {actual.Length}");
        for (int k = 0; k < expected.Length; k++)
        {
            double scale = Math.Max(1, Math.Max(Math.Abs(expected[k]), Math.Abs(actual[k])));
            if (!(Math.Abs(expected[k] - actual[k]) <= tolerance * scale + absolute))
                throw new Xunit.Sdk.XunitException($"{what}[{k}]: expected {expected[k]:R}, got {actual[k]:R} (tolerance {tolerance} relative)");
        }
    }
}
