using System;
using System.Collections.Generic;
using System.Linq;

namespace OptDsl.Runtime.Tuning;

/// <summary>
/// The successive halving of <c>search hyperband(max_epochs, eta, seed)</c> (Li, Jamieson, DeSalvo, Rostamizadeh &amp;
/// Talwalkar, "Hyperband", JMLR 18, 2018), run as asynchronous successive halving (Li et al., "A system for massively
/// parallel hyperparameter tuning" (ASHA), MLSys 2020), the form that needs no paused trials and so runs alike on one
/// worker or many:
/// <list type="bullet">
/// <item>brackets s = s_max, ..., 0 with s_max = ⌊log_η R⌋ (R = <see cref="MaxEpochs"/>): bracket s holds
/// n_s = ⌈(s_max + 1)·η^s / (s + 1)⌉ trials and first judges them after r_s = R·η^(−s) epochs (rounded, at least 1);
/// the trials are the brackets' in turn, the most aggressive bracket first;</item>
/// <item>every trial trains for up to R epochs; at each rung of its bracket (r_s, r_s·η, r_s·η², ... below R) it goes on
/// only if its validation loss there is among the best 1/η of its bracket's trials that reached the rung (the first
/// ⌊k/η⌋ of k, at least the best one), else it is pruned.</item>
/// </list>
/// </summary>
public sealed class HyperbandPruner : TrialPruner
{
    private readonly int[] _bracketOf;
    private readonly int[] _firstRung;

    public HyperbandPruner(int maxEpochs, int eta = 3, int iterations = 1)
    {
        if (maxEpochs < 1) throw new ArgumentOutOfRangeException(nameof(maxEpochs), maxEpochs, "hyperband needs max_epochs of at least 1.");
        if (eta < 2) throw new ArgumentOutOfRangeException(nameof(eta), eta, "hyperband needs eta of at least 2.");
        if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "hyperband needs at least one iteration.");
        MaxEpochs = maxEpochs;
        Eta = eta;
        Iterations = iterations;
        int sMax = 0;
        while (Math.Pow(eta, sMax + 1) <= maxEpochs) sMax++;
        var brackets = new List<int>();
        var rungs = new List<int>();
        // Li et al.'s outer loop: every iteration runs all the brackets again with fresh trials; each (iteration,
        // bracket) is its own group of trials, judged among themselves.
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            for (int s = sMax; s >= 0; s--)
            {
                int n = (int)Math.Ceiling((sMax + 1) * Math.Pow(eta, s) / (s + 1) - 1e-9);
                int r = Math.Max(1, (int)Math.Round(maxEpochs / Math.Pow(eta, s)));
                for (int k = 0; k < n; k++) brackets.Add(rungs.Count);
                rungs.Add(r);
            }
        }
        _bracketOf = brackets.ToArray();
        _firstRung = rungs.ToArray();
    }

    public int MaxEpochs { get; }

    public int Eta { get; }

    /// <summary>How many times the brackets run, each time with fresh trials (<c>iterations</c>, default 1).</summary>
    public int Iterations { get; }

    /// <summary>The trials of all brackets: Σ n_s.</summary>
    public int TrialCount => _bracketOf.Length;

    public override string Description => $"hyperband(max_epochs: {MaxEpochs}, eta: {Eta}{(Iterations > 1 ? $", iterations: {Iterations}" : "")})";

    /// <summary>The number of brackets of all iterations, (s_max + 1) per iteration.</summary>
    public int BracketCount => _firstRung.Length;

    /// <summary>The trial numbers of <paramref name="bracket"/>, consecutive.</summary>
    public IReadOnlyList<int> Trials(int bracket) => Enumerable.Range(0, _bracketOf.Length).Where(k => _bracketOf[k] == bracket).ToArray();

    /// <summary>The bracket of trial <paramref name="number"/>: 0 for the first iteration's most aggressive (s = s_max), then in order.</summary>
    public int Bracket(int number) => _bracketOf[Math.Min(number, _bracketOf.Length - 1)];

    /// <summary>The epochs after which trials of <paramref name="bracket"/> are judged.</summary>
    public IReadOnlyList<int> Rungs(int bracket)
    {
        var rungs = new List<int>();
        for (long r = _firstRung[bracket]; r < MaxEpochs; r *= Eta) rungs.Add((int)r);
        return rungs;
    }

    public override bool ShouldPrune(int number, IReadOnlyList<double> values, IReadOnlyList<Trial> finished)
    {
        int epoch = values.Count, bracket = Bracket(number);
        if (!Rungs(bracket).Contains(epoch)) return false;
        double value = values[epoch - 1];
        if (double.IsNaN(value)) return false;
        var competing = finished.Where(t => t.Number < _bracketOf.Length && Bracket(t.Number) == bracket && t.EpochValues.Count >= epoch)
            .Select(t => t.EpochValues[epoch - 1]).Where(v => !double.IsNaN(v)).Append(value).OrderBy(v => v).ToList();
        int promotable = Math.Max(competing.Count / Eta - 1, 0);
        return value > competing[promotable];
    }
}
