using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace OptDsl.Runtime.Internal;

/// <summary>
/// Small vector operations. Element-wise ones are <see cref="TensorPrimitives"/> calls (each element rounds the same at
/// any vector width); the sums (<see cref="Dot"/>, <see cref="Norm"/>) are this class's own, in one fixed order, because
/// <see cref="TensorPrimitives.Dot"/> sums in an order that depends on the widest vectors of the machine (512 bits with
/// AVX-512, 256 with AVX2): the same solve would end on different bits, and at times with a different status, on two
/// machines.
/// </summary>
internal static class Vec
{
    /// <summary>‖v‖∞ (0 for an empty vector).</summary>
    public static double InfNorm(ReadOnlySpan<double> v) =>
        v.IsEmpty ? 0.0 : Math.Abs(TensorPrimitives.MaxMagnitude(v));

    /// <summary>‖v‖₂, as √(vᵀv) summed by <see cref="Dot"/>.</summary>
    public static double Norm(ReadOnlySpan<double> v) => Math.Sqrt(Dot(v, v));

    /// <summary>
    /// uᵀv summed in one order on every machine: eight running sums, sum k taking the products of the elements i ≡ k
    /// (mod 8), added as ((s₀ + s₄) + (s₁ + s₅)) + ((s₂ + s₆) + (s₃ + s₇)), then the tail in order. Two 256-bit vectors
    /// hold the eight sums where the hardware has them; elsewhere scalars do the same additions, with the same bits.
    /// </summary>
    public static double Dot(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        int n = u.Length;
        if (v.Length != n) throw new ArgumentException("Vectors must have the same length.", nameof(v));
        ref double ru = ref MemoryMarshal.GetReference(u);
        ref double rv = ref MemoryMarshal.GetReference(v);
        int i = 0;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var a = Vector256<double>.Zero;
            var b = Vector256<double>.Zero;
            for (; i <= n - 8; i += 8)
            {
                a += Vector256.LoadUnsafe(ref ru, (nuint)i) * Vector256.LoadUnsafe(ref rv, (nuint)i);
                b += Vector256.LoadUnsafe(ref ru, (nuint)(i + 4)) * Vector256.LoadUnsafe(ref rv, (nuint)(i + 4));
            }
            (s0, s1, s2, s3) = (a.GetElement(0), a.GetElement(1), a.GetElement(2), a.GetElement(3));
            (s4, s5, s6, s7) = (b.GetElement(0), b.GetElement(1), b.GetElement(2), b.GetElement(3));
        }
        else
        {
            for (; i <= n - 8; i += 8)
            {
                s0 += Unsafe.Add(ref ru, i) * Unsafe.Add(ref rv, i);
                s1 += Unsafe.Add(ref ru, i + 1) * Unsafe.Add(ref rv, i + 1);
                s2 += Unsafe.Add(ref ru, i + 2) * Unsafe.Add(ref rv, i + 2);
                s3 += Unsafe.Add(ref ru, i + 3) * Unsafe.Add(ref rv, i + 3);
                s4 += Unsafe.Add(ref ru, i + 4) * Unsafe.Add(ref rv, i + 4);
                s5 += Unsafe.Add(ref ru, i + 5) * Unsafe.Add(ref rv, i + 5);
                s6 += Unsafe.Add(ref ru, i + 6) * Unsafe.Add(ref rv, i + 6);
                s7 += Unsafe.Add(ref ru, i + 7) * Unsafe.Add(ref rv, i + 7);
            }
        }
        double sum = ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7));
        for (; i < n; i++) sum += Unsafe.Add(ref ru, i) * Unsafe.Add(ref rv, i);
        return sum;
    }

    /// <summary>True when no entry is NaN or infinite.</summary>
    public static bool AllFinite(ReadOnlySpan<double> v) => v.IsEmpty || TensorPrimitives.IsFiniteAll(v);

    /// <summary>y ← a·x + y.</summary>
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y) => TensorPrimitives.MultiplyAdd(x, a, y, y);

    /// <summary>destination ← x + a·d.</summary>
    public static void AddScaled(ReadOnlySpan<double> x, double a, ReadOnlySpan<double> d, Span<double> destination) =>
        TensorPrimitives.MultiplyAdd(d, a, x, destination);

    /// <summary>
    /// ‖x − previous‖∞ (<paramref name="distance"/>) and ‖x‖∞ (returned) in one pass; NaN or ∞ in x makes the result
    /// NaN or ∞, so <c>double.IsFinite</c> of it is the finiteness check of x too.
    /// </summary>
    public static double InfNormAndDistance(ReadOnlySpan<double> x, ReadOnlySpan<double> previous, out double distance)
    {
        if (previous.Length != x.Length) throw new ArgumentException("Vectors must have the same length.", nameof(previous));
        double norm = 0, d = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= 4)
        {
            ref double xr = ref MemoryMarshal.GetReference(x);
            ref double pr = ref MemoryMarshal.GetReference(previous);
            var vn = Vector256<double>.Zero;
            var vd = Vector256<double>.Zero;
            for (; i <= x.Length - 4; i += 4)
            {
                var xi = Vector256.LoadUnsafe(ref xr, (nuint)i);
                var pi = Vector256.LoadUnsafe(ref pr, (nuint)i);
                // Vector256.Max, like Math.Max, returns NaN when either side is NaN.
                vn = Vector256.Max(vn, Vector256.Abs(xi));
                vd = Vector256.Max(vd, Vector256.Abs(xi - pi));
            }
            for (int l = 0; l < 4; l++)
            {
                norm = Math.Max(norm, Vector256.GetElement(vn, l));
                d = Math.Max(d, Vector256.GetElement(vd, l));
            }
        }
        for (; i < x.Length; i++)
        {
            norm = Math.Max(norm, Math.Abs(x[i]));
            d = Math.Max(d, Math.Abs(x[i] - previous[i]));
        }
        distance = d;
        return norm;
    }

    /// <summary>‖a − b‖∞.</summary>
    public static double InfDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }
}

