#include "adapters/db/outbox_delivery.hpp"

#include <catch2/catch.hpp>

#include "adapters/db/bearer_token.hpp"
#include "adapters/db/sessions.hpp"
#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "store_test_support.hpp"

namespace {

using namespace minsheng::adapters::db;
using namespace minsheng::adapters::db::testing;
using minsheng::dialog::channel;
using minsheng::dialog::notification;
using minsheng::dialog::person_ref;

constexpr std::int64_t t0 = nov23_china_0030;

notification note(std::optional<person_ref> to, const std::string& key, std::int64_t at = t0) {
    notification n;
    n.audience = to ? "resident" : "worker";
    n.to = std::move(to);
    n.template_key = "notify/case_claimed";
    n.text = "您的心愿已被认领";
    n.case_id = 1;
    n.idempotency_key = key;
    n.created_at = at;
    return n;
}

void enqueue_all(store& s, const std::vector<notification>& ns) {
    s.run([&](minsheng::dialog::unit_of_work& uow) {
        for (const auto& n : ns) uow.enqueue(n);
    });
}

outbox_row row_of(const std::string& path, std::int64_t id) {
    reader r(path);
    for (const auto& row : r.list_outbox({})) {
        if (row.n.id == id) return row;
    }
    FAIL("no outbox row " << id);
    return {};
}

}  // namespace

TEST_CASE("Claiming takes due person rows oldest first and pushes them back while in flight",
          "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(t0));
    enqueue_all(s, {note(person_ref{channel::wechat_oa, "o1"}, "k1"), note(std::nullopt, "staff"),
                    note(person_ref{channel::wechat_oa, "o2"}, "k2"),
                    note(person_ref{channel::wechat_oa, "o3"}, "later", t0 + 100)});
    outbox_delivery d(s);

    auto first = d.claim_due(t0, 10, 60);
    REQUIRE(first.size() == 2);
    CHECK(first[0].n.idempotency_key == "k1");
    CHECK(first[1].n.idempotency_key == "k2");
    CHECK(first[0].attempts == 1);
    CHECK(first[0].openid == "o1");
    CHECK_FALSE(first[0].last_inbound);

    SECTION("nothing is claimed twice while in flight") {
        CHECK(d.claim_due(t0 + 59, 10, 60).empty());
    }
    SECTION("unrecorded claims come back after the in-flight time (a crash loses nothing)") {
        auto again = d.claim_due(t0 + 60, 10, 60);
        REQUIRE(again.size() == 2);
        CHECK(again[0].attempts == 2);
    }
    SECTION("a staff row is never claimed itself; with nobody bound it is dead") {
        auto later = d.claim_due(t0 + 1000, 10, 60);
        for (const auto& r : later) CHECK(r.n.to);
        reader r(file.path());
        CHECK(r.count_outbox("pending") == 3);
        CHECK(r.count_outbox("dead") == 1);
    }
    SECTION("the limit is kept") { CHECK(d.claim_due(t0 + 1000, 1, 60).size() == 1); }
}

TEST_CASE("Outcomes are recorded once and only on pending rows", "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(t0));
    enqueue_all(s, {note(person_ref{channel::wechat_oa, "o1"}, "k1"),
                    note(person_ref{channel::wechat_oa, "o2"}, "k2"),
                    note(person_ref{channel::wechat_oa, "o3"}, "k3")});
    outbox_delivery d(s);
    auto due = d.claim_due(t0, 10, 60);
    REQUIRE(due.size() == 3);

    CHECK(d.mark_delivered(due[0].n.id, t0 + 1, "customer_service"));
    CHECK_FALSE(d.mark_delivered(due[0].n.id, t0 + 2, "customer_service"));
    CHECK(d.mark_retry(due[1].n.id, t0 + 1, "http_status 503", t0 + 10));
    CHECK(d.mark_dead(due[2].n.id, t0 + 1, "platform errcode=40003"));
    CHECK_FALSE(d.mark_retry(due[2].n.id, t0 + 1, "x", t0 + 10));

    auto delivered = row_of(file.path(), due[0].n.id);
    CHECK(delivered.status == "delivered");
    CHECK(delivered.delivered_at == t0 + 1);
    auto retried = row_of(file.path(), due[1].n.id);
    CHECK(retried.status == "pending");
    CHECK(retried.last_error == "http_status 503");
    CHECK(retried.next_attempt_at == t0 + 10);
    CHECK(row_of(file.path(), due[2].n.id).status == "dead");

    CHECK(d.claim_due(t0 + 9, 10, 60).empty());
    auto again = d.claim_due(t0 + 10, 10, 60);
    REQUIRE(again.size() == 1);
    CHECK(again[0].n.idempotency_key == "k2");
    CHECK(again[0].attempts == 2);
}

