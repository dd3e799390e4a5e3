// /mp/v1/...: the mini program API (docs/miniprogram.md), JSON, for residents who prefer forms
// and for volunteers, on the same case service and store as the chat.
//   I/O thread: the route, the method, the address's failed tries (429), a bearer token of
//     the right shape.
//   reader pool: the session (unknown / expired → 401), the per-openid rate limit (429), then
//     the handler: input validation (400), reads, and the NLU for a new case (fast, pure).
//   writer: every change in one unit of work, answered only after the commit (filing exactly
//     once per (openid, request_id) through store::handle_once).
//   login: see login.cpp.
// Every refusal is in refusals.cpp; the handlers are in residents.cpp, profile.cpp,
// proposals.cpp, volunteers.cpp and login.cpp.

#include <cctype>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/db/bearer_token.hpp"
#include "adapters/db/sessions.hpp"
#include "gateway/mp/fields.hpp"
#include "gateway/mp/mp.hpp"
#include "gateway/mp/refusals.hpp"
#include "gateway/routes/routes.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;

namespace {

// A path under /mp/v1/ and what it names: no handler (not found), the method refused, login,
// or a signed-in handler with the {number} segment.
struct route_match {
    bool found = false;
    bool method_ok = false;
    bool login = false;
    mp::handler serve = nullptr;
    std::string number;
};

route_match match(std::string_view path, http::verb method) {
    constexpr std::string_view prefix = "/mp/v1/";
    std::vector<std::string_view> seg;
    std::string_view rest = path.substr(prefix.size());
    while (!rest.empty()) {
        auto slash = rest.find('/');
        seg.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
        if (rest.empty()) seg.emplace_back();  // a trailing slash is its own (empty) segment
    }
    const bool get = method == http::verb::get, post = method == http::verb::post;
    route_match m;
    auto is = [&](mp::handler h, bool ok) {
        m.found = true;
        m.serve = h;
        m.method_ok = ok;
        return m;
    };
    if (seg.size() == 1) {
        const auto s = seg[0];
        if (s == "login") {
            m.login = true;
            return is(nullptr, post);
        }
        if (s == "cases") return is(post ? mp::file_case : mp::my_cases, get || post);
        if (s == "phone") return is(mp::bind_phone, post);
        if (s == "profile") return is(post ? mp::profile_set : mp::profile_get, get || post);
        if (s == "proposals") return is(mp::proposals, get);
        if (s == "volunteer") return is(mp::volunteer, post);
        if (s == "wall") return is(mp::wall, get);
        if (s == "claims") return is(mp::claims, get);
        if (s == "points") return is(mp::points, get);
        if (s == "ranking") return is(mp::ranking, get);
        if (s == "stations") return is(mp::stations, get);
        if (s == "checkin") return is(mp::checkin, post);
        if (s == "checkout") return is(mp::checkout, post);
        if (s == "subscriptions")
            return is(post ? mp::subscriptions_add : mp::subscriptions_get, get || post);
        return m;
    }
    if (seg.size() < 2 || seg.size() > 3 || !mp::plausible_number(seg[1])) return m;
    m.number = std::string(seg[1]);
    if (seg.size() == 2) {
        if (seg[0] == "cases") return is(mp::my_case, get);
        return m;
    }
    const auto head = seg[0], verb = seg[2];
    if (head == "cases" && verb == "confirm") return is(mp::confirm, post);
    if (head == "cases" && verb == "rate") return is(mp::rate, post);
    if (head == "proposals" && verb == "vote") return is(mp::vote, post);
    if (head == "wall" && verb == "claim") return is(mp::claim, post);
    if (head == "wall" && verb == "release") return is(mp::release, post);
    return m;
}

// The token of "Bearer <token>" when it has a session token's shape; "" otherwise.
std::string bearer_token(std::string_view header) {
    constexpr std::string_view prefix = "Bearer ";
    if (header.substr(0, prefix.size()) != prefix) return "";
    std::string_view t = header.substr(prefix.size());
    if (t.size() != adapters::db::bearer_token_chars) return "";
    for (char ch : t)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') return "";
    return std::string(t);
}

// On a reader: the session behind the token, the caller's rate limit, then the handler.
void serve_signed_in(exchange& x, adapters::db::reader& r, const std::string& token,
                     const route_match& m) {
    auto& app = x.app();
    auto s = adapters::db::find_mp_session(r, adapters::db::token_hash(token));
    if (!s) {
        // A token of the right shape that no login issued is a guess (an expired one is not).
        app.mp->auth_failures.failed(x.ctx().peer);
        return mp::refuse(x, mp::refusal::unauthorized);
    }
    if (s->expires_at <= app.now()) return mp::refuse(x, mp::refusal::session_expired);
    if (auto d = app.mp->requests.take(s->openid); !d.allowed)
        return mp::refuse(x, mp::refusal::rate_limited, d.retry_after_seconds);
    const mp::request rq{dialog::person_ref{dialog::channel::miniprogram, s->openid}, m.number};
    m.serve(x, r, rq);
}

// On the I/O thread.
void route(const exchange_ptr& x) {
    const route_match m = match(x->ctx().path, x->req().method());
    if (!m.found) return mp::refuse(*x, mp::refusal::not_found);
    if (!m.method_ok) return mp::refuse(*x, mp::refusal::method_not_allowed);
    if (m.login) return mp::login(x);
    auto& app = x->app();
    // Before any session is looked up: an address with too many unknown tokens waits.
    if (auto d = app.mp->auth_failures.admit(x->ctx().peer); !d.allowed) {
        app.stats.rate_limited.inc("mp_auth");
        return mp::refuse(*x, mp::refusal::rate_limited, d.retry_after_seconds);
    }
    const auto authorization = x->req()[http::field::authorization];
    std::string token = bearer_token(authorization);
    if (token.empty()) {
        // A malformed credential is a guess too; no credential at all is not.
        if (!authorization.empty()) app.mp->auth_failures.failed(x->ctx().peer);
        return mp::refuse(*x, mp::refusal::unauthorized);
    }
    x->on_reader([token = std::move(token), m](exchange& ex, adapters::db::reader& r) {
        serve_signed_in(ex, r, token, m);
    });
}

}  // namespace

void serve_mp(const exchange_ptr& x) {
    // The I/O thread's part is outside the exchange's error boundary: nothing may escape it.
    try {
        route(x);
    } catch (const std::exception& e) {
        x->app().stats.handler_errors.inc(x->ctx().route);
        x->internal(e.what());
    }
}

std::shared_ptr<mp_state> make_mp_state(app_state& app) {
    app.templates->require(mp::required_texts());
    auto s = std::make_shared<mp_state>(app.cfg, app.now);
    const auto& cfg = app.cfg.miniprogram;
    if (!cfg.secret.empty() && !cfg.appid.empty()) {
        adapters::wechat_api::api_config c;
        c.base_url = cfg.base_url.empty() ? app.cfg.delivery.base_url : cfg.base_url;
        c.appid = cfg.appid;
        c.secret = cfg.secret;
        c.ca_file = app.cfg.delivery.ca_file;
        c.connect_timeout = std::chrono::milliseconds(3000);
        c.request_timeout = std::chrono::milliseconds(5000);
        c.shared_token = token_share_of(app.shared_tokens, cfg.appid);
        s->wechat = std::make_unique<adapters::wechat_api::api_client>(std::move(c));
    }
    return s;
}

exchange::error_format mp_error_format(const exchange& x) {
    return mp::error_format(x.app().templates);
}

}  // namespace minsheng::gateway
