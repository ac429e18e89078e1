using System;
using System.Linq;
using System.Reflection;
using OptDsl.Compiler;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// A bad value given to a generated class is refused where it is given, with a message that names the <c>.opt</c>
/// declaration and its line, never left to surface as a <c>Diverged</c> solve: a NaN or infinite param, an empty data
/// array, a NaN or infinite start point.
/// </summary>
public sealed class NamedBadValueTests
{
    private const string Source = """
        problem Weighted {
            dim n;
            data y[n];
            param lambda = 0.5;
            param shift = -1;
            var x[n];
            minimize sum(i in 0..n) (x[i] - y[i] - shift)^2 + lambda * l2(x);
        }
        problem Fit {
            dim m;
            dim n;
            dim k;
            data A[m, n];
            data b[m];
            data w[2 * k];
            var x[n];
            var s in [0, inf] = 1;
            minimize mse(A * x, b) + s^2 + sum(i in 0..2 * k) w[i] * s;
        }
        problem Grid {
            var t;
            var W[2, 3] = 1;
            minimize t^2 + l2(W);
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() => GeneratedCode.Build("bad.opt", Source));

    private static object Weighted() => s_assembly.Value.Create("Weighted", new[] { 1.0, 2.0, 3.0 });

    private static Exception Inner(Action action) => Assert.Throws<TargetInvocationException>(action).InnerException!;

    [Theory]
    [InlineData("Lambda", "param lambda (bad.opt:4)", double.NaN)]
    [InlineData("Lambda", "param lambda (bad.opt:4)", double.PositiveInfinity)]
    [InlineData("Shift", "param shift (bad.opt:5)", double.NegativeInfinity)]
    public void A_param_set_to_nan_or_an_infinity_throws_naming_its_declaration(string property, string declaration, double value)
    {
        var problem = Weighted();
        double before = GeneratedCode.Get<double>(problem, property);
        var e = Assert.IsType<ArgumentOutOfRangeException>(Inner(() => GeneratedCode.Set(problem, property, value)));
        Assert.Contains(declaration + " must be a finite number", e.Message);
        Assert.Equal(value, e.ActualValue);
        Assert.Equal(before, GeneratedCode.Get<double>(problem, property));

        // Finite values, extreme ones included, are taken.
        GeneratedCode.Set(problem, property, -1e300);
        Assert.Equal(-1e300, GeneratedCode.Get<double>(problem, property));
    }

    private static readonly double[,] A = { { 1, 2 }, { 3, 4 }, { 5, 6 } };
    private static readonly double[] B = [1, 0, -1];

    [Fact]
    public void A_problem_over_nonempty_data_constructs()
    {
        Assert.Equal(3, ((IObjectiveProblem)s_assembly.Value.Create("Fit", A, B, new double[] { 0.5, 0.25 }, 1)).Dimension);
    }

    [Theory]
    [InlineData(3, 2, 0, 1, "data b (bad.opt:14) has length 0, but its declared shape needs m = 3.")]
    [InlineData(0, 2, 0, 1, "data A (bad.opt:13) is empty (0 × 2); a data array needs at least one element.")]
    [InlineData(3, 0, 3, 1, "data A (bad.opt:13) is empty (3 × 0); a data array needs at least one element.")]
    [InlineData(3, 2, 3, 0, "data w (bad.opt:15) is empty; a data array needs at least one element.")]
    public void An_empty_data_array_throws_naming_its_declaration(int rows, int columns, int length, int k, string message)
    {
        // The first case is a length that does not match dims bound earlier; the last is a data whose dims come out 0:
        // w[2 * k] with k = 0 has the right length, 0.
        var e = Assert.IsType<ArgumentException>(Inner(() => s_assembly.Value.Create("Fit", new double[rows, columns], B.Take(length).ToArray(), new double[2 * k], k)));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void An_index_that_only_run_time_dims_put_out_of_range_throws_at_construction_naming_the_opt_line()
    {
        // x[i] over i in 0..m with x of length k: in range only when m <= k, which the build cannot know.
        var assembly = GeneratedCode.Build("dims.opt", """
            problem Dims {
                dim m; dim k;
                data a[m];
                var x[k];
                minimize sum(i in 0..m) (a[i] * x[i])^2;
            }
            """);
        Assert.Equal(3, ((IObjectiveProblem)assembly.Create("Dims", new[] { 1.0, 2.0 }, 3)).Dimension);
        var e = Assert.IsType<ArgumentException>(Inner(() => assembly.Create("Dims", new[] { 1.0, 2.0, 3.0, 4.0 }, 3)));
        Assert.Contains("(dims.opt:5)", e.Message);
        Assert.Contains("outside 0..k", e.Message);
    }

    [Fact]
    public void An_empty_data_array_that_binds_its_dim_throws_naming_its_declaration()
    {
        var e = Assert.IsType<ArgumentException>(Inner(() => s_assembly.Value.Create("Weighted", Array.Empty<double>())));
        Assert.StartsWith("data y (bad.opt:3) is empty; a data array needs at least one element.", e.Message);
        Assert.Equal("y", e.ParamName);
    }

    [Fact]
    public void A_constant_extent_of_zero_makes_data_a_build_error()
    {
        var output = OptCompiler.Compile("zero.opt", "problem P {\n  dim k = 0;\n  data w[2, k];\n  var x;\n  minimize x^2;\n}", null);
        var d = Assert.Single(output.Diagnostics, d => d.Level == DiagnosticLevel.Error);
        Assert.Equal(("OPT0004", 2, 12), (d.Id, d.Span.Line, d.Span.Column));
        Assert.Contains("data 'w' has a dimension of size 0", d.Message);
    }

    [Theory]
    [InlineData("Fit", 1, double.NaN, "start[1] is NaN: x[1] of var x (bad.opt:16); a start point must be finite.")]
    [InlineData("Fit", 2, double.NegativeInfinity, "start[2] is -Infinity: var s (bad.opt:17); a start point must be finite.")]
    [InlineData("Grid", 0, double.PositiveInfinity, "start[0] is Infinity: var t (bad.opt:21); a start point must be finite.")]
    [InlineData("Grid", 6, double.NaN, "start[6] is NaN: W[1, 2] of var W (bad.opt:22); a start point must be finite.")]
    [InlineData("Grid", 4, double.NaN, "start[4] is NaN: W[1, 0] of var W (bad.opt:22); a start point must be finite.")]
    public void A_nan_or_infinite_start_throws_naming_the_variable_element_and_its_declaration(string type, int index, double value, string message)
    {
        var problem = type == "Fit" ? s_assembly.Value.Create("Fit", A, B, new double[] { 0.5, 0.25 }, 1) : s_assembly.Value.Create("Grid");
        var start = new double[((IObjectiveProblem)problem).Dimension];
        start[index] = value;
        var e = Assert.Throws<ArgumentException>(() => GeneratedCode.SolveFrom(problem, start));
        Assert.StartsWith(message, e.Message);
        Assert.Equal("start", e.ParamName);
        // A finite start solves.
        start[index] = 0.5;
        Assert.True(GeneratedCode.SolveFrom(problem, start).Converged);
    }

    [Fact]
    public void An_infinite_param_default_is_a_build_error()
    {
        var output = OptCompiler.Compile("inf.opt", "problem P {\n  var x;\n  param w = 1/0;\n  minimize w * x^2;\n}", null);
        var d = Assert.Single(output.Diagnostics);
        Assert.Equal(("OPT0032", 2, 12), (d.Id, d.Span.Line, d.Span.Column));
        Assert.Equal("The default of param 'w' is inf; a param holds a finite number", d.Message);
    }
}
