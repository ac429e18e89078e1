using System;

namespace OptDsl.Runtime.LineSearch;

/// <summary>
/// Backtracking with the Armijo sufficient-decrease test f(x + αd) ≤ f(x) + c₁·α·∇f(x)ᵀd
/// (or, along a projected arc, f(P(x + αd)) ≤ f(x) + c₁·∇f(x)ᵀ(P(x + αd) − x)).
/// </summary>
internal static class Armijo
{
    /// <summary>The sufficient-decrease constant c₁.</summary>
    public const double SufficientDecrease = 1e-4;

    /// <summary>Most step reductions tried in one search.</summary>
    public const int MaxBacktracks = 60;

    /// <summary>True when <paramref name="f"/> is an acceptable value given f(x) = <paramref name="f0"/> and the predicted linear change <paramref name="linearChange"/> = ∇f(x)ᵀ(x_trial − x) &lt; 0.</summary>
    public static bool IsSufficient(double f0, double f, double linearChange) =>
        double.IsFinite(f) && f <= f0 + SufficientDecrease * linearChange;

    /// <summary>
    /// The next, shorter trial step: the minimizer of the quadratic through φ(0) = f0, φ′(0) = slope and φ(α) = fAlpha,
    /// safeguarded into [0.1α, 0.5α]; 0.1α when φ(α) is not finite.
    /// </summary>
    public static double Shorten(double alpha, double f0, double slope, double fAlpha)
    {
        if (!double.IsFinite(fAlpha)) return 0.1 * alpha;
        double denominator = 2.0 * (fAlpha - f0 - slope * alpha);
        double next = denominator > 0 ? -slope * alpha * alpha / denominator : 0.5 * alpha;
        if (!double.IsFinite(next)) next = 0.5 * alpha;
        return Math.Clamp(next, 0.1 * alpha, 0.5 * alpha);
    }
}
