using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Npgsql;
using OptDsl.Runtime.Tuning;
using Xunit;

namespace OptDsl.Tests.Tuning;

/// <summary>Runs only where OPTDSL_POSTGRES holds a connection string (.ci/run starts a throwaway cluster and sets it); elsewhere skipped, saying why.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (TuneDistributedTests.ConnectionString is null)
            Skip = "needs a PostgreSQL server: set OPTDSL_POSTGRES to a connection string (.ci/run starts a throwaway cluster and sets it)";
    }
}

/// <inheritdoc cref="PostgresTheoryAttribute"/>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TuneDistributedTests.ConnectionString is null)
            Skip = "needs a PostgreSQL server: set OPTDSL_POSTGRES to a connection string (.ci/run starts a throwaway cluster and sets it)";
    }
}

/// <summary>
/// Studies shared through PostgreSQL by worker processes: four workers run one study, one is killed with SIGKILL in the
/// middle of a trial, and at the end every trial of the search ran to its end exactly once (the killed attempt marked
/// lost and run again by another worker). Also the refusals: an unreachable server, a malformed connection string.
/// </summary>
public sealed class TuneDistributedTests
{
    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable("OPTDSL_POSTGRES") is { Length: > 0 } s ? s : null;

    private static string Storage => "postgresql:" + ConnectionString;

    /// <summary>A worker on 10,000 training rows: trials of a tenth of a second or more, so that a kill lands in one.</summary>
    private static Process StartWorker(string search, string study, int heartbeatMs = 300, int rows = 10_000) =>
        TuneStorageTests.StartWorker(search, Storage, study, heartbeatMs, rows);

