using System.IO;
using OptDsl.Runtime;
using OptDsl.Tests.Compiler;
using Xunit;

namespace OptDsl.Tests.Constrained;

/// <summary>IPOPT's acceptable termination in <c>ipm</c>: 15 iterations in a row within the acceptable level end the solve.</summary>
public sealed class AcceptableTerminationTests
{
    [Fact]
    public void A_cusp_where_no_KKT_point_exists_ends_Acceptable_not_at_the_iteration_limit()
    {
        // Hs013: x* = (1, 0) sits on a cusp of (1 − x₁)³ ≥ x₂, where the constraint qualification fails and no multiplier
        // exists; the iterates approach it ever more slowly with λ growing without bound. Before the acceptable
        // termination ipm ran its 1000 iterations to MaxIterations; IPOPT reports success 2e-8 outside the constraint.
        string text = File.ReadAllText(Path.Combine(HockSchittkowskiTranscriptionTests.Folder, "hs013.opt"));
        dynamic problem = GeneratedCode.Build("hs013.opt", text).Create("Hs013");
        var r = new InteriorPointSolver().Minimize((IConstrainedProblem)problem, (double[])problem.StartPoint(), null, (Bounds)problem.VariableBounds());
        Assert.Equal(SolveStatus.Acceptable, r.Status);
        Assert.True(r.Iterations < 100, r.Message);
        Assert.True(r.OptimalityError <= 1e-5, r.Message);
        Assert.True(r.Objective < 1 && r.Objective > 0.99, $"f = {r.Objective}");
        Assert.Contains("15 iterations", r.Message);
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
