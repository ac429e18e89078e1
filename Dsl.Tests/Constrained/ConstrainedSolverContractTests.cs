using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Constrained;

/// <summary>
/// How both constrained solvers end when the problem has no solution or the caller stops them: infeasible and unbounded
/// problems, NaN, cancellation, iteration/evaluation/time limits, history, multipliers by label, argument checks.
/// </summary>
public sealed class ConstrainedSolverContractTests
{
    public static TheoryData<string> SolverNames() => new(["ipm", "auglag", "auglag-newton"]);

    private static SolveResult Run(string solver, IConstrainedProblem problem, double[] start, SolveOptions? options = null, Bounds? bounds = null) => solver switch
    {
        "ipm" => new InteriorPointSolver().Minimize(problem, start, options, bounds),
        "auglag" => new AugmentedLagrangianSolver().Minimize(problem, start, options, bounds),
        "auglag-newton" => new AugmentedLagrangianSolver { Inner = InnerSolver.Newton }.Minimize(problem, start, options, bounds),
        _ => throw new ArgumentOutOfRangeException(nameof(solver)),
    };

    private static SolveResult Run(string solver, string type, SolveOptions? options = null)
    {
        var problem = ConstrainedProblems.Problem(type);
        return Run(solver, problem, ConstrainedProblems.Start(problem), options, ConstrainedProblems.Bounds(problem));
    }

