#pragma once
// Every refusal the mini program API answers, in one table (refusals.cpp): its HTTP status, its
// stable English code (what the client switches on) and its Chinese message (templates/mp/).
// A handler names the refusal; its status is written only in that table. Error bodies are
// {"error":{"code":<code>,"message":<text>}}; a 401 also carries
// WWW-Authenticate: Bearer realm="minsheng-mp".
//
// Immutable; thread-safe. refuse() may be called from any thread. Nothing here throws, except
// that rendering a message throws std::out_of_range for a missing template, which
// required_texts() rules out at start-up.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/templates.hpp"
#include "gateway/exchange.hpp"

namespace minsheng::gateway::mp {

// One per templates/mp/ text; the name is the text's.
enum class refusal {
    // 400, code "bad_request": the body or the query, one text per field.
    bad_json,
    missing_code,
    bad_description,
    bad_location,
    bad_address,
    bad_media,
    bad_phone,
    bad_request_id,
    bad_category,
    bad_kind,
    bad_urgency,
    bad_rating,
    bad_comment,
    bad_community,
    unknown_community,
    bad_name,
    bad_skills,
    bad_station,
    bad_activity,
    bad_query,
    bad_near,
    bad_template,
    // 400 with its own code.
    unknown_station,
    // 401
    unauthorized,
    session_expired,
    bad_code,
    // 403
    not_your_case,
    not_allowed,
    wrong_community,
    not_volunteer,
    not_your_claim,
    // 404
    not_found,
    case_not_found,
    proposal_not_found,
    wish_not_found,
    // 405
    method_not_allowed,
    // 409
    wrong_status,
    community_required,
    already_voted,
    proposal_closed,  // code "closed"
    taken,
    already_yours,
    not_on_wall,
    already_checked_in,
    not_checked_in,
    // 429
    rate_limited,
    // 500
    internal,
    // 502
    wechat_unavailable,
    // 503
    not_configured,
    shutting_down,
};

struct refusal_row {
    refusal what;
    boost::beast::http::status status;
    std::string_view code;  // stable, English
    std::string_view text;  // templates/mp/<text>
};

// The table's row for `r`.
const refusal_row& row_of(refusal r);

// Answers `r` through x.refuse (counted, logged, written by error_format); Retry-After when
// retry_after > 0.
void refuse(exchange& x, refusal r, std::int64_t retry_after = 0);

// The API's error format, for exchange::set_error_format. The message the exchange passes is a
// text name from the table (what refuse() passes); for the exchange's own refusals ("internal",
// "shutting_down", whose message is English) the code names the text; anything else is written
// as given.
exchange::error_format error_format(std::shared_ptr<const dialog::template_set> texts);

// Every templates/mp/ key the table renders, for template_set::require at start-up.
std::vector<std::string> required_texts();

}  // namespace minsheng::gateway::mp
