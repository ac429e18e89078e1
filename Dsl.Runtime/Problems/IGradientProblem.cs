using System;

namespace OptDsl.Runtime;

/// <summary>A smooth objective with its gradient.</summary>
public interface IGradientProblem : IObjectiveProblem
{
    /// <summary>Writes ∇f(x) into <paramref name="gradient"/> and returns f(x).</summary>
    double Gradient(ReadOnlySpan<double> x, Span<double> gradient);
}
