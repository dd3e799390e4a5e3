#pragma once
// The mini program API's shared declarations (gateway/mp/, docs/miniprogram.md): its state, what
// a signed-in request carries, how a change on the writer is answered, and the handlers the
// router (router.cpp) dispatches to, by file.
//
// Handlers run on a reader thread inside the exchange's error boundary, after the session and
// the rate limit were checked: they may throw (the exchange answers 500), and each answers
// exactly once, directly or through the writer work it starts. Work that crosses threads
// captures app_ptr and values, never the exchange's app by reference. answer_json and
// answer_outcome answer through the exchange from any thread; in_one_unit runs on the writer.

#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "adapters/db/store.hpp"
#include "adapters/wechat_api/api_client.hpp"
#include "dialog/ports.hpp"
#include "gateway/exchange.hpp"
#include "gateway/mp/refusals.hpp"
#include "gateway/server/auth_throttle.hpp"
#include "gateway/server/config.hpp"
#include "gateway/server/rate_limiter.hpp"

namespace minsheng::gateway {

// What the API keeps outside the store: the rate limits, and the code2session client with the
// pool its blocking calls run on (sessions themselves are rows in the store). Built by
// make_mp_state; thread-safe.
struct mp_state {
    // Null when no mini program secret is configured: login answers 503.
    std::unique_ptr<adapters::wechat_api::api_client> wechat;
    rate_limiter logins;       // per client address: one client cannot lock the others out
    rate_limiter login_codes;  // per code: a code cannot be tried again and again
    rate_limiter requests;     // per openid
    // Session tokens that match no session, per client address ([limits]
    // auth_failures_per_minute), as for operator tokens.
    auth_throttle auth_failures;
    boost::asio::thread_pool login_threads{2};

    mp_state(const config& cfg, std::function<std::int64_t()> now)
        : logins(cfg.miniprogram.logins_per_minute, cfg.miniprogram.logins_per_minute, now),
          login_codes(1, cfg.limits.login_code_tries, now),
          requests(cfg.miniprogram.requests_per_minute, cfg.miniprogram.burst, now),
          auth_failures(cfg.limits.auth_failures_per_minute, now) {}
    mp_state(const mp_state&) = delete;
    mp_state& operator=(const mp_state&) = delete;
    // Queued logins are dropped (the server has stopped answering by now); running ones finish.
    ~mp_state() {
        login_threads.stop();
        login_threads.join();
    }
};

}  // namespace minsheng::gateway

namespace minsheng::gateway::mp {

using json = nlohmann::json;
using adapters::db::reader;

// A request whose session was found valid.
struct request {
    dialog::person_ref me;  // the session's openid, on the miniprogram channel
    std::string number;     // the path's {number} segment; "" when it has none
};

// Answers with `body` as JSON.
void answer_json(exchange& x, boost::beast::http::status status, const json& body);

// What a change on the writer comes to: 200 with a body, or a refusal (its text rendered with
// `vars`, and Retry-After when retry_after > 0).
struct outcome {
    json body;
    std::optional<refusal> refused;
    dialog::template_set::vars vars;
    std::int64_t retry_after = 0;

    static outcome ok(json b) { return {std::move(b), std::nullopt, {}, 0}; }
    static outcome no(refusal r, dialog::template_set::vars v = {}, std::int64_t retry = 0) {
        return {nullptr, r, std::move(v), retry};
    }
};

// The `then` of on_writer<outcome>: answers the outcome.
void answer_outcome(exchange& x, outcome& o);

// Runs fn in one unit of work of `s` and returns its outcome (a refusal keeps what fn wrote, as
// the case service writes nothing when it refuses). Throws what the store and fn throw; the unit
// is then rolled back.
outcome in_one_unit(adapters::db::store& s,
                    const std::function<outcome(dialog::unit_of_work&)>& fn);

// A handler of a signed-in endpoint.
using handler = void (*)(exchange& x, reader& r, const request& rq);

// residents.cpp: a resident's own cases.
void file_case(exchange& x, reader& r, const request& rq);  // POST /cases
void my_cases(exchange& x, reader& r, const request& rq);   // GET /cases
void my_case(exchange& x, reader& r, const request& rq);    // GET /cases/{number}
void confirm(exchange& x, reader& r, const request& rq);    // POST /cases/{number}/confirm
void rate(exchange& x, reader& r, const request& rq);       // POST /cases/{number}/rate

// profile.cpp: the person's own settings.
void bind_phone(exchange& x, reader& r, const request& rq);         // POST /phone
void profile_get(exchange& x, reader& r, const request& rq);        // GET /profile
void profile_set(exchange& x, reader& r, const request& rq);        // POST /profile
void subscriptions_get(exchange& x, reader& r, const request& rq);  // GET /subscriptions
void subscriptions_add(exchange& x, reader& r, const request& rq);  // POST /subscriptions

// proposals.cpp: the community's proposals.
void proposals(exchange& x, reader& r, const request& rq);  // GET /proposals
void vote(exchange& x, reader& r, const request& rq);       // POST /proposals/{number}/vote

// volunteers.cpp: registration, the wish wall, claims, points and station visits.
void volunteer(exchange& x, reader& r, const request& rq);  // POST /volunteer
void wall(exchange& x, reader& r, const request& rq);       // GET /wall
void claim(exchange& x, reader& r, const request& rq);      // POST /wall/{number}/claim
void release(exchange& x, reader& r, const request& rq);    // POST /wall/{number}/release
void claims(exchange& x, reader& r, const request& rq);     // GET /claims
void points(exchange& x, reader& r, const request& rq);     // GET /points
void ranking(exchange& x, reader& r, const request& rq);    // GET /ranking
void stations(exchange& x, reader& r, const request& rq);   // GET /stations
void checkin(exchange& x, reader& r, const request& rq);    // POST /checkin
void checkout(exchange& x, reader& r, const request& rq);   // POST /checkout

// login.cpp: POST /login, on the I/O thread (no session yet): code2session on mp_state's pool,
// then the session row through the writer.
void login(const exchange_ptr& x);

}  // namespace minsheng::gateway::mp