/// <summary>
/// Fused single-pass kernels for the memory-bound loops of the quasi-Newton methods: each reads its vectors once with
/// <see cref="Vector{T}"/> loads (no bounds checks in the loop) and a scalar tail. The element-wise
/// results round exactly as the separate <see cref="TensorPrimitives"/> calls they replace (a multiply, then an add or
/// a subtract, never fused into one rounding); only the dot products differ from <see cref="TensorPrimitives.Dot"/> in
/// their order of summation.
/// </summary>
internal static class FusedVec
{
    /// <summary>
    /// r ← (b + a·u)·scale element-wise, then returns wᵀr (0 when <paramref name="w"/> is empty). <paramref name="r"/> may
    /// be <paramref name="b"/> itself. With a = 0 and scale = 1, r ← b.
    /// </summary>
    public static double UpdateThenDot(ReadOnlySpan<double> b, double a, ReadOnlySpan<double> u, double scale, Span<double> r, ReadOnlySpan<double> w)
    {
        int n = r.Length;
        if (b.Length != n || (a != 0 && u.Length != n) || (!w.IsEmpty && w.Length != n)) throw new ArgumentException("The vectors of a fused kernel differ in length.");
        bool copy = a == 0 && scale == 1, dot = !w.IsEmpty;
        ref double rb = ref MemoryMarshal.GetReference(b);
        ref double ru = ref a == 0 ? ref rb : ref MemoryMarshal.GetReference(u);
        ref double rr = ref MemoryMarshal.GetReference(r);
        ref double rw = ref dot ? ref MemoryMarshal.GetReference(w) : ref rb;
        int width = Vector<double>.Count;
        var va = new Vector<double>(a);
        var vs = new Vector<double>(scale);
        var acc0 = Vector<double>.Zero;
        var acc1 = Vector<double>.Zero;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - 2 * width; i += 2 * width)
            {
                var x0 = Vector.LoadUnsafe(ref rb, (nuint)i);
                var x1 = Vector.LoadUnsafe(ref rb, (nuint)(i + width));
                if (!copy)
                {
                    x0 = (x0 + va * Vector.LoadUnsafe(ref ru, (nuint)i)) * vs;
                    x1 = (x1 + va * Vector.LoadUnsafe(ref ru, (nuint)(i + width))) * vs;
                }
                x0.StoreUnsafe(ref rr, (nuint)i);
                x1.StoreUnsafe(ref rr, (nuint)(i + width));
                if (dot)
                {
                    acc0 += x0 * Vector.LoadUnsafe(ref rw, (nuint)i);
                    acc1 += x1 * Vector.LoadUnsafe(ref rw, (nuint)(i + width));
                }
            }
        }
        double sum = Vector.Sum(acc0 + acc1);
        for (; i < n; i++)
        {
            double x = Unsafe.Add(ref rb, i);
            if (!copy) x = (x + a * Unsafe.Add(ref ru, i)) * scale;
            Unsafe.Add(ref rr, i) = x;
            if (dot) sum += x * Unsafe.Add(ref rw, i);
        }
        return sum;
    }

    /// <summary>
    /// r ← (r + a·u) + b·v element-wise in one pass: the row of a rank-2 update, rounded exactly as two
    /// <see cref="Vec.Axpy"/> calls in that order.
    /// </summary>
    public static void AddTwoScaled(Span<double> r, double a, ReadOnlySpan<double> u, double b, ReadOnlySpan<double> v)
    {
        int n = r.Length;
        if (u.Length != n || v.Length != n) throw new ArgumentException("The vectors of a fused kernel differ in length.");
        ref double rr = ref MemoryMarshal.GetReference(r);
        ref double ru = ref MemoryMarshal.GetReference(u);
        ref double rv = ref MemoryMarshal.GetReference(v);
        int width = Vector<double>.Count;
        var va = new Vector<double>(a);
        var vb = new Vector<double>(b);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - width; i += width)
            {
                var x = Vector.LoadUnsafe(ref rr, (nuint)i) + va * Vector.LoadUnsafe(ref ru, (nuint)i);
                (x + vb * Vector.LoadUnsafe(ref rv, (nuint)i)).StoreUnsafe(ref rr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            ref double ri = ref Unsafe.Add(ref rr, i);
            ri = ri + a * Unsafe.Add(ref ru, i) + b * Unsafe.Add(ref rv, i);
        }
    }

    /// <summary>(sᵀy, yᵀy) in one pass.</summary>
    public static (double Sy, double Yy) TwoDots(ReadOnlySpan<double> s, ReadOnlySpan<double> y)
    {
        int n = s.Length;
        if (y.Length != n) throw new ArgumentException("The vectors of a fused kernel differ in length.");
        ref double rs = ref MemoryMarshal.GetReference(s);
        ref double ry = ref MemoryMarshal.GetReference(y);
        int width = Vector<double>.Count;
        var sy0 = Vector<double>.Zero;
        var sy1 = Vector<double>.Zero;
        var yy0 = Vector<double>.Zero;
        var yy1 = Vector<double>.Zero;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - 2 * width; i += 2 * width)
            {
                var y0 = Vector.LoadUnsafe(ref ry, (nuint)i);
                var y1 = Vector.LoadUnsafe(ref ry, (nuint)(i + width));
                sy0 += Vector.LoadUnsafe(ref rs, (nuint)i) * y0;
                sy1 += Vector.LoadUnsafe(ref rs, (nuint)(i + width)) * y1;
                yy0 += y0 * y0;
                yy1 += y1 * y1;
            }
        }
        double sy = Vector.Sum(sy0 + sy1), yy = Vector.Sum(yy0 + yy1);
        for (; i < n; i++)
        {
            double yi = Unsafe.Add(ref ry, i);
            sy += Unsafe.Add(ref rs, i) * yi;
            yy += yi * yi;
        }
        return (sy, yy);
    }
}
