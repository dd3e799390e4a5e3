// End-to-end: every operator route, walked as someone who must see nothing of 东城社区 — a worker
// of 西城社区 (the same street) and a supervisor of 南山街道 (another street) — while 东城社区 has
// cases, notifications, a proposal, a volunteer with points, staff and audit entries. Each route
// either refuses (403/404) or answers without anything of 东城社区, and changes nothing there.
//
// The probes are keyed by the router's own table (gateway/operator/router.hpp): a route added to
// the router without a probe here fails the first check. When you add a route, add its probe.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "gateway/operator/router.hpp"
#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;
namespace store_ns = minsheng::adapters::db;
namespace api = minsheng::gateway::operator_api;

namespace {

const std::string east = "东城社区";  // community A: everything below is about it
const std::string secret = "甲秘密";  // in every text of community A

struct reply {
    int status = 0;
    std::string raw;
    json body;  // when JSON
};

// "%E4%B8%9C..." for a query value.
std::string pct(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char ch : s) {
        if (std::isalnum(ch)) {
            out += static_cast<char>(ch);
        } else {
            out += '%';
            out += hex[ch >> 4];
            out += hex[ch & 15];
        }
    }
    return out;
}

std::string url(std::int64_t id, const std::string& rest = "") {
    return "/api/v1/cases/" + std::to_string(id) + rest;
}

// Someone who must see nothing of community A.
struct intruder {
    std::string name;  // for the test's messages
    std::string token;
    unsigned role;          // api::role_bits
    std::int64_t own_case;  // a case in their scope, with a case of A merged into it
};

struct fixture {
    running_gateway g;
    store_ns::store db;
    // What community A holds, and the strings that would give any of it away.
    std::int64_t a_case = 0, a_unassigned = 0, a_application = 0, a_move = 0;
    std::set<std::string> markers{east, secret, "w-east", "s-east"};
    int opened = 0;

    fixture() : g(make_config()), db(g.cfg.db_path) {}

    static gateway::config make_config() {
        auto c = test_config(security_mode::safe, temp_db_path("scope"));
        c.communities = {{east, "东城街道", {}, std::nullopt},
                         {"西城社区", "东城街道", {}, std::nullopt},
                         {"南山社区", "南山街道", {}, std::nullopt}};
        c.program.settings.stations = {
            {"dc-01", "东城社区党群服务驿站", east, "东城路1号", std::nullopt, ""}};
        return c;
    }

    std::int64_t open_case(const std::string& community, const std::string& description) {
        std::int64_t id = 0;
        std::string number;
        const std::string seq = std::to_string(++opened);
        db.run([&](dialog::unit_of_work& uow) {
            dialog::case_draft d;
            d.reporter_id = "o_reporter_" + seq;
            d.kind = "complaint";
            d.category = "城管";
            d.urgency = "normal";
            d.description = description;
            d.address = community + "5栋";
            d.contact_phone = "13800138000";
            d.source_key = "scope-" + seq;
            d.created_at = now_s();
            d.community = community;
            auto c = uow.open_case(d);
            id = c.id;
            number = c.number;
        });
        if (community == east) markers.insert(number);
        return id;
    }

    void add_staff(const std::string& id, const std::string& role, const std::string& community,
                   const std::string& street) {
        store_ns::staff_member m;
        m.id = id;
        m.name = "员工" + id;
        m.role = role;
        m.community = community;
        m.street = street;
        store_ns::save_staff(db, m, now_s());
    }
    std::string token_for(const std::string& id) {
        return store_ns::issue_token(db, id, 0, "scope", now_s()).token;
    }

