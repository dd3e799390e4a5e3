// Migrations of old SQLite databases (a version-2 database as it shipped, written by hand, and
// databases stopped part-way through the SQLite steps): [sqlite-only], since the PostgreSQL
// schema starts at its baseline and has no older databases. Then what a fresh database of either
// engine has: the indexes and the lease tables the last step added.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <set>
#include <string>

#include "adapters/db/store.hpp"
#include "adapters/sqlite_store/migrations.hpp"
#include "tests/adapters/store_test_support.hpp"

namespace {

using namespace minsheng;
using namespace minsheng::adapters::db;
using namespace minsheng::adapters::sqlite_store;
using namespace minsheng::adapters::db::testing;
namespace sql = minsheng::adapters::sql;

// Schema versions 1 and 2 exactly as deployed databases have them (a copy, on purpose: if
// someone edits the shipped steps, this still describes the real old databases).
constexpr const char* version_2_schema = R"sql(
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                                applied_at INTEGER NOT NULL) STRICT;
CREATE TABLE messages (
    id INTEGER PRIMARY KEY, channel TEXT NOT NULL, dedup_key TEXT NOT NULL,
    user_id TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL DEFAULT '',
    create_time INTEGER NOT NULL, received_at INTEGER NOT NULL, reply TEXT NOT NULL,
    UNIQUE (channel, dedup_key)) STRICT;
CREATE TABLE conversations (
    channel TEXT NOT NULL, user_id TEXT NOT NULL, state TEXT NOT NULL,
    updated_at INTEGER NOT NULL, PRIMARY KEY (channel, user_id)) STRICT, WITHOUT ROWID;
CREATE TABLE cases (
    id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE, channel TEXT NOT NULL,
    reporter_id TEXT NOT NULL, kind TEXT NOT NULL, category TEXT NOT NULL DEFAULT '',
    category_confidence REAL NOT NULL DEFAULT 0, urgency TEXT NOT NULL, status TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '', address TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '', source_key TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) STRICT;
CREATE INDEX cases_by_reporter ON cases (channel, reporter_id);
CREATE INDEX cases_by_status   ON cases (status);
CREATE INDEX cases_by_kind     ON cases (kind);
CREATE INDEX cases_by_category ON cases (category);
CREATE INDEX cases_by_channel  ON cases (channel);
CREATE TABLE case_events (
    id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases (id),
    at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, from_status TEXT,
    to_status TEXT, note TEXT NOT NULL DEFAULT '') STRICT;
CREATE INDEX case_events_by_case ON case_events (case_id, id);
CREATE TABLE case_numbers (
    prefix TEXT NOT NULL, day TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (prefix, day)) STRICT, WITHOUT ROWID;
INSERT INTO schema_migrations VALUES (1, 'messages_and_conversations', 100);
INSERT INTO schema_migrations VALUES (2, 'cases', 100);
)sql";

constexpr const char* version_2_data = R"sql(
INSERT INTO messages VALUES (1, 'wechat_oa', 'msg-1', 'alice', 'text', '路灯坏了', 1795365000,
                             1795365001, 'reply-1');
INSERT INTO conversations VALUES ('wechat_oa', 'alice', '{"pending":"address"}', 1795365001);
INSERT INTO cases VALUES (1, 'MS20261123-0001', 'wechat_oa', 'alice', 'wish', '民政', 0.75,
                          'urgent', 'received', '帮忙买菜', '幸福路12号', '13800138000', 'msg-1',
                          1795365000, 1795365002);
INSERT INTO case_events VALUES (1, 1, 1795365000, 'reporter', 'opened', NULL, 'received', '');
INSERT INTO case_numbers VALUES ('MS', '20261123', 1);
)sql";

void make_version_2(const std::string& path) {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(version_2_schema);
    db.exec(version_2_data);
}

// The indexes the store's queries search, by the names both engines give them.
constexpr const char* expected_indexes[] = {"cases_by_status_kind",
                                            "cases_by_community",
                                            "cases_by_claimer",
                                            "cases_by_merged_into",
                                            "cases_remind_due",
                                            "cases_overdue",
                                            "cases_claim_due",
                                            "people_by_phone",
                                            "ledger_entries_by_account",
                                            "outbox_due",
                                            "staff_by_openid",
                                            "outbox_due_by_channel",
                                            "messages_by_time",
                                            "phone_codes_by_person",
                                            "phone_codes_by_phone",
                                            "service_visits_by_person_day",
                                            "cases_held",
                                            "people_by_community_move"};

