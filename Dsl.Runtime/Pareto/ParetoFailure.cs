namespace OptDsl.Runtime;

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