    private static List<(long Attempt, int Slot, string State, int Lost, string Worker)> Rows(string study)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT attempt, slot, state, lost, worker FROM optdsl_trials WHERE study = @s ORDER BY attempt", connection);
        command.Parameters.AddWithValue("s", study);
        var rows = new List<(long, int, string, int, string)>();
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read()) rows.Add((reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2), reader.GetInt32(3), reader.GetString(4)));
        }
        catch (PostgresException e) when (e.SqlState == "42P01")
        {
            // No table yet: no worker has opened a study.
        }
        return rows;
    }

    [PostgresTheory]
    [InlineData("grid40", 40)]
    [InlineData("random40", 40)]
    [InlineData("band", 49)]
    public void Four_workers_share_a_study_and_one_killed_mid_trial_loses_nothing(string search, int trials)
    {
        string study = $"{search}-{Guid.NewGuid():N}";
        var workers = Enumerable.Range(0, 4).Select(_ => StartWorker(search, study)).ToList();
        // The victim is whichever live worker is seen in the middle of a trial once some trial has finished (a worker that
        // started late may find no slot left and end at once). A kill that lands between two of the victim's trials
        // catches none: another worker joins and the search goes on.
        string marker;
        Process victim;
        for (int attempt = 0; ; attempt++)
        {
            Assert.True(attempt < 10, "no worker was caught in the middle of a trial");
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var rows = Rows(study);
                var running = rows.Where(r => r.State == "Running").Select(r => r.Worker).ToList();
                var caughtNow = rows.Any(r => r.State != "Running")
                    ? workers.FirstOrDefault(w => !w.HasExited && running.Any(worker => worker.Contains($"/{w.Id}/", StringComparison.Ordinal)))
                    : null;
                if (caughtNow is not null) { victim = caughtNow; break; }
                Assert.False(workers.All(w => w.HasExited), "the study finished before a worker was caught in a trial");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "no progress");
                Thread.Sleep(10);
            }
            marker = $"/{victim.Id}/";
            victim.Kill(entireProcessTree: true);
            victim.WaitForExit();
            string caught = marker;
            if (Rows(study).Any(r => r.State == "Running" && r.Worker.Contains(caught, StringComparison.Ordinal))) break;
            workers[workers.IndexOf(victim)] = StartWorker(search, study);
        }
        foreach (var w in workers.Where(w => w != victim))
        {
            Assert.True(w.WaitForExit(180_000), "a worker did not finish");
            Assert.Equal(0, w.ExitCode);
        }
        var after = Rows(study);
        var killed = after.Where(r => r.Worker.Contains(marker, StringComparison.Ordinal) && r.Lost == 1).ToList();
        Assert.Single(killed);
        Assert.Equal("Failed", killed[0].State);
        Assert.DoesNotContain(after, r => r.State == "Running");
        var done = after.Where(r => r.Lost == 0).ToList();
        Assert.Equal(trials, done.Count);
        Assert.Equal(Enumerable.Range(0, trials), done.Select(r => r.Slot).OrderBy(s => s));
        Assert.All(done, r => Assert.Contains(r.State, search == "band" ? new[] { "Complete", "Pruned" } : new[] { "Complete" }));
        // Every live worker took part.
        Assert.True(done.Select(r => r.Worker).Distinct().Count() >= 3, "the trials were shared among the workers");
    }

    [Fact]
    public void An_unreachable_server_or_a_malformed_connection_string_says_so()
    {
        var space = new SearchSpace([TuneDimension.Choice("x", [1, 2])]);
        TrialRun<object> Train(double[] values, TrialContext context) => throw new InvalidOperationException("no trial should run");
        var unreachable = Assert.Throws<InvalidOperationException>(() => Tuner.Run<object>("S", space, new GridSampler(), null,
            new TuneOptions { Storage = "postgresql:Host=127.0.0.1;Port=1;Timeout=2;Username=nobody;Database=none" }, Train));
        Assert.Contains("127.0.0.1:1", unreachable.Message);
        Assert.Contains("cannot be reached", unreachable.Message);
        var malformed = Assert.Throws<ArgumentException>(() => Tuner.Run<object>("S", space, new GridSampler(), null,
            new TuneOptions { Storage = "postgresql:Host=localhost;Port=notaport" }, Train));
        Assert.Contains("malformed", malformed.Message);
        var empty = Assert.Throws<ArgumentException>(() => Tuner.Run<object>("S", space, new GridSampler(), null, new TuneOptions { Storage = "postgresql:" }, Train));
        Assert.Contains("no connection string", empty.Message);
    }

    [PostgresFact]
    public void A_study_name_used_with_another_search_is_refused_and_nothing_is_written()
    {
        string study = $"names-{Guid.NewGuid():N}";
        var first = new SearchSpace([TuneDimension.Choice("x", [1, 2, 3])]);
        var other = new SearchSpace([TuneDimension.Choice("x", [1, 2])]);
        TrialRun<object> Train(double[] values, TrialContext context) =>
            new(new object(), new OptDsl.Runtime.Training.TrainingReport([new(1, values[0], values[0], 0.1, TimeSpan.Zero, values[0])], 1,
                OptDsl.Runtime.Training.StopReason.EpochsDone, "trained"), false);
        var done = Tuner.Run<object>("S", first, new GridSampler(), null, new TuneOptions { Storage = Storage, StudyName = study }, Train);
        Assert.Equal(1.0, done.Best!.Value);
        var e = Assert.Throws<InvalidOperationException>(() => Tuner.Run<object>("S", other, new GridSampler(), null, new TuneOptions { Storage = Storage, StudyName = study }, Train));
        Assert.Contains($"'{study}'", e.Message);
        Assert.Contains("x in {1, 2}", e.Message);
        Assert.Equal(3, Rows(study).Count);
        // Run again with the same search: the finished study comes back as it was; the only training is the best
        // trial's model, trained again since it ran in the earlier run.
        var retrained = new List<double>();
        var again = Tuner.Run<object>("S", first, new GridSampler(), null, new TuneOptions { Storage = Storage, StudyName = study },
            (values, context) => { retrained.Add(values[0]); return Train(values, context); });
        Assert.Equal(done.Trials.Select(t => (t.Number, t.Value)), again.Trials.Select(t => (t.Number, t.Value)));
        Assert.Equal([1.0], retrained);
    }

    [PostgresFact]
    public void Throughput_with_one_two_and_four_workers()
    {
        // The figures of docs/tuning.md: runs only when OPTDSL_TUNE_WORKERS_REPORT names a file.
        if (Environment.GetEnvironmentVariable("OPTDSL_TUNE_WORKERS_REPORT") is not { Length: > 0 } path) return;
        var text = new StringBuilder("| workers | wall time | trials per second |\n|---:|---:|---:|\n");
        foreach (int count in new[] { 1, 2, 4 })
        {
            string study = $"throughput-{count}-{Guid.NewGuid():N}";
            var clock = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, count).Select(_ => StartWorker("heavy40", study, 1000, rows: 2000)).ToList();
            foreach (var w in workers) Assert.True(w.WaitForExit(300_000));
            double seconds = clock.Elapsed.TotalSeconds;
            Assert.Equal(40, Rows(study).Count(r => r.State == "Complete"));
            text.Append(CultureInfo.InvariantCulture, $"| {count} | {seconds:F1} s | {40 / seconds:F1} |\n");
        }
        File.WriteAllText(path, text.ToString());
    }
}
