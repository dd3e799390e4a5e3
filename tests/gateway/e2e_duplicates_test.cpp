// End-to-end: the operator API's possible duplicates (GET /api/v1/cases/{id}/possible-duplicates)
// and merge through the real server and a real SQLite file: the intake's decision on demand,
// scoped like the case, masked like the case, never a private case; a merge moves the merged
// case's reporter and followers to the case that absorbs it, and is refused for private cases.

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;
namespace store_ns = minsheng::adapters::db;

namespace {

const std::string east = "东城社区";
const std::string west = "西城社区";
const dialog::geo_point light{23.0210, 113.7520};

struct reply {
    int status = 0;
    json body;
    std::string raw;
};

struct fixture {
    running_gateway g;
    store_ns::store db;
    int opened = 0;

    fixture() : g(make_config()), db(g.cfg.db_path) {}

    static gateway::config make_config() {
        auto c = test_config(security_mode::safe, temp_db_path("duplicates"));
        c.communities = {{east, "东城街道", {}, std::nullopt},
                         {west, "东城街道", {}, std::nullopt}};
        return c;
    }

    // A complaint about the street light, `metres_north` of it, opened straight in the store
    // (as a report that was not joined: filed before the check, or "不是同一个问题"); without a
    // community, without coordinates too.
    std::int64_t open(const std::string& community, const std::string& text, double metres_north,
                      bool is_private = false, const std::string& category = "城管",
                      const std::string& place = "") {
        std::int64_t id = 0;
        const std::string seq = std::to_string(++opened);
        db.run([&](dialog::unit_of_work& uow) {
            dialog::case_draft d;
            d.reporter_id = "o_dup_" + seq;
            d.kind = "complaint";
            d.category = category;
            d.urgency = "normal";
            d.description = text;
            d.contact_phone = "13800138000";
            d.source_key = "dup-" + seq;
            d.created_at = now_s() - 3600 + opened;
            d.community = community;
            if (!community.empty())
                d.location = dialog::geo_point{light.lat + metres_north / 111320.0, light.lng};
            d.is_private = is_private;
            d.place = place;
            id = uow.open_case(d).id;
        });
        return id;
    }

    // The same without a community or coordinates (a chat report that named only its street
    // `place`, as the channel's intake::place_of gave it).
    std::int64_t open_anywhere(const std::string& text, const std::string& place) {
        return open("", text, 0, false, "城管", place);
    }

    std::string token_of(const std::string& id, const std::string& community) {
        store_ns::staff_member m;
        m.id = id;
        m.name = id;
        m.role = "worker";
        m.community = community;
        store_ns::save_staff(db, m, now_s());
        return store_ns::issue_token(db, id, 0, "duplicates", now_s()).token;
    }

