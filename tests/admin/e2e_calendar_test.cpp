// End-to-end: next year's calendar. The real minsheng-admin exports the shipped 2026 calendar as
// a holiday-cn file, imports it back into a fresh directory and refuses malformed files with
// file:line reasons; the real gateway, its clock set to 1 November 2026 and no 2027 file, says so
// on /healthz, in /metrics and to supervisors (not case workers) in GET /api/v1/me, which the
// console shows as a banner; with a 2027 file, or before November, it does not.

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "dialog/cases/calendar.hpp"
#include "dialog/values/civil_time.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tests/support/child_process.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string admin_bin = MINSHENG_BIN_DIR "/minsheng-admin";
const std::string shipped_dir = MINSHENG_SOURCE_DIR "/calendar";

// A directory of its own, removed at the end.
struct temp_dir {
    fs::path path;
    explicit temp_dir(const std::string& tag) : path(temp_db_path(tag) + ".d") {
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string str() const { return path.string(); }
};

void write(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

spawn_options joined() {
    spawn_options o;
    o.stderr_to_stdout = true;
    return o;
}

// 10:00 China time on a day of 2026.
std::int64_t at(unsigned month, unsigned day) {
    return dialog::china_unix(dialog::civil_date{std::chrono::year{2026}, std::chrono::month{month},
                                                 std::chrono::day{day}},
                              10 * 3600);
}

// A gateway whose clock stands still at `now`, reading its calendar from `calendar_dir`, with a
// supervisor and a case worker.
struct health_fixture {
    running_gateway g;
    adapters::db::store db;
    std::string supervisor, worker;

    health_fixture(const std::string& tag, const std::string& calendar_dir, std::int64_t now)
        : g(configure(tag, calendar_dir), [now] { return now; }), db(g.cfg.db_path) {
        supervisor = staff("s-gm", "supervisor", "", "光明街道");
        worker = staff("w-gm", "worker", "光明社区", "");
    }

    static gateway::config configure(const std::string& tag, const std::string& calendar_dir) {
        auto c = test_config(security_mode::safe, temp_db_path(tag));
        c.program.calendar_dir = calendar_dir;
        c.communities = {{"光明社区", "光明街道", {}, std::nullopt}};
        return c;
    }

    std::string staff(const std::string& id, const std::string& role, const std::string& community,
                      const std::string& street) {
        adapters::db::staff_member m;
        m.id = id;
        m.name = "员工" + id;
        m.role = role;
        m.community = community;
        m.street = street;
        adapters::db::save_staff(db, m, now_s());
        return adapters::db::issue_token(db, id, 0, "test", now_s()).token;
    }

    json health() {
        auto res = g.client().request("GET", "/healthz");
        REQUIRE(res.status == 200);
        return json::parse(res.body);
    }
    std::string metrics() {
        auto res = g.client().request("GET", "/metrics");
        REQUIRE(res.status == 200);
        return res.body;
    }
    json notices(const std::string& token) {
        auto res =
            g.client().request("GET", "/api/v1/me", "", {{"Authorization", "Bearer " + token}});
        REQUIRE(res.status == 200);
        return json::parse(res.body)["notices"];
    }
};

const json missing = json::array({"calendar_next_year_missing"});

}  // namespace

TEST_CASE("minsheng-admin round-trips the shipped 2026 calendar through the holiday-cn format",
          "[e2e][calendar]") {
    temp_dir work("calendar-roundtrip");
    auto exported =
        run({admin_bin, "calendar", "export", "--year", "2026", "--calendar", shipped_dir});
    REQUIRE(exported.first == 0);
    const auto json_file = work.path / "2026.json";
    write(json_file, exported.second);
    const auto out_dir = work.path / "calendar";
    fs::create_directories(out_dir);

    auto imported = run(
        {admin_bin, "calendar", "import", json_file.string(), "--out", out_dir.string()}, joined());
    INFO(imported.second);
    REQUIRE(imported.first == 0);
    CHECK(imported.second.find("cn-2026.txt") != std::string::npos);
    const auto shipped = dialog::cases::working_calendar::load(shipped_dir);
    const auto back = dialog::cases::working_calendar::load(out_dir.string());
    const auto first = dialog::day_number(
        dialog::civil_date{std::chrono::year{2026}, std::chrono::January, std::chrono::day{1}});
    for (auto n = first; n < first + 365; ++n) {
        const auto d = dialog::date_of_day_number(n);
        INFO(dialog::format_date(d));
        REQUIRE(back.is_working_day(d) == shipped.is_working_day(d));
        REQUIRE(back.name_of(d) == shipped.name_of(d));
    }
    // And the deadline command, counting across the Spring Festival, agrees on both.
    auto a = run({admin_bin, "deadline", "--kind", "wish", "--filed", "2026-02-13T10:00:00+08:00",
                  "--calendar", shipped_dir});
    auto b = run({admin_bin, "deadline", "--kind", "wish", "--filed", "2026-02-13T10:00:00+08:00",
                  "--calendar", out_dir.string()});
    REQUIRE(a.first == 0);
    CHECK(a.second.find("春节调休") != std::string::npos);
    CHECK(a.second == b.second);

    // Importing the same file again changes nothing; a different one is refused without
    // --force, and the file on disk stays as it was.
    const auto written = slurp(out_dir / "cn-2026.txt");
    auto again =
        run({admin_bin, "calendar", "import", json_file.string(), "--out", out_dir.string()});
    CHECK(again.first == 0);
    CHECK(again.second.find("up to date") != std::string::npos);
    const auto other = work.path / "other.json";
    write(
        other,
        R"({"year":2026,"papers":[],"days":[{"name":"元旦","date":"2026-01-01","isOffDay":true}]})");
    auto refused =
        run({admin_bin, "calendar", "import", other.string(), "--out", out_dir.string()}, joined());
    CHECK(refused.first == 2);
    CHECK(refused.second.find("--force") != std::string::npos);
    CHECK(slurp(out_dir / "cn-2026.txt") == written);
    auto forced = run(
        {admin_bin, "calendar", "import", other.string(), "--out", out_dir.string(), "--force"});
    CHECK(forced.first == 0);
    CHECK(slurp(out_dir / "cn-2026.txt") != written);
    // No scratch file is left beside the calendar.
    int files = 0;
    for (const auto& e : fs::directory_iterator(out_dir)) files += e.is_regular_file() ? 1 : 0;
    CHECK(files == 1);
}

TEST_CASE(
    "minsheng-admin calendar import refuses malformed files with file:line and writes "
    "nothing",
    "[e2e][calendar]") {
    temp_dir work("calendar-bad");
    const auto out_dir = work.path / "calendar";
    fs::create_directories(out_dir);
    const auto bad = work.path / "2027.json";

    struct bad_file {
        std::string text, reason;
    };
    const bad_file cases[] = {
        {"{\n  \"year\": 2027,\n  \"days\": [\n    {\"name\": \"元旦\", \"date\": \"2027-01-01\", "
         "\"isOffDay\": true},\n  ]\n}\n",
         ":5: JSON: unexpected character ']'"},
        {"{\n  \"year\": 2027,\n  \"days\": [\n    {\"name\": \"春节\", \"date\": \"2027-02-29\", "
         "\"isOffDay\": true}\n  ]\n}\n",
         ":4: \"2027-02-29\" is not a date"},
        {"{\n  \"year\": 2027,\n  \"days\": [\n    {\"name\": \"元旦\", \"date\": \"2026-01-01\", "
         "\"isOffDay\": true}\n  ]\n}\n",
         ":4: 2026-01-01 is outside 2027"},
        {"{\n  \"year\": 2027,\n  \"days\": [\n    {\"name\": \"元旦\", \"date\": \"2027-01-01\", "
         "\"isOffDay\": true},\n    {\"name\": \"元旦\", \"date\": \"2027-01-01\", "
         "\"isOffDay\": true}\n  ]\n}\n",
         ":5: 2027-01-01 is already listed at line 4"},
        {"{\n  \"year\": 1850,\n  \"days\": []\n}\n", ":2: \"year\" must be a year"},
        {"{\n  \"year\": 2027,\n  \"days\": []\n}\n", ":3: \"days\" lists no day"},
    };
    for (const auto& c : cases) {
        write(bad, c.text);
        auto r = run({admin_bin, "calendar", "import", bad.string(), "--out", out_dir.string()},
                     joined());
        INFO(c.text << "\n→ " << r.second);
        CHECK(r.first == 2);
        CHECK(r.second.find(bad.string() + c.reason) != std::string::npos);
        CHECK(fs::is_empty(out_dir));
    }

    // A file for a year another file already lists days of: the directory would not load.
    write(out_dir / "cn-2027-draft.txt", "holiday 2027-01-01 元旦\n");
    write(bad, R"({"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]})");
    auto clash =
        run({admin_bin, "calendar", "import", bad.string(), "--out", out_dir.string()}, joined());
    INFO(clash.second);
    CHECK(clash.first == 2);
    CHECK(clash.second.find("is already listed at") != std::string::npos);
    CHECK_FALSE(fs::exists(out_dir / "cn-2027.txt"));
}

