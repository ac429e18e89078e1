using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using OptDsl.Compiler;
using OptDsl.Compiler.Semantics;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// What the compiler accepts must work: option values the runtime would reject, sizes C# cannot hold and ranges that
/// cannot be meant are build-time diagnostics, never exceptions when the user's program first runs.
/// </summary>
public sealed class BuildTimeValidationTests
{
    private static readonly string[] Numbers =
        ["-1", "0", "1e-300", "0.5", "0.999999", "1", "2", "3", "2147483647", "2147483648", "1e11", "1e12", "1e300", "2.5"];

    private static IEnumerable<string> Values(OptionSpec option) => option.Kind switch
    {
        OptionKind.Bool => ["true", "false", "1"],
        OptionKind.Choice => option.Choices!.Append("nonsense"),
        _ => Numbers,
    };

    private static string Program(string className, SolverSpec solver, string option, string value)
    {
        string constraints = solver.Kind == ProblemKind.Constrained ? "subject to { x[0] + x[1] <= 10; }" : "";
        string box = solver.NeedsFiniteBounds ? " in [-3, 3]" : "";
        return $"problem {className} {{ var x[2]{box} = 1; minimize (x[0] - 1)^2 + (x[1] + 0.5)^2; {constraints} solver {solver.Name}({option}: {value}); }}";
    }

    [Fact]
    public void Every_option_value_the_compiler_accepts_the_runtime_accepts()
    {
        var accepted = new List<(string Class, string Text, string What)>();
        int rejected = 0;
        foreach (var solver in SolverCatalog.All.Where(s => s.IsBuilt))
        {
            foreach (var option in solver.Options)
            {
                int k = 0;
                foreach (var value in Values(option))
                {
                    string className = $"P_{solver.Name}_{option.Name}_{k++}";
                    string text = Program(className, solver, option.Name, value);
                    var output = OptCompiler.Compile("options.opt", text, "Options");
                    var errors = output.Diagnostics.Where(d => d.Level == DiagnosticLevel.Error).ToList();
                    if (errors.Count == 0)
                    {
                        accepted.Add((className, text, $"solver {solver.Name}({option.Name}: {value})"));
                        continue;
                    }
                    rejected++;
                    var error = Assert.Single(errors);
                    Assert.Equal("OPT0010", error.Id);
                    Assert.Equal(text.IndexOf($"{option.Name}: {value})", StringComparison.Ordinal) + option.Name.Length + 2, error.Span.Start);
                }
            }
        }
        Assert.True(rejected > 50 && accepted.Count > 200, $"{accepted.Count} accepted, {rejected} rejected");

        var assembly = GeneratedCode.Build(accepted.Select(a => ($"{a.Class}.opt", a.Text)), "Options");
        foreach (var (className, _, what) in accepted)
        {
            object problem;
            SolveResult result;
            try
            {
                problem = assembly.Create(className);
                // A budget keeps divergent settings (lr: 1e300) short; the options themselves must be accepted. Bayesian
                // optimization, whose model costs the cube of its evaluations, gets a smaller one.
                var defaults = (SolveOptions)problem.GetType().GetProperty("DefaultSolveOptions")!.GetValue(null)!;
                int budget = className.StartsWith("P_bayes_", StringComparison.Ordinal) ? 40 : 500;
                result = GeneratedCode.Solve(problem, defaults with { MaxIterations = Math.Min(defaults.MaxIterations, 50), MaxEvaluations = defaults.MaxEvaluations == 0 ? budget : Math.Min(defaults.MaxEvaluations, budget) });
            }
            catch (Exception e) when (e is TargetInvocationException or TypeInitializationException)
            {
                throw new Xunit.Sdk.XunitException($"{what} compiled, then threw at run time: {e.InnerException}");
            }
            Assert.True(Enum.IsDefined(result.Status), what);
        }
    }

    [Theory]
    [InlineData("solver adam(beta1: $$2);", "must lie in [0, 1)")]
    [InlineData("solver adamw(beta2: $$1);", "must lie in [0, 1)")]
    [InlineData("solver rmsprop(rho: $$1.5);", "must lie in [0, 1)")]
    [InlineData("solver lbfgs(memory: $$0);", "at least 1")]
    [InlineData("solver lbfgs(memory: $$1001);", "at most 1000")]
    [InlineData("solver nesterov(beta: $$0);", "positive")]
    [InlineData("solver lbfgs(time_limit_s: $$1e12);", "seconds")]
    [InlineData("solver lbfgs(max_iter: $$3e9);", "whole number")]
    public void Option_values_outside_the_runtime_ranges_are_located_errors(string solverLine, string message)
    {
        int at = solverLine.IndexOf("$$", StringComparison.Ordinal);
        string text = "problem P {\n  var x;\n  minimize x^2;\n  " + solverLine.Remove(at, 2) + "\n}";
        var d = Assert.Single(OptCompiler.Compile("bad.opt", text, null).Diagnostics);
        Assert.Equal("OPT0010", d.Id);
        Assert.Equal((3, 2 + at), (d.Span.Line, d.Span.Column));
        Assert.Contains(message, d.Message);
    }

