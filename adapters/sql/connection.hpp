#pragma once
// The SQL the store speaks, apart from the engine that runs it. The store's code (adapters/db)
// prepares statements, binds parameters, steps through rows and runs transactions through these
// two interfaces; adapters/sqlite_store implements them on SQLiteCpp and adapters/pg_store on
// libpq. One store, one set of SQL texts, two engines: a behaviour only one engine shows is a
// bug in its driver or in a text that is not portable.
//
// Portable SQL, as the store writes it:
// - Parameters are `?N` (numbered from 1) or `?` (the next number after the highest so far), as
//   SQLite numbers them; the PostgreSQL driver rewrites them to `$N` outside quoted text.
// - Upserts are `INSERT ... ON CONFLICT (...) DO NOTHING | DO UPDATE SET c = excluded.c`; new
//   ids come back with `RETURNING id`.
// - Both engines know coalesce, greatest/least (the SQLite driver registers them), lower,
//   length, substr, count/sum/max/min, CASE, `||`; nothing engine-specific (rowid, strftime,
//   PRAGMA, string_agg) appears outside a dialect() branch.
// - Integers are 64-bit (BIGINT), text is TEXT, reals are double; flags are integers 0/1. A
//   comparison or EXISTS read as an integer column gives 0 or 1 on both engines.
//
// Thread-safety: a connection and its statements belong to one thread at a time.

#include <concepts>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace minsheng::adapters::sql {

enum class dialect { sqlite, postgres };

// A failure of the engine. what() is "<engine's primary message>" — never the engine's detail
// text, which may quote row values. `state` is the SQLSTATE on PostgreSQL and SQLite's extended
// result code (as text) on SQLite.
struct error : std::runtime_error {
    enum class kind {
        other,
        unique_violation,  // a UNIQUE or PRIMARY KEY constraint refused a row
        constraint,        // another constraint (CHECK, NOT NULL, FOREIGN KEY, trigger)
        serialization,     // a concurrent transaction won: retrying the whole unit is safe
        busy,              // a lock was not granted in time
        connection,        // the connection to the server is broken
    };
    error(kind k, std::string state, const std::string& message)
        : std::runtime_error(message), what_kind(k), sqlstate(std::move(state)) {}
    kind what_kind;
    std::string sqlstate;
};

class statement;

// One column of the current row of a statement, read as the type asked for (SQLite-style
// conversions: NULL reads as 0 or ""; on PostgreSQL a boolean reads as 0/1).
class column {
public:
    column(const statement& s, int index) : s_(s), i_(index) {}
    bool isNull() const;
    std::int64_t getInt64() const;
    int getInt() const;
    double getDouble() const;
    std::string getString() const;

private:
    const statement& s_;
    int i_;
};

// A prepared statement. Bind parameters (1-based), then either step through rows with
// executeStep() or run it to completion with exec(); reset() (or tryReset()) before the next use.
// Bindings survive reset and are overwritten by the next bind of the same index.
class statement {
public:
    virtual ~statement() = default;

    void bind(int index, std::int64_t value) { bind_int64(index, value); }
    void bind(int index, int value) { bind_int64(index, value); }
    void bind(int index, long long value) { bind_int64(index, static_cast<std::int64_t>(value)); }
    void bind(int index, unsigned value) { bind_int64(index, value); }
    void bind(int index, double value) { bind_double(index, value); }
    void bind(int index, std::string_view value) { bind_text(index, value); }
    void bind(int index, const std::string& value) { bind_text(index, value); }
    void bind(int index, const char* value) { bind_text(index, value); }
    void bind(int index) { bind_null(index); }  // NULL
    void bind(int index, bool) = delete;        // say 0 or 1

    // Runs the statement if it has not run since the last reset and moves to the next row;
    // false when there are no more rows. Throws error.
    virtual bool executeStep() = 0;
    // Runs the statement to completion and returns the rows it changed. Throws error.
    virtual int exec() = 0;
    // exec() for a write whose result nobody reads: the engine may hold it back and send it with
    // the connection's next statement, exec or commit (PostgreSQL: one round trip for both).
    // Its failure is then reported by that next call instead, and a rollback to a savepoint
    // taken before it discards it unsent. The statement needs a reset before it runs again.
    // Throws error.
    virtual void exec_later() { exec(); }
    // Ends the current run (releases its result); bindings stay. Throws error.
    virtual void reset() = 0;
    // reset() that never throws.
    virtual void tryReset() noexcept = 0;
    // The highest parameter number in the statement's text.
    virtual int getBindParameterCount() const = 0;

    column getColumn(int index) const { return column(*this, index); }

    // The current row's columns (0-based); see `column`.
    virtual bool column_is_null(int index) const = 0;
    virtual std::int64_t column_int64(int index) const = 0;
    virtual double column_double(int index) const = 0;
    virtual std::string column_text(int index) const = 0;

protected:
    virtual void bind_int64(int index, std::int64_t value) = 0;
    virtual void bind_double(int index, double value) = 0;
    virtual void bind_text(int index, std::string_view value) = 0;
    virtual void bind_null(int index) = 0;
};

inline bool column::isNull() const { return s_.column_is_null(i_); }
inline std::int64_t column::getInt64() const { return s_.column_int64(i_); }
inline int column::getInt() const { return static_cast<int>(s_.column_int64(i_)); }
inline double column::getDouble() const { return s_.column_double(i_); }
inline std::string column::getString() const { return s_.column_text(i_); }

// One open connection to a database.
class connection {
public:
    virtual ~connection() = default;
    virtual sql::dialect dialect() const = 0;
    // Runs one or more statements without parameters (DDL, BEGIN, SAVEPOINT ...). Throws error.
    virtual void exec(std::string_view sql) = 0;
    // Prepares `sql` (portable text, see above). Throws error.
    virtual std::unique_ptr<statement> prepare(std::string_view sql) = 0;
    // Starts a transaction that will write: SQLite's BEGIN IMMEDIATE (takes the write lock now),
    // PostgreSQL's BEGIN (READ COMMITTED). Throws error.
    virtual void begin_write() = 0;
    // A short description for messages: the file path, or host:port/database without password.
    virtual std::string describe() const = 0;
};

// Runs a statement prepared for one use and returns the first column of its first row, or
// `otherwise` when there is none. Throws error.
std::int64_t query_int64(connection& c, std::string_view sql, std::int64_t otherwise = 0);

}  // namespace minsheng::adapters::sql
