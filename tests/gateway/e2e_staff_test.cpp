// End-to-end: case workers, supervisors and admins on the operator API — tokens issued by the
// real minsheng-admin program and the real store, scopes, assignment, notes, canned replies, the
// CSV export and the audit trail — through the real gateway on a real SQLite file.

#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;
namespace store_ns = minsheng::adapters::db;

namespace {

struct reply {
    int status = 0;
    std::string raw;
    std::string content_type;
    json body;
};

struct fixture {
    shifted_clock clock;
    running_gateway g;
    store_ns::store db;

    explicit fixture(const std::string& tag) : g(make_config(tag), clock.fn()), db(g.cfg.db_path) {}

    static gateway::config make_config(const std::string& tag) {
        auto c = test_config(security_mode::safe, temp_db_path(tag));
        c.communities = {{"东城社区", "东城街道", {"一网格", "二网格"}, std::nullopt},
                         {"西城社区", "东城街道", {}, std::nullopt},
                         {"南山社区", "南山街道", {}, std::nullopt}};
        return c;
    }

    // A case as a resident filed it (straight through the store: these tests are about staff).
    std::int64_t open_case(const std::string& community, const std::string& description,
                           const std::string& reporter = "o_resident",
                           const std::string& address = "", std::int64_t deadline_at = 0) {
        std::int64_t id = 0;
        db.run([&](dialog::unit_of_work& uow) {
            dialog::case_draft d;
            d.reporter_id = reporter;
            d.kind = "complaint";
            d.category = "城管";
            d.urgency = "normal";
            d.description = description;
            d.address = address;
            d.contact_phone = "13800138000";
            d.source_key = "test";
            d.created_at = clock.fn()();
            d.community = community;
            d.deadline_at = deadline_at;
            id = uow.open_case(d).id;
        });
        return id;
    }

    void add_staff(const std::string& id, const std::string& role,
                   const std::string& community = "", const std::string& grid = "",
                   const std::string& street = "") {
        store_ns::staff_member m;
        m.id = id;
        m.name = "员工" + id;
        m.role = role;
        m.community = community;
        m.grid = grid;
        m.street = street;
        store_ns::save_staff(db, m, now_s());
    }
    std::string token_for(const std::string& id, std::int64_t expires_at = 0) {
        return store_ns::issue_token(db, id, expires_at, "test", now_s()).token;
    }

    reply call(const std::string& token, const std::string& method, const std::string& target,
               const std::string& body = "") {
        auto http = g.client();
        std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
        if (!token.empty()) headers["Authorization"] = "Bearer " + token;
        auto res = http.request(method, target, body, headers);
        reply r{res.status, res.body, "", json()};
        if (auto it = res.headers.find("content-type"); it != res.headers.end())
            r.content_type = it->second;
        if (r.content_type.rfind("application/json", 0) == 0) r.body = json::parse(res.body);
        return r;
    }
    json ok(const std::string& token, const std::string& method, const std::string& target,
            const std::string& body = "", int expect = 200) {
        auto r = call(token, method, target, body);
        INFO(method << " " << target << " → " << r.status << " " << r.raw);
        REQUIRE(r.status == expect);
        return r.body;
    }
    std::string op() const { return g.cfg.operator_token; }
};

std::set<std::int64_t> ids_of(const json& list) {
    std::set<std::int64_t> out;
    for (const auto& c : list["cases"]) out.insert(c["id"].get<std::int64_t>());
    return out;
}

std::string url(std::int64_t id, const std::string& rest = "") {
    return "/api/v1/cases/" + std::to_string(id) + rest;
}

// RFC 4180: fields separated by commas, records by CRLF; quoted fields may hold commas,
// doubled quotes and line breaks.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (quoted) {
            if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (ch == '"') {
                quoted = false;
            } else {
                field += ch;
            }
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            row.push_back(std::move(field));
            field.clear();
        } else if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            row.push_back(std::move(field));
            field.clear();
            rows.push_back(std::move(row));
            row.clear();
            ++i;
        } else {
            field += ch;
        }
    }
    REQUIRE_FALSE(quoted);
    REQUIRE(field.empty());
    REQUIRE(row.empty());  // the last record ends with CRLF
    return rows;
}

}  // namespace

