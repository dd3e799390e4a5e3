#pragma once
// Private to adapters/db: the SQL of 微实事 proposals and their votes and the row mapping,
// shared by the writer's unit of work and the reader. Throws sql::error on storage
// failure, store_error for a row naming a channel this build does not know.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/sql/connection.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::db::detail {

class statement_cache;

// Inserts an "open" proposal with 0 votes whose number was allocated by the caller; returns it.
dialog::proposal create_proposal(statement_cache& sql, const dialog::proposal_draft& draft,
                                 std::string number);
std::optional<dialog::proposal> get_proposal(statement_cache& sql, std::int64_t id);
// Case-insensitive, dash optional (canonical_number).
std::optional<dialog::proposal> find_proposal(statement_cache& sql, std::string_view number);
// Open proposals of `community` ("" all), newest first; limit clamped to 1000, 0 gives none.
std::vector<dialog::proposal> open_proposals(statement_cache& sql, std::string_view community,
                                             std::size_t limit);
// Open proposals of any of `communities` (none for an empty list), newest first; limit clamped
// to 1000, 0 gives none.
std::vector<dialog::proposal> open_proposals_in(statement_cache& sql,
                                                const std::vector<std::string>& communities,
                                                std::size_t limit);
// Open proposals with closes_at in (0, at] and ids above after_id, lowest id first; limit
// clamped to 1000, 0 gives none.
std::vector<dialog::proposal> proposals_to_expire(statement_cache& sql, std::int64_t at,
                                                  std::int64_t after_id, std::size_t limit);
// Proposals of `proposer` created at or after `since`, any status.
std::int64_t count_proposals(statement_cache& sql, const dialog::person_ref& proposer,
                             std::int64_t since);
// status, case_id, updated_at if the stored status is still expected_status.
bool update_proposal(statement_cache& sql, const dialog::proposal& updated,
                     std::string_view expected_status);
// One vote per identity key and proposal: the vote and one vote_keys row per key (voter.key()
// and `keys`); false, nothing written, when any key voted on the proposal already. A trigger
// keeps proposals.votes.
bool add_vote(statement_cache& sql, std::int64_t proposal_id, const dialog::person_ref& voter,
              const std::vector<std::string>& keys, std::int64_t at);
// Oldest first.
std::vector<dialog::person_ref> voters(statement_cache& sql, std::int64_t proposal_id);

}  // namespace minsheng::adapters::db::detail