TEST_CASE("A hotline phone resolves to the WeChat person who verified it, else to nobody",
          "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(t0));
    s.run([](minsheng::dialog::unit_of_work& uow) {
        minsheng::dialog::person p;
        p.who = {channel::wechat_oa, "o-grandma"};
        p.phone = "13800138000";
        p.phone_verified_at = t0;
        uow.save_person(p);
        minsheng::dialog::person caller;
        caller.who = {channel::hotline, "13900139000"};
        caller.phone = "13900139000";
        uow.save_person(caller);
        // Someone typed another caller's number and never verified it.
        minsheng::dialog::person typer;
        typer.who = {channel::wechat_oa, "o-typer"};
        typer.phone = "13600136000";
        uow.save_person(typer);
    });
    enqueue_all(s, {note(person_ref{channel::hotline, "13800138000"}, "bound"),
                    note(person_ref{channel::hotline, "13900139000"}, "sms"),
                    note(person_ref{channel::hotline, "13600136000"}, "typed")});
    auto due = outbox_delivery(s).claim_due(t0, 10, 60);
    REQUIRE(due.size() == 3);
    CHECK(due[0].openid == "o-grandma");
    CHECK(due[1].openid.empty());
    CHECK(due[2].openid.empty());  // the SMS to the phone itself, not the typer's WeChat
}

TEST_CASE("The customer-service window follows the user's messages and counts sends",
          "[adapters]") {
    temp_db file;
    auto clock = std::make_shared<fixed_clock>(t0);
    store_options o;
    o.clock = clock;
    store s(file.path(), o);
    s.handle_once(channel::wechat_oa, "m1", text_message("o1", "m1"),
                  [](minsheng::dialog::unit_of_work&) { return std::string("ok"); });
    enqueue_all(s, {note(person_ref{channel::wechat_oa, "o1"}, "k1"),
                    note(person_ref{channel::wechat_oa, "o1"}, "k2"),
                    note(person_ref{channel::wechat_oa, "o1"}, "k3")});
    outbox_delivery d(s);

    auto due = d.claim_due(t0, 1, 60);
    REQUIRE(due.size() == 1);
    REQUIRE(due[0].last_inbound);
    CHECK(*due[0].last_inbound == t0);
    CHECK(due[0].service_messages_since == 0);
    CHECK(d.mark_delivered(due[0].n.id, t0, "customer_service", "o1"));

    due = d.claim_due(t0, 1, 60);
    REQUIRE(due.size() == 1);
    CHECK(due[0].service_messages_since == 1);
    CHECK(d.mark_delivered(due[0].n.id, t0, "template msgid=1"));  // not counted

    clock->set(t0 + 500);  // a new message restarts the count
    s.handle_once(channel::wechat_oa, "m2", text_message("o1", "m2"),
                  [](minsheng::dialog::unit_of_work&) { return std::string("ok"); });
    due = d.claim_due(t0 + 500, 1, 60);
    REQUIRE(due.size() == 1);
    CHECK(*due[0].last_inbound == t0 + 500);
    CHECK(due[0].service_messages_since == 0);
}

TEST_CASE("Delivery operations join the writer's batch as savepoints", "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(t0));
    enqueue_all(s, {note(person_ref{channel::wechat_oa, "o1"}, "k1")});
    outbox_delivery d(s);
    s.begin_batch();
    auto due = d.claim_due(t0, 10, 60);
    REQUIRE(due.size() == 1);
    CHECK(d.mark_delivered(due[0].n.id, t0, "customer_service"));
    s.commit_batch();
    CHECK(row_of(file.path(), due[0].n.id).status == "delivered");
}

