using System;
using System.Data.Common;
using System.IO;
using Microsoft.Data.Sqlite;

namespace OptDsl.Runtime.Tuning;

/// <summary>
/// A study in a SQLite file (<c>sqlite:PATH</c>), so that it outlives the process: a run killed in the middle and
/// started again resumes the study, losing only the attempts that were running (they are marked lost once their
/// heartbeat is stale, and their slots run again). Several processes of one machine may share the file: a claim is an
/// IMMEDIATE transaction, which SQLite grants one writer at a time. Write-ahead logging once the file is known to be
/// ours; a file refused (another schema version) is left byte for byte as it was.
/// </summary>
internal sealed class SqliteStudyStore : DatabaseStudyStore
{
    private readonly string _path;
    private readonly string _connectionString;

    public SqliteStudyStore(string path)
    {
        _path = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = _path, Mode = SqliteOpenMode.ReadWriteCreate, DefaultTimeout = 60 }.ToString();
    }

    protected override string Where => _path;

    protected override string Kind => "SQLite file";

    protected override DbConnection Connect()
    {
        string? folder = Path.GetDirectoryName(_path);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            connection.Open();
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection.Dispose();
            throw new InvalidOperationException($"The SQLite study file {_path} cannot be opened: {e.Message}", e);
        }
        using var pragma = Command(connection, "PRAGMA busy_timeout = 60000; PRAGMA foreign_keys = ON;");
        pragma.ExecuteNonQuery();
        return connection;
    }

    protected override string Now => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

    protected override string ListTables => "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'optdsl_%'";

    protected override string AttemptKey => "INTEGER PRIMARY KEY AUTOINCREMENT";

    protected override string RealType => "REAL";

    protected override string TimeType => "INTEGER";

    protected override string InsertAttempt => $"""
        INSERT INTO optdsl_trials (study, slot, state, worker, started, heartbeat) VALUES (@study, @slot, 'Running', @worker, {Now}, {Now});
        SELECT last_insert_rowid();
        """;

    protected override DbTransaction BeginOpen(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    protected override DbTransaction BeginClaim(DbConnection connection, string study) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    protected override void Opened(DbConnection connection)
    {
        using var wal = Command(connection, "PRAGMA journal_mode = WAL;");
        wal.ExecuteNonQuery();
    }
}
