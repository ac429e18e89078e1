namespace OptDsl.Runtime;

/// <summary>Why a solve ended.</summary>
public enum SolveStatus
{
    /// <summary>The gradient (or KKT) norm fell below the tolerance.</summary>
    Converged,
    /// <summary>The step became smaller than the step tolerance.</summary>
    StepTolerance,
    /// <summary>The relative change of the objective fell below the function tolerance.</summary>
    FunctionTolerance,
    /// <summary>The iteration limit was reached.</summary>
    MaxIterations,
    /// <summary>The evaluation limit was reached.</summary>
    MaxEvaluations,
    /// <summary>The time limit was reached.</summary>
    TimeLimit,
    /// <summary>The objective or gradient became NaN or infinite, or the iterates grew without bound.</summary>
    Diverged,
    /// <summary>The line search could not find an acceptable step (often a sign of an inaccurate gradient).</summary>
    LineSearchFailed,
    /// <summary>No feasible point was found; <see cref="SolveResult.X"/> is the least-infeasible point.</summary>
    Infeasible,
    /// <summary>The objective decreases without bound.</summary>
    Unbounded,
    /// <summary>The caller's cancellation token was signalled.</summary>
    Cancelled,
}
