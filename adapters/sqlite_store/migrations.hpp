#pragma once
// The database schema as an ordered list of migration steps. Step N takes a database from schema
// version N-1 to N; a store applies every pending step, each in its own transaction, and records
// it in `schema_migrations`. Steps are append-only: never edit or reorder one that has shipped.
//
// Immutable, share freely.

#include <span>
#include <string_view>

namespace minsheng::adapters::sqlite_store {

struct migration {
    int version;            // 1, 2, 3, ... increasing (a number may wait for its branch's merge)
    std::string_view name;  // stable identifier, checked against the database on open
    std::string_view sql;   // one or more statements, run inside the step's transaction
};

// Every known step, in order (versions increasing up to latest_schema_version()).
std::span<const migration> migrations();

// The schema version this build writes and understands.
int latest_schema_version();

}  // namespace minsheng::adapters::sqlite_store