TEST_CASE("a worker sees and acts on their community's cases only; a supervisor their street's",
          "[e2e][staff]") {
    fixture f("staff-scope");
    const auto east = f.open_case("东城社区", "东城社区5栋路灯坏了");
    const auto west = f.open_case("西城社区", "西城社区垃圾没人清");
    const auto south = f.open_case("南山社区", "南山社区井盖丢了");

    // Staff and tokens through the real program, as a deployment would add them.
    const std::string db = "--db '" + f.g.cfg.db_path + "'";
    REQUIRE(
        admin("staff add " + db + " --id w-east --name 王小东 --role worker --community 东城社区")
            .code == 0);
    REQUIRE(
        admin("staff add " + db + " --id s-east --name 李主任 --role supervisor --street 东城街道")
            .code == 0);
    CHECK(admin("staff add " + db + " --id w-bad --name 无名 --role worker").code == 2);
    auto issued = admin("token issue " + db + " --staff w-east --days 30 --label 手机");
    REQUIRE(issued.code == 0);
    const std::string worker = trimmed(issued.out);
    CHECK(worker.size() == 43);  // only the token on stdout
    const std::string supervisor = trimmed(admin("token issue " + db + " --staff s-east").out);
    CHECK(admin("token issue " + db + " --staff nobody").code != 0);
    auto listed = admin("staff list " + db);
    CHECK(listed.out.find("w-east\tworker\t王小东\t东城社区") != std::string::npos);

    auto me = f.ok(worker, "GET", "/api/v1/me");
    CHECK(me["id"] == "w-east");
    CHECK(me["role"] == "worker");
    CHECK(me["communities"] == json::array({"东城社区"}));
    auto sup_me = f.ok(supervisor, "GET", "/api/v1/me");
    CHECK(sup_me["communities"] == json::array({"东城社区", "西城社区"}));

    // Lists are scoped.
    CHECK(ids_of(f.ok(worker, "GET", "/api/v1/cases")) == std::set<std::int64_t>{east});
    CHECK(ids_of(f.ok(supervisor, "GET", "/api/v1/cases")) == std::set<std::int64_t>{east, west});
    CHECK(ids_of(f.ok(f.op(), "GET", "/api/v1/cases")) ==
          std::set<std::int64_t>{east, west, south});
    CHECK(f.call(worker, "GET", "/api/v1/cases?community=%E8%A5%BF%E5%9F%8E%E7%A4%BE%E5%8C%BA")
              .status == 403);
    CHECK(ids_of(f.ok(supervisor, "GET",
                      "/api/v1/cases?community=%E8%A5%BF%E5%9F%8E%E7%A4%BE%E5%8C%BA")) ==
          std::set<std::int64_t>{west});

    // Reads and actions on another community's case are refused and change nothing.
    f.ok(worker, "GET", url(east));
    auto refused = f.call(worker, "GET", url(west));
    CHECK(refused.status == 403);
    CHECK(refused.body["error"]["code"] == "forbidden");
    CHECK(f.call(worker, "POST", url(west, "/actions"), R"({"action":"accept"})").status == 403);
    CHECK(f.call(worker, "POST", url(west, "/notes"), R"({"text":"看看"})").status == 403);
    CHECK(f.call(worker, "POST", url(west, "/reply"), R"({"canned":"accepted"})").status == 403);
    CHECK(f.call(supervisor, "GET", url(south)).status == 403);
    auto west_now = f.ok(f.op(), "GET", url(west));
    CHECK(west_now["status"] == "received");
    CHECK(west_now["events"].size() == 1);  // only "opened"

    // An action in scope names the worker in the case's audit trail.
    auto accepted = f.ok(worker, "POST", url(east, "/actions"), R"({"action":"accept"})");
    CHECK(accepted["case"]["status"] == "accepted");
    bool named = false;
    for (const auto& e : json(f.ok(worker, "GET", url(east))["events"]))
        named = named || (e["action"] == "accept" && e["actor"] == "operator:w-east");
    CHECK(named);

    // The CSV export is scoped too.
    auto csv = f.call(worker, "GET", "/api/v1/cases.csv");
    REQUIRE(csv.status == 200);
    auto rows = parse_csv(csv.raw.substr(3));
    REQUIRE(rows.size() == 2);  // header + the east case

    // Administration is for admins; the outbox and the sweep for supervisors and admins.
    CHECK(f.call(worker, "GET", "/api/v1/audit").status == 403);
    CHECK(f.call(supervisor, "GET", "/api/v1/audit").status == 403);
    CHECK(f.call(worker, "GET", "/api/v1/outbox").status == 403);
    CHECK(f.call(worker, "POST", "/api/v1/sweep").status == 403);
    CHECK(f.call(worker, "POST", "/api/v1/assign/auto").status == 403);
    f.ok(supervisor, "GET", "/api/v1/outbox");
    std::set<std::string> seen;
    for (const auto& m : json(f.ok(worker, "GET", "/api/v1/staff")["staff"])) seen.insert(m["id"]);
    CHECK(seen == std::set<std::string>{"w-east"});
    seen.clear();
    for (const auto& m : json(f.ok(supervisor, "GET", "/api/v1/staff")["staff"]))
        seen.insert(m["id"]);
    CHECK(seen == std::set<std::string>{"s-east", "w-east"});
}

