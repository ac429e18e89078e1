using System;

namespace OptDsl.Runtime;

/// <summary>
/// An objective over a flat vector of decision variables, known by its values only: the least a solver can ask of a
/// problem (derivative-free methods need no more). The richer interfaces add to it, from the least information to the
/// most: <see cref="IGradientProblem"/> (∇f), <see cref="ISecondOrderProblem"/> (∇²f and ∇²f·v),
/// <see cref="IConstrainedProblem"/> (constraints and the Lagrangian), and, beside them, <see cref="ILeastSquaresProblem"/>
/// (residuals and their Jacobian).
/// </summary>
/// <remarks>Generated problem classes implement these interfaces explicitly; the solvers drive them with spans.</remarks>
public interface IObjectiveProblem
{
    /// <summary>Number of decision variables (the length of <c>x</c>).</summary>
    int Dimension { get; }

    /// <summary>f(x), in minimization form (a generated maximize problem returns the negated objective).</summary>
    double Objective(ReadOnlySpan<double> x);
}
