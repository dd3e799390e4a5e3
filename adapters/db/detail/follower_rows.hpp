#pragma once
// Private to adapters/db: the SQL of case followers (`case_followers`, step 15) and of the open
// cases a new appeal may duplicate, shared by the writer's unit of work and the reader. Throws
// sql::error on storage failure, store_error for a row naming a person this build cannot read.

#include <cstdint>
#include <vector>

#include "adapters/sql/connection.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::db::detail {

class statement_cache;

// Inserts the row; false (nothing written) when the person has a row on the case already.
bool add_follower(statement_cache& sql, const dialog::case_follower& f);
// In the order they joined (then by person).
std::vector<dialog::case_follower> followers_of(statement_cache& sql, std::int64_t case_id);
// Stamps left_at on a row still following; false otherwise.
bool leave_case(statement_cache& sql, std::int64_t case_id, const dialog::person_ref& who,
                std::int64_t at);
// Sets the rating (1..5) of a row still following and not rated; false otherwise.
bool rate_followed(statement_cache& sql, std::int64_t case_id, const dialog::person_ref& who,
                   int rating);
// Newest joined first, at most clamp(limit, 1, 1000).
std::vector<dialog::case_follower> followed_by(statement_cache& sql, const dialog::person_ref& who,
                                               std::size_t limit);
// dialog::duplicate_candidates_query; at most clamp(limit, 1, 200).
std::vector<dialog::case_record> duplicate_candidates(
    statement_cache& sql, const dialog::duplicate_candidates_query& query);

}  // namespace minsheng::adapters::db::detail
