using System;
using System.Collections.Generic;

namespace OptDsl.Runtime;

/// <summary>How <see cref="ParetoSweep.Run"/> chooses the scalarized problems it solves.</summary>
public enum ParetoMethod
{
    /// <summary>Minimize normalized weighted sums of the objectives, the weights swept over the simplex.</summary>
    WeightedSum,

    /// <summary>Minimize the first objective with upper limits (ε-constraints) on the others, the limits swept over a grid.</summary>
    Epsilon,
}

/// <summary>
/// A problem with K named objectives (as written; <see cref="Maximize"/>[k] true for maximized ones) that can solve its
/// scalarization. See <c>docs/pareto.md</c>.
/// </summary>
public interface IParetoProblem
{
    /// <summary>Number of decision variables.</summary>
    int Dimension { get; }

    /// <summary>Number of objectives K.</summary>
    int ObjectiveCount { get; }

    /// <summary>The objectives' names, in order.</summary>
    IReadOnlyList<string> ObjectiveNames { get; }

    /// <summary>True for each objective that is maximized.</summary>
    IReadOnlyList<bool> Maximize { get; }

    /// <summary>Writes each objective's value as written (not negated for maximize) into <paramref name="values"/> (length K).</summary>
    void ObjectiveValues(ReadOnlySpan<double> x, Span<double> values);

    /// <summary>The problem's start point (length <see cref="Dimension"/>).</summary>
    double[] StartPoint();

    /// <summary>
    /// Minimize Σ_k weights[k]·s_k·f_k(x) subject to s_k·f_k(x) ≤ upper[k] (upper[k] = +∞: no such row), where s_k = −1
    /// for a maximized objective and +1 otherwise, plus the problem's own constraints and variable bounds.
    /// </summary>
    SolveResult SolveScalarized(ReadOnlySpan<double> weights, ReadOnlySpan<double> upper, ReadOnlySpan<double> start, SolveOptions? options);
}

/// <summary>One point of a Pareto front: the decision vector, the objectives as written, and the solve that found it.</summary>
public sealed record ParetoPoint(double[] X, double[] Objectives, SolveResult Result);

/// <summary>
/// A scalarized solve that <see cref="ParetoSweep.Run"/> did not use: it did not converge (for example an infeasible
/// ε-level, status <see cref="SolveStatus.Infeasible"/>), or its objectives were not finite.
/// </summary>
/// <param name="Weights">The weights passed to <see cref="IParetoProblem.SolveScalarized"/>.</param>
/// <param name="Upper">The upper limits passed (in minimization form s_k·f_k; +∞ for no row).</param>
/// <param name="Result">The solver's result.</param>
public sealed record ParetoFailure(double[] Weights, double[] Upper, SolveResult Result)
{
    /// <summary>Shorthand for <c>Result.Status</c>.</summary>
    public SolveStatus Status => Result.Status;
}
