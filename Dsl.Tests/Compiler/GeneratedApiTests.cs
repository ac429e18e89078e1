using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using OptDsl.Compiler;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>The generated classes as a user meets them: argument checks, closed forms, maximize, bounds, constraints.</summary>
public sealed class GeneratedApiTests
{
    private const string Source = """
        problem Ridge {
            dim m;
            dim n;
            data A[m, n];
            data y[m];
            param lambda = 0.1;
            var w[n];
            var bias;
            minimize mse(A * w + bias, y) + lambda * l2(w);
            solver newton;
        }
        problem Peak {
            var x[2] in [[-5, -5], [5, 0.5]] = [0, 0];
            maximize 3 - (x[0] - 1)^2 - (x[1] - 2)^2;
            solver lbfgs(tolerance: 1e-12);
        }
        problem Softmax {
            dim k;
            data c[k];
            var z[k];
            minimize logsumexp(i in 0..k) z[i] - dot(c, z) + 0.5 * l2(z);
        }
        problem Constrained {
            dim n;
            data cap[n];
            var x[n] = 0.5;
            minimize sum(i in 0..n) (x[i] - 1)^2 * exp(x[i]);
            subject to {
                budget: sum(i in 0..n) x[i]^2 == 1;
                order: forall(i in 0..n-1) x[i] * x[i+1] <= 0.3;
                limit: forall(i in 0..n) x[i] <= cap[i];
                0.1 <= x[0] + sin(x[1]) <= 4;
            }
            solver ipm;
        }
        problem Kinks {
            var x[2] = [1, -1];
            minimize abs(x[0]) + relu(x[1]) + max(x[0], x[1]) + min(x[0], x[1]);
            solver gd(lr: 0.01);
        }
        problem Fit {
            dim m;
            data t[m];
            data y[m];
            var b[3] = [1, 0.5, 0];
            minimize mse(b[0] * exp(-b[1] * t) + b[2], y) + sum(i in 0..2) (b[i] - 1)^2;
            solver lm;
        }
        """;

    // Only warnings are allowed in the .opt (OPT0015 for Kinks); the generated C# must compile without any.
    private static readonly Lazy<Assembly> s_assembly = new(() =>
    {
        var warnings = OptCompiler.Compile("api.opt", Source, "Api").Diagnostics;
        Assert.All(warnings, d => Assert.Equal("OPT0015", d.Id));
        return GeneratedCode.Build("api.opt", Source);
    });

    private static readonly double[,] A = { { 1, 2 }, { 3, -1 }, { 0.5, 0.25 }, { -2, 1 } };
    private static readonly double[] Y = [1, 2, 0.5, -1];

    [Fact]
    public void Ridge_gradient_and_hessian_equal_their_closed_forms()
    {
        var p = s_assembly.Value.Problem("Ridge", A, Y);
        double[] x = [0.3, -0.7, 0.2]; // w, bias
        int m = 4;
        var residual = Enumerable.Range(0, m).Select(i => A[i, 0] * x[0] + A[i, 1] * x[1] + x[2] - Y[i]).ToArray();
        double[] expected =
        [
            2.0 / m * Enumerable.Range(0, m).Sum(i => A[i, 0] * residual[i]) + 2 * 0.1 * x[0],
            2.0 / m * Enumerable.Range(0, m).Sum(i => A[i, 1] * residual[i]) + 2 * 0.1 * x[1],
            2.0 / m * residual.Sum(),
        ];
        var g = new double[3];
        double f = p.Gradient(x, g);
        Assert.Equal(residual.Sum(r => r * r) / m + 0.1 * (x[0] * x[0] + x[1] * x[1]), f, 13);
        Derivatives.AssertClose(expected, g, 1e-14, "ridge gradient");

        // H = (2/m) [A 1]ᵀ[A 1] + 2λ diag(1, 1, 0)
        var h = new double[9];
        p.Hessian(x, h);
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
            {
                double col(int i, int j) => j < 2 ? A[i, j] : 1;
                double e = 2.0 / m * Enumerable.Range(0, m).Sum(i => col(i, r) * col(i, c)) + (r == c && r < 2 ? 0.2 : 0);
                Assert.Equal(e, h[r * 3 + c], 13);
            }
    }

