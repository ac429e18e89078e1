using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OptDsl.Benchmarks.HandWritten;

/// <summary>
/// Extended Rosenbrock's gradient and Hessian-vector product the way a performance engineer writes them for an AVX
/// machine: four pairs per 256-bit step, de-interleaved with two in-lane unpacks (x = a0 b0 a1 b1 | a2 b2 a3 b3 gives
/// a = a0 a2 a1 a3 and b = b0 b2 b1 b3; the same two unpacks of the results put them back in order), fused
/// multiply-adds, two independent accumulators for f (eight pairs per iteration), loads and stores through refs
/// (no bounds checks), constants in registers. The baseline of issue 10's target (ExtendedRosenbrockKernelBenchmarks);
/// <see cref="ExtendedRosenbrockByHand"/> is the plain scalar loop. Without AVX it falls back to that loop.
/// </summary>
public static class ExtendedRosenbrockSimd
{
    /// <summary>Writes ∇f(x) into <paramref name="gradient"/> and returns f(x).</summary>
    public static double ValueAndGradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        if (gradient.Length != x.Length) throw new ArgumentException("gradient must have the length of x.", nameof(gradient));
        if (!Avx.IsSupported) return ExtendedRosenbrockByHand.ValueAndGradient(x, gradient);
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double gr = ref MemoryMarshal.GetReference(gradient);
        nuint length = (nuint)(x.Length & ~1);
        var f0 = Vector256<double>.Zero;
        var f1 = Vector256<double>.Zero;
        nuint k = 0;
        for (; k + 16 <= length; k += 16)
        {
            f0 += FourPairs(ref Unsafe.Add(ref xr, k), ref Unsafe.Add(ref gr, k));
            f1 += FourPairs(ref Unsafe.Add(ref xr, k + 8), ref Unsafe.Add(ref gr, k + 8));
        }
        if (k + 8 <= length)
        {
            f0 += FourPairs(ref Unsafe.Add(ref xr, k), ref Unsafe.Add(ref gr, k));
            k += 8;
        }
        double f = Vector256.Sum(f0 + f1);
        for (; k < length; k += 2)
        {
            double a = Unsafe.Add(ref xr, k), b = Unsafe.Add(ref xr, k + 1);
            double t1 = b - a * a;
            double t2 = 1.0 - a;
            f += 100.0 * t1 * t1 + t2 * t2;
            Unsafe.Add(ref gr, k) = -400.0 * t1 * a - 2.0 * t2;
            Unsafe.Add(ref gr, k + 1) = 200.0 * t1;
        }
        return f;
    }

    /// <summary>Four pairs: writes their 8 gradient entries and returns their 4 terms of f.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> FourPairs(ref double x, ref double g)
    {
        var lo = Vector256.LoadUnsafe(ref x);
        var hi = Vector256.LoadUnsafe(ref x, 4);
        var a = Avx.UnpackLow(lo, hi);
        var b = Avx.UnpackHigh(lo, hi);
        var t1 = Vector256.MultiplyAddEstimate(-a, a, b);                      // b − a²
        var t2 = Vector256<double>.One - a;
        var ga = Vector256.MultiplyAddEstimate(Vector256.Create(-400.0) * t1, a, Vector256.Create(-2.0) * t2);
        var gb = Vector256.Create(200.0) * t1;
        Avx.UnpackLow(ga, gb).StoreUnsafe(ref g);
        Avx.UnpackHigh(ga, gb).StoreUnsafe(ref g, 4);
        return Vector256.MultiplyAddEstimate(Vector256.Create(100.0) * t1, t1, t2 * t2);
    }

    /// <summary>Writes ∇²f(x)·v: per pair [[1200a² − 400b + 2, −400a], [−400a, 200]]·(va, vb).</summary>
    public static void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv)
    {
        if (v.Length != x.Length || hv.Length != x.Length) throw new ArgumentException("v and hv must have the length of x.");
        if (!Avx.IsSupported)
        {
            ExtendedRosenbrockByHand.HessianVectorProduct(x, v, hv);
            return;
        }
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double vr = ref MemoryMarshal.GetReference(v);
        ref double hr = ref MemoryMarshal.GetReference(hv);
        nuint length = (nuint)(x.Length & ~1);
        nuint k = 0;
        for (; k + 8 <= length; k += 8)
        {
            var xlo = Vector256.LoadUnsafe(ref xr, k);
            var xhi = Vector256.LoadUnsafe(ref xr, k + 4);
            var vlo = Vector256.LoadUnsafe(ref vr, k);
            var vhi = Vector256.LoadUnsafe(ref vr, k + 4);
            var a = Avx.UnpackLow(xlo, xhi);
            var b = Avx.UnpackHigh(xlo, xhi);
            var va = Avx.UnpackLow(vlo, vhi);
            var vb = Avx.UnpackHigh(vlo, vhi);
            var m400a = Vector256.Create(-400.0) * a;
            // 1200a² − 400b + 2 = (1200a)·a + (2 − 400b)
            var haa = Vector256.MultiplyAddEstimate(Vector256.Create(1200.0) * a, a,
                Vector256.MultiplyAddEstimate(Vector256.Create(-400.0), b, Vector256.Create(2.0)));
            var ha = Vector256.MultiplyAddEstimate(haa, va, m400a * vb);
            var hb = Vector256.MultiplyAddEstimate(m400a, va, Vector256.Create(200.0) * vb);
            Avx.UnpackLow(ha, hb).StoreUnsafe(ref hr, k);
            Avx.UnpackHigh(ha, hb).StoreUnsafe(ref hr, k + 4);
        }
        for (; k < length; k += 2)
        {
            double a = Unsafe.Add(ref xr, k), b = Unsafe.Add(ref xr, k + 1);
            double va = Unsafe.Add(ref vr, k), vb = Unsafe.Add(ref vr, k + 1);
            Unsafe.Add(ref hr, k) = (1200.0 * a * a - 400.0 * b + 2.0) * va - 400.0 * a * vb;
            Unsafe.Add(ref hr, k + 1) = -400.0 * a * va + 200.0 * vb;
        }
    }
}
