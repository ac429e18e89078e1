using System;

namespace OptDsl.Benchmarks.HandWritten;

/// <summary>
/// L2-regularized logistic regression, f(w, b) = (1/m)·Σᵢ [softplus(zᵢ) − yᵢzᵢ] + λ‖w‖², zᵢ = X[i,:]·w + b, written by
/// hand as plain scalar loops over spans (bounds-checked indexing, no SIMD): per row a dot product, one exponential
/// shared by softplus and sigmoid, and the scatter ∇w += rᵢ·X[i,:]. The variables are x = (w, b), as in the generated
/// <c>LogisticRegression</c>; X is row-major m×d. The scalar reference of LogisticRegressionKernelBenchmarks.
/// </summary>
public static class LogisticRegressionByHand
{
    /// <summary>Writes ∇f(w, b) into <paramref name="gradient"/> and returns f(w, b).</summary>
    public static double ValueAndGradient(ReadOnlySpan<double> x, Span<double> gradient, double[] X, double[] y, double lambda)
    {
        int m = y.Length, d = x.Length - 1;
        if (gradient.Length != x.Length) throw new ArgumentException("gradient must have the length of x.", nameof(gradient));
        if (X.Length != m * d) throw new ArgumentException("X must be m × d.", nameof(X));
        ReadOnlySpan<double> w = x.Slice(0, d);
        double b = x[d];
        Span<double> gw = gradient.Slice(0, d);
        gw.Clear();
        double invM = 1.0 / m;
        double loss = 0.0, gb = 0.0;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<double> row = X.AsSpan(i * d, d);
            double z = b;
            for (int j = 0; j < d; j++) z += row[j] * w[j];
            var (softplus, sigmoid) = SimdMath.SoftplusAndSigmoid(z);
            loss += softplus - y[i] * z;
            double r = (sigmoid - y[i]) * invM;
            for (int j = 0; j < d; j++) gw[j] += r * row[j];
            gb += r;
        }
        double squares = 0.0;
        for (int j = 0; j < d; j++)
        {
            squares += w[j] * w[j];
            gw[j] += 2.0 * lambda * w[j];
        }
        gradient[d] = gb;
        return loss * invM + lambda * squares;
    }

    /// <summary>Writes ∇²f(w, b)·v: (1/m)·Σᵢ σᵢ(1 − σᵢ)(X[i,:]·v_w + v_b)·(X[i,:], 1) + (2λ·v_w, 0).</summary>
    public static void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv, double[] X, double lambda)
    {
        int d = x.Length - 1, m = X.Length / d;
        if (v.Length != x.Length || hv.Length != x.Length) throw new ArgumentException("v and hv must have the length of x.");
        ReadOnlySpan<double> w = x.Slice(0, d), vw = v.Slice(0, d);
        double b = x[d], vb = v[d];
        Span<double> hw = hv.Slice(0, d);
        hw.Clear();
        double invM = 1.0 / m;
        double hb = 0.0;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<double> row = X.AsSpan(i * d, d);
            double z = b, zv = vb;
            for (int j = 0; j < d; j++)
            {
                z += row[j] * w[j];
                zv += row[j] * vw[j];
            }
            double s = SimdMath.Sigmoid(z);
            double c = zv * (s - s * s);
            hb += c;
            double r = c * invM;
            for (int j = 0; j < d; j++) hw[j] += r * row[j];
        }
        for (int j = 0; j < d; j++) hw[j] += 2.0 * lambda * vw[j];
        hv[d] = hb * invM;
    }
}