    [Fact]
    public void Zero_tolerance_is_accepted_as_the_runtime_accepts_it()
    {
        var output = OptCompiler.Compile("lm.opt", "problem P { var b = 1; minimize sum(i in 0..3) (b * i - 1)^2; solver lm(tolerance: 0); }", null);
        Assert.Empty(output.Diagnostics);
    }

    [Theory]
    [InlineData("newton_cg(cg_tol: 0)")]
    [InlineData("lm(tolerance: 0)")]
    [InlineData("lbfgs(tolerance: 0, max_iter: 200)")]
    public void A_zero_tolerance_turns_its_test_off_and_still_solves(string solver)
    {
        // cg_tol: 0 runs each CG to the boundary, to non-positive curvature or to its step limit; tolerance: 0 leaves the
        // other tests and the limits to end the solve.
        var p = GeneratedCode.Build("zero.opt", $"problem Z {{ var x[2] = [-1.2, 1]; minimize (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2; solver {solver}; }}").Create("Z");
        var result = GeneratedCode.Solve(p);
        Assert.Equal(1, result.X[0], 6);
        Assert.Equal(1, result.X[1], 6);
    }

    [Theory]
    [InlineData("var x[$$100000 * 100000];", "OPT0029")]
    [InlineData("var x[$$3000000000];", "OPT0029")]
    [InlineData("$$var x[50000, 50000];", "OPT0029")]
    [InlineData("$$var x[2000000000, 2000000000, 2000000000];", "OPT0029")]
    [InlineData("dim n = $$99999999999;\n  var x;", "OPT0029")]
    [InlineData("var x;\n  let s = sum(i in $$5..2) x * i;", "OPT0028")]
    [InlineData("var x[3];\n  let r[i in $$2..0] = x[i];", "OPT0028")]
    public void Sizes_and_ranges_that_cannot_work_are_located_errors(string declaration, string id)
    {
        int at = declaration.IndexOf("$$", StringComparison.Ordinal);
        string text = "problem P {\n  " + declaration.Remove(at, 2) + "\n  minimize x^2;\n}";
        text = text.Replace("minimize x^2", declaration.Contains("let s") ? "minimize s + x^2" : declaration.Contains("let r") ? "minimize l2(r)" : declaration.Contains("var x[") ? "minimize x[0]^2" : "minimize x^2");
        var output = OptCompiler.Compile("bad.opt", text, null);
        string before = "problem P {\n  " + declaration.Substring(0, at);
        int line = before.Count(c => c == '\n');
        int column = before.Length - before.LastIndexOf('\n') - 1;
        Assert.Contains(output.Diagnostics, d => d.Id == id && d.Span.Line == line && d.Span.Column == column);
    }

    [Fact]
    public void A_dim_may_use_a_dim_declared_after_it()
    {
        // Bound in dependency order: m is the constant 6, not a constructor argument.
        var p = GeneratedCode.Build("dims.opt", "problem D { dim m = 2 * n; dim n = 3; var x[m]; minimize l2(x); }").Create("D");
        Assert.Equal(6, ((IGradientProblem)p).Dimension);
    }

    [Fact]
    public void A_let_that_names_an_outer_index_gets_the_right_advice()
    {
        var output = OptCompiler.Compile("let.opt", "problem P {\n  var x[3];\n  let t = x[i]^2;\n  minimize sum(i in 0..3) t;\n}", null);
        var d = Assert.Single(output.Diagnostics);
        Assert.Equal(("OPT0002", 2, 12), (d.Id, d.Span.Line, d.Span.Column));
        Assert.Contains("indexed let", d.Message);
    }

    [Theory]
    [InlineData("minimize sum(i in 0..m, j in 0..n) A[i, $$j + 1] * w[j];")]
    [InlineData("minimize sum(i in 0..n) w[$$n - i]^2;")]
    [InlineData("minimize sum(i in 0..4) r[$$i]^2;")]
    [InlineData("minimize sum(i in 1..n) w[$$i - 2]^2;")]
    [InlineData("minimize sum(i in 0..n) w[$$i + 1]^2;")]
    public void An_index_that_leaves_its_axis_over_its_loops_is_a_located_error(string objective)
    {
        // A[0, j + 1] at the last column would read the next row of the row-major copy: never silently.
        int at = objective.IndexOf("$$", StringComparison.Ordinal);
        string text = "problem P {\n  dim m;\n  dim n;\n  data A[m, n];\n  var w[n];\n  let r[i in 0..3] = w[0] * i;\n  " + objective.Remove(at, 2) + "\n}";
        var d = Assert.Single(OptCompiler.Compile("ix.opt", text, null).Diagnostics);
        Assert.Equal(("OPT0023", 6, 2 + at), (d.Id, d.Span.Line, d.Span.Column));
    }