namespace {

staff_member member(const std::string& id, const std::string& role, const std::string& where) {
    staff_member m;
    m.id = id;
    m.name = "工作人员" + id;
    m.role = role;
    if (role == "worker") m.community = where;
    if (role == "supervisor") m.street = where;
    return m;
}

// Binds the staff member to the official-account user as the chat does (绑定工号 <code>).
minsheng::dialog::staff_binding bind(store& s, const std::string& staff_id,
                                     const std::string& openid, std::int64_t now = t0) {
    const auto code = issue_bind_code(s, test_codes(), staff_id, now + 3600, now);
    minsheng::dialog::staff_binding b;
    s.run([&](minsheng::dialog::unit_of_work& uow) {
        b = uow.bind_staff(staff_hash(code.code), person_ref{channel::wechat_oa, openid}, now);
    });
    return b;
}

notification staff_note(const std::string& audience, const std::string& community,
                        const std::string& key, std::int64_t case_id = 0) {
    notification n;
    n.audience = audience;
    n.community = community;
    n.template_key = "notify/worker_new_case";
    n.text = "有新的诉求待处理";
    n.case_id = case_id;
    n.idempotency_key = key;
    n.created_at = t0;
    return n;
}

}  // namespace

TEST_CASE("A staff member binds their WeChat once with a code; wrong codes are limited",
          "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(t0));
    save_staff(s, member("w-1", "worker", "东城社区"), t0);
    save_staff(s, member("w-2", "worker", "东城社区"), t0);

    const auto code = issue_bind_code(s, test_codes(), "w-1", t0 + 3600, t0);
    CHECK(code.code.size() == 8);
    CHECK(code.code.find_first_not_of("0123456789") == std::string::npos);
    auto try_code = [&](const std::string& c, const std::string& openid, std::int64_t at) {
        minsheng::dialog::staff_binding b;
        s.run([&](minsheng::dialog::unit_of_work& uow) {
            b = uow.bind_staff(staff_hash(c), person_ref{channel::wechat_oa, openid}, at);
        });
        return b.result;
    };
    using outcome = minsheng::dialog::staff_binding::outcome;

    SECTION("the right code binds, names the member, and works once") {
        minsheng::dialog::staff_binding b;
        s.run([&](minsheng::dialog::unit_of_work& uow) {
            b = uow.bind_staff(staff_hash(code.code), person_ref{channel::wechat_oa, "o-w1"},
                               t0 + 10);
        });
        CHECK(b.result == outcome::bound);
        CHECK(b.staff_name == "工作人员w-1");
        CHECK(list_staff(s)[0].openid == "o-w1");
        CHECK(try_code(code.code, "o-other", t0 + 20) == outcome::unknown_code);
        CHECK(list_staff(s)[0].openid == "o-w1");
        // Saving the member again keeps the binding; unbinding forgets it.
        save_staff(s, member("w-1", "worker", "东城社区"), t0 + 30);
        CHECK(list_staff(s)[0].openid == "o-w1");
        CHECK(unbind_staff_wechat(s, "w-1", t0 + 40));
        CHECK(list_staff(s)[0].openid.empty());
        CHECK_FALSE(unbind_staff_wechat(s, "w-1", t0 + 50));
    }
    SECTION("an expired code, a replaced code and a disabled member bind nothing") {
        CHECK(try_code(code.code, "o-w1", t0 + 3600) == outcome::unknown_code);
        const auto second = issue_bind_code(s, test_codes(), "w-1", t0 + 7200, t0 + 1);
        const auto third = issue_bind_code(s, test_codes(), "w-1", t0 + 7200, t0 + 2);
        CHECK(try_code(second.code, "o-w1", t0 + 3) == outcome::unknown_code);
        REQUIRE(deactivate_staff(s, "w-1", t0 + 4));
        CHECK(try_code(third.code, "o-w1", t0 + 5) == outcome::unknown_code);
        CHECK(list_staff(s)[0].openid.empty());
        CHECK_THROWS_AS(issue_bind_code(s, test_codes(), "w-1", t0 + 7200, t0 + 6),
                        std::invalid_argument);
    }
    SECTION("one WeChat user speaks for one member: binding another moves it") {
        REQUIRE(bind(s, "w-1", "o-same").result == outcome::bound);
        REQUIRE(bind(s, "w-2", "o-same").result == outcome::bound);
        const auto all = list_staff(s);
        CHECK(all[0].openid.empty());
        CHECK(all[1].openid == "o-same");
    }
    SECTION("five wrong codes a day, then even the right one is refused until tomorrow") {
        for (int i = 0; i < 5; ++i)
            CHECK(try_code(i % 2 ? "12345678" : "not a code", "o-guess", t0 + i) ==
                  outcome::unknown_code);
        CHECK(try_code(code.code, "o-guess", t0 + 10) == outcome::too_many_attempts);
        CHECK(list_staff(s)[0].openid.empty());
        // Another user is not held back by them.
        CHECK(try_code(code.code, "o-w1", t0 + 11) == outcome::bound);
    }
    SECTION("the code is kept as a keyed hash: a copy of the database alone finds no code") {
        // What an attacker holding the file would try: the plain SHA-256 of every 8-digit code,
        // or the right code under any other secret. Neither is what is stored.
        const std::string stored =
            query_text(file.path(), "SELECT code_hash FROM staff_bind_codes WHERE used_at = 0");
        CHECK(stored == staff_hash(code.code));
        CHECK(stored != token_hash(code.code));
        const keyed_code_book other(std::string(32, 'x'));
        CHECK(stored != other.hash(minsheng::dialog::staff_code_scope, code.code));
        CHECK(try_code(code.code, "o-w1", t0 + 1) == outcome::bound);
    }
    SECTION("only official-account users bind") {
        minsheng::dialog::staff_binding b;
        s.run([&](minsheng::dialog::unit_of_work& uow) {
            b = uow.bind_staff(staff_hash(code.code), person_ref{channel::miniprogram, "mp-1"},
                               t0 + 1);
        });
        CHECK(b.result == outcome::unknown_code);
    }
}

