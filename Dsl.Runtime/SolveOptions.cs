using System;
using System.Threading;

namespace OptDsl.Runtime;

/// <summary>Stopping rules and reporting for a solve. Generated classes expose their <c>.opt</c> defaults as <c>DefaultSolveOptions</c>; change them with <c>with</c>.</summary>
public sealed record SolveOptions
{
    /// <summary>
    /// <see cref="SolveStatus.Converged"/> when the solver's optimality error (<see cref="SolveResult.OptimalityError"/>)
    /// is at most this. For the gradient methods the error is ‖∇f‖∞ (projected onto the bounds) divided by
    /// max(|f|, s₀), s₀ = min(1, max(|f(x₀)|, ‖∇f(x₀)‖∞)), so that multiplying the objective by a constant does not change
    /// the verdict; <c>lm</c> and the constrained solvers use their own scaled measures (see <c>docs/solvers.md</c>).
    /// 0 turns the test off (only an exactly stationary point converges).
    /// </summary>
    public double GradientTolerance { get; init; } = 1e-8;

    /// <summary>
    /// When the method can make no further progress (step, function change or line search at the rounding level), an
    /// optimality error at most max(this, <see cref="GradientTolerance"/>) ends the solve as
    /// <see cref="SolveStatus.Acceptable"/> instead of <see cref="SolveStatus.Stalled"/> or
    /// <see cref="SolveStatus.LineSearchFailed"/> (as IPOPT's <c>acceptable_tol</c>). A line search that compares values of f
    /// cannot push ‖∇f‖ much below √(2λε|f|) (λ the curvature, ε the machine epsilon), which on the test corpus of
    /// <c>docs/solvers.md</c> is up to 1.5e−6 relative on well-solved problems: hence the default 1e−5. 0 keeps only the
    /// requested level.
    /// </summary>
    public double AcceptableTolerance { get; init; } = 1e-5;

    /// <summary>Stop when the infinity norm of the step is at most this times (1 + ‖x‖∞). 0 disables.</summary>
    public double StepTolerance { get; init; } = 1e-14;

    /// <summary>Stop when |f_k − f_{k+1}| ≤ this × max(|f_k|, |f_{k+1}|, 1). 0 disables.</summary>
    public double FunctionTolerance { get; init; } = 0;

    /// <summary>Iteration limit.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Objective-evaluation limit (0 = none).</summary>
    public int MaxEvaluations { get; init; }

    /// <summary>Wall-clock limit (null = none).</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Seed for stochastic methods.</summary>
    public int? Seed { get; init; }

    /// <summary>Keep one <see cref="IterationInfo"/> per iteration in <see cref="SolveResult.History"/>.</summary>
    public bool RecordHistory { get; init; } = true;

    /// <summary>Receives one report per iteration.</summary>
    public IProgress<IterationInfo>? Progress { get; init; }

    /// <summary>Ends the solve with <see cref="SolveStatus.Cancelled"/> when signalled.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// For the constrained solvers' nested solves: <see cref="GradientTolerance"/> bounds ‖∇f‖∞ itself (no scaling by the
    /// objective), as the outer method's tolerances assume.
    /// </summary>
    internal bool AbsoluteGradientTest { get; init; }

    /// <summary>The defaults above.</summary>
    public static SolveOptions Default { get; } = new();
}