TEST_CASE("revoked, expired and unknown tokens and disabled staff are refused", "[e2e][staff]") {
    fixture f("staff-tokens");
    f.add_staff("w-1", "worker", "东城社区");
    f.add_staff("w-2", "worker", "东城社区");
    const std::string db = "--db '" + f.g.cfg.db_path + "'";
    const std::string token = trimmed(admin("token issue " + db + " --staff w-1").out);
    const std::string day = f.token_for("w-1", now_s() + 3600);
    const std::string other = f.token_for("w-2");

    f.ok(token, "GET", "/api/v1/cases");
    f.ok(day, "GET", "/api/v1/cases");
    CHECK(f.call("", "GET", "/api/v1/cases").status == 401);
    CHECK(f.call("nonsense", "GET", "/api/v1/me").status == 401);
    auto unauthorized = f.call(token + "x", "GET", "/api/v1/cases");
    CHECK(unauthorized.status == 401);
    CHECK(unauthorized.body["error"]["code"] == "unauthorized");

    REQUIRE(admin("token revoke " + db + " --token " + token).code == 0);
    CHECK(f.call(token, "GET", "/api/v1/cases").status == 401);
    CHECK(admin("token revoke " + db + " --token " + token).code == 2);  // already revoked

    f.clock.advance(3601);  // past the day token's expiry
    CHECK(f.call(day, "GET", "/api/v1/cases").status == 401);

    f.ok(other, "GET", "/api/v1/me");
    REQUIRE(admin("staff disable " + db + " --id w-2").code == 0);
    CHECK(f.call(other, "GET", "/api/v1/me").status == 401);

    // The token commands are in the audit trail, by the admin program, never with the token.
    auto entries = f.ok(f.op(), "GET", "/api/v1/audit")["entries"];
    std::set<std::string> actions;
    for (const auto& e : entries) {
        CHECK(e["actor"] == "admin-cli");
        actions.insert(e["action"]);
    }
    CHECK(actions.count("token_issue") == 1);
    CHECK(actions.count("token_revoke") == 1);
    CHECK(actions.count("staff_disable") == 1);
    CHECK(entries.dump().find(token) == std::string::npos);
}

