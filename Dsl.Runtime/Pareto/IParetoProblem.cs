using System;
using System.Collections.Generic;

namespace OptDsl.Runtime;

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
    /// True when the problem has the ε-constraint rows s_k·f_k(x) ≤ upper[k] (a pareto block with <c>method: epsilon</c>):
    /// only such a problem can be swept by <see cref="ParetoMethod.Epsilon"/>. Either kind can be swept by weighted sums.
    /// </summary>
    bool HasEpsilonRows { get; }

    /// <summary>
    /// Minimize Σ_k weights[k]·s_k·f_k(x) subject to s_k·f_k(x) ≤ upper[k] (upper[k] = +∞: no such row), where s_k = −1
    /// for a maximized objective and +1 otherwise, plus the problem's own constraints and variable bounds. The weights
    /// and levels belong to this one solve: the instance is not changed (its own objective stays the problem as
    /// written), so concurrent calls on one instance are independent.
    /// </summary>
    /// <exception cref="System.ArgumentException">Wrong lengths, or a finite <paramref name="upper"/> entry and no <see cref="HasEpsilonRows"/>.</exception>
    SolveResult SolveScalarized(ReadOnlySpan<double> weights, ReadOnlySpan<double> upper, ReadOnlySpan<double> start, SolveOptions? options);
}
