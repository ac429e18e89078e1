using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using OptDsl.Runtime.Training;

namespace OptDsl.Runtime.Tuning;

/// <summary>How a study runs: progress, cancellation, and where the study is kept.</summary>
public sealed record TuneOptions
{
    /// <summary>Told after each trial.</summary>
    public IProgress<Trial>? Progress { get; init; }

    /// <summary>Stops the study: a trial that is training ends as <see cref="TrialState.Failed"/> ("cancelled") and no other starts.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// Where the study is kept: null or empty for memory (it ends with <c>Run</c>); <c>sqlite:PATH</c> for a SQLite file
    /// that keeps it across runs: a later <c>Run</c> with the same file and study name resumes it (docs/tuning.md, "Storage").
    /// </summary>
    public string? Storage { get; init; }

    /// <summary>The study's name in <see cref="Storage"/>; null for the tune block's name.</summary>
    public string? StudyName { get; init; }

    /// <summary>
    /// How often a running trial records that its worker is alive (5 s). An attempt silent for three intervals is lost:
    /// another run or worker marks it failed and runs its trial again.
    /// </summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>What one trial's training sees: where to report each epoch (the pruner listens) and when to stop.</summary>
public sealed class TrialContext : IProgress<EpochInfo>
{
    private readonly TrialPruner? _pruner;
    private readonly IReadOnlyList<Trial> _finished;
    private readonly CancellationTokenSource _stop;
    private readonly List<double> _values = [];

    private readonly Func<IReadOnlyList<double>, bool>? _judge;

    internal TrialContext(int number, TrialPruner? pruner, IReadOnlyList<Trial> finished, CancellationToken cancellationToken,
                          Func<IReadOnlyList<double>, bool>? judge = null)
    {
        Number = number;
        _pruner = pruner;
        _finished = finished;
        _judge = judge;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>The trial's number in the study.</summary>
    public int Number { get; }

    /// <summary>Cancelled when the study is, or when the pruner stops this trial: pass it to <c>Fit</c>.</summary>
    public CancellationToken CancellationToken => _stop.Token;

    /// <summary>The pruner stopped the trial.</summary>
    public bool Pruned { get; private set; }

    /// <summary>The validation data loss after each epoch reported so far.</summary>
    public IReadOnlyList<double> EpochValues => _values;

    /// <summary>Records an epoch's validation data loss and asks the pruner; when it says stop, the token is cancelled and training ends before its next batch.</summary>
    public void Report(EpochInfo value)
    {
        _values.Add(value.ValidationDataLoss);
        if (Pruned) return;
        bool prune = _judge is not null ? _judge(_values) : _pruner is not null && _pruner.ShouldPrune(Number, _values, _finished);
        if (!prune) return;
        Pruned = true;
        _stop.Cancel();
    }

    internal void Dispose() => _stop.Dispose();
}

/// <summary>One trial's training, as the generated search class returns it to <see cref="Tuner"/>.</summary>
/// <param name="Model">The trained model.</param>
/// <param name="Report">What <c>Fit</c> reported.</param>
/// <param name="RestoresBest">The model's early stopping restores the best epoch's weights.</param>
public readonly record struct TrialRun<TModel>(TModel Model, TrainingReport Report, bool RestoresBest);

/// <summary>
/// The loop of a <c>tune</c> block: for each trial the sampler's hyperparameters, one training with validation after each
/// epoch (the pruner may stop it), and the trial's record; the best trial's model is kept. Trials run one after the other,
/// in the calling thread, in the sampler's order, so a study repeats exactly for the same seeds and data.
/// </summary>
public static class Tuner
{
    public static Study<TModel> Run<TModel>(string name, SearchSpace space, TrialSampler sampler, TrialPruner? pruner, TuneOptions? options,
                                            Func<double[], TrialContext, TrialRun<TModel>> train)
        where TModel : class
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(train);
        options ??= new TuneOptions();
        if (!(options.Heartbeat > TimeSpan.Zero)) throw new ArgumentOutOfRangeException(nameof(options), options.Heartbeat, "TuneOptions.Heartbeat must be positive.");
        string study = options.StudyName ?? name;
        if (string.IsNullOrWhiteSpace(study)) throw new ArgumentException("TuneOptions.StudyName is empty.", nameof(options));
        int slots = sampler.TrialCount(space);
        string search = pruner is null ? sampler.Description : $"{sampler.Description}, prune: {pruner.Description}";
        using var store = StudyStore.Create(options.Storage);
        store.Open(study, space, search, slots);
        if (pruner is HyperbandPruner band && store is MemoryStudyStore)
            return SynchronousHyperband(study, space, sampler, band, search, options, train);
        string worker = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
        var stale = 3 * options.Heartbeat;
        TModel? bestModel = null;
        double bestValue = double.PositiveInfinity;
        int bestSlot = -1;
        bool cancelled = false;
        while (true)
        {
            if (options.CancellationToken.IsCancellationRequested)
            {
                cancelled = true;
                break;
            }
            if (store.TryClaim(worker, stale) is not { } claim)
            {
                // Every slot is finished or running; a running one may yet be lost and need running again.
                if (!store.OthersRunning(stale)) break;
                options.CancellationToken.WaitHandle.WaitOne(options.Heartbeat);
                continue;
            }
            var finished = store.Trials(space);
            var parameters = sampler.Parameters(space, claim.Slot, finished);
            store.Start(claim.Attempt, parameters);
            var context = new TrialContext(claim.Slot, pruner, finished, options.CancellationToken);
            var clock = Stopwatch.StartNew();
            TrialRun<TModel> run;
            using (var beat = new Timer(_ => Beat(store, claim.Attempt), null, options.Heartbeat, options.Heartbeat))
            {
                try
                {
                    run = train((double[])parameters.Clone(), context);
                }
                finally
                {
                    context.Dispose();
                }
            }
            var trial = Record(claim.Slot, space, parameters, context, run, clock.Elapsed, options.CancellationToken.IsCancellationRequested, pruner?.Description);
            store.Finish(claim.Attempt, trial);
            if (trial.State == TrialState.Complete && trial.Value < bestValue)
            {
                (bestValue, bestSlot) = (trial.Value, trial.Number);
                bestModel = run.Model;
            }
            options.Progress?.Report(trial);
        }
        var trials = store.Trials(space);
        var overall = Study.BestOf(trials);
        // The best trial may have run in an earlier run of a stored study: its model is trained again (same data, seeds
        // and hyperparameters: the same weights).
        if (overall is { } best && !(best.Number == bestSlot && best.Value == bestValue) && !cancelled)
        {
            var context = new TrialContext(best.Number, null, [], options.CancellationToken);
            try
            {
                bestModel = train(best.ParameterValues.ToArray(), context).Model;
            }
            finally
            {
                context.Dispose();
            }
        }
        return new Study<TModel>(study, space, search, trials, cancelled, overall is null ? null : bestModel);
    }

