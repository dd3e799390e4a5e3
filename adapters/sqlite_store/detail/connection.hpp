#pragma once
// Private to sqlite_store: opening configured connections, applying migrations, and turning
// SQLite::Exception into store_error at the module boundary.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/sqlite_store/store.hpp"

namespace minsheng::adapters::sqlite_store::detail {

// "sqlite_store: <operation> failed: <SQLite message> (code N)". SQLite's messages name tables,
// columns and constraints, never bound values, so no row data reaches the text.
[[noreturn]] void throw_store_error(std::string_view operation, const SQLite::Exception& e);

// Runs `f`, rethrowing any SQLite::Exception as store_error naming `operation`. Other exceptions
// pass through unchanged.
template <class F>
decltype(auto) guarded(std::string_view operation, F&& f) {
    try {
        return f();
    } catch (const SQLite::Exception& e) {
        throw_store_error(operation, e);
    }
}

// Resets a cached statement when the scope ends, however it ends, so it never keeps a read
// snapshot open or carries a failed step into its next use. Bindings are overwritten on reuse.
class statement_use {
public:
    explicit statement_use(SQLite::Statement& s) : s_(s) {}
    ~statement_use() { s_.tryReset(); }
    statement_use(const statement_use&) = delete;
    statement_use& operator=(const statement_use&) = delete;
    SQLite::Statement* operator->() { return &s_; }
    SQLite::Statement& operator*() { return s_; }

private:
    SQLite::Statement& s_;
};

// Opens (creating if needed) the write connection: WAL, synchronous FULL or NORMAL as `sync`
// says, foreign keys on, busy timeout. A database file it creates is mode 0600 (umask or not),
// and so are the -wal and -shm files next to it. Throws store_error.
SQLite::Database open_writer(const std::string& path, int busy_timeout_ms, durability sync);

// The connection's synchronous setting: "off", "normal", "full" or "extra". Throws
// SQLite::Exception.
std::string synchronous_mode(SQLite::Database& db);

// Opens an existing database read-only (never creates the file), with a busy timeout, and checks
// that its schema is one this build understands. Throws store_error.
SQLite::Database open_reader(const std::string& path, int busy_timeout_ms);

// The highest version recorded in schema_migrations; 0 when the table does not exist.
int applied_version(SQLite::Database& db);

// Applies every pending migration, each in its own IMMEDIATE transaction (safe against another
// process migrating the same file at the same time). Refuses a database that is newer than this
// build or whose recorded steps differ from the known ones. Returns the schema version.
// Throws store_error.
int migrate(SQLite::Database& db, std::int64_t now);

}  // namespace minsheng::adapters::sqlite_store::detail