    reply call(const std::string& token, const std::string& method, const std::string& target,
               const std::string& body = "") {
        auto http = g.client();
        auto res = http.request(
            method, target, body,
            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
        reply r{res.status, res.body, json()};
        auto it = res.headers.find("content-type");
        if (it != res.headers.end() && it->second.rfind("application/json", 0) == 0)
            r.body = json::parse(res.body);
        return r;
    }
    json admin(const std::string& method, const std::string& target, const std::string& body = "") {
        auto r = call(g.cfg.operator_token, method, target, body);
        INFO(method << " " << target << " → " << r.status << " " << r.raw);
        REQUIRE(r.status / 100 == 2);
        return r.body;
    }

    // The answer gives nothing of A away: refused, or free of every marker.
    void nothing_of_a(const reply& r, const std::string& what) {
        INFO(what << " → " << r.status << " " << r.raw.substr(0, 600));
        CHECK((r.status == 200 || r.status == 201 || r.status == 403 || r.status == 404));
        for (const auto& m : markers) {
            INFO("gives away " << m);
            CHECK(r.raw.find(m) == std::string::npos);
        }
    }
    // The answer is 403 forbidden (the API's error format).
    static void forbidden(const reply& r, const std::string& what) {
        INFO(what << " → " << r.status << " " << r.raw.substr(0, 300));
        CHECK(r.status == 403);
        CHECK(r.body["error"]["code"] == "forbidden");
    }
    // 200, nothing of A, and the answer's JSON for more checks.
    json filtered(const intruder& who, const std::string& method, const std::string& target,
                  const std::string& body = "") {
        auto r = call(who.token, method, target, body);
        nothing_of_a(r, who.name + " " + method + " " + target);
        INFO(who.name << " " << method << " " << target << " → " << r.raw.substr(0, 300));
        CHECK(r.status / 100 == 2);
        return r.body;
    }
};

using probe = std::function<void(fixture&, const intruder&)>;

// What each route must do for an intruder whose role may call it. Keyed "METHOD path" as in the
// router's table; every route of the table needs one (a route without one fails the test).
std::map<std::string, probe> probes() {
    const std::string in_a = "?community=" + pct(east);
    return {
        {"GET /api/v1/me",
         [](fixture& f, const intruder& who) { f.filtered(who, "GET", "/api/v1/me"); }},
        {"POST /api/v1/me/wechat-code",
         [](fixture& f, const intruder& who) {
             f.filtered(who, "POST", "/api/v1/me/wechat-code");
         }},
        {"GET /api/v1/cases",
         [in_a](fixture& f, const intruder& who) {
             auto all = f.filtered(who, "GET", "/api/v1/cases?limit=1000");
             for (const auto& c : all["cases"]) CHECK(c["id"] == who.own_case);
             CHECK(f.filtered(who, "GET", "/api/v1/cases?assignee=w-east")["cases"].empty());
             f.forbidden(f.call(who.token, "GET", "/api/v1/cases" + in_a), who.name);
         }},
        {"GET /api/v1/cases.csv",
         [in_a](fixture& f, const intruder& who) {
             auto r = f.call(who.token, "GET", "/api/v1/cases.csv");
             f.nothing_of_a(r, who.name + " cases.csv");
             CHECK(std::count(r.raw.begin(), r.raw.end(), '\n') == 2);  // header + own case
             f.forbidden(f.call(who.token, "GET", "/api/v1/cases.csv" + in_a), who.name);
         }},
        {"GET /api/v1/cases/{id}",
         [](fixture& f, const intruder& who) {
             f.forbidden(f.call(who.token, "GET", url(f.a_case)), who.name);
             // Their own case, into which an admin merged a case of A: that one is not named.
             auto own = f.filtered(who, "GET", url(who.own_case));
             CHECK(own["merged_cases"].empty());
             bool masked = false;  // the merge is in the trail, without the number
             for (const auto& e : own["events"])
                 masked = masked || (e["action"] == "merge" && e["note"] == "absorbed …");
             CHECK(masked);
         }},
        {"GET /api/v1/cases/{id}/possible-duplicates",
         [](fixture& f, const intruder& who) {
             f.forbidden(f.call(who.token, "GET", url(f.a_case, "/possible-duplicates")), who.name);
             f.filtered(who, "GET", url(who.own_case, "/possible-duplicates"));
         }},
        {"POST /api/v1/cases/{id}/actions",
         [](fixture& f, const intruder& who) {
             for (const char* body : {R"({"action":"accept"})", R"({"action":"cancel"})",
                                      R"({"action":"assign","assignee":"w-east"})"})
                 f.forbidden(f.call(who.token, "POST", url(f.a_case, "/actions"), body),
                             who.name + " " + body);
             // Merging their own case into one of A: the target is outside their scope too.
             f.forbidden(f.call(who.token, "POST", url(who.own_case, "/actions"),
                                json{{"action", "merge"}, {"into", f.a_case}}.dump()),
                         who.name + " merge");
         }},
        {"POST /api/v1/cases/{id}/notes",
         [](fixture& f, const intruder& who) {
             f.forbidden(f.call(who.token, "POST", url(f.a_case, "/notes"), R"({"text":"看看"})"),
                         who.name);
         }},
        {"POST /api/v1/cases/{id}/reply",
         [](fixture& f, const intruder& who) {
             f.forbidden(
                 f.call(who.token, "POST", url(f.a_case, "/reply"), R"({"canned":"accepted"})"),
                 who.name);
             f.forbidden(f.call(who.token, "POST", url(f.a_case, "/reply"), R"({"text":"你好"})"),
                         who.name);
         }},
        {"POST /api/v1/cases/{id}/followers/split",
         [](fixture& f, const intruder& who) {
             f.forbidden(f.call(who.token, "POST", url(f.a_case, "/followers/split"),
                                R"({"follower":1,"joined_at":"2026-11-23T09:00:00+08:00"})"),
                         who.name);
         }},
        {"GET /api/v1/canned",
         [](fixture& f, const intruder& who) { f.filtered(who, "GET", "/api/v1/canned"); }},
        {"GET /api/v1/staff",
         [](fixture& f, const intruder& who) {
             const auto staff = f.filtered(who, "GET", "/api/v1/staff");  // kept: looped over
             for (const auto& m : staff["staff"]) CHECK(m["community"] != east);
         }},
        {"POST /api/v1/assign/auto",
         [](fixture& f, const intruder& who) {
             CHECK(f.filtered(who, "POST", "/api/v1/assign/auto")["assigned"].empty());
         }},
        {"GET /api/v1/volunteers",
         [in_a](fixture& f, const intruder& who) {
             for (const char* status : {"applied", "approved", "all"})
                 CHECK(
                     f.filtered(who, "GET",
                                std::string("/api/v1/volunteers?status=") + status)["applications"]
                         .empty());
             f.forbidden(f.call(who.token, "GET", "/api/v1/volunteers" + in_a), who.name);
         }},
        {"POST /api/v1/volunteers/ZY{id}/approve",
         [](fixture& f, const intruder& who) {
             const auto target =
                 "/api/v1/volunteers/ZY" + std::to_string(f.a_application) + "/approve";
             f.forbidden(f.call(who.token, "POST", target), who.name + " approve");
         }},
        {"POST /api/v1/volunteers/ZY{id}/refuse",
         [](fixture& f, const intruder& who) {
             const auto target =
                 "/api/v1/volunteers/ZY" + std::to_string(f.a_application) + "/refuse";
             f.forbidden(f.call(who.token, "POST", target), who.name + " refuse");
         }},
        {"GET /api/v1/residents/moves",
         [in_a](fixture& f, const intruder& who) {
             CHECK(f.filtered(who, "GET", "/api/v1/residents/moves")["moves"].empty());
             f.forbidden(f.call(who.token, "GET", "/api/v1/residents/moves" + in_a), who.name);
         }},
        {"POST /api/v1/residents/moves/{id}/confirm",
         [](fixture& f, const intruder& who) {
             const auto target = "/api/v1/residents/moves/" + std::to_string(f.a_move) + "/confirm";
             f.forbidden(f.call(who.token, "POST", target), who.name + " confirm move");
         }},
        {"GET /api/v1/audit", [](fixture&, const intruder&) { FAIL("admins only"); }},
        {"GET /api/v1/outbox",
         [](fixture& f, const intruder& who) {
             auto all = f.filtered(who, "GET", "/api/v1/outbox?limit=1000");
             CHECK(all["notifications"].empty());
             CHECK(all["pending"] == 0);
             CHECK(all["dead"] == 0);
             auto of_a =
                 f.filtered(who, "GET", "/api/v1/outbox?case_id=" + std::to_string(f.a_case));
             CHECK(of_a["notifications"].empty());
         }},
        {"GET /api/v1/proposals",
         [in_a](fixture& f, const intruder& who) {
             CHECK(f.filtered(who, "GET", "/api/v1/proposals")["proposals"].empty());
             f.forbidden(f.call(who.token, "GET", "/api/v1/proposals" + in_a), who.name);
         }},
        {"GET /api/v1/ranking",
         [in_a](fixture& f, const intruder& who) {
             CHECK(f.filtered(who, "GET", "/api/v1/ranking")["ranking"].empty());
             f.forbidden(f.call(who.token, "GET", "/api/v1/ranking" + in_a), who.name);
         }},
        {"POST /api/v1/sweep", [](fixture&, const intruder&) { FAIL("admins only"); }},
        {"GET /api/v1/stats",
         [in_a](fixture& f, const intruder& who) {
             auto s = f.filtered(who, "GET", "/api/v1/stats");
             CHECK(s["totals"]["cases"] == 1);  // their own case
             CHECK(s["volunteers"]["registered"] == 0);
             CHECK(s["volunteers"]["points_credited"] == 0);
             for (const auto& r : s["resources"]) CHECK(r["stations"] == 0);
             f.forbidden(f.call(who.token, "GET", "/api/v1/stats" + in_a), who.name);
         }},
        {"GET /api/v1/stats/demand.svg",
         [in_a](fixture& f, const intruder& who) {
             f.filtered(who, "GET", "/api/v1/stats/demand.svg");
             f.forbidden(f.call(who.token, "GET", "/api/v1/stats/demand.svg" + in_a), who.name);
         }},
        {"GET /api/v1/stats/resources.svg",
         [in_a](fixture& f, const intruder& who) {
             f.filtered(who, "GET", "/api/v1/stats/resources.svg");
             f.forbidden(f.call(who.token, "GET", "/api/v1/stats/resources.svg" + in_a), who.name);
         }},
        // 主动发现: the households of A are tested in e2e_discovery_test.cpp; here, none shows.
        {"GET /api/v1/discovery",
         [in_a](fixture& f, const intruder& who) {
             CHECK(f.filtered(who, "GET", "/api/v1/discovery")["households"].empty());
             f.forbidden(f.call(who.token, "GET", "/api/v1/discovery" + in_a), who.name);
         }},
        {"GET /api/v1/discovery.csv",
         [in_a](fixture& f, const intruder& who) {
             f.filtered(who, "GET", "/api/v1/discovery.csv");
             f.forbidden(f.call(who.token, "GET", "/api/v1/discovery.csv" + in_a), who.name);
         }},
        {"POST /api/v1/discovery/visits",
         [](fixture& f, const intruder& who) {
             f.forbidden(f.call(who.token, "POST", "/api/v1/discovery/visits",
                                R"({"household":"id:00","outcome":"granted"})"),
                         who.name + " visit");
         }},
        {"GET /api/v1/stats/grids.svg",
         [in_a](fixture& f, const intruder& who) {
             f.filtered(who, "GET", "/api/v1/stats/grids.svg");
             f.forbidden(f.call(who.token, "GET", "/api/v1/stats/grids.svg" + in_a), who.name);
         }},
    };
}

std::string key_of(const api::route_spec& r) {
    return std::string(boost::beast::http::to_string(r.method)) + " " + std::string(r.path);
}

}  // namespace

