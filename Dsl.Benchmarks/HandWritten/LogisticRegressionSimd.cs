using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OptDsl.Benchmarks.HandWritten;

/// <summary>
/// L2-regularized logistic regression (see <see cref="LogisticRegressionByHand"/>) the way a performance engineer
/// writes it, in two variants:
/// <list type="bullet">
/// <item><see cref="ValueAndGradient"/> and <see cref="HessianVectorProduct"/> (the baselines of issue 10's targets):
/// four rows at a time. One pass over w computes the four dot products X[i..i+4,:]·w (four independent fused
/// multiply-add chains, one load of w per four rows), reduced to one vector by two horizontal adds; softplus and
/// sigmoid of the four z run in SIMD from one vectorized exponential; one pass over ∇w adds the four scaled rows (one
/// load and store of ∇w per four rows). The four rows (4·d doubles) are still in L1 for the second pass, so X is read
/// from memory once. Loads through refs (no bounds checks), invariants in registers.</item>
/// <item><see cref="ValueAndGradientPerRow"/>: one row at a time, <see cref="TensorPrimitives.Dot(ReadOnlySpan{double}, ReadOnlySpan{double})"/>
/// for zᵢ, scalar softplus and sigmoid from one exponential, and a fused <see cref="Vector256{T}"/> loop for
/// ∇w += rᵢ·X[i,:] (the hand-written version the first measurement used).</item>
/// </list>
/// Without AVX the blocked versions fall back to the scalar loops.
/// </summary>
public static class LogisticRegressionSimd
{
    /// <summary>Writes ∇f(w, b) into <paramref name="gradient"/> and returns f(w, b); four rows at a time.</summary>
    public static double ValueAndGradient(ReadOnlySpan<double> x, Span<double> gradient, double[] X, double[] y, double lambda)
    {
        int m = y.Length, d = x.Length - 1;
        if (gradient.Length != x.Length) throw new ArgumentException("gradient must have the length of x.", nameof(gradient));
        if (X.Length != m * d) throw new ArgumentException("X must be m × d.", nameof(X));
        if (!Avx.IsSupported) return LogisticRegressionByHand.ValueAndGradient(x, gradient, X, y, lambda);

        ReadOnlySpan<double> w = x.Slice(0, d);
        Span<double> gw = gradient.Slice(0, d);
        gw.Clear();
        ref double wr = ref MemoryMarshal.GetReference(x);
        ref double gr = ref MemoryMarshal.GetReference(gradient);
        ref double Xr = ref MemoryMarshal.GetArrayDataReference(X);
        ref double yr = ref MemoryMarshal.GetArrayDataReference(y);
        nuint dd = (nuint)d, dv = dd & ~(nuint)3, rows = (nuint)m;
        double invM = 1.0 / m;
        var vb = Vector256.Create(x[d]);
        var vInvM = Vector256.Create(invM);
        var loss = Vector256<double>.Zero;
        var gb = Vector256<double>.Zero;
        nuint i = 0;
        for (; i + 4 <= rows; i += 4)
        {
            ref double x0 = ref Unsafe.Add(ref Xr, i * dd);
            ref double x1 = ref Unsafe.Add(ref x0, dd);
            ref double x2 = ref Unsafe.Add(ref x1, dd);
            ref double x3 = ref Unsafe.Add(ref x2, dd);

            // z = X[i..i+4, :]·w + b, in one pass over w.
            var a0 = Vector256<double>.Zero;
            var a1 = Vector256<double>.Zero;
            var a2 = Vector256<double>.Zero;
            var a3 = Vector256<double>.Zero;
            nuint j = 0;
            for (; j < dv; j += 4)
            {
                var wj = Vector256.LoadUnsafe(ref wr, j);
                a0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x0, j), wj, a0);
                a1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x1, j), wj, a1);
                a2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x2, j), wj, a2);
                a3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x3, j), wj, a3);
            }
            double t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0;
            for (; j < dd; j++)
            {
                double wj = Unsafe.Add(ref wr, j);
                t0 += Unsafe.Add(ref x0, j) * wj;
                t1 += Unsafe.Add(ref x1, j) * wj;
                t2 += Unsafe.Add(ref x2, j) * wj;
                t3 += Unsafe.Add(ref x3, j) * wj;
            }
            var z = HorizontalSums(a0, a1, a2, a3) + Vector256.Create(t0, t1, t2, t3) + vb;

            var yi = Vector256.LoadUnsafe(ref yr, i);
            var (softplus, sigmoid) = SimdMath.SoftplusAndSigmoid(z);
            loss += softplus - yi * z;
            var r = (sigmoid - yi) * vInvM;
            gb += r;

            // ∇w += Σₖ rₖ·X[i+k, :], in one pass over ∇w.
            double r0 = r.GetElement(0), r1 = r.GetElement(1), r2 = r.GetElement(2), r3 = r.GetElement(3);
            var vr0 = Vector256.Create(r0);
            var vr1 = Vector256.Create(r1);
            var vr2 = Vector256.Create(r2);
            var vr3 = Vector256.Create(r3);
            for (j = 0; j < dv; j += 4)
            {
                var g = Vector256.LoadUnsafe(ref gr, j);
                g = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x0, j), vr0, g);
                g = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x1, j), vr1, g);
                g = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x2, j), vr2, g);
                g = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x3, j), vr3, g);
                g.StoreUnsafe(ref gr, j);
            }
            for (; j < dd; j++)
                Unsafe.Add(ref gr, j) += r0 * Unsafe.Add(ref x0, j) + r1 * Unsafe.Add(ref x1, j) + r2 * Unsafe.Add(ref x2, j) + r3 * Unsafe.Add(ref x3, j);
        }
        double lossSum = Vector256.Sum(loss), gbSum = Vector256.Sum(gb), b = x[d];
        for (; i < rows; i++)
        {
            ref double row = ref Unsafe.Add(ref Xr, i * dd);
            double z = b + TensorPrimitives.Dot(MemoryMarshal.CreateReadOnlySpan(ref row, d), w);
            var (softplus, sigmoid) = SimdMath.SoftplusAndSigmoid(z);
            double yi = Unsafe.Add(ref yr, i);
            lossSum += softplus - yi * z;
            double r = (sigmoid - yi) * invM;
            gbSum += r;
            SimdMath.AddScaled(ref gr, ref row, r, dd);
        }
        double squares = TensorPrimitives.SumOfSquares(w);
        TensorPrimitives.MultiplyAdd(w, 2.0 * lambda, gw, gw);
        gradient[d] = gbSum;
        return lossSum * invM + lambda * squares;
    }

    /// <summary>Writes ∇²f(w, b)·v into <paramref name="hv"/>; four rows at a time, both dot products in one pass.</summary>
    public static void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv, double[] X, double lambda)
    {
        int d = x.Length - 1, m = X.Length / d;
        if (v.Length != x.Length || hv.Length != x.Length) throw new ArgumentException("v and hv must have the length of x.");
        if (!Avx.IsSupported)
        {
            LogisticRegressionByHand.HessianVectorProduct(x, v, hv, X, lambda);
            return;
        }
        ReadOnlySpan<double> w = x.Slice(0, d), vw = v.Slice(0, d);
        Span<double> hw = hv.Slice(0, d);
        hw.Clear();
        ref double wr = ref MemoryMarshal.GetReference(x);
        ref double vr = ref MemoryMarshal.GetReference(v);
        ref double hr = ref MemoryMarshal.GetReference(hv);
        ref double Xr = ref MemoryMarshal.GetArrayDataReference(X);
        nuint dd = (nuint)d, dv = dd & ~(nuint)3, rows = (nuint)m;
        double invM = 1.0 / m;
        var vb = Vector256.Create(x[d]);
        var vvb = Vector256.Create(v[d]);
        var vInvM = Vector256.Create(invM);
        var hb = Vector256<double>.Zero;
        nuint i = 0;
        for (; i + 4 <= rows; i += 4)
        {
            ref double x0 = ref Unsafe.Add(ref Xr, i * dd);
            ref double x1 = ref Unsafe.Add(ref x0, dd);
            ref double x2 = ref Unsafe.Add(ref x1, dd);
            ref double x3 = ref Unsafe.Add(ref x2, dd);

            // z = X[i..i+4, :]·w + b and zv = X[i..i+4, :]·v_w + v_b, in one pass over w and v_w.
            var a0 = Vector256<double>.Zero;
            var a1 = Vector256<double>.Zero;
            var a2 = Vector256<double>.Zero;
            var a3 = Vector256<double>.Zero;
            var c0 = Vector256<double>.Zero;
            var c1 = Vector256<double>.Zero;
            var c2 = Vector256<double>.Zero;
            var c3 = Vector256<double>.Zero;
            nuint j = 0;
            for (; j < dv; j += 4)
            {
                var wj = Vector256.LoadUnsafe(ref wr, j);
                var vj = Vector256.LoadUnsafe(ref vr, j);
                var e0 = Vector256.LoadUnsafe(ref x0, j);
                var e1 = Vector256.LoadUnsafe(ref x1, j);
                var e2 = Vector256.LoadUnsafe(ref x2, j);
                var e3 = Vector256.LoadUnsafe(ref x3, j);
                a0 = Vector256.MultiplyAddEstimate(e0, wj, a0);
                a1 = Vector256.MultiplyAddEstimate(e1, wj, a1);
                a2 = Vector256.MultiplyAddEstimate(e2, wj, a2);
                a3 = Vector256.MultiplyAddEstimate(e3, wj, a3);
                c0 = Vector256.MultiplyAddEstimate(e0, vj, c0);
                c1 = Vector256.MultiplyAddEstimate(e1, vj, c1);
                c2 = Vector256.MultiplyAddEstimate(e2, vj, c2);
                c3 = Vector256.MultiplyAddEstimate(e3, vj, c3);
            }
            double t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0, u0 = 0.0, u1 = 0.0, u2 = 0.0, u3 = 0.0;
            for (; j < dd; j++)
            {
                double wj = Unsafe.Add(ref wr, j), vj = Unsafe.Add(ref vr, j);
                double e0 = Unsafe.Add(ref x0, j), e1 = Unsafe.Add(ref x1, j), e2 = Unsafe.Add(ref x2, j), e3 = Unsafe.Add(ref x3, j);
                t0 += e0 * wj; t1 += e1 * wj; t2 += e2 * wj; t3 += e3 * wj;
                u0 += e0 * vj; u1 += e1 * vj; u2 += e2 * vj; u3 += e3 * vj;
            }
            var z = HorizontalSums(a0, a1, a2, a3) + Vector256.Create(t0, t1, t2, t3) + vb;
            var zv = HorizontalSums(c0, c1, c2, c3) + Vector256.Create(u0, u1, u2, u3) + vvb;

            var s = SimdMath.Sigmoid(z);
            var c = zv * (s - s * s);
            hb += c;
            var r = c * vInvM;

            double r0 = r.GetElement(0), r1 = r.GetElement(1), r2 = r.GetElement(2), r3 = r.GetElement(3);
            var vr0 = Vector256.Create(r0);
            var vr1 = Vector256.Create(r1);
            var vr2 = Vector256.Create(r2);
            var vr3 = Vector256.Create(r3);
            for (j = 0; j < dv; j += 4)
            {
                var h = Vector256.LoadUnsafe(ref hr, j);
                h = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x0, j), vr0, h);
                h = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x1, j), vr1, h);
                h = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x2, j), vr2, h);
                h = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x3, j), vr3, h);
                h.StoreUnsafe(ref hr, j);
            }
            for (; j < dd; j++)
                Unsafe.Add(ref hr, j) += r0 * Unsafe.Add(ref x0, j) + r1 * Unsafe.Add(ref x1, j) + r2 * Unsafe.Add(ref x2, j) + r3 * Unsafe.Add(ref x3, j);
        }
        double hbSum = Vector256.Sum(hb), b = x[d], vbs = v[d];
        for (; i < rows; i++)
        {
            ref double row = ref Unsafe.Add(ref Xr, i * dd);
            var rowSpan = MemoryMarshal.CreateReadOnlySpan(ref row, d);
            double z = b + TensorPrimitives.Dot(rowSpan, w);
            double zv = vbs + TensorPrimitives.Dot(rowSpan, vw);
            double s = SimdMath.Sigmoid(z);
            double c = zv * (s - s * s);
            hbSum += c;
            SimdMath.AddScaled(ref hr, ref row, c * invM, dd);
        }
        TensorPrimitives.MultiplyAdd(vw, 2.0 * lambda, hw, hw);
        hv[d] = hbSum * invM;
    }

    /// <summary>Writes ∇f(w, b) and returns f(w, b), one row at a time: TensorPrimitives.Dot, then a fused SIMD scatter.</summary>
    public static double ValueAndGradientPerRow(ReadOnlySpan<double> x, Span<double> gradient, double[] X, double[] y, double lambda)
    {
        int m = y.Length, d = x.Length - 1;
        if (gradient.Length != x.Length) throw new ArgumentException("gradient must have the length of x.", nameof(gradient));
        if (X.Length != m * d) throw new ArgumentException("X must be m × d.", nameof(X));
        ReadOnlySpan<double> w = x.Slice(0, d);
        Span<double> gw = gradient.Slice(0, d);
        gw.Clear();
        ref double gr = ref MemoryMarshal.GetReference(gradient);
        ref double Xr = ref MemoryMarshal.GetArrayDataReference(X);
        ref double yr = ref MemoryMarshal.GetArrayDataReference(y);
        nuint dd = (nuint)d;
        double b = x[d], invM = 1.0 / m;
        double loss = 0.0, gb = 0.0;
        for (nuint i = 0; i < (nuint)m; i++)
        {
            ref double row = ref Unsafe.Add(ref Xr, i * dd);
            double z = b + TensorPrimitives.Dot(MemoryMarshal.CreateReadOnlySpan(ref row, d), w);
            var (softplus, sigmoid) = SimdMath.SoftplusAndSigmoid(z);
            double yi = Unsafe.Add(ref yr, i);
            loss += softplus - yi * z;
            double r = (sigmoid - yi) * invM;
            gb += r;
            SimdMath.AddScaled(ref gr, ref row, r, dd);
        }
        double squares = TensorPrimitives.SumOfSquares(w);
        TensorPrimitives.MultiplyAdd(w, 2.0 * lambda, gw, gw);
        gradient[d] = gb;
        return loss * invM + lambda * squares;
    }

    /// <summary>(Σ a0, Σ a1, Σ a2, Σ a3): two horizontal adds and a cross-lane add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> HorizontalSums(Vector256<double> a0, Vector256<double> a1, Vector256<double> a2, Vector256<double> a3)
    {
        var h01 = Avx.HorizontalAdd(a0, a1); // a0[0]+a0[1], a1[0]+a1[1], a0[2]+a0[3], a1[2]+a1[3]
        var h23 = Avx.HorizontalAdd(a2, a3);
        return Avx.Permute2x128(h01, h23, 0x20) + Avx.Permute2x128(h01, h23, 0x31);
    }
}
