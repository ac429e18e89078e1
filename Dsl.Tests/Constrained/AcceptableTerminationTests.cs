using System.IO;
using OptDsl.Runtime;
using OptDsl.Tests.Compiler;
using Xunit;

namespace OptDsl.Tests.Constrained;

/// <summary>
/// How runs that cannot resolve the last digits end: IPOPT's acceptable termination in <c>ipm</c> (15 iterations in a row
/// within the acceptable level), and <c>auglag</c>'s check of a stalled point with least-squares multipliers.
/// </summary>
public sealed class AcceptableTerminationTests
{
    /// <summary>A problem of the HockSchittkowski folder, compiled (hs013 → class Hs013).</summary>
    private static dynamic Transcribed(string name) =>
        GeneratedCode.Build(name + ".opt", File.ReadAllText(Path.Combine(HockSchittkowskiTranscriptionTests.Folder, name + ".opt"))).Create("Hs" + name[2..]);

    [Fact]
    public void A_cusp_where_no_KKT_point_exists_ends_Acceptable_not_at_the_iteration_limit()
    {
        // Hs013: x* = (1, 0) sits on a cusp of (1 − x₁)³ ≥ x₂, where the constraint qualification fails and no multiplier
        // exists; the iterates approach it ever more slowly with λ growing without bound. Before the acceptable
        // termination ipm ran its 1000 iterations to MaxIterations; IPOPT reports success 2e-8 outside the constraint.
        dynamic problem = Transcribed("hs013");
        var r = new InteriorPointSolver().Minimize((IConstrainedProblem)problem, (double[])problem.StartPoint(), null, (Bounds)problem.VariableBounds());
        Assert.Equal(SolveStatus.Acceptable, r.Status);
        Assert.True(r.Iterations < 100, r.Message);
        Assert.True(r.OptimalityError <= 1e-5, r.Message);
        Assert.True(r.Objective < 1 && r.Objective > 0.99, $"f = {r.Objective}");
        Assert.Contains("15 iterations", r.Message);
    }

    [Fact]
    public void Auglag_verifies_a_point_its_inner_solver_stalled_at_with_multipliers_fitted_to_it()
    {
        // Hs019: auglag's inner L-BFGS stops at the rounding level of the augmented Lagrangian at x*, where its
        // first-order multiplier estimates still miss by 1e-7 (it used to end Acceptable). Multipliers fitted to the point
        // by least squares over its active set meet the tolerances: a verified KKT point.
        dynamic problem = Transcribed("hs019");
        var r = new AugmentedLagrangianSolver().Minimize((IConstrainedProblem)problem, (double[])problem.StartPoint(), null, (Bounds)problem.VariableBounds());
        Assert.Equal(SolveStatus.Converged, r.Status);
        Assert.Contains("least squares", r.Message);
        Assert.True(r.Kkt!.Stationarity <= 1e-8 * r.Kkt.MultiplierScale && r.Kkt.PrimalFeasibility <= 1e-8, r.Message);
        Assert.Equal(-6961.81387558015, r.Objective, 1e-5);
    }

    [Fact]
    public void A_problem_that_converges_is_not_cut_short()
    {
        // The tests' Hs071 reaches its tolerances; the acceptable count never ends it early.
        var problem = ConstrainedProblems.Problem("Hs071");
        var r = new InteriorPointSolver().Minimize(problem, ConstrainedProblems.Start(problem), null, ConstrainedProblems.Bounds(problem));
        Assert.Equal(SolveStatus.Converged, r.Status);
    }
}