TEST_CASE("assignment: only a worker of the case's community, automatically the least loaded",
          "[e2e][staff]") {
    fixture f("staff-assign");
    f.add_staff("w-busy", "worker", "东城社区");
    f.add_staff("w-free", "worker", "东城社区");
    f.add_staff("w-grid", "worker", "东城社区", "二网格");
    f.add_staff("w-west", "worker", "西城社区");
    f.add_staff("s-east", "supervisor", "", "", "东城街道");
    f.add_staff("w-gone", "worker", "东城社区");
    REQUIRE(store_ns::deactivate_staff(f.db, "w-gone", now_s()));
    const std::string sup = f.token_for("s-east");

    const auto a = f.open_case("东城社区", "路灯坏了");
    const auto b = f.open_case("东城社区", "路面坑洼");
    const auto c = f.open_case("东城社区", "噪音扰民");
    const auto d = f.open_case("东城社区", "二网格的垃圾桶满了", "o_r", "东城社区二网格3栋");
    const auto south = f.open_case("南山社区", "井盖丢了");

    // Manual: another community's worker, an inactive one, or nobody → 400, nothing changes.
    for (const char* who : {"w-west", "w-gone", "nobody", "s-east"}) {
        INFO(who);
        auto r = f.call(sup, "POST", url(a, "/actions"),
                        json{{"action", "assign"}, {"assignee", who}}.dump());
        CHECK(r.status == 400);
        CHECK(r.body["error"]["code"] == "bad_assignee");
    }
    CHECK(f.ok(sup, "GET", url(a))["status"] == "received");
    // A grid case does not go to a worker of another grid... (w-grid is of 二网格; a's address
    // names no grid, so anyone of the community may take it.)
    f.ok(sup, "POST", url(a, "/actions"), R"({"action":"assign","assignee":"w-busy"})");
    f.ok(sup, "POST", url(b, "/actions"), R"({"action":"assign","assignee":"w-busy"})");

    // "auto" picks the least loaded worker: w-free and w-grid have none; w-free sorts first.
    auto picked = f.ok(sup, "POST", url(c, "/actions"), R"({"action":"assign","assignee":"auto"})");
    CHECK(picked["case"]["assignee"] == "w-free");
    // A case of 二网格 goes to the grid's worker first, though w-free is as free.
    auto grid = f.ok(sup, "POST", url(d, "/actions"), R"({"action":"assign","assignee":"auto"})");
    CHECK(grid["case"]["assignee"] == "w-grid");

    // No worker in the community → 409 no_worker.
    auto none =
        f.call(f.op(), "POST", url(south, "/actions"), R"({"action":"assign","assignee":"auto"})");
    CHECK(none.status == 409);
    CHECK(none.body["error"]["code"] == "no_worker");

    // The queue by assignee, and the staff list's loads.
    CHECK(ids_of(f.ok(sup, "GET", "/api/v1/cases?assignee=w-busy")) ==
          std::set<std::int64_t>{a, b});
    std::map<std::string, int> loads;
    for (const auto& m : json(f.ok(sup, "GET", "/api/v1/staff")["staff"]))
        loads[m["id"]] = m["open_cases"].get<int>();
    CHECK(loads["w-busy"] == 2);
    CHECK(loads["w-free"] == 1);
    CHECK(loads["w-grid"] == 1);

    // POST /assign/auto spreads the unassigned cases in scope over the least loaded.
    const auto e1 = f.open_case("东城社区", "楼道灯不亮");
    const auto e2 = f.open_case("东城社区", "电梯故障");
    const auto e3 = f.open_case("东城社区", "绿化带损坏");
    CHECK(ids_of(f.ok(sup, "GET", "/api/v1/cases?assignee=none")) ==
          std::set<std::int64_t>{e1, e2, e3});
    auto run = f.ok(sup, "POST", "/api/v1/assign/auto");
    REQUIRE(run["assigned"].size() == 3);
    std::map<std::string, int> got;
    for (const auto& x : run["assigned"]) ++got[x["assignee"]];
    // Loads before: busy 2, free 1, grid 1. e1 → w-free (1, first by id), e2 → w-grid (1), then
    // all three carry 2 and e3 goes to the first by id, w-busy.
    CHECK(got == std::map<std::string, int>{{"w-busy", 1}, {"w-free", 1}, {"w-grid", 1}});
    CHECK(run["assigned"][0]["case_id"] == e1);
    CHECK(run["assigned"][0]["assignee"] == "w-free");
    CHECK(f.ok(f.op(), "GET", url(south))["assignee"].is_null());  // outside the scope
}

