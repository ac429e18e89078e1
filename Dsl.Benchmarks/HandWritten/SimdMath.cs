using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace OptDsl.Benchmarks.HandWritten;

/// <summary>
/// The elementary functions the hand-written SIMD baselines need, four lanes at a time, in the same stable forms
/// as the runtime's scalar <c>OptMath</c> (so the baselines agree with the generated code to rounding):
/// softplus(z) = max(z, 0) + log1p(e^(−|z|)) and sigmoid(z) = (z ≥ 0 ? 1 : e^(−|z|)) / (1 + e^(−|z|)), sharing one
/// exponential. <see cref="Vector256.Exp(Vector256{double})"/> and <see cref="Vector256.Log(Vector256{double})"/>
/// are the runtime's vectorized functions (within about 1 ulp of <see cref="Math.Exp"/> and <see cref="Math.Log"/>).
/// </summary>
internal static class SimdMath
{
    /// <summary>log(1 + u) with Goldberg's correction (the same form as <c>OptMath.Log1p</c>), for u ≥ 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Log1p(Vector256<double> u)
    {
        var onePlus = Vector256<double>.One + u;
        var corrected = Vector256.Log(onePlus) * u / (onePlus - Vector256<double>.One);
        return Vector256.ConditionalSelect(Vector256.Equals(onePlus, Vector256<double>.One), u, corrected);
    }

    /// <summary>softplus(z) and sigmoid(z) of four lanes from one exponential.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<double> Softplus, Vector256<double> Sigmoid) SoftplusAndSigmoid(Vector256<double> z)
    {
        var u = Vector256.Exp(-Vector256.Abs(z));
        var softplus = Vector256.Max(z, Vector256<double>.Zero) + Log1p(u);
        var sigmoid = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(z, Vector256<double>.Zero), Vector256<double>.One, u)
            / (Vector256<double>.One + u);
        return (softplus, sigmoid);
    }

    /// <summary>sigmoid(z) of four lanes, without overflow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Sigmoid(Vector256<double> z)
    {
        var u = Vector256.Exp(-Vector256.Abs(z));
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(z, Vector256<double>.Zero), Vector256<double>.One, u)
            / (Vector256<double>.One + u);
    }

    /// <summary>Scalar softplus and sigmoid from one exponential (for the odd rows and the per-row kernels).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (double Softplus, double Sigmoid) SoftplusAndSigmoid(double z)
    {
        double u = Math.Exp(-Math.Abs(z));
        double onePlus = 1.0 + u;
        double log1p = onePlus == 1.0 ? u : Math.Log(onePlus) * u / (onePlus - 1.0);
        return (Math.Max(z, 0.0) + log1p, (z >= 0.0 ? 1.0 : u) / onePlus);
    }

    /// <summary>destination[j] += a·source[j] for j &lt; length: the fused SIMD scatter of a scaled row (no bounds checks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(ref double destination, ref double source, double a, nuint length)
    {
        var va = Vector256.Create(a);
        nuint j = 0;
        for (; j + 4 <= length; j += 4)
            Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref source, j), va, Vector256.LoadUnsafe(ref destination, j))
                .StoreUnsafe(ref destination, j);
        for (; j < length; j++)
            Unsafe.Add(ref destination, j) += a * Unsafe.Add(ref source, j);
    }

    /// <summary>Scalar sigmoid, without overflow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sigmoid(double z)
    {
        double u = Math.Exp(-Math.Abs(z));
        return (z >= 0.0 ? 1.0 : u) / (1.0 + u);
    }
}