    [Fact]
    public void Ridge_solves_in_one_newton_step_to_the_normal_equations()
    {
        var problem = s_assembly.Value.Create("Ridge", A, Y);
        var result = GeneratedCode.Solve(problem);
        Assert.True(result.Converged, result.ToString());
        var g = new double[3];
        ((IGradientProblem)problem).Gradient(result.X, g);
        Assert.True(g.Max(Math.Abs) < 1e-10);
        Assert.Equal(2, result.Get("w").Length);
        Assert.Equal(result.X[2], result.GetScalar("bias"));
        Assert.Equal(0.1, GeneratedCode.Get<double>(problem, "Lambda"));
    }

    [Fact]
    public void Changing_a_param_changes_the_objective()
    {
        var problem = s_assembly.Value.Create("Ridge", A, Y);
        var p = (IGradientProblem)problem;
        double[] x = [1, 1, 0];
        double before = p.Objective(x);
        GeneratedCode.Set(problem, "Lambda", 1.1);
        Assert.Equal(before + 1.0 * 2, p.Objective(x), 12);
    }

    [Fact]
    public void Softmax_gradient_is_the_closed_form()
    {
        double[] c = [0.2, 0.5, 0.3];
        var p = s_assembly.Value.Problem("Softmax", c);
        double[] z = [1000, 999, -3]; // large values: logsumexp must not overflow
        var g = new double[3];
        double f = p.Gradient(z, g);
        double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
        var softmax = z.Select(v => Math.Exp(v - max) / sum).ToArray();
        Assert.True(double.IsFinite(f));
        Derivatives.AssertClose(softmax.Select((s, i) => s - c[i] + z[i]).ToArray(), g, 1e-14, "softmax gradient");
    }

    [Fact]
    public void Maximize_reports_the_maximum_and_respects_bounds()
    {
        var problem = s_assembly.Value.Create("Peak");
        var result = GeneratedCode.Solve(problem);
        Assert.True(result.Converged, result.ToString());
        // The unconstrained peak (1, 2) is cut off by x[1] <= 0.5: the maximum is at (1, 0.5) with value 3 - 2.25.
        Assert.Equal(1, result.X[0], 6);
        Assert.Equal(0.5, result.X[1], 9);
        Assert.Equal(0.75, result.Objective, 9);
        Assert.All(result.History, step => Assert.True(step.Objective <= 3));
        // The public Objective is the expression as written; the solver's view (the interface) is its negation.
        double written = (double)problem.GetType().GetMethod("Objective")!.CreateDelegate<ObjectiveFn>(problem)(result.X);
        Assert.Equal(0.75, written, 9);
        Assert.Equal(-written, ((IGradientProblem)problem).Objective(result.X), 15);
    }

    [Fact]
    public void A_constraint_family_with_an_empty_axis_compiles_and_has_no_rows()
    {
        // Fuzz campaign (seed 777, #1702): the row of a family with an empty axis no longer mentions its other index, and
        // the Jacobian comment named that index outside any loop (OPT0999).
        const string text = """
            problem EmptyFamily {
                dim p;
                var x;
                let s[t in 0..p] = x;
                minimize x^2;
                subject to {
                    forall(j in 1..p, idx in 3..3) l2(s) >= 1.25;
                }
            }
            """;
        var problem = GeneratedCode.Build("empty_family.opt", text).Create("EmptyFamily", 4);
        Assert.Equal(0, ((IConstrainedProblem)problem).ConstraintCount);
        Invoke(problem, "ConstraintJacobian", new[] { 0.5 }, Array.Empty<double>());
    }

