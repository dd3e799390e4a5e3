#pragma once
// Shared by the conversation*_test.cpp suites: the conversation over the REAL SQLite store
// (":memory:"), the real case service (PRC calendar, standard working hours, default settings)
// and, where the flow depends on understanding, the real NLU engine from models/.

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <string>

#include "adapters/db/store.hpp"
#include "dialog/cases/calendar.hpp"
#include "dialog/cases/service.hpp"
#include "dialog/cases/working_hours.hpp"
#include "dialog/conversation/conversation.hpp"
#include "dialog/nlu/nlu.hpp"

namespace conversation_tests {

using namespace minsheng;
using dialog::inbound_kind;
using dialog::inbound_message;
using dialog::nlu::understanding;

constexpr std::int64_t t0 = 1795400000;  // 2026-11-23 (a Monday) around noon in China

inline const dialog::nlu::engine& nlu() {
    static const auto engine = dialog::nlu::engine::load(MINSHENG_SOURCE_DIR "/models");
    return *engine;
}

inline std::shared_ptr<const dialog::template_set> shipped_templates() {
    static const auto t = dialog::template_set::load(MINSHENG_SOURCE_DIR "/templates");
    return t;
}

// One-time codes the tests can read: the next code is whatever `next` holds. The hash is keyed
// by a fixed string (enough to tell codes and phones apart).
struct readable_codes final : dialog::code_book {
    std::shared_ptr<std::string> next = std::make_shared<std::string>("246810");
    std::string new_code() const override { return *next; }
    std::string hash(std::string_view phone, std::string_view code) const override {
        return "k:" + std::string(phone) + ":" + std::string(code);
    }
};

inline std::shared_ptr<const dialog::cases::case_service> make_service(
    std::shared_ptr<const dialog::code_book> codes = std::make_shared<readable_codes>()) {
    auto calendar = std::make_shared<const dialog::cases::working_calendar>(
        dialog::cases::working_calendar::load(MINSHENG_SOURCE_DIR "/calendar"));
    dialog::cases::program_settings settings;
    settings.codes = std::move(codes);
    return std::make_shared<const dialog::cases::case_service>(
        shipped_templates(), calendar, dialog::cases::working_hours::standard(),
        std::move(settings));
}

// A fake understanding, for flows whose point is not what the classifiers make of a text.
inline understanding understood(std::string intent, std::string category = "",
                                std::string kind = "", bool with_address = false,
                                std::string urgency = "normal") {
    understanding u;
    u.normalised = "我们小区的路灯坏了好几天了晚上很黑";
    u.intent = {std::move(intent), 0.9, false};
    u.category = {std::move(category), 0.9, false};
    u.kind = {std::move(kind), 0.8, false};
    u.urgency = {std::move(urgency), 0.9, false};
    if (with_address) u.entities.push_back({"address", "幸福小区3栋", "幸福小区3栋", {0, 1}});
    return u;
}

inline bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

struct fixture {
    adapters::db::store db{":memory:"};
    std::shared_ptr<const dialog::cases::case_service> service = make_service();
    dialog::conversation talk{shipped_templates(), service};
    int sequence = 0;

    inbound_message message(const std::string& user, std::string body,
                            inbound_kind kind = inbound_kind::text) {
        inbound_message m;
        m.user_id = user;
        m.dedup_key = user + "-" + std::to_string(++sequence);
        m.kind = kind;
        m.text = std::move(body);
        m.create_time = t0;
        return m;
    }

    dialog::step_outcome step(const inbound_message& m, const understanding* u,
                              std::int64_t now = t0) {
        dialog::step_outcome out;
        db.handle_once(m.from, m.dedup_key, m, [&](dialog::unit_of_work& uow) {
            out = talk.step(m, u, uow, now);
            return out.answer.text;
        });
        return out;
    }

    // `user` types `text`, understood by the real engine.
    dialog::step_outcome say(const std::string& user, const std::string& text,
                             std::int64_t now = t0) {
        auto u = nlu().understand(text);
        return step(message(user, text), &u, now);
    }
    std::string reply(const std::string& user, const std::string& text, std::int64_t now = t0) {
        return say(user, text, now).answer.text;
    }

    // `user` types `text`, with a fake understanding.
    dialog::step_outcome say_as(const std::string& user, const std::string& text,
                                const understanding& u, std::int64_t now = t0) {
        return step(message(user, text), &u, now);
    }

