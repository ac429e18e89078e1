using System;
using System.Linq;
using OptDsl.Compiler;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// A function with kinks (min, max, abs, l1, ...) makes a problem non-smooth only where it sees a decision variable:
/// weights built from indices and data with min are constants as far as the derivatives go.
/// </summary>
public sealed class SmoothnessTests
{
    private const string Weighted = """
        problem Weighted {
            dim m = 6;
            data t[m];
            data y[m];
            var b[2];
            let w[i in 0..m] = min(i + 1, m - i);
            minimize sum(i in 0..m) w[i] * (b[0] + b[1] * t[i] - y[i])^2 + abs(t[0] - 0.5) + max(y[1], 0);
        }
        """;

    [Fact]
    public void Kinks_over_data_and_indices_only_leave_the_problem_smooth_and_the_default_solver_lbfgs()
    {
        var output = OptCompiler.Compile("weighted.opt", Weighted, null);
        Assert.Empty(output.Diagnostics);
        Assert.Contains("new global::OptDsl.Runtime.LbfgsSolver()", output.Sources[0].Text);

        double[] t = [0, 1, 2, 3, 4, 5];
        double[] y = t.Select(v => 1 + 2 * v).ToArray();
        var problem = GeneratedCode.Build("weighted.opt", Weighted).Create("Weighted", t, y);
        var result = GeneratedCode.Solve(problem);
        Assert.Equal(SolveStatus.Converged, result.Status);
        Assert.Equal(1, result.X[0], 6);
        Assert.Equal(2, result.X[1], 6);
        // The constant terms: |0 - 0.5| + max(3, 0).
        Assert.Equal(3.5, result.Objective, 8);
    }

    [Theory]
    [InlineData("minimize sum(i in 0..m) min(b[0], t[i])^2;", "min")]
    [InlineData("minimize abs(b[0] - 1) + b[1]^2;", "abs")]
    [InlineData("let w[i in 0..m] = max(b[1], i); minimize sum(i in 0..m) w[i]^2 + b[0]^2;", "max")]
    public void A_kink_that_sees_a_variable_still_makes_the_problem_non_smooth(string body, string function)
    {
        string text = "problem K { dim m = 3; data t[m]; var b[2]; " + body + " solver lbfgs; }";
        var output = OptCompiler.Compile("kink.opt", text, null);
        var warning = Assert.Single(output.Diagnostics);
        Assert.Equal("OPT0015", warning.Id);
        Assert.Contains($"'{function}'", warning.Message);
    }
}
