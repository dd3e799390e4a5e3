// End-to-end: the monthly 主动发现 list (docs/discovery.md). The real gateway on a clock the test
// moves through November into December 2026: no list before the month's first working day, one
// list on it (whatever number of sweeps, and of gateways on the same database), the street's
// supervisors told once, and the supervisors' API showing each household's place this month and
// last month.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "dialog/values/civil_time.hpp"
#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;

namespace {

const std::string guangming = "光明社区";

// 10:00 China time on a day of 2026.
std::int64_t at(unsigned month, unsigned day) {
    return dialog::china_unix(dialog::civil_date{std::chrono::year{2026}, std::chrono::month{month},
                                                 std::chrono::day{day}},
                              10 * 3600);
}

struct month_fixture {
    std::shared_ptr<std::atomic<std::int64_t>> clock =
        std::make_shared<std::atomic<std::int64_t>>(at(11, 1));  // a Sunday
    gateway::config cfg;
    std::unique_ptr<running_gateway> g;
    std::string supervisor;

    month_fixture() : cfg(test_config(security_mode::safe, temp_db_path("discovery-month"))) {
        cfg.communities = {{guangming, "光明街道", {}, std::nullopt},
                           {"东城社区", "东城街道", {}, std::nullopt}};
        g = std::make_unique<running_gateway>(cfg, [c = clock] { return c->load(); });
        adapters::db::store db(cfg.db_path);
        adapters::db::staff_member m;
        m.id = "s-month";
        m.name = "督办员";
        m.role = "supervisor";
        m.street = "光明街道";
        adapters::db::save_staff(db, m, now_s());
        supervisor = adapters::db::issue_token(db, m.id, 0, "test", now_s()).token;
    }

    // A resident of 光明社区 with a verified phone files a wish at the gateway's time.
    void wish(const std::string& user, const std::string& phone, const std::string& text,
              const std::string& urgency = "normal") {
        adapters::db::store db(cfg.db_path);
        const auto t = clock->load();
        db.run([&](dialog::unit_of_work& uow) {
            dialog::person p;
            p.who = {dialog::channel::wechat_oa, user};
            p.phone = phone;
            p.phone_verified_at = t;
            p.community = guangming;
            p.updated_at = t;
            uow.save_person(p);
            dialog::case_draft d;
            d.reporter_id = user;
            d.kind = "wish";
            d.urgency = urgency;
            d.description = text;
            d.community = guangming;
            d.source_key = user + ":" + std::to_string(t) + ":" + text;
            d.created_at = t;
            uow.open_case(d);
        });
    }

    void sweep(running_gateway& on) {
        auto res =
            on.client().request("POST", "/api/v1/sweep", "", {{"Authorization", bearer(cfg)}});
        INFO(res.body);
        REQUIRE(res.status == 200);
    }

    // The months kept and the supervisors' notifications written, from the database.
    std::int64_t count(const std::string& sql) {
        SQLite::Database db(cfg.db_path, SQLite::OPEN_READONLY);
        SQLite::Statement q(db, sql);
        REQUIRE(q.executeStep());
        return q.getColumn(0).getInt64();
    }
    std::int64_t months() { return count("SELECT count(*) FROM discovery_snapshots"); }
    std::int64_t notices() {
        return count(
            "SELECT count(*) FROM outbox WHERE template_key = 'notify/discovery_ready' AND "
            "audience = 'supervisor' AND community = '光明社区'");
    }

    json list() {
        auto res = g->client().request("GET", "/api/v1/discovery", "",
                                       {{"Authorization", "Bearer " + supervisor}});
        INFO(res.body);
        REQUIRE(res.status == 200);
        return json::parse(res.body);
    }
};

}  // namespace

TEST_CASE("the sweep keeps the 主动发现 list once a month from its first working day",
          "[e2e][discovery]") {
    month_fixture f;
    f.wish("o_family_a", "13912340001", "老伴住院，医药费负担太重");
    f.wish("o_family_a", "13912340001", "孩子的学费交不上");
    f.wish("o_family_b", "13912340002", "房租交不起了");

    // Sunday 1 November: not yet (the month's first working day is Monday the 2nd).
    f.sweep(*f.g);
    CHECK(f.months() == 0);
    auto before = f.list();
    CHECK(before["this_month"] == json{{"month", "2026-11"}, {"kept", false}});
    REQUIRE(before["households"].size() == 2);
    CHECK(before["households"][0]["month_rank"].is_null());

    // Monday 2 November: the list is kept, the street's supervisors told; a second sweep and a
    // second gateway on the same database change nothing.
    f.clock->store(at(11, 2));
    f.sweep(*f.g);
    CHECK(f.months() == 1);
    CHECK(f.notices() == 1);
    {
        SQLite::Database db(f.cfg.db_path, SQLite::OPEN_READONLY);
        SQLite::Statement q(
            db, "SELECT text FROM outbox WHERE template_key = 'notify/discovery_ready'");
        REQUIRE(q.executeStep());
        const std::string text = q.getColumn(0).getString();
        CHECK(text.find("2026-11") != std::string::npos);
        CHECK(text.find("光明街道有2户") != std::string::npos);
    }
    f.sweep(*f.g);
    // (Kept running to the end: a stopped test gateway removes its database file.)
    running_gateway second(f.cfg, [c = f.clock] { return c->load(); });
    f.sweep(second);
    CHECK(f.months() == 1);
    CHECK(f.notices() == 1);
    CHECK(f.count("SELECT count(*) FROM discovery_snapshot_rows WHERE month = '2026-11'") == 2);

    auto november = f.list();
    INFO(november.dump());
    CHECK(november["this_month"]["kept"] == true);
    CHECK(november["this_month"]["computed_on"] == "2026-11-02");
    CHECK(november["this_month"]["households"] == 2);
    CHECK(november["last_month"]["kept"] == false);
    const auto a_key = november["households"][0]["household"];
    const auto b_key = november["households"][1]["household"];
    CHECK(november["households"][0]["month_rank"] == 1);
    CHECK(november["households"][1]["month_rank"] == 2);
    CHECK(november["households"][0]["last_month_rank"].is_null());

    // Family B's need grows in November; 1 December (a Tuesday) keeps December's list, where B
    // moved up from 2 to 1.
    f.clock->store(at(11, 20));
    f.wish("o_family_b", "13912340002", "老伴住院，医药费负担太重");
    f.wish("o_family_b", "13912340002", "孩子的学费交不上");
    f.clock->store(at(12, 1));
    f.sweep(*f.g);
    CHECK(f.months() == 2);
    CHECK(f.notices() == 2);
    auto december = f.list();
    INFO(december.dump());
    REQUIRE(december["households"].size() == 2);
    CHECK(december["households"][0]["household"] == b_key);
    CHECK(december["households"][0]["month_rank"] == 1);
    CHECK(december["households"][0]["last_month_rank"] == 2);
    CHECK(december["households"][1]["household"] == a_key);
    CHECK(december["households"][1]["last_month_rank"] == 1);
    CHECK(december["last_month"]["month"] == "2026-11");
    CHECK(december["last_month"]["kept"] == true);
}
