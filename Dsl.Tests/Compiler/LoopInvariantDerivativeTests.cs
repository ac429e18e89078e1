using System;
using System.Linq;
using System.Reflection;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// A term of a reduction's body that does not depend on the reduction's index still runs once per iteration. The
/// derivative of <c>sum(i in 0..4) (r(i)^2 + 0.5*w^2)</c> with respect to w has 4·w from the second term, not w: these
/// cases were once differentiated once instead of once per iteration, and newton stopped "Converged" at a wrong point.
/// </summary>
public sealed class LoopInvariantDerivativeTests
{
    private const string Source = """
        problem Regularized {
            var w = 0;
            var b = 0;
            minimize sum(i in 0..4) ((w*i + b - 2*i - 1)^2 + 0.5*w^2);
            solver newton;
        }
        problem LetInSum {
            var w = 0.3;
            var b = -0.2;
            let r[i in 0..4] = w * i + b - i;
            minimize sum(i in 0..4) (r[i]^2 + w^2 * b^2);
        }
        problem Triangular {
            var x[4];
            var w;
            minimize sum(i in 0..4) sum(j in 0..i) (x[j] * x[i] + w^2);
        }
        problem NestedInvariant {
            dim n = 3;
            var x[n];
            var s;
            minimize sum(i in 0..n) (x[i]^2 + sum(j in 0..n) (s^2 + x[j] * s)) + prod(k in 0..n) (1 + 0.1 * s^2);
        }
        problem ConstraintSum {
            var x[3] = 0.5;
            var y = 0.5;
            minimize sum(i in 0..3) x[i]^2 + y^2;
            subject to {
                cap: sum(i in 0..3) (x[i] + y^2) <= 1;
                each: forall(i in 0..3) sum(j in 0..3) (x[i] * x[j] + y) >= -5;
            }
            solver ipm;
        }
        problem ResidualInvariant {
            var b[2] = [1, 1];
            minimize sum(i in 0..5) (b[0] * i + b[1] - 2 + b[0]^2)^2;
            solver lm;
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() => GeneratedCode.Build("loop_invariant.opt", Source));

    [Fact]
    public void The_regularized_sum_has_the_gradient_of_its_closed_form()
    {
        // f(w, b) = Σ_{i<4} (w·i + b − 2i − 1)² + 2w²; at (1, 0.5) the residuals are −i − 0.5.
        var p = s_assembly.Value.Problem("Regularized");
        var g = new double[2];
        p.Gradient([1, 0.5], g);
        Assert.Equal(-30, g[0], 12);
        Assert.Equal(-16, g[1], 12);
    }

    [Fact]
    public void Newton_converges_to_the_true_minimum_of_the_regularized_sum()
    {
        // Normal equations: 16w + 6b = 34, 6w + 4b = 16, so (w, b) = (10/7, 13/7) and f = 280/49.
        var result = GeneratedCode.Solve(s_assembly.Value.Create("Regularized"));
        Assert.True(result.Converged, result.ToString());
        Assert.Equal(10.0 / 7, result.X[0], 9);
        Assert.Equal(13.0 / 7, result.X[1], 9);
        Assert.Equal(280.0 / 49, result.Objective, 9);
    }

    [Theory]
    [InlineData("Regularized", new[] { 1.0, 0.5 })]
    [InlineData("LetInSum", new[] { 0.3, -0.2 })]
    [InlineData("Triangular", new[] { 0.2, -0.4, 0.7, 0.1, 0.9 })]
    [InlineData("NestedInvariant", new[] { 0.3, -0.6, 0.2, 0.8 })]
    [InlineData("ConstraintSum", new[] { 0.4, -0.3, 0.2, 0.7 })]
    [InlineData("ResidualInvariant", new[] { 0.6, -1.1 })]
    public void Every_derivative_matches_differences(string problem, double[] x) =>
        ProblemChecks.AllDerivatives(s_assembly.Value.Create(problem), x, problem);

    [Fact]
    public void A_loop_invariant_term_of_a_triangular_sum_counts_its_iterations()
    {
        // Σ_i Σ_{j<i} w² = (0 + 1 + 2 + 3) w² = 6w²: ∂/∂w = 12w.
        var p = s_assembly.Value.Problem("Triangular");
        var g = new double[5];
        p.Gradient([0, 0, 0, 0, 0.5], g);
        Assert.Equal(6.0, g[4], 14);
    }

    [Fact]
    public void The_constraint_jacobian_counts_the_invariant_term_per_iteration()
    {
        var p = (IConstrainedProblem)s_assembly.Value.Create("ConstraintSum");
        var jacobian = new double[p.ConstraintCount * 4];
        p.ConstraintJacobian([0.1, 0.2, 0.3, 0.5], jacobian);
        // cap: Σ_{i<3} (x[i] + y²): ∂/∂y = 3·2y = 3.
        Assert.Equal([1, 1, 1, 3], jacobian.Take(4).ToArray());
        // each row i: Σ_{j<3} (x[i]·x[j] + y): ∂/∂y = 3.
        Assert.Equal(3, jacobian[4 + 3]);
    }
}
