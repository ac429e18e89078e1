using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Pareto;

public class ParetoSweepTests
{
    private static void AssertNonDominated(ParetoFront front)
    {
        var vectors = front.Points.Select(p => p.Objectives).ToList();
        Assert.Equal(Enumerable.Range(0, vectors.Count), ParetoFilter.NonDominated(vectors, front.Maximize));
        Assert.All(front.Points, p => Assert.True(p.Result.Converged, p.Result.ToString()));
    }

    [Theory]
    [InlineData(ParetoMethod.WeightedSum)]
    [InlineData(ParetoMethod.Epsilon)]
    public void Convex_front_matches_the_analytic_curve(ParetoMethod method)
    {
        var front = ParetoSweep.Run(DistanceProblem.TwoCircles(), method, 11);

        Assert.False(front.Cancelled);
        Assert.Empty(front.Failed);
        Assert.Equal(11, front.Count);
        foreach (var p in front.Points)
        {
            double f1 = p.Objectives[0], f2 = p.Objectives[1];
            Assert.InRange(p.X[1], -1e-6, 1e-6);
            Assert.InRange(p.X[0], -1e-6, 2 + 1e-6);
            Assert.Equal(Math.Pow(2 - Math.Sqrt(f1), 2), f2, 1e-6);
        }
        var f1s = front.ObjectiveColumn(0);
        var f2s = front.ObjectiveColumn(1);
        for (int i = 1; i < front.Count; i++)
        {
            Assert.True(f1s[i] > f1s[i - 1]);
            Assert.True(f2s[i] < f2s[i - 1]);
        }
        // The anchors are the ends: (0, 4) and (4, 0).
        Assert.Equal(0, f1s[0], 1e-6);
        Assert.Equal(4, f2s[0], 1e-6);
        Assert.Equal(4, f1s[^1], 1e-6);
        Assert.Equal(0, f2s[^1], 1e-6);
        Assert.Equal(new[] { 0.0, 0.0 }, front.Ideal.Select(v => Math.Round(v, 6)));
        Assert.Equal(new[] { 4.0, 4.0 }, front.Nadir.Select(v => Math.Round(v, 6)));
        AssertNonDominated(front);
    }

    [Fact]
    public void Weighted_sum_points_follow_the_normalized_weights()
    {
        // Both ranges are 4, so the weights (1 − t, t) give x = 2t exactly.
        var front = ParetoSweep.Run(DistanceProblem.TwoCircles(), ParetoMethod.WeightedSum, 5);
        Assert.Equal(new[] { 0, 0.5, 1, 1.5, 2 }, front.Points.Select(p => Math.Round(p.X[0], 6)));
    }

    [Fact]
    public void Epsilon_levels_are_evenly_spaced_between_the_anchors()
    {
        var front = ParetoSweep.Run(DistanceProblem.TwoCircles(), ParetoMethod.Epsilon, 5);
        // f2 levels 0, 1, 2, 3, 4 (from the anchors' f2 values 0 and 4), every row active.
        Assert.Equal(new[] { 4.0, 3, 2, 1, 0 }, front.ObjectiveColumn(1).Select(v => Math.Round(v, 6)));
        Assert.Equal(5, front.Solves); // 2 anchors + 3 interior levels
    }