TEST_CASE("notes, canned replies and the CSV export", "[e2e][staff]") {
    fixture f("staff-notes");
    f.add_staff("w-1", "worker", "东城社区");
    const std::string worker = f.token_for("w-1");
    const auto id = f.open_case("东城社区", "路灯坏了，\"很危险\"\n晚上看不见。电话13800138000",
                                "o_reporter_1");
    const auto late = f.open_case("东城社区", "逾期的事", "o_r2", "", now_s() - 60);

    // A note: 201 with the event; the case page shows it with the worker as actor.
    auto noted = f.ok(worker, "POST", url(id, "/notes"), R"({"text":"已联系物业，明天上门"})", 201);
    CHECK(noted["event"]["action"] == "note");
    CHECK(noted["event"]["actor"] == "operator:w-1");
    bool shown = false;
    for (const auto& e : json(f.ok(worker, "GET", url(id))["events"]))
        shown = shown || (e["action"] == "note" && e["note"] == "已联系物业，明天上门" &&
                          e["actor"] == "operator:w-1");
    CHECK(shown);
    CHECK(f.call(worker, "POST", url(id, "/notes"), R"({"text":"   "})").status == 400);
    CHECK(f.call(worker, "POST", url(id, "/notes"), "{bad").status == 400);
    CHECK(f.call(worker, "POST", url(999999, "/notes"), R"({"text":"x"})").status == 404);

    // Canned replies, listed and sent to the reporter through the outbox.
    auto canned = f.ok(worker, "GET", "/api/v1/canned")["replies"];
    REQUIRE(canned.size() >= 3);
    bool has_accepted = false;
    for (const auto& c : canned) has_accepted = has_accepted || c["key"] == "accepted";
    REQUIRE(has_accepted);
    auto sent = f.ok(worker, "POST", url(id, "/reply"), R"({"canned":"accepted"})", 202);
    const auto number = f.ok(worker, "GET", url(id))["number"].get<std::string>();
    CHECK(sent["notification"]["audience"] == "resident");
    CHECK(sent["notification"]["text"].get<std::string>().find(number) != std::string::npos);
    // The title line is for staff; the resident reads the text after it.
    CHECK(sent["notification"]["text"].get<std::string>().rfind("您好", 0) == 0);
    f.ok(worker, "POST", url(id, "/reply"), R"({"text":"您好，请问具体是哪个路口？"})", 202);
    CHECK(f.call(worker, "POST", url(id, "/reply"), R"({"canned":"no-such"})").status == 400);
    CHECK(f.call(worker, "POST", url(id, "/reply"), R"({"canned":"accepted","text":"x"})").status ==
          400);
    auto outbox = f.ok(f.op(), "GET", "/api/v1/outbox?case_id=" + std::to_string(id));
    int to_reporter = 0;
    for (const auto& n : outbox["notifications"])
        if (n["audience"] == "resident" && n["to"] == "wechat_oa:…er_1") ++to_reporter;
    CHECK(to_reporter == 2);
    int replies = 0;
    for (const auto& e : json(f.ok(worker, "GET", url(id))["events"]))
        if (e["action"] == "reply" && e["actor"] == "operator:w-1") ++replies;
    CHECK(replies == 2);

    // Overdue filter.
    CHECK(ids_of(f.ok(worker, "GET", "/api/v1/cases?overdue=1")) == std::set<std::int64_t>{late});
    CHECK(f.call(worker, "GET", "/api/v1/cases?overdue=yes").status == 400);

    // The CSV: BOM, header, one record per case, quoting that parses back, masked phones.
    auto csv = f.call(worker, "GET", "/api/v1/cases.csv");
    REQUIRE(csv.status == 200);
    CHECK(csv.content_type == "text/csv; charset=utf-8");
    REQUIRE(csv.raw.rfind("\xEF\xBB\xBF", 0) == 0);
    CHECK(csv.raw.find("13800138000") == std::string::npos);
    auto rows = parse_csv(csv.raw.substr(3));
    REQUIRE(rows.size() == 3);
    const auto& header = rows[0];
    auto col = [&](const std::string& name) {
        auto it = std::find(header.begin(), header.end(), name);
        REQUIRE(it != header.end());
        return static_cast<std::size_t>(it - header.begin());
    };
    const auto json_case = f.ok(worker, "GET", url(id));
    const std::vector<std::string>* row = nullptr;
    for (const auto& r : rows)
        if (r.size() == header.size() && r[col("number")] == number) row = &r;
    REQUIRE(row != nullptr);
    CHECK((*row)[col("description")] == json_case["description"].get<std::string>());
    CHECK((*row)[col("description")].find("\"很危险\"\n") != std::string::npos);
    CHECK((*row)[col("contact_phone")] == "138****8000");
    CHECK((*row)[col("community")] == "东城社区");
    CHECK(csv.raw.find("\"\"很危险\"\"") != std::string::npos);  // quotes doubled on the wire

    // The export is in the audit trail with who made it.
    bool exported = false;
    for (const auto& e : json(f.ok(f.op(), "GET", "/api/v1/audit")["entries"]))
        exported = exported || (e["action"] == "export" && e["actor"] == "operator:w-1" &&
                                e["detail"].get<std::string>().rfind("rows 2", 0) == 0);
    CHECK(exported);
}

