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
}
