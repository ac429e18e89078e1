namespace OptDsl.Runtime;

/// <summary>
/// Why a solve ended. Each status has one meaning in every solver; <c>docs/solvers.md</c> has the table of what each
/// guarantees. Only <see cref="Converged"/> certifies the answer to the requested tolerance; <see cref="Acceptable"/>
/// certifies it to the acceptable tolerance; every other status says the answer is not certified.
/// </summary>
public enum SolveStatus
{
    /// <summary>
    /// The first-order optimality conditions hold at <see cref="SolveResult.X"/> to the requested tolerance, measured
    /// without regard to the objective's units: <see cref="SolveResult.OptimalityError"/> ≤
    /// <see cref="SolveOptions.GradientTolerance"/>.
    /// </summary>
    Converged,

    /// <summary>
    /// The method could make no further progress (the step, the change of f or the line search reached the rounding
    /// level) at a point where the optimality error is within <see cref="SolveOptions.AcceptableTolerance"/> but above
    /// the requested tolerance: a correct answer at the rounding floor of its gradient (IPOPT's "solved to an acceptable
    /// level").
    /// </summary>
    Acceptable,

    /// <summary>
    /// The step or the change of the objective fell below its tolerance (or to the rounding level) at a point that is not
    /// optimal even to the acceptable tolerance: progress stopped, the answer is not a verified minimizer.
    /// <see cref="SolveResult.OptimalityError"/> says how far it is.
    /// </summary>
    Stalled,

    /// <summary>The iteration limit was reached.</summary>
    MaxIterations,

    /// <summary>The evaluation limit was reached.</summary>
    MaxEvaluations,

    /// <summary>The time limit was reached.</summary>
    TimeLimit,

    /// <summary>The objective or gradient became NaN or infinite; <see cref="SolveResult.X"/> is the last finite point.</summary>
    Diverged,

    /// <summary>
    /// The line search could not find an acceptable step at a point that is not optimal even to the acceptable tolerance
    /// (often a sign of an inaccurate gradient).
    /// </summary>
    LineSearchFailed,

    /// <summary>No feasible point was found; <see cref="SolveResult.X"/> is the least-infeasible point.</summary>
    Infeasible,

    /// <summary>The objective decreases without bound (on the feasible set): the iterates ran away while f kept falling.</summary>
    Unbounded,

    /// <summary>The caller's cancellation token was signalled.</summary>
    Cancelled,

    /// <summary>
    /// A derivative-free method ended by its own rule (a collapsed simplex, a converged population) at the best point it
    /// found, and nothing can check that point: the objective is not differentiable (it uses <c>abs</c>, <c>max</c>, ...),
    /// so there is no gradient to test. Neither a success nor a failure verdict: judge <see cref="SolveResult.X"/> by its
    /// value. (On a differentiable objective the same methods test the gradient at the end instead, and say
    /// <see cref="Converged"/>, <see cref="Acceptable"/> or <see cref="Stalled"/>.)
    /// </summary>
    Unverified,
}