std::set<std::string> index_set(const std::string& location) {
    const auto names = index_names(*raw_connection(location));
    return {names.begin(), names.end()};
}

}  // namespace

TEST_CASE(
    "Migrations from 3 on upgrade a version-2 database, keeping its data and defaulting new "
    "fields",
    "[adapters][sqlite-only]") {
    REQUIRE(latest_schema_version() >= 13);
    temp_db file;
    make_version_2(file.path());
    {
        store s(file.path(), options_at(2000));
        CHECK(s.schema_version() == latest_schema_version());

        s.run([](dialog::unit_of_work& uow) {
            auto c = uow.get_case(1);
            REQUIRE(c);
            CHECK(c->number == "MS20261123-0001");
            CHECK(c->public_code.size() == 8);  // migration 9 gave the old case its code
            CHECK(c->reporter_id == "alice");
            CHECK(c->kind == "wish");
            CHECK(c->category == "民政");
            CHECK(c->category_confidence == Approx(0.75));
            CHECK(c->urgency == "urgent");
            CHECK(c->status == "received");
            CHECK(c->description == "帮忙买菜");
            CHECK(c->address == "幸福路12号");
            CHECK(c->contact_phone == "13800138000");
            CHECK(c->created_at == 1795365000);
            CHECK(c->updated_at == 1795365002);
            // Every new column reads as "none".
            CHECK(c->community.empty());
            CHECK(c->handling_mode.empty());
            CHECK(c->handling_rule.empty());
            CHECK(c->deadline_at == 0);
            CHECK(c->remind_at == 0);
            CHECK(c->reminded_at == 0);
            CHECK(c->escalated_at == 0);
            CHECK(c->assignee.empty());
            CHECK(c->claimer.empty());
            CHECK(c->claim_expires_at == 0);
            CHECK(c->merged_into == 0);
            CHECK(c->rating == 0);
            CHECK(c->rating_comment.empty());
            CHECK(c->proposal_id == 0);
            CHECK(c->closed_at == 0);
            CHECK_FALSE(c->location.has_value());

            auto events = uow.events_of(1);
            REQUIRE(events.size() == 1);
            CHECK(events[0].actor == "reporter");  // old rows are not rewritten
            CHECK(events[0].from_status.empty());
            CHECK(events[0].to_status == "received");

            CHECK(uow.load_state(dialog::channel::wechat_oa, "alice") ==
                  R"({"pending":"address"})");
            // The old case can be updated through the new columns.
            auto updated = *c;
            updated.status = "accepted";
            updated.community = "东城社区";
            updated.updated_at = 2000;
            CHECK(uow.update_case(updated, "received", 1795365002));
        });

        // The MS counter continues; WX starts its own.
        auto h = s.handle_once(dialog::channel::wechat_oa, "msg-2", text_message("bob", "msg-2"),
                               [](dialog::unit_of_work& uow) {
                                   uow.open_case(draft_for("bob", nov23_china_0030));
                                   uow.open_case(draft_for("bob", nov23_china_0030, "wish"));
                                   return std::string("reply-2");
                               });
        REQUIRE(h.opened.size() == 2);
        CHECK(h.opened[0].number == "MS20261123-0002");
        CHECK(h.opened[1].number == "WX20261123-0001");

        // The old message is still a duplicate.
        auto again =
            s.handle_once(dialog::channel::wechat_oa, "msg-1", text_message("alice", "msg-1"),
                          [](dialog::unit_of_work&) { return std::string("new"); });
        CHECK(again.duplicate);
        CHECK(again.reply == "reply-1");
    }

    reader r(file.path());
    auto c = r.get_case(1);
    REQUIRE(c);
    CHECK(c->status == "accepted");
    CHECK(c->community == "东城社区");

    auto indexes = index_set(file.path());
    CHECK_FALSE(indexes.count("cases_by_status"));  // replaced by (status, kind)
    for (const char* name : expected_indexes) {
        INFO(name);
        CHECK(indexes.count(name));
    }

    SQLite::Database db(file.path(), SQLite::OPEN_READONLY);
    SQLite::Statement steps(db,
                            "SELECT version, name, applied_at FROM schema_migrations "
                            "ORDER BY version");
    std::vector<std::tuple<int, std::string, std::int64_t>> recorded;
    while (steps.executeStep())
        recorded.emplace_back(steps.getColumn(0).getInt(), steps.getColumn(1).getString(),
                              steps.getColumn(2).getInt64());
    // One row per step; the step numbers need not be contiguous.
    REQUIRE(recorded.size() == minsheng::adapters::sqlite_store::migrations().size());
    CHECK(std::get<0>(recorded.back()) == latest_schema_version());
    CHECK(std::get<1>(recorded[8]) == "least_data");
    CHECK(std::get<1>(recorded[9]) == "vetted_volunteers");
    CHECK(std::get<1>(recorded[10]) == "claims_and_confirmation");
    CHECK(std::get<1>(recorded[11]) == "one_person_one_vote");
    CHECK(std::get<1>(recorded[12]) == "station_presence");
    CHECK(std::get<2>(recorded[1]) == 100);
    CHECK(std::get<0>(recorded[2]) == 3);
    CHECK(std::get<1>(recorded[2]) == "service");
    CHECK(std::get<2>(recorded[2]) == 2000);
    CHECK(std::get<1>(recorded[3]) == "case_sources");
    CHECK(std::get<1>(recorded[4]) == "outbox_delivery");
    CHECK(std::get<1>(recorded[5]) == "console_and_miniprogram");
    CHECK(std::get<1>(recorded[6]) == "staff_and_subscriptions");
}