    [Fact]
    public void Constraint_values_jacobian_and_lagrangian_derivatives_match_differences()
    {
        double[] cap = [0.9, 0.8, 0.7, 0.6];
        var problem = s_assembly.Value.Create("Constrained", cap);
        dynamic d = problem;
        int n = 4, rows = GeneratedCode.Get<int>(problem, "ConstraintCount");
        Assert.Equal(1 + 3 + 4 + 1, rows);
        double[] x = [0.3, -0.2, 0.5, 0.1];

        var values = new double[rows];
        var jacobian = new double[rows * n];
        Invoke(problem, "Constraints", x, values);
        Invoke(problem, "ConstraintJacobian", x, jacobian);
        Assert.Equal(x.Sum(v => v * v), values[0], 14);
        Assert.Equal(x[0] * x[1], values[1], 14);
        Assert.Equal(x[2], values[4 + 2], 14);
        Assert.Equal(x[0] + Math.Sin(x[1]), values[8], 14);
        for (int r = 0; r < rows; r++)
        {
            int row = r;
            var fd = Derivatives.Gradient(y => { var v = new double[rows]; Invoke(problem, "Constraints", y, v); return v[row]; }, x);
            Derivatives.AssertClose(fd, jacobian.Skip(r * n).Take(n).ToArray(), 1e-8, $"Jacobian row {r}");
        }

        var lower = new double[rows];
        var upper = new double[rows];
        Invoke(problem, "ConstraintBounds", lower, upper);
        Assert.Equal([1, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, 0.1], lower);
        Assert.Equal([1, 0.3, 0.3, 0.3, 0.9, 0.8, 0.7, 0.6, 4], upper);

        var lambda = Enumerable.Range(0, rows).Select(k => 0.1 * (k + 1)).ToArray();
        var type = problem.GetType();
        var lag = (Func<double[], double>)(y => (double)type.GetMethod("Lagrangian")!.CreateDelegate<LagrangianFn>(problem)(y, lambda));
        var grad = new double[n];
        double value = type.GetMethod("LagrangianGradient")!.CreateDelegate<LagrangianGradientFn>(problem)(x, lambda, grad);
        Assert.Equal(lag(x), value, 13);
        Derivatives.AssertClose(Derivatives.Gradient(lag, x), grad, 1e-8, "Lagrangian gradient");

        var hessian = new double[n * n];
        type.GetMethod("LagrangianHessian")!.CreateDelegate<LagrangianHessianFn>(problem)(x, lambda, hessian);
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                int ii = i, jj = j;
                double expected = Derivatives.Differentiate(t =>
                {
                    var y = (double[])x.Clone();
                    y[jj] += t;
                    var gy = new double[n];
                    type.GetMethod("LagrangianGradient")!.CreateDelegate<LagrangianGradientFn>(problem)(y, lambda, gy);
                    return gy[ii];
                }, 1e-3);
                Assert.True(Math.Abs(expected - hessian[i * n + j]) < 1e-7, $"Lagrangian Hessian [{i},{j}]: {expected} vs {hessian[i * n + j]}");
            }
        }
    }

    private delegate double ObjectiveFn(ReadOnlySpan<double> x);
    private delegate double LagrangianFn(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers);
    private delegate double LagrangianGradientFn(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, Span<double> gradient);
    private delegate void LagrangianHessianFn(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, Span<double> hessian);
    private delegate void SpanSpan(ReadOnlySpan<double> x, Span<double> output);
    private delegate void SpanSpan2(Span<double> a, Span<double> b);

    private static void Invoke(object problem, string method, double[] a, double[] b)
    {
        var m = problem.GetType().GetMethod(method)!;
        if (m.GetParameters()[0].ParameterType == typeof(Span<double>)) m.CreateDelegate<SpanSpan2>(problem)(a, b);
        else m.CreateDelegate<SpanSpan>(problem)(a, b);
    }

    [Fact]
    public void Non_smooth_functions_use_the_subgradient_zero_convention()
    {
        var p = s_assembly.Value.Problem("Kinks");
        var g = new double[2];
        // Away from the kinks: abs' = sign, relu' = step, max/min pick their active argument.
        p.Gradient([2, 1], g);
        Assert.Equal([1 + 1 + 0, 1 + 0 + 1], g);
        p.Gradient([-2, -3], g);
        Assert.Equal([-1 + 1 + 0, 0 + 0 + 1], g);
        // At the kinks: |x|'(0) = 0, relu'(0) = 0; ties of max/min go to the first argument.
        p.Gradient([0, 0], g);
        Assert.Equal([0 + 1 + 1, 0 + 0 + 0], g);
    }

    [Fact]
    public void Least_squares_residuals_reproduce_the_objective_and_their_jacobian_matches_differences()
    {
        double[] t = [0, 0.5, 1, 1.5, 2, 3];
        double[] y = [3.1, 2.2, 1.7, 1.3, 1.1, 0.95];
        var problem = s_assembly.Value.Create("Fit", t, y);
        var lsq = (ILeastSquaresProblem)problem;
        var smooth = (IGradientProblem)problem;
        Assert.Equal(6 + 2, lsq.ResidualCount);
        double[] b = [2.5, 0.8, 0.6];
        var r = new double[lsq.ResidualCount];
        lsq.Residuals(b, r);
        Assert.Equal(smooth.Objective(b), r.Sum(v => v * v), 13);
        var jacobian = new double[lsq.ResidualCount * 3];
        lsq.Jacobian(b, jacobian);
        for (int k = 0; k < lsq.ResidualCount; k++)
        {
            int row = k;
            var fd = Derivatives.Gradient(z => { var rr = new double[lsq.ResidualCount]; lsq.Residuals(z, rr); return rr[row]; }, b);
            Derivatives.AssertClose(fd, jacobian.Skip(k * 3).Take(3).ToArray(), 1e-9, $"residual Jacobian row {k}");
        }
        var result = GeneratedCode.Solve(problem);
        Assert.True(result.Converged, result.ToString());
    }

    [Fact]
    public void Bad_runtime_arguments_throw_exceptions_that_name_the_declaration()
    {
        var asm = s_assembly.Value;
        var wrongLength = Assert.Throws<TargetInvocationException>(() => asm.Create("Ridge", A, new double[] { 1, 2, 3 })).InnerException!;
        Assert.IsType<ArgumentException>(wrongLength);
        Assert.Contains("data y (api.opt:", wrongLength.Message);
        Assert.Contains("length 3", wrongLength.Message);

        var nan = Assert.Throws<TargetInvocationException>(() => asm.Create("Ridge", A, new[] { 1, double.NaN, 0, 0 })).InnerException!;
        Assert.Contains("data y (api.opt:", nan.Message);
        Assert.Contains("NaN", nan.Message);

        var missing = Assert.Throws<TargetInvocationException>(() => asm.Create("Ridge", null!, Y)).InnerException!;
        Assert.IsType<ArgumentNullException>(missing);

        var p = asm.Problem("Ridge", A, Y);
        var shortX = Assert.Throws<ArgumentException>(() => p.Objective(new double[2]));
        Assert.Contains("problem Ridge has 3", shortX.Message);
        Assert.Throws<ArgumentException>(() => p.Gradient(new double[3], new double[4]));
    }

    [Fact]
    public void Sums_over_fixed_dims_stay_loops_so_code_size_does_not_grow_with_the_size()
    {
        static string Code(int n) => string.Concat(OptCompiler.Compile("size.opt",
            $"problem S {{ dim n = {n}; data a[n]; var x[n]; minimize sum(i in 0..n) a[i] * exp(x[i]) + l2(x); }}", null).Sources.Select(s => s.Text));
        // 7, not fewer than the 4 SIMD lanes: a loop known to be shorter than a vector is not vectorized.
        string small = Code(7), large = Code(100000);
        Assert.Equal(Regex.Replace(small, @"\b7\b", "N").Length, Regex.Replace(large, @"\b100000\b", "N").Length);
        Assert.Contains("for (; i < n; i++)", Regex.Replace(large, @"\b100000\b", "n"));
    }

    [Fact]
    public void Emission_does_not_depend_on_the_current_culture()
    {
        const string text = "problem C { var x[2] = [-1.5, 2.25]; param a = -0.125; minimize a * (x[0] - 1e-3)^2 + x[1]^4 - 2.5; }";
        string invariant = Render(text);
        var saved = CultureInfo.CurrentCulture;
        try
        {
            // Swedish formats negative numbers with U+2212 and uses a decimal comma.
            CultureInfo.CurrentCulture = new CultureInfo("sv-SE");
            Assert.Equal(invariant, Render(text));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
        Assert.DoesNotContain("\u2212", invariant);
        Assert.Contains("-0.125", invariant);

        static string Render(string t) => string.Concat(OptCompiler.Compile("c.opt", t, null).Sources.Select(s => s.Text));
    }
}
