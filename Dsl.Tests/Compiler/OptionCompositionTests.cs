using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// The options of the <c>.opt</c> file are the defaults of the generated <c>Solve</c> and <c>ParetoFront</c>: options
/// given at run time override only what they set, and a progress report or a cancellation token resets nothing.
/// </summary>
public sealed class OptionCompositionTests
{
    private const string Source = """
        problem Banana {
            var x[2] = [-1.2, 1];
            minimize (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2;
            solver lbfgs(tolerance: 1e-3, max_iter: 12);
        }
        problem Front {
            var p[2] = [1, 0.5];
            objective near_origin = p[0]^2 + 4 * p[1]^2;
            objective near_two = (p[0] - 2)^2 + p[1]^2;
            pareto { minimize near_origin; minimize near_two; points: 3; method: weighted_sum; }
            solver lbfgs(max_iter: 0);
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() => GeneratedCode.Build("compose.opt", Source));

    /// <summary>Counts reports on the solving thread (<see cref="Progress{T}"/> would post them elsewhere).</summary>
    private sealed class Counter : IProgress<IterationInfo>
    {
        public List<IterationInfo> Reports { get; } = [];

        public void Report(IterationInfo value) => Reports.Add(value);
    }

    private static object Banana() => s_assembly.Value.Create("Banana");

    private static SolveOptions Defaults(object problem) => GeneratedCode.Get<SolveOptions>(problem, "DefaultSolveOptions");

    [Fact]
    public void Every_tolerance_of_the_solver_line_reaches_the_defaults_and_0_is_accepted()
    {
        var assembly = GeneratedCode.Build("tolerances.opt", """
            problem Tolerances {
                var x[2] = [-1.2, 1];
                minimize (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2;
                solver lbfgs(tolerance: 0, acceptable_tol: 1e-4, step_tol: 0, f_tol: 1e-12);
            }
            """);
        var defaults = GeneratedCode.Get<SolveOptions>(assembly.Create("Tolerances"), "DefaultSolveOptions");
        Assert.Equal(new SolveOptions { GradientTolerance = 0, AcceptableTolerance = 1e-4, StepTolerance = 0, FunctionTolerance = 1e-12 }, defaults);
        // With the gradient test off, the function test ends the solve, and at the minimum the verdict is Acceptable.
        var result = GeneratedCode.Solve(assembly.Create("Tolerances"));
        Assert.True(result.Status == SolveStatus.Acceptable, $"{result}: {result.Message}");
        Assert.Equal(1.0, result.X[0], 4);
    }

    [Fact]
    public void The_defaults_are_the_options_of_the_solver_line()
    {
        Assert.Equal(new SolveOptions { GradientTolerance = 1e-3, MaxIterations = 12 }, Defaults(Banana()));
    }

    [Fact]
    public void A_progress_report_keeps_the_iteration_limit_and_tolerance_of_the_opt_file()
    {
        var problem = Banana();
        var progress = new Counter();
        var result = GeneratedCode.Solve(problem, new SolveOptions { Progress = progress });
        // max_iter: 12 of the .opt file (the library default, 1000, would run on to convergence).
        Assert.Equal(SolveStatus.MaxIterations, result.Status);
        Assert.Equal(12, result.Iterations);
        Assert.Equal(12, progress.Reports.Count);
        Assert.Equal(GeneratedCode.Solve(problem).X, result.X);
    }

    [Fact]
    public void A_cancellation_token_keeps_the_options_of_the_opt_file()
    {
        var problem = Banana();
        using var source = new CancellationTokenSource();
        var result = GeneratedCode.Solve(problem, new SolveOptions { CancellationToken = source.Token });
        var plain = GeneratedCode.Solve(problem);
        Assert.Equal(SolveStatus.MaxIterations, result.Status);
        Assert.Equal(plain.Iterations, result.Iterations);
        Assert.Equal(plain.X, result.X);

        source.Cancel();
        Assert.Equal(SolveStatus.Cancelled, GeneratedCode.Solve(problem, new SolveOptions { CancellationToken = source.Token }).Status);
    }

    [Fact]
    public void An_override_changes_only_what_it_sets()
    {
        var problem = Banana();
        var three = GeneratedCode.Solve(problem, new SolveOptions { MaxIterations = 3 });
        Assert.Equal(SolveStatus.MaxIterations, three.Status);
        Assert.Equal(3, three.Iterations);

        // With the iteration limit lifted, the .opt tolerance (1e-3) still ends the solve, well before the library
        // default (1e-8) would, at the same point as the defaults with that one change.
        var lifted = GeneratedCode.Solve(problem, new SolveOptions { MaxIterations = 1000 });
        var library = GeneratedCode.Solve(problem, new SolveOptions { MaxIterations = 1000, GradientTolerance = SolveOptions.Default.GradientTolerance });
        Assert.Equal(SolveStatus.Converged, lifted.Status);
        Assert.Equal(SolveStatus.Converged, library.Status);
        Assert.True(lifted.Iterations > 12 && lifted.Iterations < library.Iterations, $"{lifted.Iterations} vs {library.Iterations}");
        var derived = GeneratedCode.Solve(problem, Defaults(problem) with { MaxIterations = 1000 });
        Assert.Equal(derived.Iterations, lifted.Iterations);
        Assert.Equal(derived.X, lifted.X);

        // A start given with the options merges the same way.
        var from = GeneratedCode.SolveFrom(problem, [-1.2, 1], new SolveOptions { Progress = new Counter() });
        Assert.Equal(12, from.Iterations);
    }

    [Fact]
    public void A_pareto_sweep_keeps_the_options_of_the_opt_file()
    {
        var problem = s_assembly.Value.Create("Front");
        var sweep = problem.GetType().GetMethod("ParetoFront")!;
        ParetoFront Sweep(SolveOptions? options) => (ParetoFront)sweep.Invoke(problem, [options])!;

        // max_iter: 0 in the .opt file: every scalarized solve stops before its first iteration, with or without a
        // progress report or a token.
        using var source = new CancellationTokenSource();
        foreach (var options in new SolveOptions?[] { null, new() { Progress = new Counter() }, new() { CancellationToken = source.Token } })
        {
            var stopped = Sweep(options);
            Assert.Equal(0, stopped.Count);
            Assert.NotEmpty(stopped.Failed);
            Assert.All(stopped.Failed, f => Assert.Equal((SolveStatus.MaxIterations, 0), (f.Status, f.Result.Iterations)));
        }

        var front = Sweep(new SolveOptions { MaxIterations = 200 });
        Assert.True(front.Count >= 2, front.ToString());
        Assert.Empty(front.Failed);
    }
}
