using System;

namespace OptDsl.Runtime;

/// <summary>
/// Box constraints <c>Lower[i] ≤ x[i] ≤ Upper[i]</c> on the decision variables.
/// Infinite entries leave a side open. Solvers that accept bounds clip the start point into the box
/// and keep every iterate inside it.
/// </summary>
public sealed class Bounds
{
    /// <summary>Creates the box; the arrays are copied.</summary>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ, an entry is NaN, a lower bound is +∞, an upper bound is −∞, or a lower bound exceeds its upper bound.</exception>
    public Bounds(double[] lower, double[] upper)
    {
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        if (lower.Length != upper.Length)
            throw new ArgumentException($"Bounds: lower has {lower.Length} entries but upper has {upper.Length}.", nameof(upper));
        for (int i = 0; i < lower.Length; i++)
        {
            double l = lower[i], u = upper[i];
            if (double.IsNaN(l) || double.IsNaN(u))
                throw new ArgumentException($"Bounds: entry {i} is NaN (lower = {l}, upper = {u}).", double.IsNaN(l) ? nameof(lower) : nameof(upper));
            if (double.IsPositiveInfinity(l))
                throw new ArgumentException($"Bounds: lower bound {i} is +infinity.", nameof(lower));
            if (double.IsNegativeInfinity(u))
                throw new ArgumentException($"Bounds: upper bound {i} is -infinity.", nameof(upper));
            if (l > u)
                throw new ArgumentException($"Bounds: lower bound {i} ({l}) is greater than upper bound {i} ({u}).", nameof(lower));
        }
        Lower = (double[])lower.Clone();
        Upper = (double[])upper.Clone();
    }

    /// <summary>Lower bounds (−∞ for none).</summary>
    public double[] Lower { get; }

    /// <summary>Upper bounds (+∞ for none).</summary>
    public double[] Upper { get; }

    /// <summary>Number of variables the box constrains.</summary>
    public int Length => Lower.Length;

    /// <summary>True when at least one bound is finite.</summary>
    public bool HasFiniteEntry
    {
        get
        {
            for (int i = 0; i < Lower.Length; i++)
                if (double.IsFinite(Lower[i]) || double.IsFinite(Upper[i])) return true;
            return false;
        }
    }

    /// <summary>The box with no finite bound in <paramref name="dimension"/> variables.</summary>
    public static Bounds Unbounded(int dimension)
    {
        var lower = new double[dimension];
        var upper = new double[dimension];
        Array.Fill(lower, double.NegativeInfinity);
        Array.Fill(upper, double.PositiveInfinity);
        return new Bounds(lower, upper);
    }
}
