using System;
using OptDsl.Runtime;

namespace OptDsl.Tests.Runtime;

/// <summary>
/// A test problem f(x) = Σᵢ rᵢ(x)² written by hand as residuals r, Jacobian J and the residual curvature
/// Σᵢ rᵢ∇²rᵢ, from which f, ∇f = 2Jᵀr and ∇²f = 2(JᵀJ + Σᵢ rᵢ∇²rᵢ) follow. It serves every solver family:
/// gradient, second-order and least-squares. Not thread-safe (work buffers are per instance).
/// </summary>
public abstract class SumOfSquaresProblem : ISecondOrderProblem, ILeastSquaresProblem
{
    private double[]? _r, _j, _h;

    /// <summary>Name as in the paper, with its size when the problem is variably dimensioned.</summary>
    public abstract string Name { get; }
    public abstract int Dimension { get; }
    public abstract int ResidualCount { get; }

    /// <summary>The standard starting point.</summary>
    public abstract double[] Start { get; }

    /// <summary>Published f values at minimizers (the global one first), with the source in the problem's comment.</summary>
    public abstract double[] KnownMinima { get; }

    public abstract void Residuals(ReadOnlySpan<double> x, Span<double> r);
    public abstract void Jacobian(ReadOnlySpan<double> x, Span<double> jacobian);

    /// <summary>Adds Σᵢ rᵢ·∇²rᵢ(x) to the row-major n×n <paramref name="h"/>.</summary>
    public abstract void AddResidualCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> r, Span<double> h);

    public override string ToString() => Name;

    private double[] R => _r ??= new double[ResidualCount];
    private double[] J => _j ??= new double[ResidualCount * Dimension];
    private double[] H => _h ??= new double[Dimension * Dimension];

    public double Objective(ReadOnlySpan<double> x)
    {
        Residuals(x, R);
        double f = 0;
        foreach (double ri in R) f += ri * ri;
        return f;
    }

    public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        int n = Dimension, m = ResidualCount;
        Residuals(x, R);
        Jacobian(x, J);
        gradient.Clear();
        double f = 0;
        for (int i = 0; i < m; i++)
        {
            double ri = R[i];
            f += ri * ri;
            for (int j = 0; j < n; j++) gradient[j] += 2 * J[i * n + j] * ri;
        }
        return f;
    }

    public void Hessian(ReadOnlySpan<double> x, Span<double> hessian)
    {
        int n = Dimension, m = ResidualCount;
        Residuals(x, R);
        Jacobian(x, J);
        hessian.Clear();
        for (int i = 0; i < m; i++)
            for (int a = 0; a < n; a++)
            {
                double ja = J[i * n + a];
                if (ja == 0) continue;
                for (int b = 0; b < n; b++) hessian[a * n + b] += ja * J[i * n + b];
            }
        AddResidualCurvature(x, R, hessian);
        for (int k = 0; k < n * n; k++) hessian[k] *= 2;
    }

    public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv)
    {
        int n = Dimension;
        Hessian(x, H);
        for (int a = 0; a < n; a++)
        {
            double s = 0;
            for (int b = 0; b < n; b++) s += H[a * n + b] * v[b];
            hv[a] = s;
        }
    }

    /// <summary>Adds c·(a ⊗ a) restricted to the index pairs of <paramref name="index"/>: h[i_p, i_q] += c·a_p·a_q.</summary>
    protected void AddOuter(Span<double> h, double c, ReadOnlySpan<int> index, ReadOnlySpan<double> a)
    {
        int n = Dimension;
        for (int p = 0; p < index.Length; p++)
            for (int q = 0; q < index.Length; q++)
                h[index[p] * n + index[q]] += c * a[p] * a[q];
    }

    /// <summary>h[i, j] += v and, for i ≠ j, h[j, i] += v.</summary>
    protected void AddSymmetric(Span<double> h, int i, int j, double v)
    {
        int n = Dimension;
        h[i * n + j] += v;
        if (i != j) h[j * n + i] += v;
    }
}