    [Theory]
    [InlineData(ParetoMethod.WeightedSum)]
    [InlineData(ParetoMethod.Epsilon)]
    public void Mixed_senses_report_objectives_as_written(ParetoMethod method)
    {
        var front = ParetoSweep.Run(new CostReturnProblem(), method, 9);

        Assert.Empty(front.Failed);
        Assert.Equal(9, front.Count);
        Assert.Equal(new[] { false, true }, front.Maximize);
        foreach (var p in front.Points)
        {
            double t = Math.Sqrt(p.Objectives[0] / 5);
            Assert.Equal(4 - 5 * (1 - t) * (1 - t), p.Objectives[1], 1e-6);
            Assert.Equal(2 * p.X[1], p.X[0], 1e-6); // on the segment t·(2, 1)
        }
        // More cost buys more return: both columns increase along the front.
        var cost = front.ObjectiveColumn(0);
        var ret = front.ObjectiveColumn(1);
        for (int i = 1; i < front.Count; i++)
        {
            Assert.True(cost[i] > cost[i - 1]);
            Assert.True(ret[i] > ret[i - 1]);
        }
        Assert.Equal(0, cost[0], 1e-6);
        Assert.Equal(-1, ret[0], 1e-6);
        Assert.Equal(5, cost[^1], 1e-6);
        Assert.Equal(4, ret[^1], 1e-6);
        Assert.Equal(4, front.Ideal[1], 1e-6);  // best return, as written
        Assert.Equal(-1, front.Nadir[1], 1e-6); // worst return over the anchors
        AssertNonDominated(front);
    }

    [Fact]
    public void Weighted_sums_miss_a_concave_front_that_epsilon_finds()
    {
        var problem = new ConcaveFrontProblem();
        var weighted = ParetoSweep.Run(problem, ParetoMethod.WeightedSum, 11);
        var epsilon = ParetoSweep.Run(problem, ParetoMethod.Epsilon, 11);

        // Every weighted sum is minimized at an anchor: only (0, 1) and (1, 0) remain.
        Assert.Equal(2, weighted.Count);
        Assert.Equal(new[] { 0.0, 1.0 }, weighted.ObjectiveColumn(0).Select(v => Math.Round(v, 6)));
        Assert.Equal(new[] { 1.0, 0.0 }, weighted.ObjectiveColumn(1).Select(v => Math.Round(v, 6)));

        // The ε-constraint method traces the concave curve f2 = 1 − f1².
        Assert.Empty(epsilon.Failed);
        Assert.Equal(11, epsilon.Count);
        foreach (var p in epsilon.Points)
            Assert.Equal(1 - p.Objectives[0] * p.Objectives[0], p.Objectives[1], 1e-6);
        Assert.Equal(9, epsilon.Points.Count(p => p.Objectives[0] > 0.01 && p.Objectives[0] < 0.99));
        // Those interior points lie above the chord f1 + f2 = 1 that any weighted sum would prefer.
        Assert.All(epsilon.Points.Where(p => p.Objectives[0] > 0.01 && p.Objectives[0] < 0.99),
            p => Assert.True(p.Objectives[0] + p.Objectives[1] > 1 + 1e-3));
        AssertNonDominated(epsilon);
    }

    private static DistanceProblem ThreeCentres() =>
        new(new[] { new[] { 0.0, 3.0 }, new[] { 2.0, 0.0 }, new[] { -2.0, 0.0 } });

    [Fact]
    public void Three_objective_epsilon_grid_skips_infeasible_levels()
    {
        // Ranges of f2 and f3 are 16; a 5 × 5 grid of levels 3.2, 6.4, …, 16. At (3.2, 3.2) the disks of radius 1.79
        // around (±2, 0) do not meet: that level is infeasible and skipped.
        var front = ParetoSweep.Run(ThreeCentres(), ParetoMethod.Epsilon, 25);

        Assert.Equal(3 + 25, front.Solves);
        var infeasible = Assert.Single(front.Failed);
        Assert.Equal(SolveStatus.Infeasible, infeasible.Status);
        Assert.Equal(new[] { 3.2, 3.2 }, infeasible.Upper.Skip(1).Select(v => Math.Round(v, 9)));
        Assert.True(front.Count >= 10, front.ToString());
        foreach (var p in front.Points)
        {
            // Every converged ε-solution is Pareto optimal for three distances: inside the triangle of the centres.
            Assert.InRange(p.X[1], -1e-6, 3 + 1e-6);
            Assert.InRange(Math.Abs(p.X[0]), 0, 2 - 2 * p.X[1] / 3 + 1e-6);
        }
        // The loosest level (16, 16) leaves both rows inactive and finds the first anchor again, up to the solver's
        // accuracy: the near-duplicate is dropped.
        Assert.Single(front.Points, p => p.Objectives[0] < 1e-6);
        for (int i = 0; i < front.Count; i++)
            for (int j = 0; j < i; j++)
            {
                double gap = Enumerable.Range(0, 3).Max(k => Math.Abs(front.Points[i].Objectives[k] - front.Points[j].Objectives[k]));
                Assert.True(gap > 1e-6 * 16, $"points {j} and {i} coincide");
            }
        AssertNonDominated(front);
    }

