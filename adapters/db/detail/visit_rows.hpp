#pragma once
// Private to adapters/db: the SQL of 驿站 service visits (`service_visits`), shared by the
// writer's unit of work and the reader. Throws sql::error on storage failure, store_error
// for a row naming a person key this build cannot read.

#include <cstdint>
#include <optional>
#include <vector>

#include "adapters/sql/connection.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::db::detail {

class statement_cache;

std::optional<dialog::service_visit> open_visit(statement_cache& sql,
                                                const dialog::person_ref& who);
// Inserts a check-in; returns it with its id. A second open visit of the same person violates
// the unique index (sql::error).
dialog::service_visit start_visit(statement_cache& sql, const dialog::service_visit& v);
// Writes the check-out (checkout_at, minutes, points, checkout_proof) if the visit is still open;
// false otherwise.
bool finish_visit(statement_cache& sql, const dialog::service_visit& closed);
// Newest first, at most clamp(limit, 1, 1000).
std::vector<dialog::service_visit> visits_of(statement_cache& sql, const dialog::person_ref& who,
                                             std::size_t limit);
// The minutes credited to the person's checked-out visits that checked in within [since, until).
std::int64_t credited_minutes(statement_cache& sql, const dialog::person_ref& who,
                              std::int64_t since, std::int64_t until);

}  // namespace minsheng::adapters::db::detail
