// /public/v1/...: what anyone may read without a token — the wish wall (微心愿墙), a case's
// progress by its number, the open 微实事 proposals and the month's volunteer stars. Nothing here
// names or locates a person: no reporter, claimer, contact, address or note.

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <nlohmann/json.hpp>

#include "dialog/cases/handling.hpp"
#include "dialog/cases/lifecycle.hpp"
#include "dialog/values/civil_time.hpp"
#include "dialog/values/iso8601.hpp"
#include "gateway/routes/routes.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;
using json = nlohmann::json;

namespace {

constexpr std::string_view json_type = "application/json; charset=utf-8";

// Runs `read` on a reader and answers its JSON: 404 when it holds an "error", else 200.
void read_json(const exchange_ptr& x, std::function<json(adapters::db::reader&)> read) {
    x->on_reader([read = std::move(read)](exchange& ex, adapters::db::reader& r) {
        json body = read(r);
        if (body.is_object() && body.contains("error")) {
            ex.app().stats.requests_rejected.inc(body["error"].value("code", "not_found"));
            return ex.answer(http::status::not_found, views::json_text(body), json_type);
        }
        ex.answer(http::status::ok, views::json_text(body), json_type);
    });
}

}  // namespace

exchange::error_format json_error_format() {
    return [](const http_request& req, http::status s, std::string_view code,
              std::string_view message) {
        return make_response(req, s, views::json_text(views::error_body(code, message)), json_type);
    };
}

void serve_public(const exchange_ptr& x) {
    const std::string& path = x->ctx().path;
    auto reject = [&](http::status s, std::string_view reason, std::string_view message) {
        x->refuse(s, reason, message);
    };
    if (x->req().method() != http::verb::get)
        return reject(http::status::method_not_allowed, "method_not_allowed",
                      "only GET is allowed here");
    auto get = [&](const char* k) -> std::string {
        const auto* v = x->param(k);
        return v ? *v : std::string();
    };
    std::size_t limit = 50;
    if (auto v = get("limit"); !v.empty()) {
        auto n = adapters::http::whole_number(v, 1, 200);
        if (!n)
            return reject(http::status::bad_request, "bad_parameter",
                          "limit must be a whole number from 1 to 200");
        limit = static_cast<std::size_t>(*n);
    }
    const std::string community = get("community");

    if (path == "/public/v1/wall") {
        return read_json(x, [community, limit](adapters::db::reader& r) {
            dialog::case_query q;
            q.statuses = {std::string(dialog::cases::status::accepted)};
            q.kind = "wish";
            q.handling_modes = {std::string(dialog::cases::mode::direct),
                                std::string(dialog::cases::mode::station)};
            if (!community.empty()) q.community = community;
            q.is_private = false;  // a private case is never on any wall
            q.oldest_first = true;
            q.limit = limit;
            json arr = json::array();
            for (const auto& c : r.list_cases(q)) arr.push_back(views::wall_item(c));
            return json{{"wishes", std::move(arr)}};
        });
    }
    constexpr std::string_view cases_prefix = "/public/v1/cases/";
    if (path.rfind(cases_prefix, 0) == 0) {
        // "<number>-<public code>": the number alone is sequential and could be walked.
        const std::string ref = path.substr(cases_prefix.size());
        const auto dash = ref.rfind('-');
        if (ref.size() > 48 || dash == std::string::npos || dash == 0)
            return reject(http::status::not_found, "not_found", "no such case");
        std::string number = ref.substr(0, dash), code = ref.substr(dash + 1);
        std::transform(code.begin(), code.end(), code.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        return read_json(x, [number, code](adapters::db::reader& r) {
            auto c = r.get_case_by_number(number);
            // Unknown number and wrong code answer alike; the code is compared in constant time.
            // A private case (a grid worker's report of a resident in difficulty) answers as
            // though it did not exist.
            if (!c || c->is_private || c->public_code.size() != code.size() || code.empty() ||
                CRYPTO_memcmp(c->public_code.data(), code.data(), code.size()) != 0)
                return views::error_body("not_found", "no such case");
            return views::public_case(*c, r.events_of(c->id));
        });
    }
    if (path == "/public/v1/proposals") {
        return read_json(x, [community, limit](adapters::db::reader& r) {
            json arr = json::array();
            for (const auto& p : r.open_proposals(community, limit))
                arr.push_back(views::proposal(p));
            return json{{"proposals", std::move(arr)}};
        });
    }
    if (path == "/public/v1/stars") {
        auto [since, until] = dialog::china_month(x->app().now());
        std::size_t top = std::min<std::size_t>(limit, 10);
        return read_json(x, [community, since, until, top](adapters::db::reader& r) {
            return json{{"community", community},
                        {"month", dialog::format_iso8601(since).substr(0, 7)},
                        {"stars", views::ranking(r.ranking(community, since, until, top))}};
        });
    }
    reject(http::status::not_found, "not_found", "no such endpoint");
}

}  // namespace minsheng::gateway
