using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Data.Sqlite;

namespace OptDsl.Runtime.Tuning;

/// <summary>
/// A study in a SQLite file (<c>sqlite:PATH</c>), so that it outlives the process: a run killed in the middle and
/// started again resumes the study, losing only the attempts that were running (they are marked lost once their
/// heartbeat is stale, and their slots run again). Several processes of one machine may share the file; SQLite's locks
/// make each claim atomic. The schema (docs/tuning.md, "Storage") is versioned: a file of another version is refused,
/// never changed.
/// </summary>
internal sealed class SqliteStudyStore : StudyStore
{
    /// <summary>The schema this OptDsl writes and reads.</summary>
    public const int SchemaVersion = 1;

    private readonly string _path;
    private readonly string _connectionString;
    private string _study = "";
    private int _slots;

    public SqliteStudyStore(string path)
    {
        _path = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = _path, Mode = SqliteOpenMode.ReadWriteCreate, DefaultTimeout = 60 }.ToString();
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 60000; PRAGMA foreign_keys = ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public override void Open(string study, SearchSpace space, string search, int slots)
    {
        _study = study;
        _slots = slots;
        string? folder = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        SqliteConnection connection;
        try
        {
            connection = Connect();
        }
        catch (SqliteException e)
        {
            throw new InvalidOperationException($"The SQLite study file {_path} cannot be opened: {e.Message}", e);
        }
        using (connection)
        {
            Validate(connection, study, space, search, slots);
            // Write-ahead logging once the file is known to be ours (a file refused above is left as it was).
            using var wal = Command(connection, "PRAGMA journal_mode = WAL;");
            wal.ExecuteNonQuery();
        }
    }

    /// <summary>Creates the schema in an empty file, or checks its version; then finds the study (same search) or creates it.</summary>
    private void Validate(SqliteConnection connection, string study, SearchSpace space, string search, int slots)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        var tables = new HashSet<string>();
        using (var list = Command(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'optdsl_%'", transaction))
        using (var reader = list.ExecuteReader())
            while (reader.Read()) tables.Add(reader.GetString(0));
        if (tables.Count == 0)
        {
            using var create = Command(connection, """
                CREATE TABLE optdsl_schema (version INTEGER NOT NULL);
                INSERT INTO optdsl_schema (version) VALUES ($version);
                CREATE TABLE optdsl_studies (
                    name TEXT PRIMARY KEY,
                    space TEXT NOT NULL,
                    search TEXT NOT NULL,
                    slots INTEGER NOT NULL,
                    created INTEGER NOT NULL);
                CREATE TABLE optdsl_trials (
                    attempt INTEGER PRIMARY KEY AUTOINCREMENT,
                    study TEXT NOT NULL REFERENCES optdsl_studies (name),
                    slot INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    lost INTEGER NOT NULL DEFAULT 0,
                    parameters TEXT,
                    epoch_values TEXT,
                    value REAL,
                    duration_s REAL,
                    message TEXT,
                    worker TEXT NOT NULL,
                    started INTEGER NOT NULL,
                    heartbeat INTEGER NOT NULL,
                    finished INTEGER);
                CREATE INDEX optdsl_trials_slot ON optdsl_trials (study, slot);
                """, transaction, ("$version", SchemaVersion));
            create.ExecuteNonQuery();
        }
        else
        {
            long? version = null;
            if (tables.Contains("optdsl_schema"))
                using (var read = Command(connection, "SELECT version FROM optdsl_schema", transaction))
                    version = read.ExecuteScalar() is long v ? v : null;
            if (version != SchemaVersion)
                throw new InvalidOperationException(
                    $"The SQLite file {_path} holds OptDsl studies of schema version {(version?.ToString() ?? "unknown")}; this OptDsl reads version {SchemaVersion}. The file was not changed: use another file, or the OptDsl version that wrote it.");
        }
        using (var find = Command(connection, "SELECT space, search, slots FROM optdsl_studies WHERE name = $name", transaction, ("$name", study)))
        using (var reader = find.ExecuteReader())
        {
            if (reader.Read())
            {
                string oldSpace = reader.GetString(0), oldSearch = reader.GetString(1);
                long oldSlots = reader.GetInt64(2);
                if (oldSpace != space.Description || oldSearch != search || oldSlots != slots)
                    throw new InvalidOperationException(
                        $"The study '{study}' in {_path} searches {oldSpace} by {oldSearch} ({oldSlots} trials); this run searches {space.Description} by {search} ({slots} trials). " +
                        "A study keeps its search: give this one another study name (TuneOptions.StudyName) or another file. Nothing was written.");
                transaction.Commit();
                return;
            }
        }
        using (var insert = Command(connection, "INSERT INTO optdsl_studies (name, space, search, slots, created) VALUES ($name, $space, $search, $slots, $now)", transaction,
                   ("$name", study), ("$space", space.Description), ("$search", search), ("$slots", slots), ("$now", Now)))
            insert.ExecuteNonQuery();
        transaction.Commit();
    }

    public override Claim? TryClaim(string worker, TimeSpan stale)
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction(deferred: false);
        MarkLost(connection, transaction, stale);
        var taken = new HashSet<long>();
        using (var busy = Command(connection, "SELECT DISTINCT slot FROM optdsl_trials WHERE study = $study AND lost = 0", transaction, ("$study", _study)))
        using (var reader = busy.ExecuteReader())
            while (reader.Read()) taken.Add(reader.GetInt64(0));
        int slot = 0;
        while (slot < _slots && taken.Contains(slot)) slot++;
        if (slot >= _slots)
        {
            transaction.Commit();
            return null;
        }
        long now = Now;
        using var insert = Command(connection, """
            INSERT INTO optdsl_trials (study, slot, state, worker, started, heartbeat) VALUES ($study, $slot, 'Running', $worker, $now, $now);
            SELECT last_insert_rowid();
            """, transaction, ("$study", _study), ("$slot", slot), ("$worker", worker), ("$now", now));
        long attempt = (long)insert.ExecuteScalar()!;
        transaction.Commit();
        return new Claim(slot, attempt);
    }

