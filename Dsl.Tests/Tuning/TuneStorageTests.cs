using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.Data.Sqlite;
using OptDsl.Runtime.Tuning;
using OptDsl.Tests.Compiler;
using OptDsl.Tests.Models;
using Xunit;

namespace OptDsl.Tests.Tuning;

/// <summary>
/// Studies kept in a SQLite file: a worker process killed in the middle of a trial (SIGKILL) and started again resumes
/// the study, losing only the trial that was running; a resumed study keeps its trials; a storage string, a study name
/// or a file that does not fit is refused with a message that names the cause, and nothing is written.
/// </summary>
public sealed class TuneStorageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("optdsl-tune-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private static string WorkerPath
    {
        get
        {
            // Dsl.Tests/bin/<configuration>/net10.0/ → Dsl.Tests/Worker/bin/<configuration>/net10.0/Dsl.Tests.Worker.dll
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string configuration = output.Parent!.Name;
            return Path.Combine(output.Parent!.Parent!.Parent!.FullName, "Worker", "bin", configuration, output.Name, "Dsl.Tests.Worker.dll");
        }
    }

    internal static Process StartWorker(string search, string storage, string study, int heartbeatMs, int rows = 2000)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { WorkerPath, search, storage, study, heartbeatMs.ToString(System.Globalization.CultureInfo.InvariantCulture), rows.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static List<(long Attempt, long Slot, string State, long Lost, double? Value)> Rows(string db, string study)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT attempt, slot, state, lost, value FROM optdsl_trials WHERE study = $s ORDER BY attempt";
        command.Parameters.AddWithValue("$s", study);
        var rows = new List<(long, long, string, long, double?)>();
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read()) rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetDouble(4)));
        }
        catch (SqliteException)
        {
            // The worker has not created the tables yet.
        }
        return rows;
    }

    [Fact]
    public void A_worker_killed_mid_trial_loses_only_that_trial_and_a_restart_finishes_the_grid()
    {
        Assert.True(File.Exists(WorkerPath), $"the worker is built at {WorkerPath}");
        string db = Path.Combine(_folder, "crash.db"), storage = "sqlite:" + db;
        List<(long Attempt, long Slot, string State, long Lost, double? Value)> before;
        // A kill that lands between two trials (a few milliseconds) catches none: the study then resumes with another
        // worker, which is killed in turn, until one is caught in the middle of a trial.
        for (int attempt = 0; ; attempt++)
        {
            Assert.True(attempt < 10, "no worker was caught in the middle of a trial");
            var worker = StartWorker("grid", storage, "crash", heartbeatMs: 200);
            var clock = Stopwatch.StartNew();
            int completeBefore = File.Exists(db) ? Rows(db, "crash").Count(r => r.State == "Complete") : 0;
            while (true)
            {
                before = File.Exists(db) ? Rows(db, "crash") : [];
                if (before.Count(r => r.State == "Complete") >= completeBefore + 2 && before.Any(r => r.State == "Running")) break;
                Assert.False(worker.HasExited, "the worker ended before the test could kill it");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "the worker made no progress");
                Thread.Sleep(20);
            }
            worker.Kill(entireProcessTree: true);   // SIGKILL: no clean stop, no finally blocks
            worker.WaitForExit();
            before = Rows(db, "crash");
            if (before.Any(r => r.State == "Running")) break;
        }
        var running = before.Single(r => r.State == "Running");
        var complete = before.Where(r => r.State == "Complete").ToList();

        var again = StartWorker("grid", storage, "crash", heartbeatMs: 200);
        Assert.True(again.WaitForExit(120_000), "the restarted worker did not finish");
        Assert.Equal(0, again.ExitCode);

        var after = Rows(db, "crash");
        // Every trial completed before the kill is still there, unchanged.
        foreach (var c in complete) Assert.Contains(after, r => r.Attempt == c.Attempt && r.State == "Complete" && r.Value == c.Value);
        // The trial that was running is marked failed and lost, and its grid point ran again.
        var lost = after.Single(r => r.Attempt == running.Attempt);
        Assert.Equal(("Failed", 1L), (lost.State, lost.Lost));
        // The whole grid (3 × 4) completed, each point exactly once.
        var done = after.Where(r => r.Lost == 0).ToList();
        Assert.Equal(12, done.Count);
        Assert.All(done, r => Assert.Equal("Complete", r.State));
        Assert.Equal(Enumerable.Range(0, 12).Select(k => (long)k), done.Select(r => r.Slot).OrderBy(s => s));
    }

    /// <summary>The tune tests' model and searches, and one more search with another space (for the refusal test).</summary>
    private static readonly string Source = TuneTests.Source + """

        tune Logistic as Other {
            lambda in {0, 1e-2};
            search grid;
        }
        """;

    private static readonly Lazy<System.Reflection.Assembly> s_assembly = new(() => GeneratedCode.Build("stored.opt", Source));

    private static Study Run(string search, TuneOptions options)
    {
        dynamic tune = s_assembly.Value.Create(search, 30);
        var (training, test) = ModelData.Cancer;
        return (Study)tune.Run(training.Features, training.Labels, test.Features, test.Labels, options);
    }

    [Fact]
    public void A_stored_study_resumes_where_a_cancelled_run_stopped()
    {
        string storage = "sqlite:" + Path.Combine(_folder, "sub", "resume.db");
        using var cts = new CancellationTokenSource();
        int seen = 0;
        var first = Run("GridSearch", new TuneOptions { Storage = storage, CancellationToken = cts.Token, Progress = new Sync(_ => { if (++seen == 2) cts.Cancel(); }) });
        Assert.True(first.Cancelled);
        Assert.Equal(2, first.Trials.Count);

        var second = Run("GridSearch", new TuneOptions { Storage = storage });
        Assert.False(second.Cancelled);
        Assert.Equal(6, second.Trials.Count);
        Assert.Equal(first.Trials.Select(t => (t.Number, t.Value)), second.Trials.Take(2).Select(t => (t.Number, t.Value)));
        Assert.Equal(Enumerable.Range(0, 6), second.Trials.Select(t => t.Number).OrderBy(n => n));
        // The same study in memory gives the same trials: storage changes where they live, not what they are.
        var memory = Run("GridSearch", new TuneOptions());
        Assert.Equal(memory.Trials.Select(t => (t.Number, t.Value)).OrderBy(p => p.Number), second.Trials.Select(t => (t.Number, t.Value)).OrderBy(p => p.Number));
        Assert.Equal(memory.Best!.Number, second.Best!.Number);
        dynamic model = ((dynamic)second).BestModel;
        Assert.NotNull((object)model);

        // A third run finds nothing to do and returns the finished study.
        var third = Run("GridSearch", new TuneOptions { Storage = storage });
        Assert.Equal(6, third.Trials.Count);
    }

    [Fact]
    public void A_study_name_used_with_another_search_is_refused_and_nothing_is_written()
    {
        string db = Path.Combine(_folder, "names.db"), storage = "sqlite:" + db;
        Run("GridSearch", new TuneOptions { Storage = storage, StudyName = "shared" });
        var e = Assert.Throws<InvalidOperationException>(() => Run("Other", new TuneOptions { Storage = storage, StudyName = "shared" }));
        Assert.Contains("'shared'", e.Message);
        Assert.Contains("lambda in {0, 0.01}", e.Message);
        SqliteConnection.ClearAllPools();
        Assert.Equal(6, Rows(db, "shared").Count);
        Assert.Empty(Rows(db, "Other"));
        // Another study name in the same file is another study.
        Assert.Equal(2, Run("Other", new TuneOptions { Storage = storage }).Trials.Count);
    }

    [Fact]
    public void A_file_of_another_schema_version_is_refused_unchanged()
    {
        string db = Path.Combine(_folder, "old.db");
        using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE optdsl_schema (version INTEGER NOT NULL); INSERT INTO optdsl_schema VALUES (99); CREATE TABLE optdsl_trials (x INTEGER);";
            command.ExecuteNonQuery();
        }
        byte[] bytes = File.ReadAllBytes(db);
        var e = Assert.Throws<InvalidOperationException>(() => Run("GridSearch", new TuneOptions { Storage = "sqlite:" + db }));
        Assert.Contains("schema version 99", e.Message);
        Assert.Contains("reads version 1", e.Message);
        SqliteConnection.ClearAllPools();
        Assert.Equal(bytes, File.ReadAllBytes(db));
    }

    [Theory]
    [InlineData("mysql:server=x", typeof(ArgumentException), "not one OptDsl knows")]
    [InlineData("sqlite:", typeof(ArgumentException), "names no file")]
    [InlineData("study.db", typeof(ArgumentException), "sqlite:PATH")]
    [InlineData("postgresql:", typeof(ArgumentException), "no connection string")]
    [InlineData("postgresql:Host=localhost;Port=x", typeof(ArgumentException), "malformed")]
    public void A_storage_string_that_does_not_fit_says_why(string storage, Type exception, string message)
    {
        var e = Assert.Throws(exception, () => Run("GridSearch", new TuneOptions { Storage = storage }));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_file_that_cannot_be_opened_names_itself()
    {
        string notAFolder = Path.Combine(_folder, "plain.txt");
        File.WriteAllText(notAFolder, "x");
        var e = Assert.ThrowsAny<Exception>(() => Run("GridSearch", new TuneOptions { Storage = "sqlite:" + Path.Combine(notAFolder, "study.db") }));
        Assert.Contains("plain.txt", e.Message);
    }

    private sealed class Sync(Action<Trial> report) : IProgress<Trial>
    {
        public void Report(Trial value) => report(value);
    }
}
