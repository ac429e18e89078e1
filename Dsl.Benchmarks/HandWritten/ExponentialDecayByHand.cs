using System;

namespace OptDsl.Benchmarks.HandWritten;

/// <summary>
/// f(b) = Σᵢ rᵢ², rᵢ = b0·exp(−b1·tᵢ) + b2 − yᵢ, written by hand: one pass over the data with one exp per point,
/// three running sums for the gradient. The baseline of the least-squares benchmarks.
/// </summary>
public static class ExponentialDecayByHand
{
    /// <summary>Writes ∇f(b) into <paramref name="gradient"/> and returns f(b).</summary>
    public static double ValueAndGradient(ReadOnlySpan<double> b, Span<double> gradient, double[] t, double[] y)
    {
        if (b.Length != 3 || gradient.Length != 3) throw new ArgumentException("b and gradient must have length 3.");
        if (y.Length != t.Length) throw new ArgumentException("t and y must have the same length.", nameof(y));
        double b0 = b[0], b1 = b[1], b2 = b[2];
        double f = 0.0, re = 0.0, rte = 0.0, r = 0.0;
        for (int i = 0; i < t.Length; i++)
        {
            double e = Math.Exp(-b1 * t[i]);
            double ri = b0 * e + b2 - y[i];
            f += ri * ri;
            re += ri * e;
            rte += ri * t[i] * e;
            r += ri;
        }
        gradient[0] = 2.0 * re;
        gradient[1] = -2.0 * b0 * rte;
        gradient[2] = 2.0 * r;
        return f;
    }

    /// <summary>Writes the residuals rᵢ(b).</summary>
    public static void Residuals(ReadOnlySpan<double> b, Span<double> residuals, double[] t, double[] y)
    {
        for (int i = 0; i < t.Length; i++)
            residuals[i] = b[0] * Math.Exp(-b[1] * t[i]) + b[2] - y[i];
    }

    /// <summary>Writes the Jacobian ∂rᵢ/∂bⱼ, row-major m×3.</summary>
    public static void Jacobian(ReadOnlySpan<double> b, Span<double> jacobian, double[] t)
    {
        for (int i = 0; i < t.Length; i++)
        {
            double e = Math.Exp(-b[1] * t[i]);
            jacobian[3 * i] = e;
            jacobian[3 * i + 1] = -b[0] * t[i] * e;
            jacobian[3 * i + 2] = 1.0;
        }
    }
}