TEST_CASE("every operator route has a scope probe, and a scope rule that matches its roles",
          "[gateway]") {
    const auto all = probes();
    std::set<std::string> routed;
    for (const auto& r : api::routes()) {
        const auto key = key_of(r);
        INFO(key << ": add its probe to tests/gateway/e2e_scope_test.cpp");
        CHECK(all.count(key) == 1);
        CHECK(routed.insert(key).second);  // listed once
        CHECK((r.roles & api::admins) != 0);
        // Admin-only routes are for admins alone, and nothing else is admin-only.
        CHECK((r.scope == api::scope_rule::admin_only) == (r.roles == api::admins));
    }
    for (const auto& [key, p] : all) {
        INFO(key << " is probed but not routed");
        CHECK(routed.count(key) == 1);
    }
}

TEST_CASE("a worker of another community and a supervisor of another street see nothing of it",
          "[e2e][staff]") {
    fixture f;

    // Community A: staff, cases (one assigned, one not), notifications, a proposal, a volunteer
    // with this month's points, an export in the audit trail.
    f.add_staff("w-east", "worker", east, "");
    f.add_staff("s-east", "supervisor", "", "东城街道");
    const std::string east_worker = f.token_for("w-east");
    f.a_case = f.open_case(east, secret + "路灯坏了，电话13800138000");
    f.a_unassigned = f.open_case(east, secret + "垃圾没人清");
    const auto a_merged_west = f.open_case(east, secret + "路灯坏了（重复一）");
    const auto a_merged_south = f.open_case(east, secret + "路灯坏了（重复二）");
    f.admin("POST", url(f.a_case, "/actions"), R"({"action":"assign","assignee":"w-east"})");
    f.admin("POST", url(f.a_case, "/notes"), json{{"text", secret + "内部备注"}}.dump());
    f.admin("POST", url(f.a_case, "/reply"), json{{"text", secret + "您好"}}.dump());
    f.db.run([&](dialog::unit_of_work& uow) {
        dialog::notification n;
        n.audience = "worker";
        n.community = east;
        n.template_key = "notify/worker_reminder";
        n.vars_json = "{}";
        n.text = secret + "提醒";
        n.case_id = f.a_case;
        n.idempotency_key = "scope:worker";
        n.created_at = now_s();
        uow.enqueue(n);
        n.case_id = 0;  // about no case: the community it names
        n.idempotency_key = "scope:staff";
        uow.enqueue(n);

        dialog::proposal_draft p;
        p.proposer = {dialog::channel::wechat_oa, "o_proposer"};
        p.community = east;
        p.title = secret + "加装电梯";
        p.description = secret + "3栋老人多";
        p.threshold = 30;
        p.created_at = now_s();
        p.closes_at = now_s() + 14 * 86400;
        f.markers.insert(uow.create_proposal(p).number);

        dialog::person v;
        v.who = {dialog::channel::wechat_oa, "o_volunteer"};
        v.name = secret + "志愿者";
        v.community = east;
        v.volunteer = true;
        v.volunteer_status = "approved";
        v.volunteer_number = uow.next_volunteer_number();
        v.registered_at = now_s() - 60;
        v.updated_at = now_s();
        uow.save_person(v);
        // And someone in A waiting for a worker to approve their application.
        dialog::person applicant;
        applicant.who = {dialog::channel::wechat_oa, "o_applicant"};
        applicant.name = secret + "申请人";
        applicant.community = east;
        applicant.volunteer_status = "applied";
        applicant.volunteer_number = uow.next_volunteer_number();
        applicant.registered_at = now_s();
        applicant.updated_at = now_s();
        uow.save_person(applicant);
        f.a_application = applicant.volunteer_number;
        // And someone who just moved into A, waiting for a worker to confirm it.
        dialog::person mover;
        mover.who = {dialog::channel::wechat_oa, "o_mover"};
        mover.name = secret + "新邻居";
        mover.community = east;
        mover.community_previous = "南山社区";
        mover.community_since = now_s();
        mover.community_move = uow.next_community_move();
        mover.updated_at = now_s();
        uow.save_person(mover);
        f.a_move = mover.community_move;
        uow.post({0,
                  now_s(),
                  "wish_confirmed",
                  f.a_case,
                  "scope:points",
                  {{"issued", -10}, {"person:" + v.who.key(), 10}}});
    });
    REQUIRE(f.call(east_worker, "GET", "/api/v1/cases.csv").status == 200);  // audited

    // The intruders, each with a case of their own into which an admin merged one of A.
    f.add_staff("w-west", "worker", "西城社区", "");
    f.add_staff("s-south", "supervisor", "", "南山街道");
    const intruder worker{"the worker of 西城社区", f.token_for("w-west"), api::workers,
                          f.open_case("西城社区", "西城社区井盖丢了")};
    const intruder supervisor{"the supervisor of 南山街道", f.token_for("s-south"),
                              api::supervisors, f.open_case("南山社区", "南山社区路面坑洼")};
    auto merge = [&](std::int64_t from, std::int64_t into) {
        f.admin("POST", url(from, "/actions"), json{{"action", "merge"}, {"into", into}}.dump());
    };
    merge(a_merged_west, worker.own_case);
    merge(a_merged_south, supervisor.own_case);

    // An admin sees all of it, so each probe below has something to hide.
    const auto before_case = f.admin("GET", url(f.a_case));
    CHECK(f.admin("GET", url(worker.own_case))["merged_cases"].size() == 1);
    const auto before_outbox = f.admin("GET", "/api/v1/outbox?limit=1000");
    CHECK(before_outbox["notifications"].size() >= 3);
    CHECK(f.admin("GET", "/api/v1/proposals")["proposals"].size() == 1);
    CHECK(f.admin("GET", "/api/v1/ranking")["ranking"].size() == 1);
    CHECK(f.admin("GET", "/api/v1/audit")["entries"].size() >= 1);
    CHECK(f.admin("GET", "/api/v1/stats")["volunteers"]["points_credited"] == 10);
    CHECK(f.admin("GET", "/api/v1/volunteers?status=applied")["applications"].size() == 1);
    CHECK(f.admin("GET", "/api/v1/residents/moves")["moves"].size() == 1);

    const auto all = probes();
    for (const auto& who : {worker, supervisor}) {
        for (const auto& r : api::routes()) {
            const auto key = key_of(r);
            INFO(who.name << ": " << key << " (" << api::to_string(r.scope) << ")");
            auto it = all.find(key);
            REQUIRE(it != all.end());  // see the test above
            if ((r.roles & who.role) == 0) {
                // Not for their role: 403 whatever the path's id or body.
                std::string target(r.path);
                if (auto at = target.find("{id}"); at != std::string::npos)
                    target.replace(at, 4, std::to_string(f.a_case));
                const auto method = std::string(boost::beast::http::to_string(r.method));
                f.forbidden(f.call(who.token, method, target, "{}"), who.name + " " + key);
                continue;
            }
            it->second(f, who);
        }
    }

    // Nothing of A changed: the application, the move, the case, its events and assignee, the
    // unassigned case, the outbox.
    CHECK(f.admin("GET", "/api/v1/volunteers?status=applied")["applications"].size() == 1);
    CHECK(f.admin("GET", "/api/v1/residents/moves")["moves"].at(0)["confirmed_at"].is_null());
    const auto after_case = f.admin("GET", url(f.a_case));
    CHECK(after_case["status"] == before_case["status"]);
    CHECK(after_case["assignee"] == "w-east");
    CHECK(after_case["events"] == before_case["events"]);
    CHECK(f.admin("GET", url(f.a_unassigned))["assignee"].is_null());
    const auto after_outbox = f.admin("GET", "/api/v1/outbox?limit=1000");
    std::size_t about_a = 0;
    for (const auto& n : after_outbox["notifications"])
        if (n["case_id"] == f.a_case) ++about_a;
    std::size_t about_a_before = 0;
    for (const auto& n : before_outbox["notifications"])
        if (n["case_id"] == f.a_case) ++about_a_before;
    CHECK(about_a == about_a_before);
}
