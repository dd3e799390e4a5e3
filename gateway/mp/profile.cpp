// The person's own settings: the bound phone, the profile (community), and the subscribe-message
// credits the notification worker spends (docs/notifications.md).

#include <string>

#include "adapters/sqlite_store/sessions.hpp"
#include "dialog/nlu/nlu.hpp"
#include "gateway/mp/fields.hpp"
#include "gateway/mp/mp.hpp"
#include "gateway/mp/views.hpp"

namespace minsheng::gateway::mp {

namespace http = boost::beast::http;

void bind_phone(exchange& x, reader&, const request& rq) {
    auto body = object_body(x.req().body());
    if (!body) return refuse(x, refusal::bad_json);
    body_fields f(*body);
    std::string phone;
    f.text("phone", phone, 11, 11, true, refusal::bad_phone);
    if (!f.ok() || !mainland_mobile(phone)) return refuse(x, refusal::bad_phone);
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
    auto body = object_body(x.req().body());
    if (!body) return refuse(x, refusal::bad_json);
    body_fields f(*body);
    std::string community;
    f.community(x.app().cfg, community);
    if (!f.ok()) return refuse(x, *f.problem());
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
    auto body = object_body(x.req().body());
    if (!body) return refuse(x, refusal::bad_json);
    const std::string tpl = x.app().cfg.miniprogram.subscribe_template;
    const auto accepted = body->find("accepted");
    if (accepted == body->end() || !accepted->is_array() || accepted->size() > 20)
        return refuse(x, refusal::bad_template);
    int grants = 0;
    for (const auto& id : *accepted) {
        if (!id.is_string() || tpl.empty() || id.get<std::string>() != tpl)
            return refuse(x, refusal::bad_template);
        ++grants;
    }
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
