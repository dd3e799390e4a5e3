#include "gateway/mp/refusals.hpp"

#include <array>
#include <cstddef>

#include "gateway/views.hpp"

namespace minsheng::gateway::mp {

namespace {

using http_status = boost::beast::http::status;
constexpr auto bad_request = http_status::bad_request;
constexpr auto unauthorized = http_status::unauthorized;
constexpr auto forbidden = http_status::forbidden;
constexpr auto not_found = http_status::not_found;
constexpr auto conflict = http_status::conflict;

// In the enum's order (checked below).
constexpr std::array rows = {
    refusal_row{refusal::bad_json, bad_request, "bad_request", "bad_json"},
    refusal_row{refusal::missing_code, bad_request, "bad_request", "missing_code"},
    refusal_row{refusal::bad_description, bad_request, "bad_request", "bad_description"},
    refusal_row{refusal::bad_location, bad_request, "bad_request", "bad_location"},
    refusal_row{refusal::bad_address, bad_request, "bad_request", "bad_address"},
    refusal_row{refusal::bad_media, bad_request, "bad_request", "bad_media"},
    refusal_row{refusal::bad_phone, bad_request, "bad_request", "bad_phone"},
    refusal_row{refusal::bad_phone_code, bad_request, "bad_phone_code", "bad_phone_code"},
    refusal_row{refusal::bad_request_id, bad_request, "bad_request", "bad_request_id"},
    refusal_row{refusal::bad_category, bad_request, "bad_request", "bad_category"},
    refusal_row{refusal::bad_kind, bad_request, "bad_request", "bad_kind"},
    refusal_row{refusal::bad_urgency, bad_request, "bad_request", "bad_urgency"},
    refusal_row{refusal::bad_rating, bad_request, "bad_request", "bad_rating"},
    refusal_row{refusal::bad_comment, bad_request, "bad_request", "bad_comment"},
    refusal_row{refusal::bad_community, bad_request, "bad_request", "bad_community"},
    refusal_row{refusal::unknown_community, bad_request, "bad_request", "unknown_community"},
    refusal_row{refusal::bad_name, bad_request, "bad_request", "bad_name"},
    refusal_row{refusal::bad_skills, bad_request, "bad_request", "bad_skills"},
    refusal_row{refusal::bad_station, bad_request, "bad_request", "bad_station"},
    refusal_row{refusal::bad_activity, bad_request, "bad_request", "bad_activity"},
    refusal_row{refusal::bad_scene, bad_request, "bad_request", "bad_scene"},
    refusal_row{refusal::bad_without_presence, bad_request, "bad_request", "bad_without_presence"},
    refusal_row{refusal::bad_still_need_help, bad_request, "bad_request", "bad_still_need_help"},
    refusal_row{refusal::bad_not_same_as, bad_request, "bad_request", "bad_not_same_as"},
    refusal_row{refusal::bad_query, bad_request, "bad_request", "bad_query"},
    refusal_row{refusal::bad_near, bad_request, "bad_request", "bad_near"},
    refusal_row{refusal::bad_template, bad_request, "bad_request", "bad_template"},
    refusal_row{refusal::unknown_station, bad_request, "unknown_station", "unknown_station"},
    refusal_row{refusal::unauthorized, unauthorized, "unauthorized", "unauthorized"},
    refusal_row{refusal::session_expired, unauthorized, "session_expired", "session_expired"},
    refusal_row{refusal::bad_code, unauthorized, "bad_code", "bad_code"},
    refusal_row{refusal::not_your_case, forbidden, "not_your_case", "not_your_case"},
    refusal_row{refusal::not_allowed, forbidden, "not_allowed", "not_allowed"},
    refusal_row{refusal::wrong_community, forbidden, "wrong_community", "wrong_community"},
    refusal_row{refusal::not_volunteer, forbidden, "not_volunteer", "not_volunteer"},
    refusal_row{refusal::not_your_claim, forbidden, "not_your_claim", "not_your_claim"},
    refusal_row{refusal::volunteer_pending, forbidden, "volunteer_pending", "volunteer_pending"},
    refusal_row{refusal::phone_required, forbidden, "phone_required", "phone_required"},
    refusal_row{refusal::community_cooling, forbidden, "community_cooling", "community_cooling"},
    refusal_row{refusal::presence_required, forbidden, "presence_required", "presence_required"},
    refusal_row{refusal::not_following, forbidden, "not_following", "not_following"},
    refusal_row{refusal::not_found, not_found, "not_found", "not_found"},
    refusal_row{refusal::case_not_found, not_found, "case_not_found", "case_not_found"},
    refusal_row{refusal::proposal_not_found, not_found, "proposal_not_found", "proposal_not_found"},
    refusal_row{refusal::wish_not_found, not_found, "wish_not_found", "wish_not_found"},
    refusal_row{refusal::method_not_allowed, http_status::method_not_allowed, "method_not_allowed",
                "method_not_allowed"},
    refusal_row{refusal::wrong_status, conflict, "wrong_status", "wrong_status"},
    refusal_row{refusal::community_required, conflict, "community_required", "community_required"},
    refusal_row{refusal::already_voted, conflict, "already_voted", "already_voted"},
    refusal_row{refusal::proposal_closed, conflict, "closed", "proposal_closed"},
    refusal_row{refusal::taken, conflict, "taken", "taken"},
    refusal_row{refusal::already_yours, conflict, "already_yours", "already_yours"},
    refusal_row{refusal::not_on_wall, conflict, "not_on_wall", "not_on_wall"},
    refusal_row{refusal::already_checked_in, conflict, "already_checked_in", "already_checked_in"},
    refusal_row{refusal::not_checked_in, conflict, "not_checked_in", "not_checked_in"},
    refusal_row{refusal::claim_limit, conflict, "claim_limit", "claim_limit"},
    refusal_row{refusal::rate_limited, http_status::too_many_requests, "rate_limited",
                "rate_limited"},
    refusal_row{refusal::claim_cooldown, http_status::too_many_requests, "claim_cooldown",
                "claim_cooldown"},
    refusal_row{refusal::internal, http_status::internal_server_error, "internal", "internal"},
    refusal_row{refusal::wechat_unavailable, http_status::bad_gateway, "wechat_unavailable",
                "wechat_unavailable"},
    refusal_row{refusal::not_configured, http_status::service_unavailable, "not_configured",
                "not_configured"},
    refusal_row{refusal::shutting_down, http_status::service_unavailable, "shutting_down",
                "shutting_down"},
};

constexpr bool in_enum_order() {
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (static_cast<std::size_t>(rows[i].what) != i) return false;
    return static_cast<std::size_t>(refusal::shutting_down) + 1 == rows.size();
}
static_assert(in_enum_order(), "one row per refusal, in the enum's order");

const refusal_row* with_text(std::string_view text) {
    for (const auto& r : rows)
        if (r.text == text) return &r;
    return nullptr;
}

// The exchange's own refusals, whose English message gives way to the code's text. Any other
// message that is not a text name was rendered by refuse() with variables, and is kept.
bool is_exchange_own(std::string_view code) {
    return code == "internal" || code == "shutting_down";
}

}  // namespace

const refusal_row& row_of(refusal r) { return rows[static_cast<std::size_t>(r)]; }

void refuse(exchange& x, refusal r, std::int64_t retry_after) {
    const auto& row = row_of(r);
    x.refuse(row.status, row.code, row.text, retry_after);
}

void refuse(exchange& x, refusal r, const dialog::template_set::vars& vars,
            std::int64_t retry_after) {
    const auto& row = row_of(r);
    x.refuse(row.status, row.code, x.app().templates->render("mp/" + std::string(row.text), vars),
             retry_after);
}

exchange::error_format error_format(std::shared_ptr<const dialog::template_set> texts) {
    return [texts = std::move(texts)](const http_request& req, http_status status,
                                      std::string_view code, std::string_view message) {
        const refusal_row* row = with_text(message);
        if (!row && is_exchange_own(code)) row = with_text(code);
        std::string text =
            row ? texts->render("mp/" + std::string(row->text)) : std::string(message);
        http_response res =
            make_response(req, status, views::json_text(views::error_body(code, text)),
                          "application/json; charset=utf-8");
        if (status == http_status::unauthorized)
            res.set(boost::beast::http::field::www_authenticate, "Bearer realm=\"minsheng-mp\"");
        return res;
    };
}

std::vector<std::string> required_texts() {
    std::vector<std::string> keys;
    keys.reserve(rows.size());
    for (const auto& r : rows) keys.push_back("mp/" + std::string(r.text));
    keys.push_back("mp/joined_case");         // a filing that joined an open case (residents.cpp)
    keys.push_back("mp/already_reported");    // a filing telling again its own open case
    keys.push_back("mp/already_wished");      // ... its own open wish
    keys.push_back("mp/already_proposed");    // ... its own open project
    keys.push_back("mp/already_following");   // a filing telling again a case it follows
    keys.push_back("mp/certificate_footer");  // a certificate request answered (residents.cpp)
    return keys;
}

}  // namespace minsheng::gateway::mp
