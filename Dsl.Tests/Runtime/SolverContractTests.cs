using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>What every solver promises: stopping rules, reports, argument checks, bounds, NaN handling.</summary>
public class SolverContractTests
{
    public static TheoryData<string> AllSolvers => new(SolverHarness.All);
    public static TheoryData<string> BoundedSolvers => new(SolverHarness.WithBounds);

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void Nan_objective_at_the_start_gives_Diverged_without_throwing(string solver)
    {
        var r = SolverHarness.Run(solver, new PoisonedProblem(double.NaN), [1.0, 1.0]);
        Assert.Equal(SolveStatus.Diverged, r.Status);
        Assert.Equal([1.0, 1.0], r.X);
        Assert.Equal(0, r.Iterations);
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void Infinite_objective_at_the_start_gives_Diverged(string solver)
    {
        var r = SolverHarness.Run(solver, new PoisonedProblem(double.PositiveInfinity), [1.0, 1.0]);
        Assert.Equal(SolveStatus.Diverged, r.Status);
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void Nan_beyond_a_region_never_escapes_into_the_result(string solver)
    {
        // f = (x−3)² + (y+2)² is finite only for |x|, |y| ≤ 2.5, so the minimizer (3, −2) lies outside the finite region.
        var r = SolverHarness.Run(solver, new PoisonedProblem(double.NaN, limit: 2.5), [0.0, 0.0], new SolveOptions { MaxIterations = 300 });
        Assert.True(r.X.All(double.IsFinite), r.ToString());
        Assert.True(double.IsFinite(r.Objective), r.ToString());
        Assert.True(Math.Abs(r.X[0]) <= 2.5 && Math.Abs(r.X[1]) <= 2.5, r.ToString());
        Assert.NotEqual(SolveStatus.Converged, r.Status);
    }

    [Fact]
    public void A_fixed_step_that_blows_up_gives_Diverged_at_the_last_finite_point()
    {
        var p = new Rosenbrock();
        var r = new GradientDescentSolver { LearningRate = 0.1 }.Minimize(p, p.Start, new SolveOptions { MaxIterations = 10_000 });
        Assert.Equal(SolveStatus.Diverged, r.Status);
        Assert.True(r.X.All(double.IsFinite));
        Assert.True(double.IsFinite(r.Objective));
        Assert.Contains("learning rate", r.Message);
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void A_cancelled_token_gives_Cancelled_and_never_throws(string solver)
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var p = new Rosenbrock();
        var r = SolverHarness.Run(solver, p, p.Start, new SolveOptions { CancellationToken = cts.Token });
        Assert.Equal(SolveStatus.Cancelled, r.Status);
        Assert.Equal(0, r.Iterations);
        Assert.Equal(p.Start, r.X);
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void Cancelling_during_the_solve_stops_after_the_current_iteration(string solver)
    {
        using var cts = new CancellationTokenSource();
        var p = new ExtendedRosenbrock(10);
        var progress = new SyncProgress(info => { if (info.Iteration == 3) cts.Cancel(); });
        var r = SolverHarness.Run(solver, p, p.Start, new SolveOptions { CancellationToken = cts.Token, Progress = progress, GradientTolerance = 0 });
        Assert.Equal(SolveStatus.Cancelled, r.Status);
        Assert.Equal(3, r.Iterations);
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void The_iteration_limit_gives_MaxIterations_with_one_report_and_one_history_entry_per_iteration(string solver)
    {
        var p = new ExtendedRosenbrock(10);
        var reports = new List<IterationInfo>();
        var r = SolverHarness.Run(solver, p, p.Start, new SolveOptions { MaxIterations = 7, GradientTolerance = 0, Progress = new SyncProgress(reports.Add) });
        Assert.Equal(SolveStatus.MaxIterations, r.Status);
        Assert.Equal(7, r.Iterations);
        Assert.Equal(7, reports.Count);
        Assert.Equal(reports, r.History);
        Assert.Equal(Enumerable.Range(1, 7), r.History.Select(h => h.Iteration));
        Assert.True(r.History.Zip(r.History.Skip(1)).All(pair => pair.First.FunctionEvaluations <= pair.Second.FunctionEvaluations));
        Assert.Equal(r.Objective, r.History[^1].Objective);
        Assert.Equal(solver, r.Solver);
        Assert.True(r.FunctionEvaluations >= 8);
        Assert.True(r.Elapsed > TimeSpan.Zero);
        Assert.False(string.IsNullOrEmpty(r.Message));
        Assert.True(double.IsFinite(r.GradientNorm));
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void History_is_empty_when_not_recorded(string solver)
    {
        var p = new Rosenbrock();
        var r = SolverHarness.Run(solver, p, p.Start, new SolveOptions { MaxIterations = 5, RecordHistory = false });
        Assert.Empty(r.History);
        Assert.True(r.Iterations > 0);
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void The_evaluation_budget_gives_MaxEvaluations(string solver)
    {
        var p = new WatchedProblem(new PenaltyII(4)); // needs more than 100 evaluations with every method
        var r = SolverHarness.Run(solver, p, p.Start, new SolveOptions { MaxEvaluations = 25, GradientTolerance = 0 });
        Assert.Equal(SolveStatus.MaxEvaluations, r.Status);
        // The evaluation that completes an accepted gradient-descent step may go one past the budget.
        Assert.InRange(r.FunctionEvaluations, 25, 26);
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void A_zero_time_limit_gives_TimeLimit(string solver)
    {
        var p = new Rosenbrock();
        var r = SolverHarness.Run(solver, p, p.Start, new SolveOptions { TimeLimit = TimeSpan.Zero });
        Assert.Equal(SolveStatus.TimeLimit, r.Status);
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void A_start_point_of_the_wrong_length_is_an_ArgumentException_that_names_the_problem(string solver)
    {
        var e = Assert.Throws<ArgumentException>(() => SolverHarness.Run(solver, new Rosenbrock(), [1.0, 2.0, 3.0]));
        Assert.Contains("Rosenbrock", e.Message);
        Assert.Contains("3", e.Message);
        Assert.Equal("start", e.ParamName);
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void A_non_finite_start_point_is_an_ArgumentException(string solver)
    {
        var e = Assert.Throws<ArgumentException>(() => SolverHarness.Run(solver, new Rosenbrock(), [double.NaN, 1.0]));
        Assert.Contains("Rosenbrock", e.Message);
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void Bounds_of_the_wrong_length_are_an_ArgumentException(string solver)
    {
        var e = Assert.Throws<ArgumentException>(() => SolverHarness.Run(solver, new Rosenbrock(), [1.0, 1.0], null, new Bounds([0, 0, 0], [1, 1, 1])));
        Assert.Equal("bounds", e.ParamName);
    }

    [Theory]
    [InlineData("newton")]
    [InlineData("newton_cg")]
    public void Second_order_solvers_reject_finite_bounds_but_accept_an_open_box(string solver)
    {
        var p = new Rosenbrock();
        var e = Assert.Throws<ArgumentException>(() => SolverHarness.Run(solver, p, p.Start, null, new Bounds([-2, -2], [0.5, 2])));
        Assert.Contains("Rosenbrock", e.Message);
        var r = SolverHarness.Run(solver, p, p.Start, null, Bounds.Unbounded(2));
        Assert.Equal(SolveStatus.Converged, r.Status);
    }

    [Fact]
    public void Bounds_validate_their_arguments()
    {
        Assert.Throws<ArgumentException>(() => new Bounds([0, 2], [1, 1]));
        Assert.Throws<ArgumentException>(() => new Bounds([0], [1, 1]));
        Assert.Throws<ArgumentException>(() => new Bounds([double.NaN], [1]));
        Assert.Throws<ArgumentException>(() => new Bounds([double.PositiveInfinity], [double.PositiveInfinity]));
        Assert.Throws<ArgumentException>(() => new Bounds([0], [double.NegativeInfinity]));
        Assert.Throws<ArgumentNullException>(() => new Bounds(null!, [1]));
        var lower = new[] { double.NegativeInfinity, 0.0 };
        var b = new Bounds(lower, [1.0, double.PositiveInfinity]);
        lower[0] = 5;
        Assert.Equal(double.NegativeInfinity, b.Lower[0]);
        Assert.True(b.HasFiniteEntry);
        Assert.False(Bounds.Unbounded(3).HasFiniteEntry);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void Invalid_options_are_ArgumentExceptions(double tolerance)
    {
        var p = new Rosenbrock();
        Assert.Throws<ArgumentException>(() => new LbfgsSolver().Minimize(p, p.Start, new SolveOptions { GradientTolerance = tolerance }));
        Assert.Throws<ArgumentException>(() => new LbfgsSolver { Memory = 0 }.Minimize(p, p.Start));
        Assert.Throws<ArgumentException>(() => new AdamSolver { Beta1 = 1.0 }.Minimize(p, p.Start));
        Assert.Throws<ArgumentException>(() => new MomentumSolver { Nesterov = true, Momentum = 0 }.Minimize(p, p.Start));
        Assert.Throws<ArgumentException>(() => new GradientDescentSolver { LearningRate = -1 }.Minimize(p, p.Start));
    }

    [Theory]
    [MemberData(nameof(BoundedSolvers))]
    public void Bounded_rosenbrock_reaches_the_constrained_optimum_without_leaving_the_box(string solver)
    {
        // min (1 − x₀)² + 100(x₁ − x₀²)² with x₀ ≤ 0.5: the bound is active, x* = (0.5, 0.25), f* = 0.25.
        double[] lower = [-2, -2], upper = [0.5, 2];
        var p = new WatchedProblem(new Rosenbrock(), lower, upper);
        var options = new SolveOptions { GradientTolerance = solver == "rmsprop" ? 0.05 : 1e-6, MaxIterations = 100_000, RecordHistory = false };
        var r = SolverHarness.Run(solver, p, [-1.2, 1.0], options, new Bounds(lower, upper));
        Assert.Empty(p.Violations);
        Assert.True(r.Converged, r.ToString());
        Assert.Equal(0.5, r.X[0]);
        double tolerance = solver == "rmsprop" ? 1e-3 : 1e-5; // rmsprop with a fixed lr only reaches an lr-sized neighbourhood
        Assert.True(Math.Abs(r.X[1] - 0.25) <= tolerance, r.ToString());
        Assert.True(Math.Abs(r.Objective - 0.25) <= tolerance, r.ToString());
    }

    [Theory]
    [MemberData(nameof(BoundedSolvers))]
    public void The_start_point_is_clipped_into_the_box(string solver)
    {
        double[] lower = [-2, -2], upper = [0.5, 2];
        var p = new WatchedProblem(new Rosenbrock(), lower, upper);
        var r = SolverHarness.Run(solver, p, [3.0, -7.0], new SolveOptions { MaxIterations = 3 }, new Bounds(lower, upper));
        Assert.Empty(p.Violations);
        Assert.True(r.X[0] <= 0.5 && r.X[1] >= -2);
    }

    [Fact]
    public void An_open_box_takes_exactly_the_unbounded_path()
    {
        var p = new Wood();
        var a = new LbfgsSolver().Minimize(p, p.Start);
        var b = new LbfgsSolver().Minimize(p, p.Start, null, Bounds.Unbounded(4));
        Assert.Equal(a.X, b.X);
        Assert.Equal(a.Iterations, b.Iterations);
    }

    [Fact]
    public void Levenberg_Marquardt_handles_fewer_residuals_than_parameters()
    {
        // r = (x₀ + x₁ − 3): a line of minimizers; lm pads J with zero rows as lmder requires m ≥ n.
        var p = new UnderdeterminedProblem();
        var r = new LevenbergMarquardtSolver().Minimize(p, [0.0, 0.0]);
        Assert.True(r.Converged, r.ToString());
        Assert.True(Math.Abs(r.X[0] + r.X[1] - 3) < 1e-8);
        Assert.True(r.Objective < 1e-16);
    }

    private sealed class UnderdeterminedProblem : ILeastSquaresProblem
    {
        public int Dimension => 2;
        public int ResidualCount => 1;
        public void Residuals(ReadOnlySpan<double> x, Span<double> r) => r[0] = x[0] + x[1] - 3;
        public void Jacobian(ReadOnlySpan<double> x, Span<double> j) { j[0] = 1; j[1] = 1; }
    }

    [Fact]
    public void Already_stationary_start_converges_with_zero_iterations()
    {
        var p = new Rosenbrock();
        foreach (var solver in SolverHarness.All)
        {
            var r = SolverHarness.Run(solver, p, [1.0, 1.0]);
            Assert.Equal(SolveStatus.Converged, r.Status);
            Assert.Equal(0, r.Iterations);
            Assert.Equal(0, r.Objective);
        }
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void Iterations_allocate_nothing_after_start_up(string solver)
    {
        // Same solve with 5 and with 40 iterations: the managed allocations must not depend on the iteration count.
        var p = new PenaltyII(4); // needs more than 100 iterations with every method
        var shortRun = new SolveOptions { MaxIterations = 5, GradientTolerance = 0, RecordHistory = false };
        var longRun = shortRun with { MaxIterations = 40 };
        SolverHarness.Run(solver, p, p.Start, longRun); // warm up (JIT, tiering)
        SolverHarness.Run(solver, p, p.Start, shortRun);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var a = SolverHarness.Run(solver, p, p.Start, shortRun);
        long middle = GC.GetAllocatedBytesForCurrentThread();
        var b = SolverHarness.Run(solver, p, p.Start, longRun);
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(5, a.Iterations);
        Assert.Equal(40, b.Iterations);
        Assert.InRange((after - middle) - (middle - before), -256, 256);
    }
}
