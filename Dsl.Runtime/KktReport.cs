using System;

namespace OptDsl.Runtime;

/// <summary>First-order optimality residuals at a point of a constrained problem (all infinity norms).</summary>
/// <param name="Stationarity">‖∇f + Jᵀλ + z‖∞, the gradient of the Lagrangian.</param>
/// <param name="PrimalFeasibility">The largest violation of a constraint row or a variable bound.</param>
/// <param name="DualFeasibility">The largest multiplier of the wrong sign for its row or bound.</param>
/// <param name="Complementarity">The largest |multiplier| times the distance from its row's value (or variable) to the bound its sign points at.</param>
public sealed record KktReport(double Stationarity, double PrimalFeasibility, double DualFeasibility, double Complementarity)
{
    /// <summary>The largest of the four residuals.</summary>
    public double Max => Math.Max(Math.Max(Stationarity, PrimalFeasibility), Math.Max(DualFeasibility, Complementarity));
}