    /// <summary>
    /// Hyperband with synchronous successive halving, for a study in memory (one process): each bracket's trials train
    /// side by side, each on its own thread, and wait at every rung until all of the bracket have reached it; then the
    /// best ⌊k/η⌋ of the k there (at least one) go on and the others are pruned. A waiting trial is paused inside its own
    /// <c>Fit</c>, so one that goes on continues exactly (optimizer state, schedule, shuffling). The decisions depend on
    /// the values only, never on thread timing, so a study repeats to the bit. With a shared store, trials run in other
    /// processes and <see cref="HyperbandPruner"/> halves asynchronously instead.
    /// </summary>
    private static Study<TModel> SynchronousHyperband<TModel>(string study, SearchSpace space, TrialSampler sampler, HyperbandPruner band, string search,
                                                              TuneOptions options, Func<double[], TrialContext, TrialRun<TModel>> train)
        where TModel : class
    {
        var finished = new List<Trial>();
        TModel? bestModel = null;
        double bestValue = double.PositiveInfinity;
        bool cancelled = false;
        for (int bracket = 0; bracket < band.BracketCount && !cancelled; bracket++)
        {
            var numbers = band.Trials(bracket);
            var rungs = band.Rungs(bracket);
            var gates = numbers.Select(_ => new RungGate(rungs, options.CancellationToken)).ToArray();
            var parameters = numbers.Select(k => sampler.Parameters(space, k, finished)).ToArray();
            var contexts = new TrialContext[numbers.Count];
            var runs = new TrialRun<TModel>[numbers.Count];
            var failures = new Exception?[numbers.Count];
            var durations = new TimeSpan[numbers.Count];
            var threads = new Thread[numbers.Count];
            for (int i = 0; i < numbers.Count; i++)
            {
                int t = i;
                contexts[t] = new TrialContext(numbers[t], null, finished, options.CancellationToken, gates[t].Judge);
                threads[t] = new Thread(() =>
                {
                    var clock = Stopwatch.StartNew();
                    try
                    {
                        runs[t] = train((double[])parameters[t].Clone(), contexts[t]);
                    }
                    catch (Exception e)
                    {
                        failures[t] = e;
                    }
                    finally
                    {
                        durations[t] = clock.Elapsed;
                        gates[t].End();
                    }
                }) { IsBackground = true, Name = $"OptDsl trial {numbers[t]}" };
                threads[t].Start();
            }
            var active = Enumerable.Range(0, numbers.Count).ToList();
            foreach (int rung in rungs)
            {
                foreach (int i in active) gates[i].WaitAt(rung);
                var arrived = active.Where(i => gates[i].Rung == rung).OrderBy(i => gates[i].Value).ThenBy(i => i).ToList();
                int keep = Math.Max(1, arrived.Count / band.Eta);
                for (int r = 0; r < arrived.Count; r++) gates[arrived[r]].Decide(go: r < keep);
                active = arrived.Take(keep).ToList();
            }
            foreach (var thread in threads) thread.Join();
            foreach (var context in contexts) context.Dispose();
            if (failures.FirstOrDefault(f => f is not null) is { } failure)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            for (int i = 0; i < numbers.Count; i++)
            {
                var trial = Record(numbers[i], space, parameters[i], contexts[i], runs[i], durations[i], options.CancellationToken.IsCancellationRequested, band.Description);
                finished.Add(trial);
                if (trial.State == TrialState.Complete && trial.Value < bestValue)
                {
                    bestValue = trial.Value;
                    bestModel = runs[i].Model;
                }
                options.Progress?.Report(trial);
            }
            cancelled = options.CancellationToken.IsCancellationRequested;
        }
        return new Study<TModel>(study, space, search, finished, cancelled, bestModel);
    }

