#pragma once
// Private to adapters/db: the points ledger's SQL (double entry: ledger_postings and their
// ledger_entries), shared by the writer's unit of work and the reader. Throws sql::error
// on storage failure.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/sql/connection.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::db::detail {

class statement_cache;

inline constexpr std::string_view person_account_prefix = "person:";

// Throws std::invalid_argument, writing nothing, unless the posting has an idempotency key, at
// least two entries, no empty account, "person:" accounts that name a person_ref key, and
// amounts that sum to zero without overflowing on the way.
void check_posting(const dialog::ledger_posting& posting);

// Writes a checked posting; false (and nothing written) when its idempotency key exists.
bool post(statement_cache& sql, const dialog::ledger_posting& posting);

// Sum of every entry of the account; 0 for an unknown account.
std::int64_t balance(statement_cache& sql, std::string_view account);

// dialog::unit_of_work::ranking; limit clamped to 1000, 0 gives no rows. Throws store_error
// for a "person:" account that names no person_ref.
std::vector<dialog::ranking_row> ranking(statement_cache& sql, std::string_view community,
                                         std::int64_t since, std::int64_t until, std::size_t limit);
// The same ranking over the people of any of `communities`; none for an empty list.
std::vector<dialog::ranking_row> ranking_in(statement_cache& sql,
                                            const std::vector<std::string>& communities,
                                            std::int64_t since, std::int64_t until,
                                            std::size_t limit);

}  // namespace minsheng::adapters::db::detail