    [Fact]
    public void Three_objective_weighted_sums_use_a_simplex_lattice()
    {
        // About 15 points for K = 3: H = 4 gives C(6, 2) = 15 weight vectors, three of them the anchors.
        var front = ParetoSweep.Run(ThreeCentres(), ParetoMethod.WeightedSum, 15);
        Assert.Equal(3 + 12, front.Solves);
        Assert.Empty(front.Failed);
        Assert.Equal(15, front.Count);
        AssertNonDominated(front);
    }

    /// <summary>Refuses ε-rows whose level is below 1 (as an infeasible solver would), to test the bookkeeping.</summary>
    private sealed class RefusingProblem(IParetoProblem inner) : IParetoProblem
    {
        public int Dimension => inner.Dimension;
        public int ObjectiveCount => inner.ObjectiveCount;
        public IReadOnlyList<string> ObjectiveNames => inner.ObjectiveNames;
        public IReadOnlyList<bool> Maximize => inner.Maximize;
        public bool HasEpsilonRows => inner.HasEpsilonRows;
        public void ObjectiveValues(ReadOnlySpan<double> x, Span<double> values) => inner.ObjectiveValues(x, values);
        public double[] StartPoint() => inner.StartPoint();

        public SolveResult SolveScalarized(ReadOnlySpan<double> weights, ReadOnlySpan<double> upper, ReadOnlySpan<double> start, SolveOptions? options) =>
            upper[1] < 1
                ? new SolveResult { X = start.ToArray(), Objective = double.NaN, Status = SolveStatus.Infeasible }
                : inner.SolveScalarized(weights, upper, start, options);
    }

    [Fact]
    public void Infeasible_epsilon_levels_are_recorded_not_thrown()
    {
        // Levels 0.5, 1, …, 3.5 between the anchors' f2 = 0 and 4: the level 0.5 is refused.
        var front = ParetoSweep.Run(new RefusingProblem(DistanceProblem.TwoCircles()), ParetoMethod.Epsilon, 9);
        var failure = Assert.Single(front.Failed);
        Assert.Equal(SolveStatus.Infeasible, failure.Status);
        Assert.Equal(0.5, failure.Upper[1]);
        Assert.Equal(8, front.Count);
        Assert.Contains("1 not converged", front.ToString());
        AssertNonDominated(front);
    }

    /// <summary>Cancels a token source after a given number of solves.</summary>
    private sealed class CancellingProblem(IParetoProblem inner, CancellationTokenSource source, int after) : IParetoProblem
    {
        public int Calls { get; private set; }
        public int Dimension => inner.Dimension;
        public int ObjectiveCount => inner.ObjectiveCount;
        public IReadOnlyList<string> ObjectiveNames => inner.ObjectiveNames;
        public IReadOnlyList<bool> Maximize => inner.Maximize;
        public bool HasEpsilonRows => inner.HasEpsilonRows;
        public void ObjectiveValues(ReadOnlySpan<double> x, Span<double> values) => inner.ObjectiveValues(x, values);
        public double[] StartPoint() => inner.StartPoint();

