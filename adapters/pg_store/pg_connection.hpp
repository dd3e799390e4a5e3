#pragma once
// The PostgreSQL driver: sql::connection and sql::statement on libpq (its C API).
//
// - The store's portable SQL numbers parameters as SQLite does (`?N`, or `?` for the highest
//   number so far + 1); the driver rewrites them to PostgreSQL's `$N` outside quoted text and
//   comments (to_postgres_parameters).
// - A statement is prepared on the server the first time it runs with a given set of parameter
//   types, and kept for the connection's life under (rewritten text, types): running the same
//   text again with the same kinds of values reuses the server's plan. Parameters travel as text
//   with their types (int64: int8, double: float8, text: text, NULL: unknown, which the server
//   infers from the context), results come back as text and are converted as SQLite would (NULL
//   reads as 0 or "", a boolean as 0/1).
// - Errors are sql::error with the SQLSTATE, and only the server's primary message (never the
//   DETAIL, which quotes row values).
//
// A statement refers to its connection: it must not outlive it. Results are read whole into
// memory when the statement runs, so several statements of one connection can be stepped through
// at the same time.

#include <memory>
#include <string>
#include <string_view>

#include "adapters/sql/connection.hpp"

namespace minsheng::adapters::pg_store {

struct pg_options {
    // A libpq URI: postgresql://user[:password]@host[:port]/database[?param=value...] (or
    // postgres://, or a libpq "key=value" string).
    std::string url;
    // statement_timeout set after connecting; 0: the server's default.
    int statement_timeout_ms = 0;
    // "": as the URL says (libpq's default is "prefer"); else libpq's sslmode (disable, allow,
    // prefer, require, verify-ca, verify-full), which overrides the URL's.
    std::string sslmode;
    // Shown in pg_stat_activity; overrides the URL's; "": as the URL says.
    std::string application_name = "minsheng";
};

// Opens a connection (client_encoding UTF8, TimeZone UTC). Throws sql::error of kind connection
// when the server cannot be reached or refuses the login; the message names host, port and
// database, never the password. libpq's connect_timeout is 10 s unless the URL says otherwise.
std::unique_ptr<sql::connection> connect(const pg_options& options);

// Whether `location` is a PostgreSQL URL (postgresql:// or postgres://) rather than a file path.
bool is_postgres_url(std::string_view location);

// "host:port/database" of a URL, without user or password; "(invalid PostgreSQL URL)" when libpq
// cannot parse it. Parts the URL leaves out show as libpq's usual defaults: host "localhost",
// port 5432, database named as the user.
std::string describe_url(const std::string& url);

// `text` with its `?N` and `?` parameters turned into `$N` (SQLite's numbering: `?` is the highest
// number so far + 1), leaving alone single-quoted strings (with '' and, in E'...', backslash
// escapes), double-quoted identifiers, dollar-quoted strings ($$...$$, $tag$...$tag$), `--` line
// comments and (nested) /* */ comments. Throws sql::error (kind other) on `?0` or a number above
// 32766 (SQLite's limit).
std::string to_postgres_parameters(std::string_view text);

struct rewritten_sql {
    std::string text;
    int parameters = 0;  // the highest parameter number
};
rewritten_sql rewrite_parameters(std::string_view text);

}  // namespace minsheng::adapters::pg_store
