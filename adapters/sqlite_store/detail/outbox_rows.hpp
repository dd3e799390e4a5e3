#pragma once
// Private to sqlite_store: the outbox's SQL and row mapping, shared by the writer's unit of work
// and the reader. Throws SQLite::Exception on storage failure, store_error for a row naming a
// channel this build does not know.

#include <cstdint>
#include <string_view>
#include <vector>

#include "adapters/sqlite_store/store.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::sqlite_store::detail {

class statement_cache;

// Inserts a pending notification due at n.created_at; false (keeping the first) when its
// idempotency key exists. `now` stamps updated_at.
bool enqueue(statement_cache& sql, const dialog::notification& n, std::int64_t now);

// Newest first; limit clamped to 1..1000.
std::vector<outbox_row> list_outbox(statement_cache& sql, const outbox_filter& filter);

// Rows with this status; every row for "".
std::int64_t count_outbox(statement_cache& sql, std::string_view status);

}  // namespace minsheng::adapters::sqlite_store::detail
