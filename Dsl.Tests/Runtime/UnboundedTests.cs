using System;
using OptDsl.Runtime;
using OptDsl.Tests.Compiler;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>
/// Unconstrained run-aways end <see cref="SolveStatus.Unbounded"/> (not MaxIterations at x = (−1e13, 2e13)), and an
/// objective that only levels off towards an asymptote is not taken for unbounded.
/// </summary>
public sealed class UnboundedTests
{
    /// <summary>f = x₀ − 2x₁ (or e^(−x₀) + (x₁ − 1)² with <c>asymptote</c>), with exact derivatives.</summary>
    private sealed class Ray(bool asymptote = false) : ISecondOrderProblem
    {
        public int Dimension => 2;

        public double Objective(ReadOnlySpan<double> x) => asymptote ? Math.Exp(-x[0]) + (x[1] - 1) * (x[1] - 1) : x[0] - 2 * x[1];

        public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
        {
            gradient[0] = asymptote ? -Math.Exp(-x[0]) : 1;
            gradient[1] = asymptote ? 2 * (x[1] - 1) : -2;
            return Objective(x);
        }

        public void Hessian(ReadOnlySpan<double> x, Span<double> hessian)
        {
            hessian.Clear();
            if (asymptote)
            {
                hessian[0] = Math.Exp(-x[0]);
                hessian[3] = 2;
            }
        }

        public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv)
        {
            hv[0] = asymptote ? Math.Exp(-x[0]) * v[0] : 0;
            hv[1] = asymptote ? 2 * v[1] : 0;
        }
    }

    public static TheoryData<string> GradientSolvers => new("lbfgs", "bfgs", "gd", "newton", "newton-tr", "newton_cg", "momentum", "adam");

    private static SolveResult Run(string solver, ISecondOrderProblem p, SolveOptions options) => solver switch
    {
        "lbfgs" => new LbfgsSolver().Minimize(p, [0.5, 0.5], options),
        "bfgs" => new BfgsSolver().Minimize(p, [0.5, 0.5], options),
        "gd" => new GradientDescentSolver().Minimize(p, [0.5, 0.5], options),
        "newton" => new NewtonSolver().Minimize(p, [0.5, 0.5], options),
        "newton-tr" => new NewtonSolver { TrustRegion = true }.Minimize(p, [0.5, 0.5], options),
        "newton_cg" => new NewtonCgSolver().Minimize(p, [0.5, 0.5], options),
        "momentum" => new MomentumSolver { LearningRate = 0.1 }.Minimize(p, [0.5, 0.5], options),
        "adam" => new AdamSolver { LearningRate = 0.1 }.Minimize(p, [0.5, 0.5], options),
        _ => throw new ArgumentOutOfRangeException(nameof(solver), solver, null),
    };

    [Theory]
    [MemberData(nameof(GradientSolvers))]
    public void A_linear_objective_runs_away_and_ends_Unbounded(string solver)
    {
        // The methods whose steps do not grow (constant learning rate; gd's Armijo search restarts from the same initial
        // step) need ~1e10 steps to reach 1e10·‖x₀‖: they stop on their iteration budget, which says nothing false.
        if (solver is "momentum" or "adam" or "gd")
        {
            var limited = Run(solver, new Ray(), new SolveOptions { MaxIterations = 2000, RecordHistory = false });
            Assert.Equal(SolveStatus.MaxIterations, limited.Status);
            return;
        }
        var r = Run(solver, new Ray(), new SolveOptions { MaxIterations = 100_000, RecordHistory = false });
        Assert.True(r.Status == SolveStatus.Unbounded, $"{solver}: {r}: {r.Message}");
        Assert.Contains("without bound", r.Message);
        Assert.True(r.Objective < -1e9, r.ToString());
        Assert.False(r.Converged);
    }

    [Theory]
    [MemberData(nameof(GradientSolvers))]
    public void An_objective_that_levels_off_is_never_Unbounded(string solver)
    {
        // e^(−x₀) → 0 as x₀ → ∞: inf f = 0 is not attained; f stays ≥ 0 and stops falling, so it is never Unbounded.
        var r = Run(solver, new Ray(asymptote: true), new SolveOptions { MaxIterations = 20_000, RecordHistory = false });
        Assert.NotEqual(SolveStatus.Unbounded, r.Status);
        Assert.True(r.Objective >= 0, r.ToString());
    }

    [Fact]
    public void The_issue_example_from_an_opt_file_ends_Unbounded()
    {
        var assembly = GeneratedCode.Build("Ray.opt", """
            problem Ray {
                var x[2];
                minimize x[0] - 2*x[1];
                solver lbfgs;
            }
            """);
        var r = GeneratedCode.Solve(assembly.Create("Ray"));
        Assert.True(r.Status == SolveStatus.Unbounded, $"{r}: {r.Message}");
    }
}