TEST_CASE("Migration 10 keeps volunteers registered before it approved and numbers them",
          "[adapters][sqlite-only]") {
    temp_db file;
    {
        // A version-9 database with one volunteer and one resident.
        SQLite::Database db(file.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at INTEGER NOT NULL) STRICT");
        for (const auto& step : migrations()) {
            if (step.version > 9) break;
            db.exec(std::string(step.sql));
            SQLite::Statement record(db, "INSERT INTO schema_migrations VALUES (?, ?, 1)");
            record.bind(1, step.version);
            record.bind(2, std::string(step.name));
            record.exec();
        }
        db.exec(
            "INSERT INTO people (channel, user_id, community, volunteer, registered_at, "
            "updated_at) VALUES ('wechat_oa', 'old-volunteer', '东城社区', 1, 500, 500), "
            "('wechat_oa', 'resident', '东城社区', 0, 0, 600)");
    }
    store s(file.path(), options_at(2000));
    CHECK(s.schema_version() == latest_schema_version());
    s.run([](dialog::unit_of_work& uow) {
        auto v = uow.get_person({dialog::channel::wechat_oa, "old-volunteer"});
        REQUIRE(v);
        CHECK(v->volunteer);
        CHECK(v->volunteer_status == "approved");
        CHECK(v->volunteer_decided_by == "migration");
        CHECK(v->volunteer_number == 1);
        CHECK(uow.find_volunteer(1)->who.user_id == "old-volunteer");
        auto r = uow.get_person({dialog::channel::wechat_oa, "resident"});
        REQUIRE(r);
        CHECK(r->volunteer_status.empty());
        CHECK(r->volunteer_number == 0);
        CHECK(uow.next_volunteer_number() == 2);
        CHECK(uow.list_volunteers("approved", {"东城社区"}, 10).size() == 1);
        CHECK(uow.list_volunteers("approved", {"西城社区"}, 10).empty());
        CHECK(uow.list_volunteers("", {}, 10).size() == 1);
    });
}

TEST_CASE("Migration 11 gives wishes held in progress a fresh lease and nobody a notice",
          "[adapters][sqlite-only]") {
    temp_db file;
    const auto before = static_cast<std::int64_t>(std::time(nullptr));
    {
        // A version-10 database: a wish held in progress whose old lease ran out long ago (the
        // lease did not cover in_progress then), and a claimed one whose lease still runs.
        SQLite::Database db(file.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at INTEGER NOT NULL) STRICT");
        for (const auto& step : migrations()) {
            if (step.version > 10) break;
            db.exec(std::string(step.sql));
            SQLite::Statement record(db, "INSERT INTO schema_migrations VALUES (?, ?, 1)");
            record.bind(1, step.version);
            record.bind(2, std::string(step.name));
            record.exec();
        }
        db.exec(
            "INSERT INTO cases (id, number, channel, reporter_id, kind, urgency, status, "
            "created_at, updated_at, claimer, claim_expires_at) VALUES "
            "(1, 'WX20261123-0001', 'wechat_oa', 'r', 'wish', 'normal', 'in_progress', 10, 10, "
            "'wechat_oa:v', 100), "
            "(2, 'WX20261123-0002', 'wechat_oa', 'r', 'wish', 'normal', 'claimed', 10, 10, "
            "'wechat_oa:v', 4000000000)");
    }
    store s(file.path(), options_at(2000));
    CHECK(s.schema_version() == latest_schema_version());
    s.run([&](dialog::unit_of_work& uow) {
        const auto in_progress = uow.get_case(1).value();
        CHECK(in_progress.claim_expires_at >= before + 72 * 3600);
        CHECK(in_progress.confirm_notice_at == 0);
        CHECK(uow.get_case(2)->claim_expires_at == 4000000000);
        CHECK(uow.count_held_claims("wechat_oa:v") == 2);
    });
}