    reply call(const std::string& token, const std::string& method, const std::string& target,
               const std::string& body = "") {
        auto http = g.client();
        auto res = http.request(
            method, target, body,
            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
        return {res.status, json::parse(res.body, nullptr, false), res.body};
    }
    reply admin(const std::string& method, const std::string& target,
                const std::string& body = "") {
        return call(g.cfg.operator_token, method, target, body);
    }
};

std::string dups(std::int64_t id) {
    return "/api/v1/cases/" + std::to_string(id) + "/possible-duplicates";
}

std::vector<std::int64_t> ids_in(const json& body) {
    std::vector<std::int64_t> out;
    for (const auto& c : body.at("possible_duplicates")) out.push_back(c.at("id"));
    return out;
}

bool contains(const std::vector<std::int64_t>& v, std::int64_t x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

TEST_CASE("an operator sees a case's possible duplicates within their scope, never a private one",
          "[e2e][duplicates]") {
    fixture f;
    const auto a = f.open(east, "幸福路的路灯坏了，晚上一片漆黑，走路很不安全", 0);
    const auto b = f.open(east, "幸福路路灯不亮好几天了，请派人修一下", 60);
    const auto w = f.open(west, "幸福路的路灯坏了，晚上漆黑一片", 30);  // over the boundary
    const auto p = f.open(east, "幸福路的路灯坏了，晚上一片漆黑，家里老人不敢出门", 10, true);
    const auto far = f.open(east, "幸福路的路灯坏了，晚上一片漆黑", 2000);  // 2 km away
    const auto other = f.open(east, "幸福路有个井盖不见了，留下一个大洞", 20);

    // The admin sees all of them that the decision finds alike: not the private case, nor the far
    // one, nor another problem.
    auto all = f.admin("GET", dups(a));
    INFO(all.raw);
    REQUIRE(all.status == 200);
    const auto listed = ids_in(all.body);
    CHECK(contains(listed, b));
    CHECK(contains(listed, w));
    CHECK_FALSE(contains(listed, p));
    CHECK_FALSE(contains(listed, far));
    CHECK_FALSE(contains(listed, other));
    CHECK_FALSE(contains(listed, a));
    for (const auto& c : all.body["possible_duplicates"]) {
        CHECK((c["verdict"] == "same" || c["verdict"] == "possible"));
        CHECK(c["distance_m"].is_number());
        CHECK(c["distance_m"].get<double>() <= 250.0);
    }
    // Masked like the case view: no phone number in the description or the contact.
    CHECK(all.raw.find("13800138000") == std::string::npos);
    CHECK(all.raw.find("o_dup_") == std::string::npos);

    // A private case has none, and is nobody's.
    auto of_private = f.admin("GET", dups(p));
    REQUIRE(of_private.status == 200);
    CHECK(of_private.body["possible_duplicates"].empty());

    // A worker of 东城社区: the case of 西城社区 is out of their scope, so not listed.
    const auto east_worker = f.token_of("w-east", east);
    auto scoped = f.call(east_worker, "GET", dups(a));
    REQUIRE(scoped.status == 200);
    const auto theirs = ids_in(scoped.body);
    CHECK(contains(theirs, b));
    CHECK_FALSE(contains(theirs, w));
    // A worker of 西城社区 cannot ask about a case of 东城社区 at all.
    const auto west_worker = f.token_of("w-west", west);
    auto refused = f.call(west_worker, "GET", dups(a));
    CHECK(refused.status == 403);
    CHECK(refused.raw.find("幸福路") == std::string::npos);
    // And asking about their own case does not give away the one of 东城社区 next door.
    auto own = f.call(west_worker, "GET", dups(w));
    REQUIRE(own.status == 200);
    CHECK(ids_in(own.body).empty());
    CHECK(f.admin("GET", dups(w)).body["possible_duplicates"].size() >= 1);

    CHECK(f.admin("GET", dups(999999)).status == 404);
}

TEST_CASE("an operator's possible duplicates look in the categories the classifier confuses",
          "[e2e][duplicates]") {
    fixture f;
    // One broken lift, filed under two departments the classifier mixes up, and once under one
    // it never confuses with them.
    const auto a =
        f.open(east, "幸福花园3栋的电梯坏了，停运好几天，老人上下楼很困难", 0, false, "城乡建设");
    const auto b =
        f.open(east, "幸福花园3栋电梯又坏了，一直停运，请尽快维修", 20, false, "商贸旅游");
    const auto c =
        f.open(east, "幸福花园3栋的电梯坏了，停运好几天，请尽快修", 30, false, "劳动和社会保障");
    auto shown = f.admin("GET", dups(a));
    INFO(shown.raw);
    REQUIRE(shown.status == 200);
    CHECK(contains(ids_in(shown.body), b));
    CHECK_FALSE(contains(ids_in(shown.body), c));
    CHECK(contains(ids_in(f.admin("GET", dups(b)).body), a));
}

TEST_CASE("an operator's possible duplicates include the cases naming its place in a busy city",
          "[e2e][duplicates]") {
    fixture f;
    const auto first = f.open_anywhere("幸福路的路灯坏了，晚上一片漆黑，走路很不安全", "幸福路");
    // More newer open cases of the category elsewhere than the newest the view reads anywhere.
    for (int i = 0; i < 210; ++i) {
        const auto street = "建设" + std::to_string(i) + "路";
        f.open_anywhere(street + "的路灯坏了，晚上一片漆黑", street);
    }
    const auto again = f.open_anywhere("幸福路路灯不亮好几天了，请派人修一下", "幸福路");
    auto shown = f.admin("GET", dups(again));
    INFO(shown.raw);
    REQUIRE(shown.status == 200);
    CHECK(contains(ids_in(shown.body), first));
    CHECK(contains(ids_in(f.admin("GET", dups(first)).body), again));
}

TEST_CASE("a merge through the API moves the reporter to the target; private cases are refused",
          "[e2e][duplicates]") {
    fixture f;
    const auto a = f.open(east, "幸福路的路灯坏了，晚上一片漆黑，走路很不安全", 0);
    const auto b = f.open(east, "幸福路路灯不亮好几天了，请派人修一下", 60);
    const auto p = f.open(east, "幸福路的路灯坏了，晚上一片漆黑，家里老人不敢出门", 10, true);
    const auto act = [&](std::int64_t from, std::int64_t into) {
        return f.admin("POST", "/api/v1/cases/" + std::to_string(from) + "/actions",
                       json{{"action", "merge"}, {"into", into}}.dump());
    };

    // Private cases: refused with a clear error, nothing changed.
    for (const auto& [from, into] : {std::pair{a, p}, std::pair{p, a}}) {
        auto r = act(from, into);
        INFO(r.raw);
        CHECK(r.status == 400);
        CHECK(r.body["error"]["code"] == "invalid");
        CHECK(r.body["error"]["message"].get<std::string>().find("private") != std::string::npos);
    }
    CHECK(f.admin("GET", "/api/v1/cases/" + std::to_string(a)).body["status"] == "received");
    CHECK(f.admin("GET", "/api/v1/cases/" + std::to_string(p)).body["followers"].empty());

    // B into A: B's reporter follows A, masked, via merge; told once.
    auto merged = act(b, a);
    INFO(merged.raw);
    REQUIRE(merged.status == 200);
    const auto target = f.admin("GET", "/api/v1/cases/" + std::to_string(a)).body;
    REQUIRE(target["followers"].size() == 1);
    CHECK(target["followers"][0]["via"] == "merge");
    CHECK(target["followers"][0]["who"].get<std::string>().find("o_dup_") == std::string::npos);
    CHECK(f.admin("GET", dups(a)).body["possible_duplicates"].empty());  // B is merged now
    // Again: refused (it is merged), nobody told twice.
    CHECK(act(b, a).status == 409);
    std::size_t told = 0;
    const auto outbox = f.admin("GET", "/api/v1/outbox?limit=1000");
    INFO(outbox.raw);
    for (const auto& n : outbox.body["notifications"])
        if (n["template"] == "notify/case_merged") ++told;
    CHECK(told == 1);
}