    /// <summary>Running attempts whose heartbeat is older than <paramref name="stale"/> end Failed and lost: their workers stopped.</summary>
    private void MarkLost(SqliteConnection connection, SqliteTransaction transaction, TimeSpan stale)
    {
        using var update = Command(connection, """
            UPDATE optdsl_trials SET state = 'Failed', lost = 1, finished = $now,
                message = 'lost: its worker ' || worker || ' stopped (no heartbeat for ' || (($now - heartbeat) / 1000) || ' s); the trial runs again'
            WHERE study = $study AND state = 'Running' AND heartbeat < $limit
            """, transaction, ("$study", _study), ("$now", Now), ("$limit", Now - (long)stale.TotalMilliseconds));
        update.ExecuteNonQuery();
    }

    public override bool OthersRunning(TimeSpan stale)
    {
        using var connection = Connect();
        using var count = Command(connection, "SELECT COUNT(*) FROM optdsl_trials WHERE study = $study AND state = 'Running' AND heartbeat >= $limit",
            null, ("$study", _study), ("$limit", Now - (long)stale.TotalMilliseconds));
        return (long)count.ExecuteScalar()! > 0;
    }

    public override void Start(long attempt, double[] parameters)
    {
        using var connection = Connect();
        using var update = Command(connection, "UPDATE optdsl_trials SET parameters = $parameters WHERE attempt = $attempt", null,
            ("$parameters", Values(parameters)), ("$attempt", attempt));
        update.ExecuteNonQuery();
    }

    public override void Beat(long attempt)
    {
        using var connection = Connect();
        using var update = Command(connection, "UPDATE optdsl_trials SET heartbeat = $now WHERE attempt = $attempt AND state = 'Running'", null, ("$now", Now), ("$attempt", attempt));
        update.ExecuteNonQuery();
    }

    public override void Finish(long attempt, Trial trial)
    {
        using var connection = Connect();
        // An attempt already marked lost (its heartbeat went stale, say in a long pause) stays lost: its slot was handed
        // on, and a second end would count the slot twice.
        using var update = Command(connection, """
            UPDATE optdsl_trials SET state = $state, parameters = $parameters, epoch_values = $values, value = $value,
                duration_s = $duration, message = $message, finished = $now
            WHERE attempt = $attempt AND state = 'Running'
            """, null, ("$state", trial.State.ToString()), ("$parameters", Values(trial.ParameterValues)), ("$values", Values(trial.EpochValues)),
            ("$value", double.IsNaN(trial.Value) ? null : trial.Value), ("$duration", trial.Duration.TotalSeconds), ("$message", trial.Message),
            ("$now", Now), ("$attempt", attempt));
        update.ExecuteNonQuery();
    }

    public override IReadOnlyList<Trial> Trials(SearchSpace space)
    {
        using var connection = Connect();
        using var select = Command(connection, """
            SELECT slot, state, parameters, epoch_values, value, duration_s, message FROM optdsl_trials
            WHERE study = $study AND state <> 'Running' ORDER BY finished, attempt
            """, null, ("$study", _study));
        using var reader = select.ExecuteReader();
        var trials = new List<Trial>();
        while (reader.Read())
        {
            var parameters = ParseValues(reader.IsDBNull(2) ? null : reader.GetString(2));
            if (parameters.Length != space.Dimensions.Count) parameters = Enumerable.Repeat(double.NaN, space.Dimensions.Count).ToArray();
            trials.Add(new Trial((int)reader.GetInt64(0), space, parameters, ParseValues(reader.IsDBNull(3) ? null : reader.GetString(3)),
                reader.IsDBNull(4) ? double.NaN : reader.GetDouble(4), Enum.Parse<TrialState>(reader.GetString(1)),
                TimeSpan.FromSeconds(reader.IsDBNull(5) ? 0 : reader.GetDouble(5)), reader.IsDBNull(6) ? "" : reader.GetString(6)));
        }
        return trials;
    }
}
