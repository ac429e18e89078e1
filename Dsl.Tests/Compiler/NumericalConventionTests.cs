using System;
using System.Linq;
using System.Reflection;
using OptDsl.Compiler;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// Finite objectives have finite derivatives, as docs/language.md documents them: the subgradient-0 convention at kinks
/// (norm at 0, sqrt at 0), exact derivatives where a product of a zero and an infinity is only an artefact of the chain
/// rule (sqrt(x)^2, 0^x), and 0·log 0 = 0 in the losses. Each case once gave NaN.
/// </summary>
public sealed class NumericalConventionTests
{
    private const string Source = """
        problem Norm { var u[3]; minimize norm(u) + 0.5 * l2(u); solver lbfgs; }
        problem SqrtSquared { var x in [0, inf]; minimize sqrt(x)^2 + (sqrt(x))^4; }
        problem SqrtOfSquare { var x; minimize sqrt(x^2) + x^2; }
        problem ZeroToThePower { var x = 1; minimize 0^x + x^2 + 2^x; }
        problem Bce { data y[2]; var p[2] in [0, 1]; minimize bce(p, y); }
        problem Cce { data y[3]; var p[3] in [0, 1]; minimize cce(p, y); }
        problem Focal { data y[2]; var p[2] in [0, 1]; minimize focal(p, y, 2, 0.25); }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() => GeneratedCode.Build("conventions.opt", Source));

    private static (double F, double[] G, double[] H) At(ISecondOrderProblem p, double[] x)
    {
        var g = new double[x.Length];
        double f = p.Gradient(x, g);
        var h = new double[x.Length * x.Length];
        p.Hessian(x, h);
        Assert.True(double.IsFinite(f), $"f = {f}");
        Assert.All(g, v => Assert.True(double.IsFinite(v), $"gradient {string.Join(", ", g)}"));
        Assert.All(h, v => Assert.True(double.IsFinite(v), $"Hessian {string.Join(", ", h)}"));
        return (f, g, h);
    }

    [Fact]
    public void Norm_at_zero_has_the_zero_subgradient()
    {
        var (f, g, _) = At(s_assembly.Value.Problem("Norm"), [0, 0, 0]);
        Assert.Equal(0, f);
        Assert.Equal([0, 0, 0], g);
        // Away from 0 it is u/‖u‖ + u.
        var (_, g2, _) = At(s_assembly.Value.Problem("Norm"), [3, 0, 4]);
        Assert.Equal([0.6 + 3, 0, 0.8 + 4], g2.Select(v => Math.Round(v, 14)).ToArray());
    }

    [Fact]
    public void Sqrt_squared_at_zero_has_its_exact_derivative()
    {
        // sqrt(x)^2 + sqrt(x)^4 = x + x² for x ≥ 0: derivative 1 + 2x, second derivative 2.
        var (f, g, h) = At(s_assembly.Value.Problem("SqrtSquared"), [0]);
        Assert.Equal(0, f);
        Assert.Equal(1, g[0]);
        Assert.Equal(2, h[0], 12);
        ProblemChecks.AllDerivatives(s_assembly.Value.Create("SqrtSquared"), [0.7], "sqrt squared");
    }

    [Fact]
    public void Sqrt_of_a_square_at_zero_is_abs_with_the_zero_subgradient()
    {
        var (f, g, _) = At(s_assembly.Value.Problem("SqrtOfSquare"), [0]);
        Assert.Equal(0, f);
        Assert.Equal(0, g[0]);
        ProblemChecks.AllDerivatives(s_assembly.Value.Create("SqrtOfSquare"), [-0.4], "sqrt of a square");
    }

    [Fact]
    public void Zero_to_a_variable_power_has_a_zero_derivative()
    {
        var (f, g, _) = At(s_assembly.Value.Problem("ZeroToThePower"), [1]);
        Assert.Equal(0 + 1 + 2, f);
        Assert.Equal(2 + 2 * Math.Log(2), g[0], 14);
        ProblemChecks.AllDerivatives(s_assembly.Value.Create("ZeroToThePower"), [0.8], "0^x");
    }

    [Fact]
    public void Binary_cross_entropy_of_a_perfect_prediction_is_zero_with_a_finite_gradient()
    {
        var p = s_assembly.Value.Problem("Bce", new double[] { 1, 0 });
        var (f, g, _) = At(p, [1, 0]);
        Assert.Equal(0, f);
        // ∂/∂p₀ = −y₀/p₀/2 = −0.5; ∂/∂p₁ = (1 − y₁)/(1 − p₁)/2 = 0.5.
        Assert.Equal([-0.5, 0.5], g);
        ProblemChecks.AllDerivatives(p, [0.3, 0.6], "bce");
    }

    [Fact]
    public void Categorical_cross_entropy_of_a_perfect_prediction_is_zero_with_a_finite_gradient()
    {
        var p = s_assembly.Value.Problem("Cce", new double[] { 0, 1, 0 });
        var (f, g, _) = At(p, [0, 1, 0]);
        Assert.Equal(0, f);
        Assert.Equal([0, -1, 0], g);
        ProblemChecks.AllDerivatives(p, [0.2, 0.5, 0.3], "cce");
    }

    [Fact]
    public void Focal_loss_of_a_perfect_prediction_is_zero_with_a_finite_gradient()
    {
        var p = s_assembly.Value.Problem("Focal", new double[] { 1, 0 });
        var (f, _, _) = At(p, [1, 0]);
        Assert.Equal(0, f);
        ProblemChecks.AllDerivatives(p, [0.3, 0.6], "focal");
    }

    [Fact]
    public void A_logsumexp_whose_terms_are_all_empty_logsumexps_is_minus_infinity()
    {
        // r only takes 0, where i in 0..r is empty: the inner value is −∞, and so is the outer one (not NaN).
        var p = (IConstrainedProblem)GeneratedCode.Build("lse.opt", """
            problem L {
                var s[2];
                minimize l2(s);
                subject to { 1 >= logsumexp(r in 0..1, i in 0..r) s[1 - i]; }
                solver ipm;
            }
            """).Create("L");
        var values = new double[1];
        p.Constraints([0.3, -0.2], values);
        Assert.Equal(double.NegativeInfinity, values[0]);
        var jacobian = new double[2];
        p.ConstraintJacobian([0.3, -0.2], jacobian);
        Assert.Equal([0, 0], jacobian);
    }

    [Theory]
    [InlineData("param p = 0/0;")]
    [InlineData("param p = (1/0) * 0;")]
    [InlineData("param p = inf - inf;")]
    [InlineData("param p = 1 + sqrt(-1);")]
    public void Constants_that_fold_to_nan_are_errors_never_zero(string declaration)
    {
        var output = OptCompiler.Compile("nan.opt", $"problem P {{ var x; {declaration} minimize p * x^2; }}", null);
        Assert.Equal("OPT0030", Assert.Single(output.Diagnostics).Id);
        Assert.Empty(output.Sources);
    }

    [Fact]
    public void Constants_fold_with_ieee_arithmetic()
    {
        // 1/0 is inf, as the constant inf is: a bound may be written either way, and exp(-1/0) is 0. (A param must be
        // finite: param big = 1/0 is OPT0032.)
        var p = GeneratedCode.Build("inf.opt", "problem Q { var x in [-1/0, 1/0] = 2; param tiny = exp(-1/0); minimize (x - 1)^2 + tiny; }").Create("Q");
        Assert.Equal(0.0, GeneratedCode.Get<double>(p, "Tiny"));
        Assert.True(GeneratedCode.Solve(p).Converged);
    }
}
