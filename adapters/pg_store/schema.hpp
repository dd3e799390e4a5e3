#pragma once
// The PostgreSQL schema as an ordered list of migration steps, the twin of
// adapters/sqlite_store/migrations.hpp. Both engines report the same schema version: the
// PostgreSQL list starts with one "baseline" step that creates, in one go, the schema the SQLite
// steps 1..N build up (N = the baseline's version), and every later step is added to both lists
// with the same number. Tables, columns (names and order), defaults, constraints, indexes and
// triggers have the same names on both engines, so that the same portable SQL runs on both;
// scripts/schema-compare.sh checks it.
//
// The runner (not these steps) creates `schema_migrations (version BIGINT PRIMARY KEY, name
// TEXT NOT NULL, applied_at BIGINT NOT NULL)` and runs each step in its own transaction. The
// steps' text holds several statements and PL/pgSQL bodies in $$ quotes: run it with the simple
// query protocol (sql::connection::exec), not as a prepared statement.
//
// Immutable, share freely.

#include <span>
#include <string_view>

namespace minsheng::adapters::pg_store {

struct migration {
    int version;            // the same number as the SQLite step that brings the same schema
    std::string_view name;  // stable identifier, checked against the database on open
    std::string_view sql;   // one or more statements, run inside the step's transaction
};

// Every known step, in order (versions increasing up to latest_schema_version()).
std::span<const migration> migrations();

// The schema version this build writes and understands (the same as SQLite's).
int latest_schema_version();

}  // namespace minsheng::adapters::pg_store
