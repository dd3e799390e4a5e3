#pragma once
// JSON views of the store's records for the operator API and the public pages. Personal data
// (phone, ID number, detailed address) is masked in every view; the public views leave out
// everything that names a person (reporter, claimer, actors, notes, contact).

#include <nlohmann/json.hpp>
#include <string_view>

#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "dialog/ports.hpp"

namespace minsheng::gateway::views {

using json = nlohmann::json;

// ISO-8601 (+08:00) or null for 0.
json time_or_null(std::int64_t unix_seconds);

// Operators: the whole case, masked.
json operator_case(const dialog::case_record& c);
json operator_event(const dialog::case_event& e);
// A follower of a case (one problem, one case): who (masked like a reporter), how they came,
// when, their own rating and when they left (null when not).
json operator_follower(const dialog::case_follower& f);
json outbox(const adapters::db::outbox_row& r);
json proposal(const dialog::proposal& p);
json ranking(const std::vector<dialog::ranking_row>& rows);
// A staff member as /api/v1/staff lists them, with the open cases assigned to them.
json staff(const adapters::db::staff_member& m, std::int64_t open_cases);
// One entry of the staff audit trail (no personal data is ever written there).
json audit(const adapters::db::audit_entry& e);

// The public: what anyone may follow about a case (number, kind, category, community, status,
// handling mode, dates, and its status history without actors or notes).
json public_case(const dialog::case_record& c, const std::vector<dialog::case_event>& events);
// One wish on the wish wall.
json wall_item(const dialog::case_record& c);

// The text of a JSON answer or stored value, with a newline: bytes that are not UTF-8 (which
// should have been refused at the edge) are replaced with U+FFFD instead of throwing.
std::string json_text(const json& j);
// The same without the newline, for storage.
std::string json_compact(const json& j);

// {"error": {"code": ..., "message": ...}}
json error_body(std::string_view code, std::string_view message);

}  // namespace minsheng::gateway::views