TEST_CASE("volunteer applications are decided within the caller's communities only",
          "[e2e][staff]") {
    fixture f("staff-volunteers");
    f.add_staff("w-east", "worker", "东城社区");
    f.add_staff("w-south", "worker", "南山社区");
    f.add_staff("s-south", "supervisor", "", "", "南山街道");
    const auto east = f.token_for("w-east"), south = f.token_for("w-south"),
               south_sup = f.token_for("s-south");
    wechat_peer wx(f.g.cfg, f.g.port);
    auto applied = wx.say("o_applicant", "我要当志愿者，我是东城社区的，会买菜");
    REQUIRE(applied.status == 200);
    const std::string zy = application_in(applied.reply.text);
    REQUIRE_FALSE(zy.empty());
    const std::string approve = "/api/v1/volunteers/" + zy + "/approve";

    // Another community's worker and another street's supervisor see nothing and may not decide.
    CHECK(f.ok(south, "GET", "/api/v1/volunteers")["applications"].empty());
    CHECK(f.ok(south_sup, "GET", "/api/v1/volunteers")["applications"].empty());
    CHECK(f.call(south, "POST", approve).status == 403);
    CHECK(f.call(south_sup, "POST", approve).status == 403);
    CHECK(f.call("", "POST", approve).status == 401);
    CHECK(f.call(east, "GET", approve).status == 405);
    CHECK(f.call(east, "POST", "/api/v1/volunteers/ZY999/approve").status == 404);
    CHECK(f.call(east, "POST", "/api/v1/volunteers/" + zy + "/promote").status == 404);
    CHECK(f.call(east, "GET", "/api/v1/volunteers?status=maybe").status == 400);
    auto listed = f.ok(east, "GET", "/api/v1/volunteers");
    REQUIRE(listed["applications"].size() == 1);
    CHECK(listed["applications"][0]["status"] == "applied");
    CHECK(listed["applications"][0]["decided_by"].is_null());

    // Their community's worker approves: recorded, audited, the applicant told.
    auto decided = f.ok(east, "POST", approve);
    CHECK(decided["status"] == "approved");
    CHECK(decided["decided_by"] == "operator:w-east");
    CHECK(f.call(east, "POST", approve).status == 409);
    bool audited = false;
    const auto audit = f.ok(f.op(), "GET", "/api/v1/audit");
    for (const auto& e : audit["entries"])
        audited = audited || (e["action"] == "volunteer_approve" && e["target"] == zy);
    CHECK(audited);
    bool told = false;
    const auto outbox = f.ok(f.op(), "GET", "/api/v1/outbox");
    for (const auto& n : outbox["notifications"])
        told = told || n["template"] == "notify/volunteer_approved";
    CHECK(told);
    CHECK(f.ok(east, "GET", "/api/v1/volunteers?status=approved")["applications"].size() == 1);
}
