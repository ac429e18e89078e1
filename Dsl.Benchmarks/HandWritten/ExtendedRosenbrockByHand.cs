using System;

namespace OptDsl.Benchmarks.HandWritten;

/// <summary>
/// The extended Rosenbrock function written by hand the way a C# programmer would: one pass over the pairs
/// (x[2i], x[2i+1]) that computes f and writes ∇f, with every partial derivative assigned exactly once.
/// The baseline the generated <c>ExtendedRosenbrock</c> class is measured against.
/// </summary>
public static class ExtendedRosenbrockByHand
{
    /// <summary>Writes ∇f(x) into <paramref name="gradient"/> and returns f(x).</summary>
    public static double ValueAndGradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        if (gradient.Length != x.Length) throw new ArgumentException("gradient must have the length of x.", nameof(gradient));
        double f = 0.0;
        for (int i = 0; i + 1 < x.Length; i += 2)
        {
            double a = x[i], b = x[i + 1];
            double t1 = b - a * a;
            double t2 = 1.0 - a;
            f += 100.0 * t1 * t1 + t2 * t2;
            gradient[i] = -400.0 * t1 * a - 2.0 * t2;
            gradient[i + 1] = 200.0 * t1;
        }
        return f;
    }

    /// <summary>Writes ∇²f(x)·v: each pair has the 2×2 block [[1200a² − 400b + 2, −400a], [−400a, 200]].</summary>
    public static void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv)
    {
        if (v.Length != x.Length || hv.Length != x.Length) throw new ArgumentException("v and hv must have the length of x.");
        for (int i = 0; i + 1 < x.Length; i += 2)
        {
            double a = x[i], b = x[i + 1];
            double va = v[i], vb = v[i + 1];
            hv[i] = (1200.0 * a * a - 400.0 * b + 2.0) * va - 400.0 * a * vb;
            hv[i + 1] = -400.0 * a * va + 200.0 * vb;
        }
    }
}
