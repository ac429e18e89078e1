using System;

namespace OptDsl.Runtime;

/// <summary>First-order optimality residuals at a point of a constrained problem (all infinity norms).</summary>
/// <param name="Stationarity">‖∇f + Jᵀλ + z‖∞, the gradient of the Lagrangian.</param>
/// <param name="PrimalFeasibility">The largest violation of a constraint row or a variable bound.</param>
/// <param name="DualFeasibility">The largest multiplier of the wrong sign for its row or bound.</param>
/// <param name="Complementarity">The largest |multiplier| times the distance from its row's value (or variable) to the bound its sign points at.</param>
/// <param name="MultiplierScale">
/// IPOPT's s_d = max(1, (‖λ‖₁ + ‖z‖₁) / (100·(m + n))): large multipliers make an absolute stationarity test unreachable in
/// floating point, so the scaled error divides the multiplier-carrying residuals by it (Wächter &amp; Biegler 2006, eq. 5).
/// </param>
public sealed record KktReport(double Stationarity, double PrimalFeasibility, double DualFeasibility, double Complementarity, double MultiplierScale = 1)
{
    /// <summary>The largest of the four residuals.</summary>
    public double Max => Math.Max(Math.Max(Stationarity, PrimalFeasibility), Math.Max(DualFeasibility, Complementarity));

    /// <summary>
    /// IPOPT's optimality error: max(stationarity / s_d, dual feasibility / s_d, primal feasibility, complementarity / s_d),
    /// the constrained solvers' <see cref="SolveResult.OptimalityError"/>.
    /// </summary>
    public double ScaledError => Math.Max(Math.Max(Stationarity, Math.Max(DualFeasibility, Complementarity)) / MultiplierScale, PrimalFeasibility);
}
