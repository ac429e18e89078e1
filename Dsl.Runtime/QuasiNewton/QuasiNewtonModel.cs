using System;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime.QuasiNewton;

/// <summary>
/// The curvature model of a quasi-Newton method, as <see cref="QuasiNewtonLoop"/> drives it: a search direction from the
/// model (and, with bounds, its box subproblem), an update from each accepted step's pair (s, y), and a reset to the
/// identity when the line search fails along the model's direction.
/// </summary>
internal abstract class QuasiNewtonModel
{
    /// <summary>Names the direction in the message of a failed line search ("BFGS", "quasi-Newton").</summary>
    public abstract string DirectionName { get; }

    /// <summary>True while the model holds no curvature pair (the identity): the loop then scales the first trial step to 1/‖d‖.</summary>
    public abstract bool IsEmpty { get; }

    /// <summary>Back to the identity.</summary>
    public abstract void Reset();

    /// <summary>
    /// Writes the search direction at x into <paramref name="d"/>: −H·g without bounds; with bounds, the difference
    /// between the box subproblem's feasible point and x.
    /// </summary>
    public abstract void Direction(Box box, ReadOnlySpan<double> x, ReadOnlySpan<double> g, Span<double> d);

    /// <summary>Where the loop writes s = x₊ − x before <see cref="Update"/>.</summary>
    public abstract Span<double> NextS { get; }

    /// <summary>Where the loop writes y = ∇f(x₊) − ∇f(x) before <see cref="Update"/>.</summary>
    public abstract Span<double> NextY { get; }

    /// <summary>Updates the model with the pair written into <see cref="NextS"/> and <see cref="NextY"/> (skipped when its curvature sᵀy is not safely positive).</summary>
    public abstract void Update();
}
