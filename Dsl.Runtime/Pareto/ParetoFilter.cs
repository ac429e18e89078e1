using System;
using System.Collections.Generic;

namespace OptDsl.Runtime;

/// <summary>Non-dominated filtering of objective vectors.</summary>
public static class ParetoFilter
{
    /// <summary>
    /// Indices of the non-dominated vectors (respecting each objective's sense), stable order; duplicates kept once.
    /// </summary>
    /// <remarks>
    /// In minimization form (a maximized value negated), a dominates b when a ≤ b in every objective and a &lt; b in at
    /// least one. A vector is kept when no other vector dominates it; of several identical vectors only the first is
    /// kept. Vectors containing NaN are never kept and never dominate. The indices come back in increasing order.
    /// Cost O(n log n + n·p·K) with p the number of kept vectors.
    /// </remarks>
    /// <exception cref="ArgumentException">A vector's length differs from <paramref name="maximize"/>'s, or a vector is null.</exception>
    public static IReadOnlyList<int> NonDominated(IReadOnlyList<double[]> objectives, IReadOnlyList<bool> maximize)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(maximize);
        int k = maximize.Count;
        int n = objectives.Count;
        var keys = new double[n][];
        var candidates = new List<int>(n);
        for (int i = 0; i < n; i++)
        {
            var v = objectives[i] ?? throw new ArgumentException($"ParetoFilter.NonDominated: objective vector {i} is null.", nameof(objectives));
            if (v.Length != k)
                throw new ArgumentException(
                    $"ParetoFilter.NonDominated: objective vector {i} has {v.Length} entries, but {k} senses were given.", nameof(objectives));
            var key = new double[k];
            bool finite = true;
            for (int j = 0; j < k; j++)
            {
                key[j] = maximize[j] ? -v[j] : v[j];
                if (double.IsNaN(key[j])) finite = false;
            }
            keys[i] = key;
            if (finite) candidates.Add(i);
        }

        // Lexicographic order (index as the tie-break): a vector can only be dominated by, or equal to, one before it,
        // and by transitivity it is enough to compare it with the vectors already kept.
        candidates.Sort((a, b) =>
        {
            var ka = keys[a];
            var kb = keys[b];
            for (int j = 0; j < ka.Length; j++)
            {
                int c = ka[j].CompareTo(kb[j]);
                if (c != 0) return c;
            }
            return a.CompareTo(b);
        });

        var kept = new List<int>();
        foreach (int i in candidates)
        {
            bool covered = false;
            foreach (int p in kept)
            {
                if (WeaklyDominates(keys[p], keys[i]))
                {
                    covered = true;
                    break;
                }
            }
            if (!covered) kept.Add(i);
        }
        kept.Sort();
        return kept;
    }

    /// <summary>a ≤ b componentwise (minimization form): a dominates b or equals it.</summary>
    private static bool WeaklyDominates(double[] a, double[] b)
    {
        for (int j = 0; j < a.Length; j++)
            if (!(a[j] <= b[j])) return false;
        return true;
    }
}