        public SolveResult SolveScalarized(ReadOnlySpan<double> weights, ReadOnlySpan<double> upper, ReadOnlySpan<double> start, SolveOptions? options)
        {
            var result = inner.SolveScalarized(weights, upper, start, options);
            if (++Calls == after) source.Cancel();
            return result;
        }
    }

    [Theory]
    [InlineData(ParetoMethod.WeightedSum)]
    [InlineData(ParetoMethod.Epsilon)]
    public void Cancellation_returns_a_partial_front(ParetoMethod method)
    {
        using var source = new CancellationTokenSource();
        var problem = new CancellingProblem(DistanceProblem.TwoCircles(), source, after: 4);
        var front = ParetoSweep.Run(problem, method, 21, SolveOptions.Default with { CancellationToken = source.Token });

        Assert.True(front.Cancelled);
        Assert.Equal(4, problem.Calls);
        Assert.Equal(4, front.Solves);
        Assert.Equal(4, front.Count); // two anchors and two sweep points, all on the front
        Assert.Contains("cancelled", front.ToString());
        AssertNonDominated(front);
    }

    [Fact]
    public void A_cancelled_token_returns_an_empty_front()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        var front = ParetoSweep.Run(DistanceProblem.TwoCircles(), ParetoMethod.Epsilon, 5, new SolveOptions { CancellationToken = source.Token });
        Assert.True(front.Cancelled);
        Assert.Equal(0, front.Solves);
        Assert.Empty(front.Points);
        Assert.True(double.IsNaN(front.Ideal[0]));
    }

    [Fact]
    public void Failed_anchors_do_not_throw()
    {
        var front = ParetoSweep.Run(DistanceProblem.TwoCircles(), ParetoMethod.WeightedSum, 5, new SolveOptions { MaxIterations = 0 });
        Assert.Empty(front.Points);
        Assert.Equal(2, front.Failed.Count);
        Assert.All(front.Failed, f => Assert.Equal(SolveStatus.MaxIterations, f.Status));
    }

    [Fact]
    public void Argument_errors_name_the_problem()
    {
        var problem = DistanceProblem.TwoCircles();
        var ex = Assert.Throws<ArgumentException>(() => ParetoSweep.Run(problem, ParetoMethod.Epsilon, 1));
        Assert.Contains(nameof(DistanceProblem), ex.Message);
        Assert.Contains("points", ex.Message);
        var single = new DistanceProblem(new[] { new[] { 0.0, 0.0 } });
        ex = Assert.Throws<ArgumentException>(() => ParetoSweep.Run(single, ParetoMethod.WeightedSum, 5));
        Assert.Contains(nameof(DistanceProblem), ex.Message);
        Assert.Contains("at least 2 objectives", ex.Message);
        var badSenses = new DistanceProblem(new[] { new[] { 0.0, 0.0 }, new[] { 1.0, 0.0 } }, maximize: new[] { false });
        ex = Assert.Throws<ArgumentException>(() => ParetoSweep.Run(badSenses, ParetoMethod.WeightedSum, 5));
        Assert.Contains("Maximize has 1 entries", ex.Message);
        Assert.Throws<ArgumentException>(() => ParetoSweep.Run(problem, (ParetoMethod)7, 5));
        Assert.Throws<ArgumentNullException>(() => ParetoSweep.Run(null!, ParetoMethod.Epsilon, 5));
    }

    [Fact]
    public void Csv_and_table()
    {
        var front = ParetoSweep.Run(new CostReturnProblem(), ParetoMethod.Epsilon, 3);
        var lines = front.Csv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("cost,ret,x0,x1", lines[0]);
        Assert.Equal(4, lines.Length);
        var first = lines[1].Split(',').Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(front.Points[0].Objectives[0], first[0]);
        Assert.Equal(front.Points[0].X[1], first[3]);
        var table = front.ToString();
        Assert.Contains("ret (max)", table);
        Assert.Contains("3 points", table);
    }
}
