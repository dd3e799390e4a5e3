// The person's own settings: the bound phone, the profile (community), and the subscribe-message
// credits the notification worker spends (docs/notifications.md).

#include <boost/asio/post.hpp>
#include <exception>
#include <string>
#include <variant>

#include "adapters/db/sessions.hpp"
#include "dialog/nlu/nlu.hpp"
#include "gateway/mp/bodies.hpp"
#include "gateway/mp/fields.hpp"
#include "gateway/mp/mp.hpp"
#include "gateway/mp/views.hpp"

namespace minsheng::gateway::mp {

namespace http = boost::beast::http;

namespace {

// On a login-pool thread: WeChat's verified number for the code, then the binding through the
// writer (the previous holder of the number loses it and is told).
void finish_phone(const exchange_ptr& x, const request& rq, const std::string& code) {
    auto& app = x->app();
    auto info = app.mp->wechat->phone_number(code);
    if (!info.result.ok) {
        if (app.log->should_log(spdlog::level::warn))
            app.log->warn("{} mp getuserphonenumber: {}", x->ctx().id,
                          adapters::wechat_api::describe(info.result));
        const auto e = info.result.errcode;
        return refuse(*x, e == 40029 || e == 40163 || e == 41008 ? refusal::bad_phone_code
                                                                 : refusal::wechat_unavailable);
    }
    // 12345 and SMS reach mainland mobiles only.
    if (info.country_code != "86" || !mainland_mobile(info.phone))
        return refuse(*x, refusal::bad_phone);
    x->on_writer<outcome>(
        [app = x->app_shared(), rq, phone = info.phone](adapters::db::store& s) {
            const std::int64_t t = app->now();
            return in_one_unit(s, [&](dialog::unit_of_work& uow) {
                auto p = app->service->bind_verified_phone(uow, rq.me, phone, t);
                return outcome::ok(
                    {{"phone", dialog::nlu::mask_phone(p.phone)}, {"verified", true}});
            });
        },
        answer_outcome);
}

}  // namespace

// {"code"}: the getPhoneNumber button's code. WeChat's answer blocks on a remote call, so it
// runs on the login pool; the task holds the exchange by value and catches everything (a pool
// thread is outside the exchange's error boundary).
void bind_phone(exchange& x, reader&, const request& rq) {
    auto body = read_phone(x.req().body());
    if (const auto* why = std::get_if<refusal>(&body)) return refuse(x, *why);
    auto& state = *x.app().mp;
    if (!state.wechat) return refuse(x, refusal::not_configured);
    boost::asio::post(state.login_threads,
                      [xp = x.shared_from_this(), rq, code = std::get<phone_body>(body).code] {
                          try {
                              finish_phone(xp, rq, code);
                          } catch (const std::exception& e) {
                              xp->app().stats.handler_errors.inc(xp->ctx().route);
                              xp->internal(e.what());
                          } catch (...) {
                              xp->app().stats.handler_errors.inc(xp->ctx().route);
                              xp->internal("unknown exception");
                          }
                      });
}

void profile_get(exchange& x, reader& r, const request& rq) {
    answer_json(x, http::status::ok, profile_view(r.get_person(rq.me), *x.app().service));
}

void profile_set(exchange& x, reader&, const request& rq) {
    auto body = read_profile(x.req().body(), x.app().cfg);
    if (const auto* why = std::get_if<refusal>(&body)) return refuse(x, *why);
    const std::string community = std::get<profile_body>(body).community;
    x.on_writer<outcome>(
        [app = x.app_shared(), rq, community](adapters::db::store& s) {
            const std::int64_t t = app->now();
            return in_one_unit(s, [&](dialog::unit_of_work& uow) {
                app->service->set_community(uow, rq.me, community, t);
                return outcome::ok(profile_view(uow.get_person(rq.me), *app->service));
            });
        },
        answer_outcome);
}

void subscriptions_get(exchange& x, reader& r, const request& rq) {
    const auto& tpl = x.app().cfg.miniprogram.subscribe_template;
    const int credits = tpl.empty() ? 0 : adapters::db::subscription_credits(r, rq.me.user_id, tpl);
    answer_json(x, http::status::ok, subscription_view(tpl, credits));
}

// {"accepted": ["<template id>", ...]}: what wx.requestSubscribeMessage answered "accept" for.
void subscriptions_add(exchange& x, reader& r, const request& rq) {
    const std::string tpl = x.app().cfg.miniprogram.subscribe_template;
    auto body = read_subscriptions(x.req().body(), tpl);
    if (const auto* why = std::get_if<refusal>(&body)) return refuse(x, *why);
    const int grants = std::get<subscriptions_body>(body).grants;
    if (grants == 0) return subscriptions_get(x, r, rq);  // the user accepted nothing this time
    // The store's own operation, outside a unit of work.
    x.on_writer<outcome>(
        [app = x.app_shared(), rq, tpl, grants](adapters::db::store& s) {
            const std::int64_t t = app->now();
            int credits = 0;
            for (int i = 0; i < grants; ++i)
                credits = adapters::db::add_subscription_credit(s, rq.me.user_id, tpl, t);
            return outcome::ok(subscription_view(tpl, credits));
        },
        answer_outcome);
}

}  // namespace minsheng::gateway::mp
