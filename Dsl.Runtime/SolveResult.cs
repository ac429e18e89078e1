using System;
using System.Collections.Generic;

namespace OptDsl.Runtime;

/// <summary>The outcome of a solve.</summary>
public sealed record SolveResult
{
    /// <summary>The final point.</summary>
    public required double[] X { get; init; }

    /// <summary>f at <see cref="X"/> (for maximize problems, the value of the maximized expression).</summary>
    public required double Objective { get; init; }

    /// <summary>Why the solve ended.</summary>
    public required SolveStatus Status { get; init; }

    /// <summary>True when <see cref="Status"/> is <see cref="SolveStatus.Converged"/>: optimality verified to the requested tolerance.</summary>
    public bool Converged => Status == SolveStatus.Converged;

    /// <summary>
    /// True when <see cref="Status"/> is <see cref="SolveStatus.Converged"/> or <see cref="SolveStatus.Acceptable"/>:
    /// optimality verified to the requested or to the acceptable tolerance.
    /// </summary>
    public bool Succeeded => Status is SolveStatus.Converged or SolveStatus.Acceptable;

    /// <summary>
    /// The solver's measure of first-order optimality at <see cref="X"/>, the quantity its <see cref="SolveStatus.Converged"/>
    /// test compares with <see cref="SolveOptions.GradientTolerance"/> (NaN when not computed): for the gradient methods
    /// ‖∇f‖∞ (projected onto the bounds) / max(min(|f|, max(|f(x₀)|, 1)), s₀) with s₀ = min(1, |f(x₀)|); for <c>lm</c> the
    /// smaller of MINPACK's cosine between r and the columns of J and ‖r‖/‖r₀‖; for the constrained solvers the scaled KKT
    /// error. See <c>docs/solvers.md</c>.
    /// </summary>
    public double OptimalityError { get; init; } = double.NaN;

    /// <summary>Iterations completed (outer iterations for the constrained solvers).</summary>
    public int Iterations { get; init; }

    /// <summary>Calls that returned f: objective, gradient (which returns f too) and, for least squares, residual evaluations.</summary>
    public int FunctionEvaluations { get; init; }

    /// <summary>Gradient evaluations (Jacobian evaluations for least squares).</summary>
    public int GradientEvaluations { get; init; }

    /// <summary>Dense Hessian evaluations, or Hessian-vector products for matrix-free methods.</summary>
    public int HessianEvaluations { get; init; }

    /// <summary>Infinity norm of the (projected) gradient at <see cref="X"/>, NaN when not computed.</summary>
    public double GradientNorm { get; init; } = double.NaN;

    /// <summary>The solver that produced this result (its <c>.opt</c> name).</summary>
    public string Solver { get; init; } = "";

    /// <summary>A human-readable account of the stop.</summary>
    public string Message { get; init; } = "";

    /// <summary>Wall-clock time of the solve.</summary>
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
    /// <exception cref="InvalidOperationException">The result carries no <see cref="Layout"/>.</exception>
    /// <exception cref="KeyNotFoundException">No decision variable has that name.</exception>
    public double[] Get(string name)
    {
        if (Layout is null) throw new InvalidOperationException("This result carries no variable layout.");
        var (offset, shape) = Layout[name];
        int count = 1;
        foreach (int s in shape) count *= s;
        return X.AsSpan(offset, count).ToArray();
    }

    /// <summary>A scalar decision variable's value.</summary>
    /// <exception cref="InvalidOperationException">The variable is not a scalar, or the result carries no <see cref="Layout"/>.</exception>
    public double GetScalar(string name) => Get(name) is [var v] ? v : throw new InvalidOperationException($"'{name}' is not a scalar.");

    /// <summary>Status, iterations, f, gradient norm, evaluations and solver on one line.</summary>
    public override string ToString() =>
        $"{Status} after {Iterations} iterations: f = {Objective:G10}, |g|∞ = {GradientNorm:G3}, optimality error {OptimalityError:G3}, {FunctionEvaluations} f-evals ({Solver})";
}
