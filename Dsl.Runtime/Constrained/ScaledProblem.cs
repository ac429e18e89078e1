using System;
using System.Collections.Generic;

namespace OptDsl.Runtime.Constrained;

/// <summary>
/// A constrained problem with its objective multiplied by s_f and each constraint row k by s_k (IPOPT's gradient-based
/// scaling, <see cref="ConstrainedModel.WithGradientScaling"/>): f̃ = s_f·f, c̃ₖ = sₖ·cₖ with bounds sₖ·lₖ, sₖ·uₖ. The
/// Lagrangian of the scaled problem with multipliers ỹ is s_f times the original's with λₖ = ỹₖ·sₖ/s_f, which is how its
/// Hessian is evaluated. The variables are not scaled.
/// </summary>
internal sealed class ScaledProblem(IConstrainedProblem inner, double objectiveScale, double[] rowScales) : IConstrainedProblem
{
    private readonly double[] _lambda = new double[rowScales.Length];
    private readonly int _n = inner.Dimension;

    public IConstrainedProblem Inner => inner;
    public double ObjectiveScale => objectiveScale;
    public double[] RowScales => rowScales;

    public int Dimension => _n;
    public int ConstraintCount => rowScales.Length;
    public IReadOnlyList<(string Label, int Offset, int Count)> ConstraintLabels => inner.ConstraintLabels;

    public double Objective(ReadOnlySpan<double> x) => objectiveScale * inner.Objective(x);

    public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        double f = inner.Gradient(x, gradient);
        Scale(gradient, objectiveScale);
        return objectiveScale * f;
    }

    public void Hessian(ReadOnlySpan<double> x, Span<double> hessian)
    {
        inner.Hessian(x, hessian);
        Scale(hessian, objectiveScale);
    }

    public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv)
    {
        inner.HessianVectorProduct(x, v, hv);
        Scale(hv, objectiveScale);
    }

    public void Constraints(ReadOnlySpan<double> x, Span<double> values)
    {
        inner.Constraints(x, values);
        for (int k = 0; k < rowScales.Length; k++) values[k] *= rowScales[k];
    }

    public void ConstraintBounds(Span<double> lower, Span<double> upper)
    {
        inner.ConstraintBounds(lower, upper);
        for (int k = 0; k < rowScales.Length; k++)
        {
            lower[k] *= rowScales[k]; // ±∞ stays ±∞ (the factors are positive)
            upper[k] *= rowScales[k];
        }
    }

    public void ConstraintJacobian(ReadOnlySpan<double> x, Span<double> jacobian)
    {
        inner.ConstraintJacobian(x, jacobian);
        for (int k = 0; k < rowScales.Length; k++) Scale(jacobian.Slice(k * _n, _n), rowScales[k]);
    }

    public double LagrangianGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, Span<double> gradient)
    {
        double value = inner.LagrangianGradient(x, Original(multipliers), gradient);
        Scale(gradient, objectiveScale);
        return objectiveScale * value;
    }

    public void LagrangianHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, Span<double> hessian)
    {
        inner.LagrangianHessian(x, Original(multipliers), hessian);
        Scale(hessian, objectiveScale);
    }

    public void LagrangianHessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, ReadOnlySpan<double> v, Span<double> hv)
    {
        inner.LagrangianHessianVectorProduct(x, Original(multipliers), v, hv);
        Scale(hv, objectiveScale);
    }

    /// <summary>The original problem's multipliers λₖ = ỹₖ·sₖ/s_f of scaled multipliers ỹ.</summary>
    private ReadOnlySpan<double> Original(ReadOnlySpan<double> scaled)
    {
        for (int k = 0; k < rowScales.Length; k++) _lambda[k] = scaled[k] * rowScales[k] / objectiveScale;
        return _lambda;
    }

    private static void Scale(Span<double> values, double factor)
    {
        if (factor == 1) return;
        for (int i = 0; i < values.Length; i++) values[i] *= factor;
    }
}
