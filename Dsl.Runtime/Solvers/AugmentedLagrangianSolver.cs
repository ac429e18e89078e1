using System;

namespace OptDsl.Runtime;

/// <summary>The unconstrained (or bound-constrained) method that minimizes each augmented Lagrangian (<c>auglag(inner: ...)</c>).</summary>
public enum InnerSolver
{
    /// <summary><see cref="LbfgsSolver"/> (L-BFGS-B with bounds).</summary>
    Lbfgs,
    /// <summary><see cref="BfgsSolver"/>.</summary>
    Bfgs,
    /// <summary><see cref="NewtonSolver"/>; variable bounds become augmented-Lagrangian rows.</summary>
    Newton,
    /// <summary><see cref="NewtonCgSolver"/>; variable bounds become augmented-Lagrangian rows.</summary>
    NewtonCg,
    /// <summary><see cref="GradientDescentSolver"/> (projected, Armijo).</summary>
    Gd,
}

/// <summary>Augmented Lagrangian method for constrained problems (<c>.opt</c> name <c>auglag</c>).</summary>
public sealed class AugmentedLagrangianSolver
{
    /// <summary>The inner solver (<c>inner</c>, default L-BFGS).</summary>
    public InnerSolver Inner { get; set; } = InnerSolver.Lbfgs;

    /// <summary>The initial penalty parameter ρ₀ (<c>rho</c>); null for 10.</summary>
    public double? InitialPenalty { get; set; }

    public SolveResult Minimize(IConstrainedProblem problem, ReadOnlySpan<double> start, SolveOptions? options = null, Bounds? bounds = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        throw new NotImplementedException();
    }
}
