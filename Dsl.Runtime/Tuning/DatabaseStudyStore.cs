using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;

namespace OptDsl.Runtime.Tuning;

/// <summary>
/// What the SQLite and PostgreSQL stores share: the schema (version <see cref="SchemaVersion"/>, docs/tuning.md
/// "Storage"), its check, the study's row, the claim of the lowest free slot with lost attempts freed first, heartbeats
/// and the trials read back. A database says how it connects, how it writes its tables and its clock, and how a claim
/// becomes exclusive (<see cref="BeginClaim"/>). Every statement names its parameters <c>@name</c>, which both accept.
/// </summary>
internal abstract class DatabaseStudyStore : StudyStore
{
    /// <summary>The schema this OptDsl writes and reads.</summary>
    public const int SchemaVersion = 1;

    private string _study = "";
    private int _slots;

    /// <summary>How messages name the store: a file's path, or a server's host, port and database.</summary>
    protected abstract string Where { get; }

    /// <summary>"SQLite file", "PostgreSQL database".</summary>
    protected abstract string Kind { get; }

    /// <summary>An open connection; a failure to connect is an <see cref="InvalidOperationException"/> naming <see cref="Where"/>.</summary>
    protected abstract DbConnection Connect();

    /// <summary>The database's clock in Unix milliseconds, as an SQL expression (heartbeats and staleness use one clock).</summary>
    protected abstract string Now { get; }

    /// <summary>The column type of <c>optdsl_trials.attempt</c>, an increasing key (SQLite's INTEGER PRIMARY KEY AUTOINCREMENT, PostgreSQL's BIGSERIAL).</summary>
    protected abstract string AttemptKey { get; }

    /// <summary>The column type of a floating-point value.</summary>
    protected abstract string RealType { get; }

    /// <summary>The column type of a time in Unix milliseconds.</summary>
    protected abstract string TimeType { get; }

    /// <summary>The tables of schema version <see cref="SchemaVersion"/>, one text for both databases in their own types.</summary>
    private string CreateTables => $"""
        CREATE TABLE optdsl_schema (version INTEGER NOT NULL);
        INSERT INTO optdsl_schema (version) VALUES (@version);
        CREATE TABLE optdsl_studies (
            name TEXT PRIMARY KEY,
            space TEXT NOT NULL,
            search TEXT NOT NULL,
            slots INTEGER NOT NULL,
            created {TimeType} NOT NULL);
        CREATE TABLE optdsl_trials (
            attempt {AttemptKey},
            study TEXT NOT NULL REFERENCES optdsl_studies (name),
            slot INTEGER NOT NULL,
            state TEXT NOT NULL,
            lost INTEGER NOT NULL DEFAULT 0,
            parameters TEXT,
            epoch_values TEXT,
            value {RealType},
            duration_s {RealType},
            message TEXT,
            worker TEXT NOT NULL,
            started {TimeType} NOT NULL,
            heartbeat {TimeType} NOT NULL,
            finished {TimeType});
        CREATE INDEX optdsl_trials_slot ON optdsl_trials (study, slot);
        """;

    /// <summary>The names of the existing tables whose names begin with <c>optdsl_</c>.</summary>
    protected abstract string ListTables { get; }

    /// <summary>The transaction of a claim, exclusive among the study's workers once begun.</summary>
    protected abstract DbTransaction BeginClaim(DbConnection connection, string study);

    /// <summary>The transaction that checks or creates the schema and the study, exclusive among workers that start together.</summary>
    protected abstract DbTransaction BeginOpen(DbConnection connection);

    /// <summary>Inserts a Running attempt and returns its id (statement text for the database).</summary>
    protected abstract string InsertAttempt { get; }

    /// <summary>After the study is found or created (SQLite: write-ahead logging).</summary>
    protected virtual void Opened(DbConnection connection)
    {
    }

