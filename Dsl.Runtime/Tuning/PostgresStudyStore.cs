using System;
using System.Collections.Generic;
using System.Linq;
using Npgsql;

namespace OptDsl.Runtime.Tuning;

/// <summary>
/// A study in a PostgreSQL database (<c>postgresql:CONNECTION STRING</c>), shared by worker processes on any number of
/// machines: each runs <c>Run</c> with the same connection string and study name and takes trials until none is left.
/// A claim locks the study's row (<c>SELECT ... FOR UPDATE</c>), so two workers never take the same slot; heartbeats
/// and the staleness test use the server's clock, so the workers' clocks need not agree. Same schema as the SQLite
/// store (docs/tuning.md, "Storage"), version 1.
/// </summary>
internal sealed class PostgresStudyStore : StudyStore
{
    public const int SchemaVersion = SqliteStudyStore.SchemaVersion;

    private readonly NpgsqlDataSource _source;
    private readonly string _server;
    private string _study = "";
    private int _slots;

    public PostgresStudyStore(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The PostgreSQL connection string '{connectionString}' is malformed: {e.Message}", "storage", e);
        }
        if (string.IsNullOrWhiteSpace(builder.Host))
            throw new ArgumentException($"The PostgreSQL connection string '{connectionString}' names no Host.", "storage");
        _server = $"{builder.Host}:{builder.Port}" + (string.IsNullOrEmpty(builder.Database) ? "" : "/" + builder.Database);
        _source = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public override void Dispose() => _source.Dispose();

