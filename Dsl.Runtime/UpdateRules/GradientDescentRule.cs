using System;
using static OptDsl.Runtime.UpdateKernels;

namespace OptDsl.Runtime;

/// <summary>The plain gradient step x ← x − γ∇f(x) (the fixed-step rule of <see cref="GradientDescentSolver"/>). It has no state.</summary>
public sealed class GradientDescentRule : UpdateRule
{
    /// <summary>A rule for <paramref name="dimension"/> variables.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is negative.</exception>
    public GradientDescentRule(int dimension)
        : base(dimension)
    {
    }

    private protected override void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper)
    {
        if (lower.IsEmpty) UpdateKernels.Sgd<No, No>(x, gradient, lower, upper, 0, learningRate);
        else UpdateKernels.Sgd<No, Yes>(x, gradient, lower, upper, 0, learningRate);
    }

    private protected override void ResetState()
    {
    }
}