TEST_CASE("Staff rows fan out to the bound staff they concern, once", "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(t0));
    save_staff(s, member("w-east-1", "worker", "东城社区"), t0);
    save_staff(s, member("w-east-2", "worker", "东城社区"), t0);
    save_staff(s, member("w-east-3", "worker", "东城社区"), t0);  // not bound
    save_staff(s, member("w-west", "worker", "西城社区"), t0);
    save_staff(s, member("sup-east", "supervisor", "东城街道"), t0);
    save_staff(s, member("sup-south", "supervisor", "南城街道"), t0);
    for (const auto& [id, openid] :
         std::vector<std::pair<std::string, std::string>>{{"w-east-1", "o-e1"},
                                                          {"w-east-2", "o-e2"},
                                                          {"w-west", "o-w"},
                                                          {"sup-east", "o-se"},
                                                          {"sup-south", "o-ss"}})
        REQUIRE(bind(s, id, openid).result == minsheng::dialog::staff_binding::outcome::bound);

    // A case assigned to w-east-2.
    std::int64_t assigned_case = 0;
    s.run([&](minsheng::dialog::unit_of_work& uow) {
        auto c = uow.open_case(draft_for("alice", t0));
        auto u = c;
        u.assignee = "w-east-2";
        u.status = "assigned";
        u.updated_at = t0 + 1;
        REQUIRE(uow.update_case(u, c.status, c.updated_at));
        assigned_case = c.id;
    });
    enqueue_all(s, {staff_note("worker", "东城社区", "new-case"),
                    staff_note("supervisor", "东城社区", "overdue"),
                    staff_note("worker", "东城社区", "detail", assigned_case),
                    staff_note("worker", "光明社区", "nobody")});
    delivery_routing routing;
    routing.street_of = {{"东城社区", "东城街道"}, {"西城社区", "东城街道"}};
    outbox_delivery d(s);
    auto due = d.claim_due(t0 + 5, 20, 60, routing);

    std::map<std::string, std::string> to;  // key → openid
    for (const auto& r : due) {
        REQUIRE(r.n.to);
        CHECK(r.n.to->from == channel::wechat_oa);
        CHECK(r.openid == r.n.to->user_id);
        to[r.n.idempotency_key] = r.openid;
    }
    CHECK(to == std::map<std::string, std::string>{{"new-case/staff:w-east-1", "o-e1"},
                                                   {"new-case/staff:w-east-2", "o-e2"},
                                                   {"overdue/staff:sup-east", "o-se"},
                                                   {"detail/staff:w-east-2", "o-e2"}});
    reader r(file.path());
    std::map<std::string, outbox_row> rows;
    for (const auto& row : r.list_outbox({})) rows[row.n.idempotency_key] = row;
    CHECK(rows["new-case"].status == "delivered");
    CHECK(rows["overdue"].status == "delivered");
    CHECK(rows["nobody"].status == "dead");
    CHECK_THAT(rows["nobody"].last_error, Catch::Contains("绑定工号"));
    CHECK(rows["new-case/staff:w-east-1"].n.text == "有新的诉求待处理");
    CHECK(rows["new-case/staff:w-east-1"].n.audience == "worker");

    // Nothing fans out twice.
    CHECK(d.claim_due(t0 + 1000, 20, 60, routing).size() == 4);  // the same children, again
    reader again(file.path());
    CHECK(again.list_outbox({}).size() == 8);
}

