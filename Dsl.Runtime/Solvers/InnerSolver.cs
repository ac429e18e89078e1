namespace OptDsl.Runtime;

/// <summary>The method that minimizes each augmented Lagrangian of <see cref="AugmentedLagrangianSolver"/> (<c>auglag(inner: ...)</c>).</summary>
public enum InnerSolver
{
    /// <summary><see cref="LbfgsSolver"/> (L-BFGS-B with bounds).</summary>
    Lbfgs,
    /// <summary><see cref="BfgsSolver"/> (its L-BFGS-B-style step with bounds).</summary>
    Bfgs,
    /// <summary><see cref="NewtonSolver"/>; it takes no bounds, so variable bounds become augmented-Lagrangian rows.</summary>
    Newton,
    /// <summary><see cref="NewtonCgSolver"/>; it takes no bounds, so variable bounds become augmented-Lagrangian rows.</summary>
    NewtonCg,
    /// <summary><see cref="GradientDescentSolver"/> (projected, Armijo backtracking).</summary>
    Gd,
}
