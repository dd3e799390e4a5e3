#include "adapters/sqlite_store/detail/connection.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Transaction.h>

#include "adapters/sqlite_store/migrations.hpp"

namespace minsheng::adapters::sqlite_store::detail {

namespace {

// STRICT tables need 3.37; RETURNING (used for number allocation) needs 3.35.
constexpr int minimum_sqlite = 3037000;

void require_library() {
    if (SQLite::getLibVersionNumber() < minimum_sqlite)
        throw store_error(std::string("sqlite_store: SQLite ") + SQLite::getLibVersion() +
                          " is too old; 3.37.0 or newer is required");
}

std::string quoted(const std::string& path) { return "'" + path + "'"; }

[[noreturn]] void throw_newer(int found) {
    throw store_error("sqlite_store: the database has schema version " + std::to_string(found) +
                      ", newer than this build understands (" +
                      std::to_string(latest_schema_version()) +
                      "); run a newer minsheng or use another database");
}

// Checks the recorded steps against the known ones and returns how many are applied.
int checked_version(SQLite::Database& db) {
    if (applied_version(db) == 0) return 0;
    const auto steps = migrations();
    SQLite::Statement rows(db, "SELECT version, name FROM schema_migrations ORDER BY version");
    int expected = 1;
    while (rows.executeStep()) {
        const int version = rows.getColumn(0).getInt();
        if (version > latest_schema_version()) throw_newer(version);
        const auto& step = steps[static_cast<std::size_t>(expected - 1)];
        if (version != expected)
            throw store_error("sqlite_store: schema_migrations is missing version " +
                              std::to_string(expected));
        if (rows.getColumn(1).getString() != step.name)
            throw store_error("sqlite_store: schema version " + std::to_string(version) +
                              " in the database is not '" + std::string(step.name) +
                              "' as this build knows it; the database comes from another branch");
        ++expected;
    }
    return expected - 1;
}

}  // namespace

void throw_store_error(std::string_view operation, const SQLite::Exception& e) {
    std::string message = "sqlite_store: ";
    message += operation;
    message += " failed: ";
    message += e.what();
    message += " (code " + std::to_string(e.getExtendedErrorCode()) + ")";
    throw store_error(message);
}

SQLite::Database open_writer(const std::string& path, int busy_timeout_ms, bool full_sync) {
    require_library();
    auto db = guarded("open database " + quoted(path), [&] {
        return SQLite::Database(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                busy_timeout_ms);
    });
    guarded("configure database " + quoted(path), [&] {
        // WAL: readers never block the writer nor the writer the readers, and a commit is one
        // append to the -wal file.
        //
        // synchronous=NORMAL (the default here): the -wal file is fsynced at checkpoints, not at
        // every commit. A crash of the process loses nothing that was committed, and the file is
        // never corrupted; only a power loss or OS crash can roll back the transactions
        // committed since the last checkpoint. synchronous=FULL (full_sync) fsyncs every commit
        // and so keeps even those, at the price of one fsync per message.
        const std::string mode = db.execAndGet("PRAGMA journal_mode = WAL").getString();
        if (mode != "wal" && !(path == ":memory:" && mode == "memory"))
            throw store_error("sqlite_store: " + quoted(path) +
                              " cannot use WAL mode (journal_mode is " + mode + ")");
        db.exec(full_sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
        db.exec("PRAGMA foreign_keys = ON");
        if (db.execAndGet("PRAGMA foreign_keys").getInt() != 1)
            throw store_error("sqlite_store: this SQLite build does not enforce foreign keys");
        // Truncate the -wal file back to 64 MiB after a checkpoint instead of leaving it at its
        // high-water mark.
        db.exec("PRAGMA journal_size_limit = 67108864");
    });
    return db;
}

SQLite::Database open_reader(const std::string& path, int busy_timeout_ms) {
    require_library();
    auto db = guarded("open reader on " + quoted(path), [&] {
        return SQLite::Database(path, SQLite::OPEN_READONLY, busy_timeout_ms);
    });
    const int version =
        guarded("read schema version of " + quoted(path), [&] { return checked_version(db); });
    if (version == 0)
        throw store_error("sqlite_store: " + quoted(path) +
                          " has no schema; open it with a store first");
    return db;
}

int applied_version(SQLite::Database& db) {
    SQLite::Statement exists(db,
                             "SELECT count(*) FROM sqlite_master "
                             "WHERE type = 'table' AND name = 'schema_migrations'");
    exists.executeStep();
    if (exists.getColumn(0).getInt() == 0) return 0;
    SQLite::Statement max(db, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    max.executeStep();
    return max.getColumn(0).getInt();
}

int migrate(SQLite::Database& db, std::int64_t now) {
    int version = guarded("read schema version", [&] { return checked_version(db); });
    for (const auto& step : migrations()) {
        if (step.version <= version) continue;
        const std::string operation =
            "migration " + std::to_string(step.version) + " (" + std::string(step.name) + ")";
        version = guarded(operation, [&] {
            SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
            // Another process may have migrated between our check and taking the write lock.
            const int current = checked_version(db);
            if (current >= step.version) return current;
            db.exec(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL,"
                " applied_at INTEGER NOT NULL) STRICT");
            db.exec(std::string(step.sql));
            SQLite::Statement record(
                db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
            record.bind(1, step.version);
            record.bind(2, std::string(step.name));
            record.bind(3, static_cast<std::int64_t>(now));
            record.exec();
            tx.commit();
            return step.version;
        });
    }
    return version;
}

}  // namespace minsheng::adapters::sqlite_store::detail
