#include "adapters/sqlite_store/sqlite_connection.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace minsheng::adapters::sqlite_store {

namespace {

// STRICT tables need 3.37; RETURNING needs 3.35.
constexpr int minimum_sqlite = 3037000;

std::string quoted(const std::string& path) { return "'" + path + "'"; }

[[noreturn]] void fail(const std::string& message) {
    throw sql::error(sql::error::kind::other, "", message);
}

sql::error::kind kind_of(int extended) {
    switch (extended) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
            return sql::error::kind::unique_violation;
        default:
            break;
    }
    switch (extended & 0xff) {
        case SQLITE_CONSTRAINT:
            return sql::error::kind::constraint;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return sql::error::kind::busy;
        default:
            return sql::error::kind::other;
    }
}

// SQLite's messages name tables, columns and constraints, never bound values.
[[noreturn]] void rethrow(const SQLite::Exception& e) {
    const int code = e.getExtendedErrorCode();
    throw sql::error(kind_of(code), std::to_string(code),
                     std::string(e.what()) + " (code " + std::to_string(code) + ")");
}

template <class F>
decltype(auto) translated(F&& f) {
    try {
        return f();
    } catch (const SQLite::Exception& e) {
        rethrow(e);
    }
}

class sqlite_statement final : public sql::statement {
public:
    sqlite_statement(SQLite::Database& db, std::string_view text)
        : s_(translated([&] { return SQLite::Statement(db, std::string(text)); })) {}

    bool executeStep() override {
        return translated([&] { return s_.executeStep(); });
    }
    int exec() override {
        return translated([&] { return s_.exec(); });
    }
    void reset() override {
        translated([&] { s_.reset(); });
    }
    void tryReset() noexcept override { s_.tryReset(); }
    int getBindParameterCount() const override { return s_.getBindParameterCount(); }

    bool column_is_null(int i) const override { return s_.isColumnNull(i); }
    std::int64_t column_int64(int i) const override {
        return translated([&] { return s_.getColumn(i).getInt64(); });
    }
    double column_double(int i) const override {
        return translated([&] { return s_.getColumn(i).getDouble(); });
    }
    std::string column_text(int i) const override {
        return translated([&] { return s_.getColumn(i).getString(); });
    }

protected:
    void bind_int64(int i, std::int64_t v) override {
        translated([&] { s_.bind(i, static_cast<int64_t>(v)); });
    }
    void bind_double(int i, double v) override {
        translated([&] { s_.bind(i, v); });
    }
    void bind_text(int i, std::string_view v) override {
        // SQLITE_TRANSIENT: SQLite copies the text, so the caller's buffer may go.
        translated([&] { s_.bind(i, std::string(v)); });
    }
    void bind_null(int i) override {
        translated([&] { s_.bind(i); });
    }

private:
    SQLite::Statement s_;
};

// greatest(a, b, ...) and least(a, b, ...) as PostgreSQL has them: NULL arguments are ignored,
// and the result is NULL only when every argument is.
void extreme(sqlite3_context* context, int argc, sqlite3_value** argv, bool greatest) {
    sqlite3_value* best = nullptr;
    for (int i = 0; i < argc; ++i) {
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL) continue;
        if (best == nullptr) {
            best = argv[i];
            continue;
        }
        const bool integers = sqlite3_value_type(argv[i]) == SQLITE_INTEGER &&
                              sqlite3_value_type(best) == SQLITE_INTEGER;
        const bool better =
            integers ? (greatest ? sqlite3_value_int64(argv[i]) > sqlite3_value_int64(best)
                                 : sqlite3_value_int64(argv[i]) < sqlite3_value_int64(best))
                     : (greatest ? sqlite3_value_double(argv[i]) > sqlite3_value_double(best)
                                 : sqlite3_value_double(argv[i]) < sqlite3_value_double(best));
        if (better) best = argv[i];
    }
    if (best == nullptr)
        sqlite3_result_null(context);
    else
        sqlite3_result_value(context, best);
}

void greatest_fn(sqlite3_context* c, int argc, sqlite3_value** argv) {
    extreme(c, argc, argv, true);
}
void least_fn(sqlite3_context* c, int argc, sqlite3_value** argv) { extreme(c, argc, argv, false); }

class sqlite_connection final : public sql::connection {
public:
    sqlite_connection(SQLite::Database db, std::string path)
        : db_(std::move(db)), path_(std::move(path)) {
        for (const auto& [name, fn] :
             {std::pair{"greatest", &greatest_fn}, std::pair{"least", &least_fn}}) {
            const int rc = sqlite3_create_function_v2(db_.getHandle(), name, -1,
                                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                                      fn, nullptr, nullptr, nullptr);
            if (rc != SQLITE_OK) fail(std::string("cannot register ") + name + "()");
        }
    }

    sql::dialect dialect() const override { return sql::dialect::sqlite; }
    void exec(std::string_view text) override {
        translated([&] { db_.exec(std::string(text)); });
    }
    std::unique_ptr<sql::statement> prepare(std::string_view text) override {
        return std::make_unique<sqlite_statement>(db_, text);
    }
    void begin_write() override { exec("BEGIN IMMEDIATE"); }
    std::string describe() const override { return path_; }

private:
    SQLite::Database db_;
    std::string path_;
};

void require_library() {
    if (SQLite::getLibVersionNumber() < minimum_sqlite)
        fail(std::string("SQLite ") + SQLite::getLibVersion() +
             " is too old; 3.37.0 or newer is required");
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
        fail("cannot make " + quoted(path) + " private (chmod 0600): " + std::strerror(error));
    return true;
}

// Makes the -wal and -shm files of a database the store created private too, in case they were
// made before the database file's mode could count (belt and braces; SQLite copies it).
void make_wal_private(const std::string& path) {
    for (const char* suffix : {"-wal", "-shm"}) {
        const std::string file = path + suffix;
        if (::chmod(file.c_str(), private_mode) != 0 && errno != ENOENT)
            fail("cannot make " + quoted(file) + " private (chmod 0600): " + std::strerror(errno));
    }
}

}  // namespace

bool is_sqlite_location(const std::string& location) {
    return !(location.starts_with("postgresql://") || location.starts_with("postgres://"));
}

std::unique_ptr<sql::connection> open_writer(const std::string& path, int busy_timeout_ms,
                                             bool full_sync) {
    require_library();
    const bool created = is_file_path(path) && create_private_file(path);
    auto db = translated([&] {
        return SQLite::Database(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                busy_timeout_ms);
    });
    translated([&] {
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
            fail(quoted(path) + " cannot use WAL mode (journal_mode is " + mode + ")");
        if (created) make_wal_private(path);
        db.exec(full_sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
        db.exec("PRAGMA foreign_keys = ON");
        if (db.execAndGet("PRAGMA foreign_keys").getInt() != 1)
            fail("this SQLite build does not enforce foreign keys");
        // Truncate the -wal file back to 64 MiB after a checkpoint instead of leaving it at its
        // high-water mark.
        db.exec("PRAGMA journal_size_limit = 67108864");
    });
    return std::make_unique<sqlite_connection>(std::move(db), path);
}

std::unique_ptr<sql::connection> open_reader(const std::string& path, int busy_timeout_ms) {
    require_library();
    auto db =
        translated([&] { return SQLite::Database(path, SQLite::OPEN_READONLY, busy_timeout_ms); });
    return std::make_unique<sqlite_connection>(std::move(db), path);
}

std::string synchronous_mode(sql::connection& c) {
    switch (sql::query_int64(c, "PRAGMA synchronous", -1)) {
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

}  // namespace minsheng::adapters::sqlite_store
