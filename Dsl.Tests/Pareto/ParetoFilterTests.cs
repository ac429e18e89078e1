using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Pareto;

public class ParetoFilterTests
{
    private static readonly bool[] MinMin = { false, false };

    [Fact]
    public void Keeps_the_trade_off_and_drops_dominated_and_duplicate_vectors()
    {
        var set = new[] { new[] { 1.0, 2 }, new[] { 2.0, 1 }, new[] { 2.0, 2 }, new[] { 1.0, 2 }, new[] { 3.0, 0 } };
        Assert.Equal(new[] { 0, 1, 4 }, ParetoFilter.NonDominated(set, MinMin));
    }

    [Fact]
    public void Ties_in_one_objective_are_decided_by_the_other()
    {
        var set = new[] { new[] { 1.0, 5 }, new[] { 1.0, 4 } };
        Assert.Equal(new[] { 1 }, ParetoFilter.NonDominated(set, MinMin));
        Assert.Equal(new[] { 0 }, ParetoFilter.NonDominated(set, new[] { false, true }));
    }

    [Fact]
    public void Mixed_senses_follow_each_objective()
    {
        // minimize the first, maximize the second: (1, 3) beats (1, 2) and (2, 1).
        var set = new[] { new[] { 1.0, 2 }, new[] { 2.0, 1 }, new[] { 1.0, 3 } };
        Assert.Equal(new[] { 2 }, ParetoFilter.NonDominated(set, new[] { false, true }));
        // maximize both: (2, 1) and (1, 3) trade off, (1, 2) is dominated by (1, 3).
        Assert.Equal(new[] { 1, 2 }, ParetoFilter.NonDominated(set, new[] { true, true }));
        // maximize the first, minimize the second: (2, 1) dominates everything.
        Assert.Equal(new[] { 1 }, ParetoFilter.NonDominated(set, new[] { true, false }));
    }

    [Fact]
    public void Duplicates_keep_their_first_occurrence_and_signed_zeros_are_equal()
    {
        var set = new[] { new[] { 5.0, 5 }, new[] { 0.0, 1 }, new[] { -0.0, 1 }, new[] { 0.0, 1 } };
        Assert.Equal(new[] { 1 }, ParetoFilter.NonDominated(set, MinMin));
    }

    [Fact]
    public void Empty_NaN_infinity_and_bad_lengths()
    {
        Assert.Empty(ParetoFilter.NonDominated(Array.Empty<double[]>(), MinMin));
        var set = new[] { new[] { double.NaN, 0 }, new[] { 1.0, double.PositiveInfinity }, new[] { 2.0, 3 } };
        Assert.Equal(new[] { 1, 2 }, ParetoFilter.NonDominated(set, MinMin));
        var ex = Assert.Throws<ArgumentException>(() => ParetoFilter.NonDominated(new[] { new[] { 1.0, 2, 3 } }, MinMin));
        Assert.Contains("3 entries", ex.Message);
    }

    /// <summary>Property: on random sets with many ties and duplicates, the filter equals the O(n²) definition.</summary>
    [Fact]
    public void Matches_the_brute_force_definition_on_random_sets()
    {
        var random = new Random(20261123);
        for (int trial = 0; trial < 2000; trial++)
        {
            int k = 1 + random.Next(4);
            int n = random.Next(40);
            int levels = 1 + random.Next(6);
            var senses = Enumerable.Range(0, k).Select(_ => random.Next(2) == 1).ToArray();
            var set = Enumerable.Range(0, n)
                .Select(_ => Enumerable.Range(0, k).Select(_ => random.Next(20) == 0 ? double.NaN : random.Next(levels) - 2.0).ToArray())
                .ToArray();
            var expected = BruteForce(set, senses);
            var actual = ParetoFilter.NonDominated(set, senses);
            Assert.True(expected.SequenceEqual(actual), $"trial {trial}: expected [{string.Join(",", expected)}], got [{string.Join(",", actual)}]");
        }
    }

    private static List<int> BruteForce(double[][] set, bool[] maximize)
    {
        double Key(double[] v, int j) => maximize[j] ? -v[j] : v[j];
        bool Dominates(double[] a, double[] b)
        {
            bool strict = false;
            for (int j = 0; j < maximize.Length; j++)
            {
                if (Key(a, j) > Key(b, j)) return false;
                if (Key(a, j) < Key(b, j)) strict = true;
            }
            return strict;
        }
        var kept = new List<int>();
        for (int i = 0; i < set.Length; i++)
        {
            if (set[i].Any(double.IsNaN)) continue;
            bool out_ = false;
            for (int j = 0; j < set.Length && !out_; j++)
            {
                if (j == i || set[j].Any(double.IsNaN)) continue;
                if (Dominates(set[j], set[i])) out_ = true;
                else if (j < i && set[j].SequenceEqual(set[i])) out_ = true;
            }
            if (!out_) kept.Add(i);
        }
        return kept;
    }
}
