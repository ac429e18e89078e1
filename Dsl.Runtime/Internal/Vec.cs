using System;
using System.Numerics.Tensors;

namespace OptDsl.Runtime.Internal;

/// <summary>Small vector reductions on top of <see cref="TensorPrimitives"/>.</summary>
internal static class Vec
{
    /// <summary>‖v‖∞ (0 for an empty vector).</summary>
    public static double InfNorm(ReadOnlySpan<double> v) =>
        v.IsEmpty ? 0.0 : Math.Abs(TensorPrimitives.MaxMagnitude(v));

    /// <summary>‖v‖₂.</summary>
    public static double Norm(ReadOnlySpan<double> v) => v.IsEmpty ? 0.0 : TensorPrimitives.Norm(v);

    /// <summary>uᵀv.</summary>
    public static double Dot(ReadOnlySpan<double> u, ReadOnlySpan<double> v) => u.IsEmpty ? 0.0 : TensorPrimitives.Dot(u, v);

    /// <summary>True when no entry is NaN or infinite.</summary>
    public static bool AllFinite(ReadOnlySpan<double> v) => v.IsEmpty || TensorPrimitives.IsFiniteAll(v);

    /// <summary>y ← a·x + y.</summary>
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y) => TensorPrimitives.MultiplyAdd(x, a, y, y);

    /// <summary>destination ← x + a·d.</summary>
    public static void AddScaled(ReadOnlySpan<double> x, double a, ReadOnlySpan<double> d, Span<double> destination) =>
        TensorPrimitives.MultiplyAdd(d, a, x, destination);

    /// <summary>‖a − b‖∞.</summary>
    public static double InfDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }
}
