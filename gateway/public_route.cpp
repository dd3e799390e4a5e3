// /public/v1/...: what anyone may read without a token — the wish wall (微心愿墙), a case's
// progress by its number, the open 微实事 proposals and the month's volunteer stars. Nothing here
// names or locates a person: no reporter, claimer, contact, address or note.

#include <limits>
#include <nlohmann/json.hpp>

#include "dialog/cases/civil_time.hpp"
#include "dialog/cases/handling.hpp"
#include "dialog/cases/iso8601.hpp"
#include "dialog/cases/lifecycle.hpp"
#include "gateway/detail/app_impl.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;
using json = nlohmann::json;

void app::impl::route_public(request_ctx ctx, http_request&& req,
                             std::function<void(http_response&&)> respond) {
    const std::string path = ctx.path;
    const auto query = ctx.query;
    auto reject = [&](http::status s, std::string_view reason, std::string_view message) {
        stats.requests_rejected.inc(reason);
        respond(make_response(req, s, views::error_body(reason, message).dump() + "\n",
                              "application/json; charset=utf-8"));
    };
    if (req.method() != http::verb::get)
        return reject(http::status::method_not_allowed, "method_not_allowed",
                      "only GET is allowed here");
    auto get = [&](const char* k) -> std::string {
        auto it = query.find(k);
        return it == query.end() ? std::string() : it->second;
    };
    std::size_t limit = 50;
    if (auto v = get("limit"); !v.empty()) {
        auto n = whole_number(v, 1, 200);
        if (!n)
            return reject(http::status::bad_request, "bad_parameter",
                          "limit must be a whole number from 1 to 200");
        limit = static_cast<std::size_t>(*n);
    }
    const std::string community = get("community");

    if (path == "/public/v1/wall") {
        return read_json(std::move(ctx), std::move(req), std::move(respond),
                         [community, limit](adapters::sqlite_store::reader& r) {
                             dialog::case_query q;
                             q.statuses = {std::string(dialog::cases::status::accepted)};
                             q.kind = "wish";
                             q.handling_modes = {std::string(dialog::cases::mode::direct),
                                                 std::string(dialog::cases::mode::station)};
                             if (!community.empty()) q.community = community;
                             q.oldest_first = true;
                             q.limit = limit;
                             json arr = json::array();
                             for (const auto& c : r.list_cases(q))
                                 arr.push_back(views::wall_item(c));
                             return json{{"wishes", std::move(arr)}};
                         });
    }
    constexpr std::string_view cases_prefix = "/public/v1/cases/";
    if (path.rfind(cases_prefix, 0) == 0) {
        std::string number = path.substr(cases_prefix.size());
        if (number.empty() || number.size() > 32)
            return reject(http::status::not_found, "not_found", "no such case");
        return read_json(std::move(ctx), std::move(req), std::move(respond),
                         [number](adapters::sqlite_store::reader& r) {
                             auto c = r.get_case_by_number(number);
                             if (!c) return views::error_body("not_found", "no such case");
                             return views::public_case(*c, r.events_of(c->id));
                         });
    }
    if (path == "/public/v1/proposals") {
        return read_json(std::move(ctx), std::move(req), std::move(respond),
                         [community, limit](adapters::sqlite_store::reader& r) {
                             json arr = json::array();
                             for (const auto& p : r.open_proposals(community, limit))
                                 arr.push_back(views::proposal(p));
                             return json{{"proposals", std::move(arr)}};
                         });
    }
    if (path == "/public/v1/stars") {
        auto [since, until] = dialog::cases::china_month(now());
        std::size_t top = std::min<std::size_t>(limit, 10);
        return read_json(
            std::move(ctx), std::move(req), std::move(respond),
            [community, since, until, top](adapters::sqlite_store::reader& r) {
                return json{{"community", community},
                            {"month", dialog::cases::format_iso8601(since).substr(0, 7)},
                            {"stars", views::ranking(r.ranking(community, since, until, top))}};
            });
    }
    reject(http::status::not_found, "not_found", "no such endpoint");
}

}  // namespace minsheng::gateway
