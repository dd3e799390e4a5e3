#pragma once
// Copying a whole database from one location to another (a SQLite file or a PostgreSQL URL on
// either side): what `minsheng-admin copy` does to move a community from its SQLite file up to
// PostgreSQL. Every table the engine's catalog lists (but schema_migrations, which the
// destination's own migrations fill) is copied row by row, every column but generated ones, ids
// included, parents before children, in one transaction of the destination; then the copy is
// checked against the source (row counts of every table, ledger sums per account, proposals'
// vote counts).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "adapters/db/store.hpp"

namespace minsheng::adapters::db {

// The copy was refused before anything was written: the source is not at this build's latest
// schema, the two schemas differ, or the destination already holds rows.
struct copy_refused : store_error {
    using store_error::store_error;
};

struct copy_report {
    int schema_version = 0;
    // Each table copied and its number of rows, in the order they were copied.
    std::vector<std::pair<std::string, std::int64_t>> tables;
    std::int64_t rows() const;
};

// Copies the database at `from` (which must exist, at this build's latest schema: it is only
// read, never migrated) into `to` (created or migrated to the latest schema first; it must hold no
// row in any table). Throws copy_refused when it refuses, store_error when the copy or its check
// fails (nothing of a failed copy is kept in the destination; a failed check names the table or
// the kind of mismatch, never row values).
copy_report copy_database(const std::string& from, const std::string& to,
                          const store_options& options = {});

// A location as messages may show it: a file path as it is, a PostgreSQL URL as
// host:port/database (no user, no password).
std::string describe_location(const std::string& location);

}  // namespace minsheng::adapters::db
