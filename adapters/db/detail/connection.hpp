#pragma once
// Private to adapters/db: opening the engine a location names, applying its schema steps, and
// turning sql::error into store_error at the module boundary.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/db/store.hpp"
#include "adapters/sql/connection.hpp"

namespace minsheng::adapters::db::detail {

// "store: <operation> failed: <engine's message>". The drivers' messages name tables, columns
// and constraints, never bound values, so no row data reaches the text.
[[noreturn]] void throw_store_error(std::string_view operation, const sql::error& e);

// Runs `f`, rethrowing any sql::error as store_error naming `operation`. Other exceptions pass
// through unchanged.
template <class F>
decltype(auto) guarded(std::string_view operation, F&& f) {
    try {
        return f();
    } catch (const sql::error& e) {
        throw_store_error(operation, e);
    }
}

// Resets a cached statement when the scope ends, however it ends, so it never keeps a read
// snapshot open or carries a failed step into its next use. Bindings are overwritten on reuse.
class statement_use {
public:
    explicit statement_use(sql::statement& s) : s_(s) {}
    ~statement_use() { s_.tryReset(); }
    statement_use(const statement_use&) = delete;
    statement_use& operator=(const statement_use&) = delete;
    sql::statement* operator->() { return &s_; }
    sql::statement& operator*() { return s_; }

private:
    sql::statement& s_;
};

// True when `location` is a PostgreSQL URL (postgresql:// or postgres://); anything else is a
// SQLite file path.
bool is_postgres(const std::string& location);

// Opens a PostgreSQL connection for `location` (a URL) with the store's options. Throws
// store_error.
std::unique_ptr<sql::connection> open_pg(const std::string& location, const store_options& options);

// Opens the write connection for `location` with the store's options. Throws store_error.
std::unique_ptr<sql::connection> open_writer(const std::string& location,
                                             const store_options& options);

// The connection's durability as the engine reports it: SQLite's synchronous ("full",
// "normal", ...), PostgreSQL's synchronous_commit ("on", "off", ...). Throws sql::error.
std::string synchronous_mode(sql::connection& c);

// Opens a read connection on an existing database and checks that its schema is one this build
// understands. Throws store_error.
std::unique_ptr<sql::connection> open_reader(const std::string& location,
                                             const store_options& options);

// The highest version recorded in schema_migrations; 0 when the table does not exist.
int applied_version(sql::connection& c);

// Applies every pending step of the engine's schema, each in its own write transaction (safe
// against another process migrating the same database at the same time). Refuses a database
// that is newer than this build or whose recorded steps differ from the known ones. Returns the
// schema version. Throws store_error.
int migrate(sql::connection& c, std::int64_t now);

}  // namespace minsheng::adapters::db::detail
