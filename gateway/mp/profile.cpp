// The person's own settings: the bound phone, the profile (community), and the subscribe-message
// credits the notification worker spends (docs/notifications.md).

#include <string>
#include <variant>

#include "adapters/sqlite_store/sessions.hpp"
#include "dialog/nlu/nlu.hpp"
#include "gateway/mp/bodies.hpp"
#include "gateway/mp/fields.hpp"
#include "gateway/mp/mp.hpp"
#include "gateway/mp/views.hpp"

namespace minsheng::gateway::mp {

namespace http = boost::beast::http;

void bind_phone(exchange& x, reader&, const request& rq) {
    auto body = read_phone(x.req().body());
    if (const auto* why = std::get_if<refusal>(&body)) return refuse(x, *why);
    const std::string phone = std::get<phone_body>(body).phone;
    x.on_writer<outcome>(
        [app = x.app_shared(), rq, phone](adapters::sqlite_store::store& s) {
            const std::int64_t t = app->now();
            return in_one_unit(s, [&](dialog::unit_of_work& uow) {
                auto p = app->service->bind_phone(uow, rq.me, phone, t);
                return outcome::ok({{"phone", dialog::nlu::mask_phone(p.phone)}});
            });
        },
        answer_outcome);
}

void profile_get(exchange& x, reader& r, const request& rq) {
    answer_json(x, http::status::ok, profile_view(r.get_person(rq.me)));
}

void profile_set(exchange& x, reader&, const request& rq) {
    auto body = read_profile(x.req().body(), x.app().cfg);
    if (const auto* why = std::get_if<refusal>(&body)) return refuse(x, *why);
    const std::string community = std::get<profile_body>(body).community;
    x.on_writer<outcome>(
        [app = x.app_shared(), rq, community](adapters::sqlite_store::store& s) {
            const std::int64_t t = app->now();
            return in_one_unit(s, [&](dialog::unit_of_work& uow) {
                app->service->set_community(uow, rq.me, community, t);
                return outcome::ok(profile_view(uow.get_person(rq.me)));
            });
        },
        answer_outcome);
}

void subscriptions_get(exchange& x, reader& r, const request& rq) {
    const auto& tpl = x.app().cfg.miniprogram.subscribe_template;
    const int credits =
        tpl.empty() ? 0 : adapters::sqlite_store::subscription_credits(r, rq.me.user_id, tpl);
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
        [app = x.app_shared(), rq, tpl, grants](adapters::sqlite_store::store& s) {
            const std::int64_t t = app->now();
            int credits = 0;
            for (int i = 0; i < grants; ++i)
                credits = adapters::sqlite_store::add_subscription_credit(s, rq.me.user_id, tpl, t);
            return outcome::ok(subscription_view(tpl, credits));
        },
        answer_outcome);
}

}  // namespace minsheng::gateway::mp
