#pragma once
// Private to adapters/db: the outbox's SQL and row mapping, shared by the writer's unit of work
// and the reader. Throws sql::error on storage failure, store_error for a row naming a
// channel this build does not know.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/db/store.hpp"
#include "adapters/sql/connection.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::db::detail {

class statement_cache;

// The notification's columns, in the order read_notification expects from column 0.
inline constexpr std::string_view notification_columns =
    "id, audience, to_channel, to_user, community, template_key, vars_json, text, case_id, "
    "idempotency_key, created_at";
inline constexpr int notification_column_count = 11;

// The notification in columns 0..10 of the statement's current row (notification_columns).
dialog::notification read_notification(const sql::statement& row);

// Inserts a pending notification due at n.created_at; false (keeping the first) when its
// idempotency key exists. `now` stamps updated_at.
bool enqueue(statement_cache& sql, const dialog::notification& n, std::int64_t now);

// Newest first; limit clamped to 1..1000.
std::vector<outbox_row> list_outbox(statement_cache& sql, const outbox_filter& filter);

// Rows with this status; every row for "".
std::int64_t count_outbox(statement_cache& sql, std::string_view status);

// list_outbox and count_outbox narrowed to the rows about `communities` (reader::list_outbox_in);
// none for an empty list.
std::vector<outbox_row> list_outbox_in(statement_cache& sql, const outbox_filter& filter,
                                       const std::vector<std::string>& communities);
std::int64_t count_outbox_in(statement_cache& sql, std::string_view status,
                             const std::vector<std::string>& communities);

}  // namespace minsheng::adapters::db::detail