    protected static DbCommand Command(DbConnection connection, string sql, DbTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = "@" + name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }
        return command;
    }

    public sealed override void Open(string study, SearchSpace space, string search, int slots)
    {
        _study = study;
        _slots = slots;
        using var connection = Connect();
        using (var transaction = BeginOpen(connection))
        {
            var tables = new HashSet<string>();
            using (var list = Command(connection, ListTables, transaction))
            using (var reader = list.ExecuteReader())
                while (reader.Read()) tables.Add(reader.GetString(0));
            if (tables.Count == 0)
            {
                using var create = Command(connection, CreateTables, transaction, ("version", SchemaVersion));
                create.ExecuteNonQuery();
            }
            else
            {
                long? version = null;
                if (tables.Contains("optdsl_schema"))
                    using (var read = Command(connection, "SELECT version FROM optdsl_schema", transaction))
                        version = read.ExecuteScalar() is { } v and not DBNull ? Convert.ToInt64(v) : null;
                if (version != SchemaVersion)
                    throw new InvalidOperationException(
                        $"The {Kind} {Where} holds OptDsl studies of schema version {(version?.ToString() ?? "unknown")}; this OptDsl reads version {SchemaVersion}. " +
                        "Nothing was changed: use another store, or the OptDsl version that wrote it.");
            }
            bool found = false;
            using (var find = Command(connection, "SELECT space, search, slots FROM optdsl_studies WHERE name = @name", transaction, ("name", study)))
            using (var reader = find.ExecuteReader())
            {
                if (reader.Read())
                {
                    string oldSpace = reader.GetString(0), oldSearch = reader.GetString(1);
                    long oldSlots = Convert.ToInt64(reader.GetValue(2));
                    if (oldSpace != space.Description || oldSearch != search || oldSlots != slots)
                        throw new InvalidOperationException(
                            $"The study '{study}' in {Where} searches {oldSpace} by {oldSearch} ({oldSlots} trials); this run searches {space.Description} by {search} ({slots} trials). " +
                            "A study keeps its search: give this one another study name (TuneOptions.StudyName) or another store. Nothing was written.");
                    found = true;
                }
            }
            if (!found)
            {
                using var insert = Command(connection, $"INSERT INTO optdsl_studies (name, space, search, slots, created) VALUES (@name, @space, @search, @slots, {Now})", transaction,
                    ("name", study), ("space", space.Description), ("search", search), ("slots", slots));
                insert.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        Opened(connection);
    }

    public sealed override Claim? TryClaim(string worker, TimeSpan stale)
    {
        using var connection = Connect();
        using var transaction = BeginClaim(connection, _study);
        using (var lost = Command(connection, $"""
            UPDATE optdsl_trials SET state = 'Failed', lost = 1, finished = {Now},
                message = 'lost: its worker ' || worker || ' stopped (no heartbeat for ' || (({Now} - heartbeat) / 1000) || ' s); the trial runs again'
            WHERE study = @study AND state = 'Running' AND heartbeat < {Now} - @stale
            """, transaction, ("study", _study), ("stale", (long)stale.TotalMilliseconds)))
            lost.ExecuteNonQuery();
        var taken = new HashSet<long>();
        using (var busy = Command(connection, "SELECT DISTINCT slot FROM optdsl_trials WHERE study = @study AND lost = 0", transaction, ("study", _study)))
        using (var reader = busy.ExecuteReader())
            while (reader.Read()) taken.Add(Convert.ToInt64(reader.GetValue(0)));
        int slot = 0;
        while (slot < _slots && taken.Contains(slot)) slot++;
        if (slot >= _slots)
        {
            transaction.Commit();
            return null;
        }
        using var insert = Command(connection, InsertAttempt, transaction, ("study", _study), ("slot", slot), ("worker", worker));
        long attempt = Convert.ToInt64(insert.ExecuteScalar());
        transaction.Commit();
        return new Claim(slot, attempt);
    }

    public sealed override bool OthersRunning(TimeSpan stale)
    {
        using var connection = Connect();
        using var count = Command(connection, $"SELECT COUNT(*) FROM optdsl_trials WHERE study = @study AND state = 'Running' AND heartbeat >= {Now} - @stale",
            null, ("study", _study), ("stale", (long)stale.TotalMilliseconds));
        return Convert.ToInt64(count.ExecuteScalar()) > 0;
    }

    public sealed override void Start(long attempt, double[] parameters)
    {
        using var connection = Connect();
        using var update = Command(connection, "UPDATE optdsl_trials SET parameters = @parameters WHERE attempt = @attempt", null,
            ("parameters", Values(parameters)), ("attempt", attempt));
        update.ExecuteNonQuery();
    }

    public sealed override void Beat(long attempt)
    {
        using var connection = Connect();
        using var update = Command(connection, $"UPDATE optdsl_trials SET heartbeat = {Now} WHERE attempt = @attempt AND state = 'Running'", null, ("attempt", attempt));
        update.ExecuteNonQuery();
    }

    public sealed override void Finish(long attempt, Trial trial)
    {
        using var connection = Connect();
        // An attempt already marked lost (its heartbeat went stale, say in a long pause) stays lost: its slot was handed
        // on, and a second end would count the slot twice.
        using var update = Command(connection, $"""
            UPDATE optdsl_trials SET state = @state, parameters = @parameters, epoch_values = @values, value = @value,
                duration_s = @duration, message = @message, finished = {Now}
            WHERE attempt = @attempt AND state = 'Running'
            """, null, ("state", trial.State.ToString()), ("parameters", Values(trial.ParameterValues)), ("values", Values(trial.EpochValues)),
            ("value", double.IsNaN(trial.Value) ? null : trial.Value), ("duration", trial.Duration.TotalSeconds), ("message", trial.Message),
            ("attempt", attempt));
        update.ExecuteNonQuery();
    }

    public sealed override IReadOnlyList<Trial> Trials(SearchSpace space)
    {
        using var connection = Connect();
        using var select = Command(connection, """
            SELECT slot, state, parameters, epoch_values, value, duration_s, message FROM optdsl_trials
            WHERE study = @study AND state <> 'Running' ORDER BY finished, attempt
            """, null, ("study", _study));
        using var reader = select.ExecuteReader();
        var trials = new List<Trial>();
        while (reader.Read())
        {
            var parameters = ParseValues(reader.IsDBNull(2) ? null : reader.GetString(2));
            if (parameters.Length != space.Dimensions.Count) parameters = Enumerable.Repeat(double.NaN, space.Dimensions.Count).ToArray();
            trials.Add(new Trial(Convert.ToInt32(reader.GetValue(0)), space, parameters, ParseValues(reader.IsDBNull(3) ? null : reader.GetString(3)),
                reader.IsDBNull(4) ? double.NaN : reader.GetDouble(4), Enum.Parse<TrialState>(reader.GetString(1)),
                TimeSpan.FromSeconds(reader.IsDBNull(5) ? 0 : reader.GetDouble(5)), reader.IsDBNull(6) ? "" : reader.GetString(6)));
        }
        return trials;
    }
}
