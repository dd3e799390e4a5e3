#include "adapters/sqlite_store/detail/connection.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Transaction.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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
    // The recorded steps are the first of the known steps, in order (versions may skip a number
    // while branches that each add a step are merged).
    SQLite::Statement rows(db, "SELECT version, name FROM schema_migrations ORDER BY version");
    std::size_t applied = 0;
    while (rows.executeStep()) {
        const int version = rows.getColumn(0).getInt();
        if (version > latest_schema_version()) throw_newer(version);
        const auto& step = steps[applied];
        if (version > step.version)
            throw store_error("sqlite_store: schema_migrations is missing version " +
                              std::to_string(step.version));
        if (version != step.version)
            throw store_error("sqlite_store: schema version " + std::to_string(version) +
                              " in the database is unknown to this build; the database comes "
                              "from another branch");
        if (rows.getColumn(1).getString() != step.name)
            throw store_error("sqlite_store: schema version " + std::to_string(version) +
                              " in the database is not '" + std::string(step.name) +
                              "' as this build knows it; the database comes from another branch");
        ++applied;
    }
    return applied == 0 ? 0 : steps[applied - 1].version;
}

// Owner read and write only: the database holds residents' names, phones and addresses.
constexpr mode_t private_mode = S_IRUSR | S_IWUSR;

// A path SQLite opens as a file of that name (not an in-memory or temporary database).
bool is_file_path(const std::string& path) { return !path.empty() && path != ":memory:"; }

// Creates `path` as an empty file of private_mode, whatever the umask, if nothing is there yet;
// SQLite then takes an empty file for a new database and gives its -wal and -shm files the same
// mode. Returns whether it created the file. Any failure but "exists" is left to SQLite's open
// to report (a missing directory, no permission).
bool create_private_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, private_mode);
    if (fd < 0) return false;
    const int error = ::fchmod(fd, private_mode) == 0 ? 0 : errno;
    ::close(fd);
    if (error != 0)
        throw store_error("sqlite_store: cannot make " + quoted(path) +
                          " private (chmod 0600): " + std::strerror(error));
    return true;
}

// Makes the -wal and -shm files of a database the store created private too, in case they were
// made before the database file's mode could count (belt and braces; SQLite copies it).
void make_wal_private(const std::string& path) {
    for (const char* suffix : {"-wal", "-shm"}) {
        const std::string file = path + suffix;
        if (::chmod(file.c_str(), private_mode) != 0 && errno != ENOENT)
            throw store_error("sqlite_store: cannot make " + quoted(file) +
                              " private (chmod 0600): " + std::strerror(errno));
    }
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

SQLite::Database open_writer(const std::string& path, int busy_timeout_ms, durability sync) {
    require_library();
    const bool created = is_file_path(path) && create_private_file(path);
    auto db = guarded("open database " + quoted(path), [&] {
        return SQLite::Database(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                busy_timeout_ms);
    });
    guarded("configure database " + quoted(path), [&] {
        // WAL: readers never block the writer nor the writer the readers, and a commit is one
        // append to the -wal file.
        //
        // synchronous=FULL (the default): the -wal file is fsynced at every commit, so what the
        // gateway acknowledged survives a power loss, at the price of one fsync per commit
        // (batches share one). synchronous=NORMAL fsyncs at checkpoints only: a crash of the
        // process loses nothing that was committed and the file is never corrupted, but a power
        // loss or OS crash can roll back the transactions committed since the last checkpoint.
        const std::string mode = db.execAndGet("PRAGMA journal_mode = WAL").getString();
        if (mode != "wal" && !(path == ":memory:" && mode == "memory"))
            throw store_error("sqlite_store: " + quoted(path) +
                              " cannot use WAL mode (journal_mode is " + mode + ")");
        if (created) make_wal_private(path);
        db.exec(sync == durability::full ? "PRAGMA synchronous = FULL"
                                         : "PRAGMA synchronous = NORMAL");
        db.exec("PRAGMA foreign_keys = ON");
        if (db.execAndGet("PRAGMA foreign_keys").getInt() != 1)
            throw store_error("sqlite_store: this SQLite build does not enforce foreign keys");
        // Truncate the -wal file back to 64 MiB after a checkpoint instead of leaving it at its
        // high-water mark.
        db.exec("PRAGMA journal_size_limit = 67108864");
    });
    return db;
}

std::string synchronous_mode(SQLite::Database& db) {
    switch (db.execAndGet("PRAGMA synchronous").getInt()) {
        case 0:
            return "off";
        case 1:
            return "normal";
        case 2:
            return "full";
        case 3:
            return "extra";
        default:
            return "unknown";
    }
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