    private static void AssertFinite(SolveResult r)
    {
        Assert.All(r.X, v => Assert.True(double.IsFinite(v)));
        Assert.NotNull(r.Kkt);
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void Contradictory_bounds_end_infeasible_at_the_least_infeasible_point(string solver)
    {
        // x ≥ 2 and x ≤ 1: the least sum of squared violations is at x = 1.5 (violation 0.5 on each row).
        var r = Run(solver, "Contradiction");
        Assert.Equal(SolveStatus.Infeasible, r.Status);
        AssertFinite(r);
        Assert.Equal(1.5, r.X[0], 6);
        Assert.Equal(0.5, r.Kkt!.PrimalFeasibility, 6);
        Assert.Contains("least-infeasible", r.Message);
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void A_disk_and_a_distant_half_plane_end_infeasible(string solver)
    {
        // Along x0 = x1 = t the squared violation (2t² − 1)² + (4 − 2t)² is stationary at t = 1.
        var r = Run(solver, "DiskAndPlane");
        Assert.Equal(SolveStatus.Infeasible, r.Status);
        AssertFinite(r);
        Assert.Equal(1, r.X[0], 5);
        Assert.Equal(1, r.X[1], 5);
        Assert.Equal(2, r.Kkt!.PrimalFeasibility, 5);
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void Rows_with_a_lower_bound_above_the_upper_bound_are_infeasible(string solver)
    {
        var problem = new LinearProblem(2, [1, 0, 0, 1], [3, 0], [2, 5]);
        var r = Run(solver, problem, [0, 0]);
        Assert.Equal(SolveStatus.Infeasible, r.Status);
        AssertFinite(r);
        Assert.Equal(2.5, r.X[0], 6);
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void Minimizing_x_with_only_an_upper_bound_is_unbounded(string solver)
    {
        var r = Run(solver, "OpenBelow");
        Assert.Equal(SolveStatus.Unbounded, r.Status);
        AssertFinite(r);
        Assert.True(r.X[0] < -1e9, r.ToString());
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void A_feasible_ray_of_descent_is_unbounded(string solver)
    {
        var r = Run(solver, "Ray");
        Assert.Equal(SolveStatus.Unbounded, r.Status);
        AssertFinite(r);
        Assert.True(r.Objective < -1e9, r.ToString());
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void NaN_at_the_start_is_diverged(string solver)
    {
        var r = Run(solver, "LogAtStart");
        Assert.Equal(SolveStatus.Diverged, r.Status);
        AssertFinite(r);
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void Trial_points_where_the_objective_is_NaN_are_stepped_back_from(string solver)
    {
        // min x − log x (x ≤ 10) from x = 5: a full Newton step lands at x = −15, where log is NaN.
        var r = Run(solver, "LogInside");
        Assert.Equal(SolveStatus.Converged, r.Status);
        Assert.Equal(1, r.X[0], 6);
        Assert.Equal(1, r.Objective, 10);
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void Redundant_equalities_are_handled(string solver)
    {
        // HS028 with its constraint written twice (dependent rows): only λ₁ + λ₂ is determined.
        var r = Run(solver, "Redundant");
        Assert.Equal(SolveStatus.Converged, r.Status);
        Assert.Equal(0, r.Objective, 8);
        Assert.True(r.Kkt!.Max <= 1e-7, r.Kkt.ToString());
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void Multipliers_are_reported_by_label_with_a_fixed_variable_and_two_sided_rows(string solver)
    {
        var r = Run(solver, "Ranges");
        Assert.Equal(SolveStatus.Converged, r.Status);
        Assert.Equal(["band", "bounds", "order", "spread"], r.Multipliers.Keys.Order(StringComparer.Ordinal));
        // x0 + x1 at its upper bound 2 (λ > 0), x0 − x1 at its lower bound −0.5 (λ < 0), both order rows active.
        Assert.Equal(5.75, r.Multipliers["band"][0], 5);
        Assert.Equal(-1.25, r.Multipliers["spread"][0], 5);
        Assert.Equal([2.5, 3.5], r.Multipliers["order"].Select(v => Math.Round(v, 5)));
        // The fixed variable x2 = 0.5 carries the multiplier −∂f/∂x2 = −x0.
        Assert.Equal(-0.75, r.Multipliers["bounds"][2], 5);
        Assert.Equal([0.75, 1.25, 0.5, 1.75, 2.25], r.X.Select(v => Math.Round(v, 6)));
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void Cancellation_before_the_solve(string solver)
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var r = Run(solver, "Hs071", new SolveOptions { CancellationToken = cts.Token });
        Assert.Equal(SolveStatus.Cancelled, r.Status);
        Assert.Equal(0, r.Iterations);
        AssertFinite(r);
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void Cancellation_during_the_solve(string solver)
    {
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress(info => { if (info.Iteration == 2) cts.Cancel(); });
        var r = Run(solver, "Hs100", new SolveOptions { CancellationToken = cts.Token, Progress = progress });
        Assert.Equal(SolveStatus.Cancelled, r.Status);
        Assert.Equal(2, r.Iterations);
        AssertFinite(r);
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void The_iteration_limit_stops_the_solve(string solver)
    {
        var r = Run(solver, "Hs100", new SolveOptions { MaxIterations = 2 });
        Assert.Equal(SolveStatus.MaxIterations, r.Status);
        Assert.Equal(2, r.Iterations);
        Assert.Equal(2, r.History.Count);
        AssertFinite(r);
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void The_evaluation_budget_stops_the_solve(string solver)
    {
        var r = Run(solver, "Hs100", new SolveOptions { MaxEvaluations = 12 });
        Assert.Equal(SolveStatus.MaxEvaluations, r.Status);
        Assert.InRange(r.FunctionEvaluations, 12, 13);
        AssertFinite(r);
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void The_time_limit_stops_the_solve(string solver)
    {
        var r = Run(solver, "Hs100", new SolveOptions { TimeLimit = TimeSpan.FromTicks(1) });
        Assert.Equal(SolveStatus.TimeLimit, r.Status);
        AssertFinite(r);
    }

    [Theory]
    [MemberData(nameof(SolverNames))]
    public void History_and_progress_report_every_iteration(string solver)
    {
        var seen = new List<IterationInfo>();
        var r = Run(solver, "Hs071", new SolveOptions { Progress = new SynchronousProgress(seen.Add) });
        Assert.Equal(SolveStatus.Converged, r.Status);
        Assert.Equal(r.Iterations, r.History.Count);
        Assert.Equal(r.History, seen);
        Assert.Equal(Enumerable.Range(1, r.Iterations), r.History.Select(h => h.Iteration));
        Assert.Equal(r.Kkt!.Stationarity, r.GradientNorm);
        var quiet = Run(solver, "Hs071", new SolveOptions { RecordHistory = false });
        Assert.Empty(quiet.History);
        Assert.Equal(r.X, quiet.X);
    }

    [Fact]
    public void Bounds_only_without_rows()
    {
        // min ½‖x − (3, −1)‖² on [0, 2]²: x* = (2, 0); z = −∇f = (1, −1): ≥ 0 at the upper bound, ≤ 0 at the lower.
        var problem = new LinearProblem(2, [], [], [], target: [3, -1]);
        var bounds = new Bounds([0, 0], [2, 2]);
        foreach (var solver in new[] { "ipm", "auglag", "auglag-newton" })
        {
            var r = Run(solver, problem, [1, 1], null, bounds);
            Assert.Equal(SolveStatus.Converged, r.Status);
            Assert.Equal(2, r.X[0], 7);
            Assert.Equal(0, r.X[1], 7);
            Assert.Equal(1, r.Multipliers["bounds"][0], 6);
            Assert.Equal(-1, r.Multipliers["bounds"][1], 6);
        }
    }

    [Fact]
    public void A_family_labelled_bounds_keeps_its_name()
    {
        var problem = new LinearProblem(2, [1, 1], [1], [1], target: [3, -1], label: "bounds");
        var r = new InteriorPointSolver().Minimize(problem, [0.5, 0.5], null, new Bounds([0, 0], [2, 2]));
        Assert.Equal(SolveStatus.Converged, r.Status);
        Assert.Single(r.Multipliers["bounds"]);
        Assert.Equal(2, r.Multipliers["bounds(variables)"].Length);
    }

    [Fact]
    public void Argument_errors_name_the_solver()
    {
        var problem = ConstrainedProblems.Problem("Hs071");
        var e = Assert.Throws<ArgumentException>(() => new InteriorPointSolver().Minimize(problem, [1, 2, 3]));
        Assert.Contains("ipm", e.Message);
        e = Assert.Throws<ArgumentException>(() => new AugmentedLagrangianSolver().Minimize(problem, [1, 2, 3, double.NaN]));
        Assert.Contains("auglag", e.Message);
        Assert.Throws<ArgumentException>(() => new InteriorPointSolver { InitialBarrier = 0 }.Minimize(problem, [1, 5, 5, 1]));
        Assert.Throws<ArgumentException>(() => new AugmentedLagrangianSolver { InitialPenalty = -1 }.Minimize(problem, [1, 5, 5, 1]));
        Assert.Throws<ArgumentException>(() => new AugmentedLagrangianSolver { Inner = (InnerSolver)42 }.Minimize(problem, [1, 5, 5, 1]));
        Assert.Throws<ArgumentException>(() => new InteriorPointSolver().Minimize(problem, [1, 5, 5, 1], new SolveOptions { GradientTolerance = -1 }));
        Assert.Throws<ArgumentException>(() => new InteriorPointSolver().Minimize(problem, [1, 5, 5, 1], null, new Bounds([0], [1])));
        Assert.Throws<ArgumentNullException>(() => new InteriorPointSolver().Minimize(null!, [1]));
    }

    [Fact]
    public void Options_map_to_the_solvers()
    {
        // mu0 and rho change the path, not the answer.
        var problem = ConstrainedProblems.Problem("Hs071");
        var start = ConstrainedProblems.Start(problem);
        var bounds = ConstrainedProblems.Bounds(problem);
        var a = new InteriorPointSolver { InitialBarrier = 1 }.Minimize(problem, start, null, bounds);
        var b = new AugmentedLagrangianSolver { InitialPenalty = 100 }.Minimize(problem, start, null, bounds);
        Assert.Equal(SolveStatus.Converged, a.Status);
        Assert.Equal(SolveStatus.Converged, b.Status);
        Assert.Equal(17.0140173, a.Objective, 6);
        Assert.Equal(17.0140173, b.Objective, 6);
        Assert.Equal("ipm", a.Solver);
        Assert.Equal("auglag", b.Solver);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<IterationInfo> report) : IProgress<IterationInfo>
    {
        public void Report(IterationInfo value) => report(value);
    }

    /// <summary>min ½‖x − target‖² subject to linear rows lower ≤ A·x ≤ upper (hand-written, for shapes the compiler does not produce).</summary>
    private sealed class LinearProblem(int n, double[] a, double[] lower, double[] upper, double[]? target = null, string label = "rows") : IConstrainedProblem
    {
        private readonly double[] _target = target ?? new double[n];
        private int M => lower.Length;

        public int Dimension => n;
        public int ConstraintCount => M;
        public IReadOnlyList<(string Label, int Offset, int Count)> ConstraintLabels => M == 0 ? [] : [(label, 0, M)];

        public double Objective(ReadOnlySpan<double> x)
        {
            double f = 0;
            for (int i = 0; i < n; i++) f += 0.5 * (x[i] - _target[i]) * (x[i] - _target[i]);
            return f;
        }

        public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
        {
            for (int i = 0; i < n; i++) gradient[i] = x[i] - _target[i];
            return Objective(x);
        }

        public void Hessian(ReadOnlySpan<double> x, Span<double> hessian)
        {
            hessian.Clear();
            for (int i = 0; i < n; i++) hessian[i * n + i] = 1;
        }

        public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv) => v.CopyTo(hv);

        public void Constraints(ReadOnlySpan<double> x, Span<double> values)
        {
            for (int k = 0; k < M; k++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += a[k * n + i] * x[i];
                values[k] = s;
            }
        }

        public void ConstraintBounds(Span<double> lo, Span<double> hi)
        {
            lower.CopyTo(lo);
            upper.CopyTo(hi);
        }

        public void ConstraintJacobian(ReadOnlySpan<double> x, Span<double> jacobian) => a.CopyTo(jacobian);

        public double LagrangianGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, Span<double> gradient)
        {
            double f = Gradient(x, gradient);
            var c = new double[M];
            Constraints(x, c);
            for (int k = 0; k < M; k++)
            {
                f += multipliers[k] * c[k];
                for (int i = 0; i < n; i++) gradient[i] += multipliers[k] * a[k * n + i];
            }
            return f;
        }

        public void LagrangianHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, Span<double> hessian) => Hessian(x, hessian);

        public void LagrangianHessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, ReadOnlySpan<double> v, Span<double> hv) => v.CopyTo(hv);
    }
}
