using System;

namespace OptDsl.Runtime.Internal;

/// <summary>
/// Box constraints as seen by a solver: projection, projected gradient and distances to the bounds.
/// An unbounded box (no finite entry) makes every operation the identity.
/// </summary>
internal sealed class Box
{
    private readonly double[] _lower;
    private readonly double[] _upper;

    private Box(double[] lower, double[] upper, bool isBounded)
    {
        _lower = lower;
        _upper = upper;
        IsBounded = isBounded;
    }

    /// <summary>True when at least one bound is finite.</summary>
    public bool IsBounded { get; }

    public ReadOnlySpan<double> Lower => _lower;
    public ReadOnlySpan<double> Upper => _upper;

    public static Box From(Bounds? bounds, int dimension)
    {
        if (bounds is null || !bounds.HasFiniteEntry)
        {
            var b = Bounds.Unbounded(dimension);
            return new Box(b.Lower, b.Upper, false);
        }
        return new Box(bounds.Lower, bounds.Upper, true);
    }

    /// <summary>x ← P(x), the nearest point of the box.</summary>
    public void Project(Span<double> x)
    {
        if (!IsBounded) return;
        for (int i = 0; i < x.Length; i++) x[i] = Math.Clamp(x[i], _lower[i], _upper[i]);
    }

    /// <summary>‖x − P(x − g)‖∞, the L-BFGS-B measure of stationarity; ‖g‖∞ without bounds.</summary>
    public double ProjectedGradientNorm(ReadOnlySpan<double> x, ReadOnlySpan<double> g)
    {
        if (!IsBounded) return Vec.InfNorm(g);
        double m = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double step = x[i] - Math.Clamp(x[i] - g[i], _lower[i], _upper[i]);
            m = Math.Max(m, Math.Abs(step));
        }
        return m;
    }

    /// <summary>The largest t ≤ <paramref name="cap"/> with x + t·d inside the box (x must be feasible).</summary>
    public double MaxFeasibleStep(ReadOnlySpan<double> x, ReadOnlySpan<double> d, double cap)
    {
        double t = cap;
        if (!IsBounded) return t;
        for (int i = 0; i < x.Length; i++)
        {
            if (d[i] < 0 && double.IsFinite(_lower[i])) t = Math.Min(t, Math.Max(0, (_lower[i] - x[i]) / d[i]));
            else if (d[i] > 0 && double.IsFinite(_upper[i])) t = Math.Min(t, Math.Max(0, (_upper[i] - x[i]) / d[i]));
        }
        return t;
    }
}