TEST_CASE("Migration 12 keeps the votes stored before it and gives them their voters' keys",
          "[adapters][sqlite-only]") {
    temp_db file;
    {
        // A version-10 database: one proposal, voted on by one resident from both channels with
        // the same verified phone (the hole the step closes), and by a neighbour.
        SQLite::Database db(file.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at INTEGER NOT NULL) STRICT");
        for (const auto& step : migrations()) {
            if (step.version > 10) break;
            db.exec(std::string(step.sql));
            SQLite::Statement record(db, "INSERT INTO schema_migrations VALUES (?, ?, 1)");
            record.bind(1, step.version);
            record.bind(2, std::string(step.name));
            record.exec();
        }
        db.exec(
            "INSERT INTO proposals (id, number, channel, user_id, community, title, threshold, "
            "status, created_at, updated_at) VALUES (1, 'YS20261123-0001', 'wechat_oa', 'p', "
            "'东城社区', '路灯', 5, 'open', 100, 100);"
            "INSERT INTO people (channel, user_id, community, phone, phone_verified_at, "
            "updated_at) VALUES ('wechat_oa', 'me', '东城社区', '13900139000', 50, 500), "
            "('miniprogram', 'me', '东城社区', '13900139000', 60, 600), "
            "('wechat_oa', 'neighbour', '东城社区', '', 0, 700);"
            "INSERT INTO votes (proposal_id, channel, user_id, at) VALUES "
            "(1, 'wechat_oa', 'me', 200), (1, 'miniprogram', 'me', 210), "
            "(1, 'wechat_oa', 'neighbour', 220);");
    }
    store s(file.path(), options_at(2000));
    CHECK(s.schema_version() == latest_schema_version());
    s.run([](dialog::unit_of_work& uow) {
        // Every vote kept and counted.
        CHECK(uow.get_proposal(1)->votes == 3);
        CHECK(uow.voters(1).size() == 3);
        // Their keys: a later vote under any of them is refused.
        CHECK_FALSE(
            uow.add_vote(1, {dialog::channel::miniprogram, "other"}, {"phone:13900139000"}, 300));
        CHECK_FALSE(uow.add_vote(1, {dialog::channel::wechat_oa, "neighbour"}, {}, 300));
        CHECK(uow.add_vote(1, {dialog::channel::wechat_oa, "new"}, {"phone:13900139001"}, 300));
        // The communities declared before count as settled, since their last update.
        auto me = uow.get_person({dialog::channel::wechat_oa, "me"});
        REQUIRE(me);
        CHECK(me->community_since == 500);
        CHECK(me->community_move == 0);
        CHECK(me->unionid.empty());
        CHECK(uow.next_community_move() == 1);
    });
    SQLite::Database db(file.path(), SQLite::OPEN_READONLY);
    // Three person keys and one phone key (the first vote's), then the new vote's two.
    CHECK(db.execAndGet("SELECT count(*) FROM vote_keys").getInt() == 6);
    CHECK(db.execAndGet("SELECT vote_id FROM vote_keys WHERE key = 'phone:13900139000'").getInt() ==
          1);
}

TEST_CASE("Migration 13 keeps visits from before it, open or closed, with no proof of presence",
          "[adapters][sqlite-only]") {
    temp_db file;
    {
        // A version-10 database with a closed visit and an open one.
        SQLite::Database db(file.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at INTEGER NOT NULL) STRICT");
        for (const auto& step : migrations()) {
            if (step.version > 10) break;
            db.exec(std::string(step.sql));
            SQLite::Statement record(db, "INSERT INTO schema_migrations VALUES (?, ?, 1)");
            record.bind(1, step.version);
            record.bind(2, std::string(step.name));
            record.exec();
        }
        db.exec(
            "INSERT INTO service_visits (person, station, checkin_at, checkout_at, minutes, "
            "points) VALUES ('miniprogram:old', 'dc-01', 1000, 4600, 60, 10), "
            "('miniprogram:old', 'dc-01', 5000, 0, 0, 0)");
    }
    store s(file.path(), options_at(9000));
    CHECK(s.schema_version() == latest_schema_version());
    const dialog::person_ref old{dialog::channel::miniprogram, "old"};
    s.run([&](dialog::unit_of_work& uow) {
        auto open = uow.open_visit(old);
        REQUIRE(open);
        CHECK(open->checkin_proof.empty());
        CHECK(open->carried_minutes == 0);
        CHECK(uow.credited_minutes(old, 0, 9000) == 60);  // only the closed visit counts
        auto closed = *open;
        closed.checkout_at = 8600;
        closed.checkout_proof = "none";
        CHECK(uow.finish_visit(closed));
        CHECK(uow.credited_minutes(old, 0, 9000) == 60);
        CHECK(uow.credited_minutes(old, 1001, 9000) == 0);
        const auto visits = uow.visits_of(old, 10);
        REQUIRE(visits.size() == 2);
        CHECK(visits[0].checkout_proof == "none");
        CHECK(visits[1].checkout_proof.empty());
    });
}