    [Fact]
    public void Indices_that_stay_on_their_axis_need_no_check_and_runtime_ranges_are_checked_by_the_constructor()
    {
        var assembly = GeneratedCode.Build("ix.opt", """
            problem Ix {
                dim m;
                dim n;
                dim k;
                data A[m, n];
                var w[n];
                minimize sum(i in 0..m, j in 0..n - 1) (A[i, j + 1] * w[j])^2 + sum(j in 1..n) w[j - 1] * w[n - j] + sum(j in 0..k) A[0, j] * w[0];
            }
            """);
        var a = new double[2, 3] { { 1, 2, 3 }, { 4, 5, 6 } };
        var p = assembly.Problem("Ix", a, 3);
        ProblemChecks.AllDerivatives(p, [0.3, -0.2, 0.5], "in range");
        // k = 4 > n = 3: A[0, j] would run past the row.
        var failure = Assert.Throws<TargetInvocationException>(() => assembly.Create("Ix", a, 4));
        var e = Assert.IsType<ArgumentException>(failure.InnerException);
        Assert.Contains("A[...] index 'j' on axis 1", e.Message);
        Assert.Contains("runs from 0 to 3, outside 0..n", e.Message);
        // With k = 0 the loop is empty: nothing to check.
        assembly.Create("Ix", a, 0);
    }

    [Fact]
    public void A_constraint_side_that_names_a_variable_is_never_taken_for_a_bound()
    {
        // mse(b, b) simplifies to 0 but names b: the row is mse(b, b) - b = -b, as the text reads, not b with bound 0.
        var p = (IConstrainedProblem)GeneratedCode.Build("side.opt", "problem S { var b[1]; minimize b[0]^2; subject to { mse(b[0], b[0]) == b[0]; } solver ipm; }").Create("S");
        var values = new double[1];
        p.Constraints([0.5], values);
        Assert.Equal(-0.5, values[0]);
        var errors = OptCompiler.Compile("side.opt", "problem S {\n  var b;\n  minimize b^2;\n  subject to { mse(b, b) == 1; }\n}", null).Diagnostics;
        Assert.Equal("OPT0020", Assert.Single(errors).Id);
    }

    [Fact]
    public void A_triangular_forall_family_is_a_located_error()
    {
        var output = OptCompiler.Compile("bad.opt", "problem P {\n  var x[4];\n  minimize l2(x);\n  subject to { forall(i in 0..4, j in 0..i) x[i] - x[j] >= -1; }\n}", null);
        var d = Assert.Single(output.Diagnostics);
        Assert.Equal(("OPT0020", 3, 38), (d.Id, d.Span.Line, d.Span.Column));
    }

    [Fact]
    public void Fifty_thousand_fixed_variables_compile_cleanly_and_the_dense_checks_name_the_sizes()
    {
        // n² overflows int (CS0220 once): the length checks compute in long, and a dense Hessian of this size cannot exist.
        var assembly = GeneratedCode.Build("big.opt", "problem Big { var x[50000]; minimize sum(i in 0..50000) (x[i] - i)^2; solver lbfgs; }");
        var p = assembly.Problem("Big");
        var x = new double[50000];
        var g = new double[50000];
        Assert.Equal(Enumerable.Range(0, 50000).Sum(i => (double)i * i), p.Gradient(x, g), 0);
        var e = Assert.Throws<ArgumentException>(() => p.Hessian(x, new double[16]));
        Assert.Contains("2500000000", e.Message);
    }

    [Fact]
    public void A_negative_runtime_shape_is_an_argument_error_naming_the_var()
    {
        var assembly = GeneratedCode.Build("shape.opt", "problem S { dim n; var x[n - 5]; var y[10]; minimize l2(x) + l2(y); }");
        var failure = Assert.Throws<TargetInvocationException>(() => assembly.Create("S", 3));
        var e = Assert.IsType<ArgumentException>(failure.InnerException);
        Assert.Contains("var x[n - 5]", e.Message);
        Assert.Contains("-2", e.Message);
    }

    [Fact]
    public void A_runtime_range_that_is_reversed_for_some_dims_runs_zero_times()
    {
        // sum(i in 2..n) for n = 1 is empty; its count is 0, not -1 (the loop-invariant term is summed by its count).
        var assembly = GeneratedCode.Build("empty.opt", """
            problem E {
                dim n;
                var w = 1;
                minimize (w - 3)^2 + sum(i in 2..n) (w^2 + i);
                subject to { forall(i in 2..n) w <= i; }
                solver ipm;
            }
            """);
        var p = (IConstrainedProblem)assembly.Create("E", 1);
        Assert.Equal(0, p.ConstraintCount);
        var g = new double[1];
        Assert.Equal(4, p.Gradient([1.0], g));
        Assert.Equal(-4, g[0]);
        var r = (ILeastSquaresProblem)GeneratedCode.Build("empty_lm.opt", """
            problem L {
                dim n;
                var w = 1;
                minimize sum(i in 2..n) (w - i)^2 + (w - 1)^2;
                solver lm;
            }
            """).Create("L", 1);
        Assert.Equal(1, r.ResidualCount);
        var q = (IConstrainedProblem)assembly.Create("E", 4);
        Assert.Equal(2, q.ConstraintCount);
        Assert.Equal(4 + 2 * 1 + 2 + 3, q.Gradient([1.0], g));
        Assert.Equal(-4 + 2 * 2, g[0]);
    }
}