    /// <summary>Where one trial of a synchronous bracket waits at a rung for the bracket's decision.</summary>
    private sealed class RungGate(IReadOnlyList<int> rungs, CancellationToken cancellation)
    {
        private readonly object _lock = new();
        private bool? _go;
        private bool _ended;

        /// <summary>The last rung the trial reached (0 before the first), and its value there.</summary>
        public int Rung { get; private set; }

        public double Value { get; private set; }

        /// <summary>Called by the trial after each epoch: at a rung it waits for the decision; true prunes it.</summary>
        public bool Judge(IReadOnlyList<double> values)
        {
            int epoch = values.Count;
            if (!rungs.Contains(epoch)) return false;
            lock (_lock)
            {
                Rung = epoch;
                Value = double.IsNaN(values[^1]) ? double.PositiveInfinity : values[^1];
                _go = null;
                Monitor.PulseAll(_lock);
                while (_go is null && !cancellation.IsCancellationRequested) Monitor.Wait(_lock, 100);
                return _go == false;
            }
        }

        /// <summary>Called by the bracket: waits until the trial is at <paramref name="rung"/> or has ended.</summary>
        public void WaitAt(int rung)
        {
            lock (_lock)
                while (Rung != rung && !_ended) Monitor.Wait(_lock, 100);
        }

        public void Decide(bool go)
        {
            lock (_lock)
            {
                _go = go;
                Monitor.PulseAll(_lock);
            }
        }

        public void End()
        {
            lock (_lock)
            {
                _ended = true;
                Monitor.PulseAll(_lock);
            }
        }
    }

    private static void Beat(StudyStore store, long attempt)
    {
        try
        {
            store.Beat(attempt);
        }
        catch (Exception)
        {
            // A missed beat only risks the attempt being taken for lost; the trial's end is written either way.
        }
    }

    private static Trial Record<TModel>(int number, SearchSpace space, double[] parameters, TrialContext context, TrialRun<TModel> run,
                                        TimeSpan duration, bool studyCancelled, string? pruner)
    {
        var report = run.Report;
        var values = new List<double>(report.Epochs.Count);
        foreach (var e in report.Epochs) values.Add(e.ValidationDataLoss);
        if (context.Pruned)
        {
            double last = values.Count > 0 ? values[^1] : double.NaN;
            return new Trial(number, space, parameters, values, last, TrialState.Pruned, duration, $"pruned after epoch {values.Count} by {pruner}");
        }
        if (report.StopReason == StopReason.Cancelled || studyCancelled)
            return new Trial(number, space, parameters, values, double.NaN, TrialState.Failed, duration, "cancelled: " + report.Message);
        if (report.StopReason == StopReason.Diverged)
            return new Trial(number, space, parameters, values, double.NaN, TrialState.Failed, duration, "diverged: " + report.Message);
        // The weights training returned: the best epoch's with restore_best (early stopping puts them back), else the last.
        int returned = run.RestoresBest && report.BestEpoch > 0 ? report.BestEpoch : report.Epochs.Count > 0 ? report.Epochs[^1].Epoch : 0;
        double value = double.NaN;
        foreach (var e in report.Epochs)
            if (e.Epoch == returned) value = e.ValidationDataLoss;
        if (!double.IsFinite(value))
            return new Trial(number, space, parameters, values, double.NaN, TrialState.Failed, duration, $"no finite validation loss ({value}): " + report.Message);
        return new Trial(number, space, parameters, values, value, TrialState.Complete, duration, report.Message);
    }
}
