using System;
using System.Collections.Generic;
using OptDsl.Runtime;

namespace OptDsl.Tests.Constrained;

/// <summary>
/// A constrained problem with its objective multiplied by <see cref="ObjectiveFactor"/> and every constraint row (and its
/// bounds) by <see cref="RowFactor"/>: the same minimizers, f* × the objective factor, multipliers × objective/row
/// factor. The badly scaled versions of the Hock–Schittkowski problems (shared by the tests and the IPOPT comparison).
/// </summary>
public sealed class ScaledConstrainedProblem(IConstrainedProblem inner, double objectiveFactor, double rowFactor) : IConstrainedProblem
{
    private readonly double[] _lambda = new double[inner.ConstraintCount];

    public IConstrainedProblem Inner => inner;
    public double ObjectiveFactor => objectiveFactor;
    public double RowFactor => rowFactor;

    public int Dimension => inner.Dimension;
    public int ConstraintCount => inner.ConstraintCount;
    public IReadOnlyList<(string Label, int Offset, int Count)> ConstraintLabels => inner.ConstraintLabels;

    public double Objective(ReadOnlySpan<double> x) => objectiveFactor * inner.Objective(x);

    public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        double f = inner.Gradient(x, gradient);
        Scale(gradient, objectiveFactor);
        return objectiveFactor * f;
    }

    public void Hessian(ReadOnlySpan<double> x, Span<double> hessian)
    {
        inner.Hessian(x, hessian);
        Scale(hessian, objectiveFactor);
    }

    public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv)
    {
        inner.HessianVectorProduct(x, v, hv);
        Scale(hv, objectiveFactor);
    }

    public void Constraints(ReadOnlySpan<double> x, Span<double> values)
    {
        inner.Constraints(x, values);
        Scale(values, rowFactor);
    }

    public void ConstraintBounds(Span<double> lower, Span<double> upper)
    {
        inner.ConstraintBounds(lower, upper);
        Scale(lower, rowFactor);
        Scale(upper, rowFactor);
    }

    public void ConstraintJacobian(ReadOnlySpan<double> x, Span<double> jacobian)
    {
        inner.ConstraintJacobian(x, jacobian);
        Scale(jacobian, rowFactor);
    }

    public double LagrangianGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, Span<double> gradient)
    {
        double value = inner.LagrangianGradient(x, InnerMultipliers(multipliers), gradient);
        Scale(gradient, objectiveFactor);
        return objectiveFactor * value;
    }

    public void LagrangianHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, Span<double> hessian)
    {
        inner.LagrangianHessian(x, InnerMultipliers(multipliers), hessian);
        Scale(hessian, objectiveFactor);
    }

    public void LagrangianHessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, ReadOnlySpan<double> v, Span<double> hv)
    {
        inner.LagrangianHessianVectorProduct(x, InnerMultipliers(multipliers), v, hv);
        Scale(hv, objectiveFactor);
    }

    /// <summary>L̃ = a·f + Σ μₖ·b·cₖ = a·(f + Σ (μₖ b/a) cₖ): the inner problem's multipliers.</summary>
    private ReadOnlySpan<double> InnerMultipliers(ReadOnlySpan<double> multipliers)
    {
        for (int k = 0; k < _lambda.Length; k++) _lambda[k] = multipliers[k] * rowFactor / objectiveFactor;
        return _lambda;
    }

    private static void Scale(Span<double> values, double factor)
    {
        for (int i = 0; i < values.Length; i++) values[i] *= factor;
    }
}
