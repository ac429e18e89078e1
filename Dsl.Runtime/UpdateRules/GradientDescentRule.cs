using System;
using OptDsl.Runtime.Internal;

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

    private protected override void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t) => Vec.Axpy(-learningRate, gradient, x);

    private protected override void ResetState()
    {
    }
}
