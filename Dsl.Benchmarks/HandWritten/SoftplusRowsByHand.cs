using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace OptDsl.Benchmarks.HandWritten;

/// <summary>
/// f(x) = Σᵢ softplus(A[i,:]·x), ∇f(x) = Aᵀσ(Ax), A row-major m×n, written by hand two ways:
/// <see cref="ValueAndGradient"/> as plain scalar loops over spans (bounds-checked indexing, no SIMD), and
/// <see cref="ValueAndGradientSimd"/> as a performance engineer writes it (the baseline of issue 10's target): per row
/// <see cref="TensorPrimitives.Dot(ReadOnlySpan{double}, ReadOnlySpan{double})"/> for zᵢ, then a fused
/// <see cref="System.Runtime.Intrinsics.Vector256{T}"/> loop for ∇f += σ(zᵢ)·A[i,:] over refs while the row is still in
/// L1, so A is read from memory once. Both compute softplus and sigmoid of zᵢ from one exponential.
/// </summary>
public static class SoftplusRowsByHand
{
    /// <summary>Writes ∇f(x) into <paramref name="gradient"/> and returns f(x); plain scalar loops.</summary>
    public static double ValueAndGradient(ReadOnlySpan<double> x, Span<double> gradient, double[] A)
    {
        int n = x.Length, m = A.Length / n;
        if (gradient.Length != n) throw new ArgumentException("gradient must have the length of x.", nameof(gradient));
        gradient.Clear();
        double f = 0.0;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<double> row = A.AsSpan(i * n, n);
            double z = 0.0;
            for (int j = 0; j < n; j++) z += row[j] * x[j];
            var (softplus, sigmoid) = SimdMath.SoftplusAndSigmoid(z);
            f += softplus;
            for (int j = 0; j < n; j++) gradient[j] += sigmoid * row[j];
        }
        return f;
    }

    /// <summary>Writes ∇f(x) into <paramref name="gradient"/> and returns f(x); SIMD, one pass over A.</summary>
    public static double ValueAndGradientSimd(ReadOnlySpan<double> x, Span<double> gradient, double[] A)
    {
        int n = x.Length, m = A.Length / n;
        if (gradient.Length != n) throw new ArgumentException("gradient must have the length of x.", nameof(gradient));
        gradient.Clear();
        ref double ar = ref MemoryMarshal.GetArrayDataReference(A);
        ref double gr = ref MemoryMarshal.GetReference(gradient);
        nuint nn = (nuint)n;
        double f = 0.0;
        for (nuint i = 0; i < (nuint)m; i++)
        {
            ref double row = ref System.Runtime.CompilerServices.Unsafe.Add(ref ar, i * nn);
            double z = TensorPrimitives.Dot(MemoryMarshal.CreateReadOnlySpan(ref row, n), x);
            var (softplus, sigmoid) = SimdMath.SoftplusAndSigmoid(z);
            f += softplus;
            SimdMath.AddScaled(ref gr, ref row, sigmoid, nn);
        }
        return f;
    }
}