TEST_CASE("Mini program rows go out only on a subscription credit, newest news first",
          "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(t0));
    const std::string tpl = "tmpl-progress";
    auto mp_note = [](const std::string& user, const std::string& key, std::int64_t case_id) {
        auto n = note(person_ref{channel::miniprogram, user}, key);
        n.case_id = case_id;
        return n;
    };
    enqueue_all(s, {mp_note("mp-a", "a-1", 1), mp_note("mp-a", "a-2", 1), mp_note("mp-a", "a-3", 2),
                    mp_note("mp-b", "b-1", 3)});
    delivery_routing routing;
    routing.mp_template_id = tpl;
    outbox_delivery d(s);

    SECTION("without a credit nothing is claimed, and without a template neither") {
        CHECK(d.claim_due(t0, 10, 60, routing).empty());
        CHECK(add_subscription_credit(s, "mp-b", tpl, t0) == 1);
        CHECK(d.claim_due(t0, 10, 60, {}).empty());
        reader r(file.path());
        CHECK(r.count_outbox("pending") == 4);
    }
    SECTION("one credit sends the newest row; older rows of that case are superseded") {
        CHECK(add_subscription_credit(s, "mp-a", tpl, t0) == 1);
        auto due = d.claim_due(t0, 10, 60, routing);
        REQUIRE(due.size() == 1);
        CHECK(due[0].n.idempotency_key == "a-3");
        CHECK(due[0].openid == "mp-a");
        reader r(file.path());
        CHECK(subscription_credits(r, "mp-a", tpl) == 0);

        CHECK(add_subscription_credit(s, "mp-a", tpl, t0 + 1) == 1);
        due = d.claim_due(t0 + 1, 10, 60, routing);
        REQUIRE(due.size() == 1);
        CHECK(due[0].n.idempotency_key == "a-2");
        CHECK(row_of(file.path(), 1).status == "dead");
        CHECK_THAT(row_of(file.path(), 1).last_error, Catch::Contains("superseded"));
    }
    SECTION("a refunded credit is there for the retry; a cleared one is gone") {
        add_subscription_credit(s, "mp-b", tpl, t0);
        auto due = d.claim_due(t0, 10, 60, routing);
        REQUIRE(due.size() == 1);
        d.refund_subscription("mp-b", tpl, t0);
        {
            reader r(file.path());
            CHECK(subscription_credits(r, "mp-b", tpl) == 1);
        }
        d.clear_subscription("mp-b", tpl, t0);
        reader r(file.path());
        CHECK(subscription_credits(r, "mp-b", tpl) == 0);
    }
    SECTION("credits are capped") {
        for (int i = 0; i < max_subscription_credits + 5; ++i)
            add_subscription_credit(s, "mp-b", tpl, t0);
        reader r(file.path());
        CHECK(subscription_credits(r, "mp-b", tpl) == max_subscription_credits);
    }
}

TEST_CASE("A caller who bound their phone only in the mini program is reached there on a credit",
          "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(t0));
    s.run([](minsheng::dialog::unit_of_work& uow) {
        minsheng::dialog::person p;
        p.who = {channel::miniprogram, "mp-grandpa"};
        p.phone = "13700137000";
        p.phone_verified_at = t0;
        uow.save_person(p);
    });
    enqueue_all(s, {note(person_ref{channel::hotline, "13700137000"}, "call-1"),
                    note(person_ref{channel::hotline, "13700137000"}, "call-2")});
    delivery_routing routing;
    routing.mp_template_id = "tmpl";
    add_subscription_credit(s, "mp-grandpa", "tmpl", t0);
    auto due = outbox_delivery(s).claim_due(t0, 10, 60, routing);
    REQUIRE(due.size() == 2);
    CHECK(due[0].miniprogram);  // the one credit
    CHECK(due[0].openid == "mp-grandpa");
    CHECK_FALSE(due[1].miniprogram);  // no credit left: the SMS
    CHECK(due[1].openid.empty());
    reader r(file.path());
    CHECK(subscription_credits(r, "mp-grandpa", "tmpl") == 0);
}
