using System;
using System.Linq;
using System.Reflection;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>pareto blocks end to end: the generated ParetoFront() lies on the analytic front, for both methods and senses.</summary>
public sealed class ParetoTests
{
    private const string Source = """
        problem WeightedTargets {
            var p[2] = [1, 0.5];
            objective near_origin = p[0]^2 + p[1]^2;
            objective near_two = (p[0] - 2)^2 + p[1]^2;
            pareto { minimize near_origin; minimize near_two; points: 11; method: weighted_sum; }
        }
        problem EpsilonTargets {
            var p[2] = [1, 0.5];
            objective near_origin = p[0]^2 + p[1]^2;
            objective near_two = (p[0] - 2)^2 + p[1]^2;
            pareto { minimize near_origin; minimize near_two; points: 9; method: epsilon; }
        }
        problem MixedSenses {
            var p[2] in [-3, 3] = [1, 0.5];
            objective spread = p[0]^2 + p[1]^2;
            objective score = -((p[0] - 2)^2 + p[1]^2);
            pareto { minimize spread; maximize score; points: 7; }
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() => GeneratedCode.Build("pareto.opt", Source));

    private static ParetoFront Front(string type) =>
        (ParetoFront)s_assembly.Value.Create(type).GetType().GetMethod("ParetoFront")!.Invoke(s_assembly.Value.Create(type), [null])!;

    [Theory]
    [InlineData("WeightedTargets", 11)]
    [InlineData("EpsilonTargets", 9)]
    public void Front_points_lie_on_the_analytic_front_and_are_monotone(string type, int expected)
    {
        var front = Front(type);
        Assert.Equal(["near_origin", "near_two"], front.ObjectiveNames);
        Assert.True(front.Count >= expected - 1, front.ToString());
        foreach (var point in front.Points)
        {
            // The front of |p|² and |p - (2, 0)|²: p = (t, 0), t in [0, 2], so f2 = (2 - √f1)².
            Assert.Equal(Math.Pow(2 - Math.Sqrt(point.Objectives[0]), 2), point.Objectives[1], 5);
        }
        var f1 = front.ObjectiveColumn(0).ToArray();
        var f2 = front.ObjectiveColumn(1).ToArray();
        for (int k = 1; k < front.Count; k++)
        {
            Assert.True(f1[k] > f1[k - 1], $"f1 not increasing at {k}: {front}");
            Assert.True(f2[k] < f2[k - 1], $"f2 not decreasing at {k}: {front}");
        }
        Assert.Equal(0, f1[0], 5);
        Assert.Equal(0, f2[^1], 5);
    }

    [Fact]
    public void A_maximized_objective_is_reported_as_written()
    {
        var front = Front("MixedSenses");
        Assert.Equal([false, true], front.Maximize);
        foreach (var point in front.Points)
            Assert.Equal(-Math.Pow(2 - Math.Sqrt(point.Objectives[0]), 2), point.Objectives[1], 5);
    }

    [Fact]
    public void Objective_values_are_each_objective_as_written()
    {
        var problem = s_assembly.Value.Create("MixedSenses");
        var method = problem.GetType().GetMethod("ObjectiveValues")!.CreateDelegate<Values>(problem);
        var values = new double[2];
        method([1, 2], values);
        Assert.Equal([5, -5], values);
    }

    private delegate void Values(ReadOnlySpan<double> x, Span<double> values);

    // ---- The sweep owns the scalarization: an instance carries no hidden weights ------------------------------------

    [Theory]
    [InlineData("WeightedTargets")]
    [InlineData("EpsilonTargets")]
    public void Solve_after_ParetoFront_solves_the_problem_as_written(string type)
    {
        var fresh = GeneratedCode.Solve(s_assembly.Value.Create(type));
        var swept = s_assembly.Value.Create(type);
        var front = (ParetoFront)swept.GetType().GetMethod("ParetoFront")!.Invoke(swept, [null])!;
        Assert.True(front.Count > 2, front.ToString());
        var after = GeneratedCode.Solve(swept);

        // The problem as written is the equal-weight sum: its minimum is p = (1, 0), each objective 1, f = 1.
        Assert.Equal(SolveStatus.Converged, fresh.Status);
        Assert.Equal(1, fresh.Objective, 8);
        Assert.Equal(fresh.X, after.X);
        Assert.Equal(fresh.Objective, after.Objective);
        Assert.Equal(fresh.Iterations, after.Iterations);
        var objective = (IObjectiveProblem)swept;
        Assert.Equal(objective.Objective([3, 4]), ((IObjectiveProblem)s_assembly.Value.Create(type)).Objective([3, 4]));
    }

    [Theory]
    [InlineData("WeightedTargets")]
    [InlineData("EpsilonTargets")]
    [InlineData("MixedSenses")]
    public void Sweeps_of_one_instance_in_parallel_give_the_fronts_of_sweeps_one_after_the_other(string type)
    {
        var problem = s_assembly.Value.Create(type);
        var method = problem.GetType().GetMethod("ParetoFront")!;
        ParetoFront Sweep() => (ParetoFront)method.Invoke(problem, [null])!;
        var sequential = new[] { Sweep(), Sweep() };
        var parallel = new ParetoFront[4];
        System.Threading.Tasks.Parallel.For(0, parallel.Length, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = Sweep());

        foreach (var front in sequential.Skip(1).Concat(parallel))
        {
            Assert.Equal(sequential[0].Count, front.Count);
            for (int i = 0; i < front.Count; i++)
            {
                Assert.Equal(sequential[0].Points[i].Objectives, front.Points[i].Objectives);
                Assert.Equal(sequential[0].Points[i].X, front.Points[i].X);
            }
        }
    }

    [Fact]
    public void A_weighted_sum_class_refuses_epsilon_levels_instead_of_ignoring_them()
    {
        var problem = (IParetoProblem)s_assembly.Value.Create("WeightedTargets");
        Assert.False(problem.HasEpsilonRows);
        var sweep = Assert.Throws<ArgumentException>(() => ParetoSweep.Run(problem, ParetoMethod.Epsilon, 5));
        Assert.Contains("epsilon-constraint rows", sweep.Message);
        Assert.Equal("method", sweep.ParamName);

        var direct = Assert.Throws<ArgumentException>(() => problem.SolveScalarized([1, 0], [double.PositiveInfinity, 0.5], [1, 0.5], null));
        Assert.Contains("upper[1] is 0.5", direct.Message);
        Assert.Contains("weighted-sum", direct.Message);
    }

    [Fact]
    public void An_epsilon_class_can_also_be_swept_by_weighted_sums()
    {
        var problem = (IParetoProblem)s_assembly.Value.Create("EpsilonTargets");
        Assert.True(problem.HasEpsilonRows);
        var front = ParetoSweep.Run(problem, ParetoMethod.WeightedSum, 7);
        Assert.Equal(ParetoMethod.WeightedSum, front.Method);
        Assert.True(front.Count >= 6, front.ToString());
        foreach (var point in front.Points)
            Assert.Equal(Math.Pow(2 - Math.Sqrt(point.Objectives[0]), 2), point.Objectives[1], 5);
    }
}