TEST_CASE(
    "from 1 November a missing next-year calendar shows on healthz, metrics and to "
    "supervisors",
    "[e2e][calendar]") {
    SECTION("2026-11-01 with only the shipped 2026 file: warned") {
        health_fixture f("calendar-nov", shipped_dir, at(11, 1));
        CHECK(f.health()["warnings"] == missing);
        CHECK(f.metrics().find("\nminsheng_calendar_next_year_loaded 0\n") != std::string::npos);
        CHECK(f.notices(f.supervisor) == missing);
        CHECK(f.notices(f.worker) == json::array());  // workers cannot act on it
    }
    SECTION("2026-10-31, the day before: the metric says 0, nothing warns yet") {
        health_fixture f("calendar-oct", shipped_dir, at(10, 31));
        CHECK(f.health()["warnings"] == json::array());
        CHECK(f.metrics().find("\nminsheng_calendar_next_year_loaded 0\n") != std::string::npos);
        CHECK(f.notices(f.supervisor) == json::array());
    }
    SECTION("2026-11-01 with a 2027 file: nothing to warn of") {
        // A made-up 2027 file for the test only (the real one comes from the official notice).
        temp_dir cal("calendar-2027");
        fs::copy_file(shipped_dir + "/cn-2026.txt", cal.path / "cn-2026.txt");
        write(cal.path / "cn-2027.txt", "holiday 2027-01-01 test\n");
        health_fixture f("calendar-loaded", cal.str(), at(11, 1));
        CHECK(f.health()["warnings"] == json::array());
        CHECK(f.metrics().find("\nminsheng_calendar_next_year_loaded 1\n") != std::string::npos);
        CHECK(f.notices(f.supervisor) == json::array());
    }
}
