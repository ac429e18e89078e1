using System;
using System.Data.Common;
using Npgsql;

namespace OptDsl.Runtime.Tuning;

/// <summary>
/// A study in a PostgreSQL database (<c>postgresql:CONNECTION STRING</c>), shared by worker processes on any number of
/// machines: each runs <c>Run</c> with the same connection string and study name and takes trials until none is left.
/// A claim locks the study's row (<c>SELECT ... FOR UPDATE</c>), so two workers never take the same slot; heartbeats
/// and the staleness test use the server's clock, so the workers' clocks need not agree; the first worker creates the
/// tables under an advisory lock. Same schema as the SQLite store (docs/tuning.md, "Storage").
/// </summary>
internal sealed class PostgresStudyStore : DatabaseStudyStore
{
    private readonly NpgsqlDataSource _source;
    private readonly string _server;

    public PostgresStudyStore(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            throw new ArgumentException($"The PostgreSQL connection string '{connectionString}' is malformed: {e.Message}", "storage", e);
        }
        if (string.IsNullOrWhiteSpace(builder.Host))
            throw new ArgumentException($"The PostgreSQL connection string '{connectionString}' names no Host.", "storage");
        _server = $"{builder.Host}:{builder.Port}" + (string.IsNullOrEmpty(builder.Database) ? "" : "/" + builder.Database);
        _source = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public override void Dispose() => _source.Dispose();

    protected override string Where => _server;

    protected override string Kind => "PostgreSQL database";

    protected override DbConnection Connect()
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

    protected override string Now => "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

    protected override string ListTables =>
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'optdsl\\_%'";

    protected override string AttemptKey => "BIGSERIAL PRIMARY KEY";

    protected override string RealType => "DOUBLE PRECISION";

    protected override string TimeType => "BIGINT";

    protected override string InsertAttempt => $"""
        INSERT INTO optdsl_trials (study, slot, state, worker, started, heartbeat) VALUES (@study, @slot, 'Running', @worker, {Now}, {Now}) RETURNING attempt
        """;

    protected override DbTransaction BeginOpen(DbConnection connection)
    {
        var transaction = connection.BeginTransaction();
        // Workers that start together serialize here, so that only the first creates the tables.
        using var lockCommand = Command(connection, "SELECT pg_advisory_xact_lock(7351900001)", transaction);
        lockCommand.ExecuteNonQuery();
        return transaction;
    }

    protected override DbTransaction BeginClaim(DbConnection connection, string study)
    {
        var transaction = connection.BeginTransaction();
        // The study's row is the claim lock: one claim at a time per study, whatever the number of workers.
        using var lockRow = Command(connection, "SELECT name FROM optdsl_studies WHERE name = @study FOR UPDATE", transaction, ("study", study));
        lockRow.ExecuteNonQuery();
        return transaction;
    }
}