    private NpgsqlConnection Connect()
    {
        try
        {
            return _source.OpenConnection();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException($"The PostgreSQL server {_server} cannot be reached: {e.Message}", e);
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public override void Open(string study, SearchSpace space, string search, int slots)
    {
        _study = study;
        _slots = slots;
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        // One creator at a time: workers that start together serialize on this lock, and only the first creates tables.
        using (var lockCommand = Command(connection, "SELECT pg_advisory_xact_lock(7351900001)", transaction)) lockCommand.ExecuteNonQuery();
        var tables = new HashSet<string>();
        using (var list = Command(connection, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'optdsl\\_%'", transaction))
        using (var reader = list.ExecuteReader())
            while (reader.Read()) tables.Add(reader.GetString(0));
        if (tables.Count == 0)
        {
            using var create = Command(connection, """
                CREATE TABLE optdsl_schema (version INTEGER NOT NULL);
                INSERT INTO optdsl_schema (version) VALUES (@version);
                CREATE TABLE optdsl_studies (
                    name TEXT PRIMARY KEY,
                    space TEXT NOT NULL,
                    search TEXT NOT NULL,
                    slots INTEGER NOT NULL,
                    created BIGINT NOT NULL);
                CREATE TABLE optdsl_trials (
                    attempt BIGSERIAL PRIMARY KEY,
                    study TEXT NOT NULL REFERENCES optdsl_studies (name),
                    slot INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    lost INTEGER NOT NULL DEFAULT 0,
                    parameters TEXT,
                    epoch_values TEXT,
                    value DOUBLE PRECISION,
                    duration_s DOUBLE PRECISION,
                    message TEXT,
                    worker TEXT NOT NULL,
                    started BIGINT NOT NULL,
                    heartbeat BIGINT NOT NULL,
                    finished BIGINT);
                CREATE INDEX optdsl_trials_slot ON optdsl_trials (study, slot);
                """, transaction, ("version", SchemaVersion));
            create.ExecuteNonQuery();
        }
        else
        {
            long? version = null;
            if (tables.Contains("optdsl_schema"))
                using (var read = Command(connection, "SELECT version FROM optdsl_schema", transaction))
                    version = read.ExecuteScalar() is int v ? v : null;
            if (version != SchemaVersion)
                throw new InvalidOperationException(
                    $"The PostgreSQL database {_server} holds OptDsl studies of schema version {(version?.ToString() ?? "unknown")}; this OptDsl reads version {SchemaVersion}. Nothing was changed: use another database or schema, or the OptDsl version that wrote it.");
        }
        using (var find = Command(connection, "SELECT space, search, slots FROM optdsl_studies WHERE name = @name", transaction, ("name", study)))
        using (var reader = find.ExecuteReader())
        {
            if (reader.Read())
            {
                string oldSpace = reader.GetString(0), oldSearch = reader.GetString(1);
                int oldSlots = reader.GetInt32(2);
                if (oldSpace != space.Description || oldSearch != search || oldSlots != slots)
                    throw new InvalidOperationException(
                        $"The study '{study}' in {_server} searches {oldSpace} by {oldSearch} ({oldSlots} trials); this run searches {space.Description} by {search} ({slots} trials). " +
                        "A study keeps its search: give this one another study name (TuneOptions.StudyName). Nothing was written.");
                reader.Close();
                transaction.Commit();
                return;
            }
        }
        using (var insert = Command(connection, "INSERT INTO optdsl_studies (name, space, search, slots, created) VALUES (@name, @space, @search, @slots, " + Now + ")", transaction,
                   ("name", study), ("space", space.Description), ("search", search), ("slots", slots)))
            insert.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>The server's clock in Unix milliseconds, as SQL.</summary>
    private const string Now = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

    public override Claim? TryClaim(string worker, TimeSpan stale)
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        // The study's row is the claim lock: one claim at a time per study, whatever the number of workers.
        using (var lockRow = Command(connection, "SELECT name FROM optdsl_studies WHERE name = @study FOR UPDATE", transaction, ("study", _study))) lockRow.ExecuteNonQuery();
        using (var lost = Command(connection, $"""
            UPDATE optdsl_trials SET state = 'Failed', lost = 1, finished = {Now},
                message = 'lost: its worker ' || worker || ' stopped (no heartbeat for ' || (({Now} - heartbeat) / 1000) || ' s); the trial runs again'
            WHERE study = @study AND state = 'Running' AND heartbeat < {Now} - @stale
            """, transaction, ("study", _study), ("stale", (long)stale.TotalMilliseconds)))
            lost.ExecuteNonQuery();
        var taken = new HashSet<int>();
        using (var busy = Command(connection, "SELECT DISTINCT slot FROM optdsl_trials WHERE study = @study AND lost = 0", transaction, ("study", _study)))
        using (var reader = busy.ExecuteReader())
            while (reader.Read()) taken.Add(reader.GetInt32(0));
        int slot = 0;
        while (slot < _slots && taken.Contains(slot)) slot++;
        if (slot >= _slots)
        {
            transaction.Commit();
            return null;
        }
        using var insert = Command(connection, $"""
            INSERT INTO optdsl_trials (study, slot, state, worker, started, heartbeat) VALUES (@study, @slot, 'Running', @worker, {Now}, {Now}) RETURNING attempt
            """, transaction, ("study", _study), ("slot", slot), ("worker", worker));
        long attempt = (long)insert.ExecuteScalar()!;
        transaction.Commit();
        return new Claim(slot, attempt);
    }

    public override bool OthersRunning(TimeSpan stale)
    {
        using var connection = Connect();
        using var count = Command(connection, $"SELECT COUNT(*) FROM optdsl_trials WHERE study = @study AND state = 'Running' AND heartbeat >= {Now} - @stale",
            null, ("study", _study), ("stale", (long)stale.TotalMilliseconds));
        return (long)count.ExecuteScalar()! > 0;
    }

    public override void Start(long attempt, double[] parameters)
    {
        using var connection = Connect();
        using var update = Command(connection, "UPDATE optdsl_trials SET parameters = @parameters WHERE attempt = @attempt", null,
            ("parameters", Values(parameters)), ("attempt", attempt));
        update.ExecuteNonQuery();
    }

    public override void Beat(long attempt)
    {
        using var connection = Connect();
        using var update = Command(connection, $"UPDATE optdsl_trials SET heartbeat = {Now} WHERE attempt = @attempt AND state = 'Running'", null, ("attempt", attempt));
        update.ExecuteNonQuery();
    }

    public override void Finish(long attempt, Trial trial)
    {
        using var connection = Connect();
        // An attempt already marked lost (its heartbeat went stale, say a long pause) keeps that state: its slot has been
        // handed to another worker, and a second end would count the slot twice.
        using var update = Command(connection, $"""
            UPDATE optdsl_trials SET state = @state, parameters = @parameters, epoch_values = @values, value = @value,
                duration_s = @duration, message = @message, finished = {Now}
            WHERE attempt = @attempt AND state = 'Running'
            """, null, ("state", trial.State.ToString()), ("parameters", Values(trial.ParameterValues)), ("values", Values(trial.EpochValues)),
            ("value", double.IsNaN(trial.Value) ? null : trial.Value), ("duration", trial.Duration.TotalSeconds), ("message", trial.Message),
            ("attempt", attempt));
        update.ExecuteNonQuery();
    }

    public override IReadOnlyList<Trial> Trials(SearchSpace space)
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
            trials.Add(new Trial(reader.GetInt32(0), space, parameters, ParseValues(reader.IsDBNull(3) ? null : reader.GetString(3)),
                reader.IsDBNull(4) ? double.NaN : reader.GetDouble(4), Enum.Parse<TrialState>(reader.GetString(1)),
                TimeSpan.FromSeconds(reader.IsDBNull(5) ? 0 : reader.GetDouble(5)), reader.IsDBNull(6) ? "" : reader.GetString(6)));
        }
        return trials;
    }
}
