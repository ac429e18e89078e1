using System;
using System.Collections.Generic;
using System.Threading;

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

/// <summary>One iteration of a solve, as reported to <see cref="SolveOptions.Progress"/> and kept in <see cref="SolveResult.History"/>.</summary>
public readonly record struct IterationInfo(
    int Iteration,
    double Objective,
    double GradientNorm,
    double StepNorm,
    int FunctionEvaluations,
    TimeSpan Elapsed);

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

/// <summary>Where each named decision variable lives in the flat vector.</summary>
public sealed class VariableLayout
{
    private readonly Dictionary<string, (int Offset, int[] Shape)> _entries = new(StringComparer.Ordinal);

    /// <summary>Adds a variable; variables are laid out in declaration order, each row-major.</summary>
    public VariableLayout Add(string name, int offset, params int[] shape)
    {
        _entries.Add(name, (offset, shape));
        return this;
    }

    /// <summary>The variables' names in declaration order.</summary>
    public IEnumerable<string> Names => _entries.Keys;

    /// <summary>Offset and shape (empty for a scalar) of <paramref name="name"/>.</summary>
    public (int Offset, int[] Shape) this[string name] =>
        _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"No decision variable named '{name}'. Known: {string.Join(", ", _entries.Keys)}.");
}

/// <summary>The outcome of a solve.</summary>
public sealed record SolveResult
{
    /// <summary>The final point.</summary>
    public required double[] X { get; init; }

    /// <summary>f at <see cref="X"/> (for maximize problems, the value of the maximized expression).</summary>
    public required double Objective { get; init; }

    /// <summary>Why the solve ended.</summary>
    public required SolveStatus Status { get; init; }

    /// <summary>True when the status is one of the convergence statuses.</summary>
    public bool Converged => Status is SolveStatus.Converged or SolveStatus.StepTolerance or SolveStatus.FunctionTolerance;

    public int Iterations { get; init; }
    public int FunctionEvaluations { get; init; }
    public int GradientEvaluations { get; init; }
    public int HessianEvaluations { get; init; }

    /// <summary>Infinity norm of the (projected) gradient at <see cref="X"/>, NaN when not computed.</summary>
    public double GradientNorm { get; init; } = double.NaN;

    /// <summary>The solver that produced this result (its <c>.opt</c> name).</summary>
    public string Solver { get; init; } = "";

    /// <summary>A human-readable account of the stop.</summary>
    public string Message { get; init; } = "";

    public TimeSpan Elapsed { get; init; }

    /// <summary>Lagrange multipliers by constraint label (empty without constraints).</summary>
    public IReadOnlyDictionary<string, double[]> Multipliers { get; init; } = new Dictionary<string, double[]>();

    /// <summary>KKT residuals at <see cref="X"/> for constrained problems.</summary>
    public KktReport? Kkt { get; init; }

    /// <summary>Per-iteration history (empty when <see cref="SolveOptions.RecordHistory"/> is false).</summary>
    public IReadOnlyList<IterationInfo> History { get; init; } = Array.Empty<IterationInfo>();

    /// <summary>Named views of <see cref="X"/>, set by generated code.</summary>
    public VariableLayout? Layout { get; init; }

    /// <summary>The values of one named decision variable, flattened row-major.</summary>
    public double[] Get(string name)
    {
        if (Layout is null) throw new InvalidOperationException("This result carries no variable layout.");
        var (offset, shape) = Layout[name];
        int count = 1;
        foreach (int s in shape) count *= s;
        return X.AsSpan(offset, count).ToArray();
    }

    /// <summary>A scalar decision variable's value.</summary>
    public double GetScalar(string name) => Get(name) is [var v] ? v : throw new InvalidOperationException($"'{name}' is not a scalar.");

    public override string ToString() =>
        $"{Status} after {Iterations} iterations: f = {Objective:G10}, |g|∞ = {GradientNorm:G3}, {FunctionEvaluations} f-evals ({Solver})";
}

/// <summary>First-order optimality residuals at a point of a constrained problem (all infinity norms).</summary>
public sealed record KktReport(double Stationarity, double PrimalFeasibility, double DualFeasibility, double Complementarity)
{
    public double Max => Math.Max(Math.Max(Stationarity, PrimalFeasibility), Math.Max(DualFeasibility, Complementarity));
}
