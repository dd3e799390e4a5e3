#pragma once
// Private to adapters/db: the SQL of cases and their events and how rows map to dialog types,
// shared by the writer's unit of work and the reader so both run the same queries.
//
// Every function works on the connection behind `sql`, inside whatever transaction is open on
// it, and throws sql::error on storage failure (callers turn it into store_error) or
// store_error for a row this build cannot read (an unknown channel name).

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "adapters/sql/connection.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::db::detail {

class statement_cache;

// The select list read_case expects, in this order, starting at column 0.
inline constexpr std::string_view case_columns =
    "id, number, channel, reporter_id, kind, category, category_confidence, urgency, status, "
    "description, address, contact_phone, created_at, updated_at, community, handling_mode, "
    "handling_rule, deadline_at, remind_at, reminded_at, escalated_at, assignee, claimer, "
    "claim_expires_at, merged_into, rating, rating_comment, proposal_id, closed_at, source_ref, "
    "source_span, lat, lng, public_code, confirm_notice_at, version, is_private";

// The record on the statement's current row.
dialog::case_record read_case(const sql::statement& row);

std::optional<dialog::case_record> get_case(statement_cache& sql, std::int64_t id);

// By number, case-insensitive, dash optional (canonical_number); nullopt for anything that is
// not a number at all.
std::optional<dialog::case_record> find_case(statement_cache& sql, std::string_view number);

// The cases matching every set field of `query`, by id (newest first unless oldest_first), at
// most clamp(limit, 1, 1000). Values are bound, never spliced into the SQL; each shape of query
// keeps its own prepared statement.
std::vector<dialog::case_record> list_cases(statement_cache& sql, const dialog::case_query& query);

// Compare-and-set of the mutable fields (dialog::unit_of_work::update_case); false when the row
// no longer has expected_status and expected_updated_at (or does not exist).
bool update_case(statement_cache& sql, const dialog::case_record& updated,
                 std::string_view expected_status, std::int64_t expected_updated_at);

// Appends an event ("" statuses are stored as NULL); returns its id.
std::int64_t add_event(statement_cache& sql, const dialog::case_event& event);
// add_event() for an event whose id nobody reads: sent with the next statement
// (sql::statement::exec_later), its failure reported there.
void add_event_later(statement_cache& sql, const dialog::case_event& event);

// How many events `actor` wrote with `action` at or after `since`.
std::int64_t count_events_by(statement_cache& sql, std::string_view actor, std::string_view action,
                             std::int64_t since);
// The wishes `claimer` holds (claimed or in progress).
std::int64_t count_held_claims(statement_cache& sql, std::string_view claimer);
// When claims of `claimer` were dropped at or after `since` (dialog::unit_of_work::dropped_claims),
// oldest first.
std::vector<std::int64_t> dropped_claims(statement_cache& sql, std::string_view claimer,
                                         std::int64_t since);
// Oldest first.
std::vector<dialog::case_event> events_of(statement_cache& sql, std::int64_t case_id);
// The "detail" notes of each of `case_ids` (at most a few hundred), oldest first, in one query.
std::map<std::int64_t, std::vector<std::string>> details_of(
    statement_cache& sql, const std::vector<std::int64_t>& case_ids);

}  // namespace minsheng::adapters::db::detail
