using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace OptDsl.Runtime.Tuning;

/// <summary>One claimed run of a trial slot: the slot (the sampler's trial number) and the attempt's id in the store.</summary>
internal readonly record struct Claim(int Slot, long Attempt);

/// <summary>
/// Where a study's trials live. A study has a fixed number of slots (the search's trials); each slot is run by one
/// attempt, or by several when a worker died during one (its attempt ends <see cref="TrialState.Failed"/>, "lost", and the
/// slot is claimed again). Implementations: in memory (the default), a SQLite file (<see cref="SqliteStudyStore"/>), a
/// PostgreSQL database shared by workers on several machines (<see cref="PostgresStudyStore"/>).
/// </summary>
internal abstract class StudyStore : IDisposable
{
    /// <summary>Opens or creates the study; refuses one of the same name with another space or search, writing nothing.</summary>
    public abstract void Open(string study, SearchSpace space, string search, int slots);

    /// <summary>
    /// The lowest slot no attempt has finished or is running, claimed for <paramref name="worker"/> in one atomic step;
    /// null when none is left. Attempts whose worker stopped beating are marked lost first, freeing their slots.
    /// </summary>
    public abstract Claim? TryClaim(string worker, TimeSpan stale);

    /// <summary>True while another worker's attempt is running (and beating): its slot may yet be freed.</summary>
    public abstract bool OthersRunning(TimeSpan stale);

    /// <summary>Records the hyperparameters the attempt trains with (so that a lost attempt still shows them).</summary>
    public abstract void Start(long attempt, double[] parameters);

    /// <summary>Records that the attempt's worker is alive.</summary>
    public abstract void Beat(long attempt);

    /// <summary>The attempt's end: its state, value, per-epoch values, hyperparameters, duration and message.</summary>
    public abstract void Finish(long attempt, Trial trial);

    /// <summary>Every finished attempt of the study, lost ones included, in the order they finished.</summary>
    public abstract IReadOnlyList<Trial> Trials(SearchSpace space);

    public virtual void Dispose()
    {
    }

    /// <summary>The store a storage string names: null or empty for memory, <c>sqlite:PATH</c> for a SQLite file, <c>postgresql:CONNECTION STRING</c> for a server.</summary>
    public static StudyStore Create(string? storage)
    {
        if (string.IsNullOrWhiteSpace(storage)) return new MemoryStudyStore();
        int colon = storage.IndexOf(':');
        string scheme = colon > 0 ? storage[..colon].Trim().ToLowerInvariant() : "";
        string rest = colon > 0 ? storage[(colon + 1)..].Trim() : "";
        return scheme switch
        {
            "sqlite" when rest.Length > 0 => new SqliteStudyStore(rest),
            "sqlite" => throw new ArgumentException("The storage 'sqlite:' names no file: write sqlite:PATH, e.g. sqlite:studies/digits.db.", nameof(storage)),
            "postgresql" or "postgres" when rest.Length > 0 => new PostgresStudyStore(rest),
            "postgresql" or "postgres" => throw new ArgumentException($"The storage '{storage}' has no connection string: write postgresql:Host=...;Port=...;Username=...;Database=...", nameof(storage)),
            _ => throw new ArgumentException($"The storage '{storage}' is not one OptDsl knows: write sqlite:PATH (a SQLite file), postgresql:CONNECTION STRING (a server shared by workers), or leave it empty to keep the study in memory.", nameof(storage)),
        };
    }

    internal static string Values(IEnumerable<double> values) => string.Join(";", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    internal static double[] ParseValues(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.Split(';').Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
}

/// <summary>The default store: the study lives as long as <see cref="Tuner.Run{TModel}"/> does.</summary>
internal sealed class MemoryStudyStore : StudyStore
{
    private readonly List<Trial> _trials = [];
    private int _slots, _next;

    public override void Open(string study, SearchSpace space, string search, int slots) => _slots = slots;

    public override Claim? TryClaim(string worker, TimeSpan stale) => _next < _slots ? new Claim(_next, _next++) : null;

    public override bool OthersRunning(TimeSpan stale) => false;

    public override void Start(long attempt, double[] parameters)
    {
    }

    public override void Beat(long attempt)
    {
    }

    public override void Finish(long attempt, Trial trial) => _trials.Add(trial);

    public override IReadOnlyList<Trial> Trials(SearchSpace space) => _trials;
}
