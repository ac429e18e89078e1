using System;
using System.Threading;

namespace OptDsl.Runtime;

/// <summary>Stopping rules and reporting for a solve. Generated classes expose their <c>.opt</c> defaults as <c>DefaultSolveOptions</c>; change them with <c>with</c>.</summary>
public sealed record SolveOptions
{
    /// <summary>Stop when the infinity norm of the (projected) gradient is at most this.</summary>
    public double GradientTolerance { get; init; } = 1e-8;

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

    /// <summary>The defaults above.</summary>
    public static SolveOptions Default { get; } = new();
}
