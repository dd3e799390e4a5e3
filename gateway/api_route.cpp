// /api/v1/...: the operator read API, behind the bearer token. Reads run on the reader pool,
// never on an I/O thread. Personal data is masked in every field shown.

#include <openssl/crypto.h>
#include <boost/asio/post.hpp>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "dialog/cases/iso8601.hpp"
#include "gateway/detail/app_impl.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;
using json = nlohmann::json;

namespace {

json case_json(const dialog::case_record& c) {
    return {
        {"id", c.id},
        {"number", c.number},
        {"kind", c.kind},
        {"category", c.category.empty() ? json(nullptr) : json(c.category)},
        {"category_confidence", c.category_confidence},
        {"urgency", c.urgency},
        {"status", c.status},
        {"channel", dialog::to_string(c.from)},
        {"description", dialog::nlu::mask_personal_data(c.description)},
        {"address", dialog::nlu::mask_personal_data(c.address)},
        {"contact_phone",
         c.contact_phone.empty() ? json(nullptr) : json(dialog::nlu::mask_phone(c.contact_phone))},
        {"created_at", dialog::cases::format_iso8601(c.created_at)},
        {"updated_at", dialog::cases::format_iso8601(c.updated_at)}};
}

bool token_matches(std::string_view header, const std::string& token) {
    constexpr std::string_view prefix = "Bearer ";
    if (token.empty() || header.size() != prefix.size() + token.size() ||
        header.substr(0, prefix.size()) != prefix)
        return false;
    return CRYPTO_memcmp(header.data() + prefix.size(), token.data(), token.size()) == 0;
}

// The whole of `text` as a number in [lo, hi], or nullopt.
std::optional<std::int64_t> whole_number(std::string_view text, std::int64_t lo, std::int64_t hi) {
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || p != text.data() + text.size() || n < lo || n > hi)
        return std::nullopt;
    return n;
}

json error_body(std::string_view code, std::string_view message) {
    return {{"error", {{"code", code}, {"message", message}}}};
}

}  // namespace

void app::impl::route_api(request_ctx ctx, http_request&& req,
                          std::function<void(http_response&&)> respond) {
    const auto& path = ctx.path;
    const auto& query = ctx.query;
    auto answer = [&](http::status s, const json& body) {
        respond(make_response(req, s, body.dump() + "\n", "application/json; charset=utf-8"));
    };
    auto reject = [&](http::status s, std::string_view reason, std::string_view message) {
        stats.requests_rejected.inc(reason);
        if (log->should_log(spdlog::level::warn)) log->warn("{} api rejected: {}", ctx.id, reason);
        answer(s, error_body(reason, message));
    };

    if (!token_matches(req[http::field::authorization], cfg.operator_token)) {
        http_response res = make_response(
            req, http::status::unauthorized,
            error_body("unauthorized", "a valid operator bearer token is required").dump() + "\n",
            "application/json; charset=utf-8");
        res.set(http::field::www_authenticate, "Bearer realm=\"minsheng\"");
        stats.requests_rejected.inc("unauthorized");
        return respond(std::move(res));
    }

    std::optional<std::int64_t> case_id;
    adapters::sqlite_store::case_filter filter;
    if (path == "/api/v1/cases") {
        auto get = [&](const char* k) -> const std::string* {
            auto it = query.find(k);
            return it == query.end() || it->second.empty() ? nullptr : &it->second;
        };
        if (auto v = get("status")) filter.status = *v;
        if (auto v = get("kind")) filter.kind = *v;
        if (auto v = get("category")) filter.category = *v;
        if (auto v = get("channel")) {
            filter.from = dialog::channel_from_string(*v);
            if (!filter.from)
                return reject(http::status::bad_request, "bad_parameter",
                              "channel must be wechat_oa, miniprogram or hotline");
        }
        if (auto v = get("limit")) {
            auto n = whole_number(*v, 1, 1000);
            if (!n)
                return reject(http::status::bad_request, "bad_parameter",
                              "limit must be a whole number from 1 to 1000");
            filter.limit = static_cast<std::size_t>(*n);
        }
        if (auto v = get("before_id")) {
            auto n = whole_number(*v, 0, std::numeric_limits<std::int64_t>::max());
            if (!n)
                return reject(http::status::bad_request, "bad_parameter",
                              "before_id must be a positive case id");
            filter.before_id = *n;
        }
    } else if (path.rfind("/api/v1/cases/", 0) == 0) {
        case_id = whole_number(std::string_view(path).substr(14), 1,
                               std::numeric_limits<std::int64_t>::max());
        if (!case_id) return reject(http::status::not_found, "not_found", "no such case");
    } else {
        return reject(http::status::not_found, "not_found", "no such endpoint");
    }
    if (req.method() != http::verb::get)
        return reject(http::status::method_not_allowed, "method_not_allowed",
                      "only GET is allowed here");

    auto shared_req = std::make_shared<http_request>(std::move(req));
    auto shared_respond =
        std::make_shared<std::function<void(http_response &&)>>(std::move(respond));
    boost::asio::post(read_threads, [this, ctx, case_id, filter, shared_req, shared_respond] {
        auto send = [&](http::status s, const json& body) {
            (*shared_respond)(make_response(*shared_req, s, body.dump() + "\n",
                                            "application/json; charset=utf-8"));
        };
        try {
            auto r = readers->acquire();
            json body;
            if (case_id) {
                auto c = r->get_case(*case_id);
                readers->release(std::move(r));
                if (!c) {
                    stats.requests_rejected.inc("not_found");
                    return send(http::status::not_found, error_body("not_found", "no such case"));
                }
                return send(http::status::ok, case_json(*c));
            }
            auto cases = r->list_cases(filter);
            readers->release(std::move(r));
            json arr = json::array();
            for (const auto& c : cases) arr.push_back(case_json(c));
            body["cases"] = std::move(arr);
            if (!cases.empty() && cases.size() == filter.limit)
                body["next_before_id"] = cases.back().id;
            send(http::status::ok, body);
        } catch (const std::exception& e) {
            stats.errors.inc("api");
            log->error("{} api read failure: {}", ctx.id, e.what());
            send(http::status::internal_server_error,
                 error_body("internal", "the case store could not be read"));
        }
    });
}

}  // namespace minsheng::gateway