TEST_CASE("Migration 14 gives existing cases version 0 and adds the lease tables",
          "[adapters][sqlite-only]") {
    temp_db file;
    {
        // A version-13 database with a pending notification.
        SQLite::Database db(file.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at INTEGER NOT NULL) STRICT");
        for (const auto& step : migrations()) {
            if (step.version > 13) break;
            db.exec(std::string(step.sql));
            SQLite::Statement record(db, "INSERT INTO schema_migrations VALUES (?, ?, 1)");
            record.bind(1, step.version);
            record.bind(2, std::string(step.name));
            record.exec();
        }
        db.exec(
            "INSERT INTO cases (number, channel, reporter_id, kind, urgency, status, created_at, "
            "updated_at) VALUES ('MS20261123-0001', 'wechat_oa', 'o1', 'complaint', 'normal', "
            "'submitted', 5, 5)");
    }
    {
        store s(file.path(), options_at(9000));
        CHECK(s.schema_version() == latest_schema_version());
    }
    SQLite::Database db(file.path(), SQLite::OPEN_READWRITE);
    CHECK(db.execAndGet("SELECT status || '/' || version FROM cases").getString() == "submitted/0");
    db.exec("INSERT INTO leases VALUES ('sweep', 'host:1', 100)");
    CHECK_THROWS(db.exec("INSERT INTO leases VALUES ('sweep', 'host:2', 200)"));
    db.exec("INSERT INTO shared_tokens (name, value, expires_at) VALUES ('wechat_oa:wx1', 't', 7)");
    CHECK(db.execAndGet("SELECT fetching_until FROM shared_tokens").getInt() == 0);
}

TEST_CASE("A fresh database has the indexes the store's queries search", "[adapters]") {
    temp_db file;
    { store s(file.path()); }
    auto indexes = index_set(file.path());
    CHECK_FALSE(indexes.count("cases_by_status"));
    for (const char* name : expected_indexes) {
        INFO(name);
        CHECK(indexes.count(name));
    }
}

TEST_CASE("A fresh database holds one lease per name and starts shared tokens unfetched",
          "[adapters]") {
    temp_db file;
    { store s(file.path(), options_at(9000)); }
    auto db = raw_connection(file.path());
    db->exec("INSERT INTO leases VALUES ('sweep', 'host:1', 100)");
    try {
        db->exec("INSERT INTO leases VALUES ('sweep', 'host:2', 200)");
        FAIL("a second lease of the same name was taken");
    } catch (const sql::error& e) {
        CHECK(e.what_kind == sql::error::kind::unique_violation);
    }
    db->exec(
        "INSERT INTO shared_tokens (name, value, expires_at) VALUES ('wechat_oa:wx1', 't', 7)");
    CHECK(sql::query_int64(*db, "SELECT fetching_until FROM shared_tokens", -1) == 0);
}

TEST_CASE("The timer queries use their partial indexes", "[adapters]") {
    temp_db file;
    { store s(file.path()); }
    auto db = raw_connection(file.path());
    auto plan = [&](const std::string& where) {
        return query_plan(*db, "SELECT id FROM cases WHERE " + where);
    };
    // The same conditions detail::list_cases writes for case_query's timer fields.
    CHECK_THAT(plan("remind_at > 0 AND reminded_at = 0 AND remind_at <= 5"),
               Catch::Contains("cases_remind_due"));
    CHECK_THAT(plan("deadline_at > 0 AND escalated_at = 0 AND deadline_at < 5"),
               Catch::Contains("cases_overdue"));
    CHECK_THAT(plan("claim_expires_at > 0 AND claim_expires_at <= 5"),
               Catch::Contains("cases_claim_due"));
    // As detail::count_held_claims writes it.
    CHECK_THAT(plan("claimer = 'wechat_oa:v' AND claimer <> '' AND status IN ('claimed', "
                    "'in_progress')"),
               Catch::Contains("cases_held"));
}
