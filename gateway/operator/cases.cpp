// GET /api/v1/cases (the queue, scoped to the caller, newest first, paged by before_id) and
// GET /api/v1/cases/{id} (one case with its events and the numbers of the cases merged into it,
// those outside the caller's scope left out). Read with the call's reader; personal data masked
// by the views.

#include <limits>
#include <string>
#include <vector>

#include "adapters/http/query_string.hpp"
#include "gateway/operator/endpoints.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::operator_api {

std::optional<dialog::case_query> case_filters(const call& c, std::size_t default_limit) {
    dialog::case_query q;
    q.limit = default_limit;
    if (auto v = c.param("status")) q.statuses.push_back(*v);
    if (auto v = c.param("kind")) q.kind = *v;
    if (auto v = c.param("category")) q.category = *v;
    if (auto v = c.param("community")) q.community = *v;
    if (auto v = c.param("handling_mode")) q.handling_modes.push_back(*v);
    if (auto v = c.param("assignee")) q.assignee = *v == "none" ? std::string() : *v;
    if (auto v = c.param("channel")) {
        q.from = dialog::channel_from_string(*v);
        if (!q.from) {
            c.refuse(http::status::bad_request, "bad_parameter",
                     "channel must be wechat_oa, miniprogram, hotline or open311");
            return std::nullopt;
        }
    }
    if (auto v = c.param("overdue")) {
        if (*v != "1" && *v != "0") {
            c.refuse(http::status::bad_request, "bad_parameter", "overdue must be 1 or 0");
            return std::nullopt;
        }
        if (*v == "1") q.late_at = c.app().now();
    }
    if (!c.limit(q.limit)) return std::nullopt;
    if (auto v = c.param("before_id")) {
        auto n = adapters::http::whole_number(*v, 0, std::numeric_limits<std::int64_t>::max());
        if (!n) {
            c.refuse(http::status::bad_request, "bad_parameter",
                     "before_id must be a positive case id");
            return std::nullopt;
        }
        q.before_id = *n;
    }
    return q;
}

void list_cases(const call& c) {
    auto q = case_filters(c, 100);
    if (!q) return;
    const bool asked_community = q->community.has_value();
    if (!c.who.scope(*q)) {
        if (asked_community)
            return c.refuse(http::status::forbidden, "forbidden", "not your community");
        return c.answer(http::status::ok, {{"cases", json::array()}});
    }
    auto cases = c.r.list_cases(*q);
    json arr = json::array();
    for (const auto& one : cases) arr.push_back(views::operator_case(one));
    json body{{"cases", std::move(arr)}};
    if (!cases.empty() && cases.size() == q->limit) body["next_before_id"] = cases.back().id;
    c.answer(http::status::ok, body);
}

void get_case(const call& c, std::int64_t id) {
    auto found = c.r.get_case(id);
    if (!found) return c.refuse(http::status::not_found, "not_found", "no such case");
    if (!c.who.may_see(*found))
        return c.refuse(http::status::forbidden, "forbidden", outside_scope);
    json body = views::operator_case(*found);
    // An admin may merge a case of another community into this one: such a case is not listed,
    // and its number is masked in the "absorbed <number>" note of the merge event.
    dialog::case_query merged;
    merged.merged_into = id;
    json numbers = json::array();
    std::vector<std::string> hidden;
    for (const auto& m : c.r.list_cases(merged)) {
        if (c.who.may_see(m))
            numbers.push_back(m.number);
        else
            hidden.push_back("absorbed " + m.number);
    }
    json events = json::array();
    for (auto e : c.r.events_of(id)) {
        for (const auto& note : hidden)
            if (e.action == "merge" && e.note.starts_with(note) &&
                (e.note.size() == note.size() || e.note[note.size()] == ';'))
                e.note = "absorbed …" + e.note.substr(note.size());
        events.push_back(views::operator_event(e));
    }
    body["events"] = std::move(events);
    // Who else reported the same problem (one problem, one case), masked like the reporter.
    // Everyone who hears its progress and is asked for a rating: the reporter and the followers
    // who did not say it was another problem.
    json followers = json::array();
    std::int64_t following = 1;
    for (const auto& f : c.r.followers_of(id)) {
        followers.push_back(views::operator_follower(f));
        if (f.left_at == 0) ++following;
    }
    body["followers"] = std::move(followers);
    body["residents_following"] = following;
    body["merged_cases"] = std::move(numbers);
    c.answer(http::status::ok, body);
}

}  // namespace minsheng::gateway::operator_api
