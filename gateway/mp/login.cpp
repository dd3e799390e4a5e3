// POST /mp/v1/login {"code": ...}: the code wx.login gave the mini program, exchanged with WeChat
// (code2session) for the user's openid, and a new session token for it. code2session blocks on
// a remote call, so it runs on mp_state's own small pool (never on an I/O thread, a reader or
// the writer); the session row then goes through the writer, and the token is answered after
// the commit. Only the token's hash is stored; WeChat's session_key is dropped. The unionid, when
// WeChat gives one, is kept on the person too: it is one of the keys their votes are recorded
// under (docs/security.md, "one person, one vote").

#include <boost/asio/post.hpp>
#include <exception>
#include <string>
#include <variant>

#include "adapters/db/bearer_token.hpp"
#include "adapters/db/sessions.hpp"
#include "dialog/values/iso8601.hpp"
#include "gateway/mp/bodies.hpp"
#include "gateway/mp/fields.hpp"
#include "gateway/mp/mp.hpp"

namespace minsheng::gateway::mp {

namespace http = boost::beast::http;

namespace {

// Expired sessions are kept this long to answer "session_expired" rather than "unauthorized".
constexpr std::int64_t keep_expired_seconds = 7 * 86400;

// code2session's failure as the client sees it.
refusal login_refusal(const adapters::wechat_api::api_result& r) {
    if (r.errcode == 40029 || r.errcode == 40163) return refusal::bad_code;
    if (r.errcode == 45011) return refusal::rate_limited;
    return refusal::wechat_unavailable;
}

// On a login thread: code2session, then the session row through the writer.
void finish_login(const exchange_ptr& x, const std::string& code) {
    auto& app = x->app();
    auto info = app.mp->wechat->code2session(code);
    if (!info.result.ok) {
        if (app.log->should_log(spdlog::level::warn))
            app.log->warn("{} mp code2session: {}", x->ctx().id,
                          adapters::wechat_api::describe(info.result));
        return refuse(*x, login_refusal(info.result));
    }
    auto token = adapters::db::new_bearer_token();
    if (!token) return x->internal("RAND_bytes failed");
    const std::int64_t t = app.now();
    adapters::db::mp_session row;
    row.token_hash = adapters::db::token_hash(*token);
    row.openid = info.openid;
    row.unionid = info.unionid;
    row.created_at = t;
    row.expires_at = t + app.cfg.miniprogram.session_ttl_seconds;
    x->on_writer<std::int64_t>(
        [app = x->app_shared(), row](adapters::db::store& s) {
            adapters::db::save_mp_session(s, row, row.created_at - keep_expired_seconds);
            s.run([&](dialog::unit_of_work& uow) {
                app->service->record_unionid(uow, {dialog::channel::miniprogram, row.openid},
                                             row.unionid, row.created_at);
            });
            return row.expires_at;
        },
        [token = *token](exchange& ex, std::int64_t& expires_at) {
            answer_json(ex, http::status::ok,
                        {{"session", token}, {"expires_at", dialog::format_iso8601(expires_at)}});
        });
}

}  // namespace

void login(const exchange_ptr& x) {
    auto& state = *x->app().mp;
    if (!state.wechat) return refuse(*x, refusal::not_configured);
    auto body = read_login(x->req().body());
    if (const auto* why = std::get_if<refusal>(&body)) return refuse(*x, *why);
    const std::string code = std::get<login_body>(body).code;
    // Spent before code2session: per address, so one client sending junk codes locks out only
    // itself, and per code, so one code is not tried again and again.
    if (auto d = state.logins.take(x->ctx().peer); !d.allowed) {
        x->app().stats.rate_limited.inc("login");
        return refuse(*x, refusal::rate_limited, d.retry_after_seconds);
    }
    if (auto d = state.login_codes.take(code); !d.allowed) {
        x->app().stats.rate_limited.inc("login_code");
        return refuse(*x, refusal::rate_limited, d.retry_after_seconds);
    }

    // The task holds the exchange (and through it the application state) by value. A pool
    // thread is outside the exchange's error boundary: nothing may escape it.
    boost::asio::post(state.login_threads, [x, code] {
        try {
            finish_login(x, code);
        } catch (const std::exception& e) {
            x->app().stats.handler_errors.inc(x->ctx().route);
            x->internal(e.what());
        } catch (...) {
            x->app().stats.handler_errors.inc(x->ctx().route);
            x->internal("unknown exception");
        }
    });
}

}  // namespace minsheng::gateway::mp
