using System;

namespace OptDsl.Runtime.Training;

/// <summary>
/// <c>early_stop: (patience, min_delta, restore_best)</c>, as Keras' <c>EarlyStopping</c> with mode "min": an epoch
/// improves when its monitored loss is below the best so far by more than <see cref="MinDelta"/>; training stops after
/// <see cref="Patience"/> epochs in a row without improvement; with <see cref="RestoreBest"/> the parameters of the best
/// epoch are put back at the end. A NaN loss never improves.
/// </summary>
public sealed class EarlyStopping
{
    /// <param name="patience">Epochs without improvement before stopping (at least 1).</param>
    /// <param name="minDelta">How much lower than the best a loss must be to count as an improvement (≥ 0).</param>
    /// <param name="restoreBest">Put the best epoch's parameters back when training ends.</param>
    public EarlyStopping(int patience, double minDelta = 0, bool restoreBest = false)
    {
        if (patience < 1) throw new ArgumentOutOfRangeException(nameof(patience), patience, "early_stop: patience must be at least 1.");
        if (!(minDelta >= 0) || !double.IsFinite(minDelta)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "early_stop: min_delta must be non-negative and finite.");
        Patience = patience;
        MinDelta = minDelta;
        RestoreBest = restoreBest;
    }

    public int Patience { get; }

    public double MinDelta { get; }

    public bool RestoreBest { get; }

    /// <summary>The best monitored loss so far (∞ before the first epoch).</summary>
    public double Best { get; private set; } = double.PositiveInfinity;

    /// <summary>The epoch (1-based) of <see cref="Best"/>; 0 before any improvement.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Epochs since the last improvement.</summary>
    public int Wait { get; private set; }

    /// <summary>Forgets every epoch seen.</summary>
    public void Reset()
    {
        Best = double.PositiveInfinity;
        BestEpoch = 0;
        Wait = 0;
    }

    /// <summary>Records epoch <paramref name="epoch"/>'s monitored loss; true when it improved on the best.</summary>
    public bool Record(int epoch, double monitoredLoss)
    {
        if (monitoredLoss + MinDelta < Best)
        {
            Best = monitoredLoss;
            BestEpoch = epoch;
            Wait = 0;
            return true;
        }
        Wait++;
        return false;
    }

    /// <summary>True when training should stop: <see cref="Patience"/> epochs in a row without improvement.</summary>
    public bool ShouldStop => Wait >= Patience;
}
