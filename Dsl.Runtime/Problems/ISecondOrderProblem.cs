using System;

namespace OptDsl.Runtime;

/// <summary>A smooth objective that also has second derivatives.</summary>
public interface ISecondOrderProblem : IGradientProblem
{
    /// <summary>Writes the dense Hessian ∇²f(x), row-major n×n, into <paramref name="hessian"/>.</summary>
    void Hessian(ReadOnlySpan<double> x, Span<double> hessian);

    /// <summary>Writes ∇²f(x)·v into <paramref name="hv"/>.</summary>
    void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv);
}
