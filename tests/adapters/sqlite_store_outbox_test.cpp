#include "adapters/sqlite_store/outbox_delivery.hpp"

#include <catch2/catch.hpp>

#include "adapters/sqlite_store/store.hpp"
#include "sqlite_store_test_support.hpp"

namespace {

using namespace minsheng::adapters::sqlite_store;
using namespace minsheng::adapters::sqlite_store::testing;
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
    SECTION("staff rows are never claimed and stay pending") {
        auto later = d.claim_due(t0 + 1000, 10, 60);
        for (const auto& r : later) CHECK(r.n.to);
        reader r(file.path());
        CHECK(r.count_outbox("pending") == 4);
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

TEST_CASE("A hotline phone resolves to the WeChat person bound to it, else to nobody",
          "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(t0));
    s.run([](minsheng::dialog::unit_of_work& uow) {
        minsheng::dialog::person p;
        p.who = {channel::wechat_oa, "o-grandma"};
        p.phone = "13800138000";
        uow.save_person(p);
        minsheng::dialog::person caller;
        caller.who = {channel::hotline, "13900139000"};
        caller.phone = "13900139000";
        uow.save_person(caller);
    });
    enqueue_all(s, {note(person_ref{channel::hotline, "13800138000"}, "bound"),
                    note(person_ref{channel::hotline, "13900139000"}, "sms")});
    auto due = outbox_delivery(s).claim_due(t0, 10, 60);
    REQUIRE(due.size() == 2);
    CHECK(due[0].openid == "o-grandma");
    CHECK(due[1].openid.empty());
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