    dialog::step_outcome click(const std::string& user, const std::string& key,
                               std::int64_t now = t0) {
        auto m = message(user, "", inbound_kind::menu_click);
        m.event = "CLICK";
        m.event_key = key;
        return step(m, nullptr, now);
    }

    // Reads or arranges something in a transaction of its own.
    void with(const std::function<void(dialog::unit_of_work&)>& fn) { db.run(fn); }

    std::optional<dialog::case_record> find(const std::string& number) {
        std::optional<dialog::case_record> c;
        with([&](dialog::unit_of_work& uow) { c = uow.find_case(number); });
        return c;
    }
    std::string status_of(const std::string& number) {
        auto c = find(number);
        return c ? c->status : "";
    }
    std::vector<dialog::case_event> events(const std::string& number) {
        std::vector<dialog::case_event> e;
        auto c = find(number);
        if (c) with([&](dialog::unit_of_work& uow) { e = uow.events_of(c->id); });
        return e;
    }

    // An operator moves a case through the lifecycle (what case workers do in the operator API).
    void operator_act(const std::string& number, dialog::cases::action a,
                      std::int64_t now = t0 + 3600) {
        auto c = find(number);
        REQUIRE(c);
        with([&](dialog::unit_of_work& uow) {
            dialog::cases::act_args args;
            args.assignee = "worker-1";
            auto r = service->act(uow, c->id, a, dialog::cases::actor::op("tester"), args, now);
            REQUIRE(r.ok());
        });
    }

    // A complaint with its place, opened by `user` through the chat; returns its number.
    std::string open_complaint(const std::string& user, std::int64_t now = t0) {
        auto u = understood("file_appeal", "城乡建设", "complaint", true);
        auto out = say_as(user, "幸福小区3栋的路灯坏了好几天了", u, now);
        REQUIRE(out.opened.size() == 1);
        return out.opened[0].number;
    }

    // A wish (published on the wall) filed by `user` with a phone; returns its number.
    std::string open_wish(
        const std::string& user,
        const std::string& text = "光明社区5栋的独居老人想找人帮忙买菜，电话13812345678",
        std::int64_t now = t0) {
        understanding u = understood("file_appeal", "劳动和社会保障", "wish");
        u.normalised = text;
        u.entities.push_back({"phone", "13812345678", "13812345678", {0, 1}});
        u.entities.push_back({"address", "光明社区5栋", "光明社区5栋", {0, 1}});
        auto out = say_as(user, text, u, now);
        REQUIRE(out.opened.size() == 1);
        return out.opened[0].number;
    }

    // `user` applies through the chat to volunteer for `community`; returns the application's
    // number. Not yet a volunteer: a worker decides (approve).
    std::int64_t apply_volunteer(const std::string& user,
                                 const std::string& community = "光明社区") {
        std::string text = "我要当志愿者，我是" + community + "的，会修家电";
        auto out = say(user, text);
        REQUIRE(has(out.answer.text, "审核"));
        std::optional<dialog::person> p;
        with([&](dialog::unit_of_work& uow) {
            p = uow.get_person({dialog::channel::wechat_oa, user});
        });
        REQUIRE(p);
        REQUIRE(p->volunteer_status == "applied");
        return p->volunteer_number;
    }

    // An admin approves application `number` (what a worker does in the operator API).
    void approve(std::int64_t number, std::int64_t now = t0) {
        with([&](dialog::unit_of_work& uow) {
            dialog::cases::volunteer_decider admin;
            admin.actor = "operator:admin";
            admin.all = true;
            REQUIRE(service->decide_volunteer(uow, number, true, admin, now).ok());
        });
    }

    // Registers `user` as an approved volunteer of `community`: applies through the chat, and an
    // admin approves.
    void register_volunteer(const std::string& user, const std::string& community = "光明社区",
                            const std::string& name = "") {
        approve(apply_volunteer(user, community));
        if (!name.empty()) {
            with([&](dialog::unit_of_work& uow) {
                service->register_volunteer(uow, {dialog::channel::wechat_oa, user}, name,
                                            community, "修家电", t0);
            });
        }
    }

    // `user`'s own phone, verified as 绑定手机 and 验证码 would (a vote needs one); each user
    // gets another number.
    void verify_phone(const std::string& user) {
        const std::string phone = "1390000" + std::to_string(1000 + ++phones);
        with([&](dialog::unit_of_work& uow) {
            service->bind_verified_phone(uow, {dialog::channel::wechat_oa, user}, phone, t0);
        });
    }
    int phones = 0;
};

}  // namespace conversation_tests
