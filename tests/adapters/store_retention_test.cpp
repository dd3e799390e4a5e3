// Least data in the store: raw messages purged after the retention period, expired sessions and
// binding codes deleted, no session_key column, every case's public code, and one-time codes kept
// as keyed hashes.

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include "adapters/db/keyed_codes.hpp"
#include "adapters/db/retention.hpp"
#include "adapters/db/sessions.hpp"
#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "tests/adapters/store_test_support.hpp"

namespace {

using namespace minsheng;
using namespace minsheng::adapters::db;
using namespace minsheng::adapters::db::testing;

constexpr std::int64_t day = 86400;

std::int64_t count(const std::string& location, const std::string& table) {
    return count_rows(location, table);
}

}  // namespace

TEST_CASE("messages older than the retention period are purged; cases and newer messages stay",
          "[adapters][retention]") {
    temp_db db;
    const std::int64_t t0 = nov23_china_0030;
    auto clock = std::make_shared<fixed_clock>(t0);
    store_options o;
    o.clock = clock;
    store s(db.path(), o);
    auto d = draft_for("o_old", t0);
    s.handle_once(d.from, "old-1", text_message("o_old", "old-1", "我电话13912345678，路灯坏了"),
                  [&](dialog::unit_of_work& uow) {
                      uow.open_case(d);
                      return std::string("ok");
                  });
    clock->set(t0 + 100 * day);
    s.handle_once(dialog::channel::wechat_oa, "new-1", text_message("o_new", "new-1"),
                  [](dialog::unit_of_work&) { return std::string("ok"); });
    REQUIRE(count(db.path(), "messages") == 2);

    // 180 days after the first message: only it is older than the period.
    const std::int64_t now = t0 + 181 * day;
    auto r = purge_expired(s, now, now - 180 * day);
    CHECK(r.messages == 1);
    CHECK(count(db.path(), "messages") == 1);
    CHECK(count(db.path(), "cases") == 1);
    CHECK(query_int(db.path(), "SELECT count(*) FROM messages WHERE text LIKE '%13912345678%'",
                    -1) == 0);
    // Nothing more to purge: a second sweep changes nothing.
    CHECK(purge_expired(s, now, now - 180 * day).messages == 0);
    CHECK(count(db.path(), "messages") == 1);
}

TEST_CASE("expired sessions and binding codes are deleted, live ones kept",
          "[adapters][retention]") {
    temp_db db;
    const std::int64_t t0 = nov23_china_0030;
    store s(db.path(), options_at(t0));
    save_mp_session(s, {"hash-old", "o1", "", t0, t0 + 100}, 0);
    save_mp_session(s, {"hash-live", "o2", "", t0, t0 + 10 * day}, 0);
    save_staff(s, {"w-1", "王五", "worker", "东城社区", "", "", true, ""}, t0);
    issue_bind_code(s, test_codes(), "w-1", t0 + 600, t0);
    REQUIRE(count(db.path(), "mp_sessions") == 2);
    REQUIRE(count(db.path(), "staff_bind_codes") == 1);

    auto r = purge_expired(s, t0 + 3600, 0);
    CHECK(r.sessions == 1);
    CHECK(r.bind_codes == 1);
    reader rd(db.path());
    CHECK_FALSE(find_mp_session(rd, "hash-old"));
    CHECK(find_mp_session(rd, "hash-live"));
}

TEST_CASE("the mini program's session_key has no column to be kept in", "[adapters][retention]") {
    temp_db db;
    { store s(db.path()); }
    const auto columns = column_names(*raw_connection(db.path()), "mp_sessions");
    const std::set<std::string> names(columns.begin(), columns.end());
    CHECK(names.count("token_hash") == 1);
    CHECK(names.count("session_key") == 0);
}

TEST_CASE("every case gets its own random public code", "[adapters][retention]") {
    temp_db db;
    const std::int64_t t0 = nov23_china_0030;
    store s(db.path(), options_at(t0));
    std::set<std::string> codes;
    for (int i = 0; i < 20; ++i) {
        auto d = draft_for("o_" + std::to_string(i), t0);
        const std::string key = "k" + std::to_string(i);
        auto h = s.handle_once(d.from, key, text_message(d.reporter_id, key),
                               [&](dialog::unit_of_work& uow) {
                                   uow.open_case(d);
                                   return std::string("ok");
                               });
        REQUIRE(h.opened.size() == 1);
        const auto& c = h.opened.front();
        CHECK(c.public_code.size() == 8);
        CHECK(c.public_code.find_first_not_of("0123456789abcdef") == std::string::npos);
        CHECK(dialog::public_ref(c) == c.number + "-" + c.public_code);
        reader rd(db.path());
        auto stored = rd.get_case_by_number(c.number);
        REQUIRE(stored);
        CHECK(stored->public_code == c.public_code);
        codes.insert(c.public_code);
    }
    CHECK(codes.size() == 20);
}

TEST_CASE("one-time codes are six random digits kept as keyed hashes", "[adapters][retention]") {
    keyed_code_book book("a-secret-of-at-least-sixteen-bytes");
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        const auto c = book.new_code();
        CHECK(c.size() == 6);
        CHECK(c.find_first_not_of("0123456789") == std::string::npos);
        seen.insert(c);
    }
    CHECK(seen.size() > 40);  // 50 draws from a million rarely repeat
    const auto h = book.hash("13912345678", "123456");
    CHECK(h.size() == 64);
    CHECK(h == book.hash("13912345678", "123456"));
    CHECK(h != book.hash("13912345679", "123456"));  // the phone salts it
    CHECK(h != book.hash("13912345678", "123457"));
    // Another server's secret gives another hash: a database copy alone does not reveal codes.
    CHECK(h != keyed_code_book("another-secret-of-sixteen-bytes").hash("13912345678", "123456"));
    CHECK_THROWS_AS(keyed_code_book("short"), std::invalid_argument);
}

TEST_CASE("a station's scene is keyed by the secret: stable, and unguessable without it",
          "[adapters]") {
    const std::string secret = "a-secret-of-at-least-sixteen-bytes";
    const auto scene = station_scene(secret, "dc-01");
    CHECK(scene.starts_with("st:dc-01:"));
    CHECK(scene.size() == std::string("st:dc-01:").size() + station_tag_chars);
    CHECK(scene.find_first_not_of("0123456789abcdef", 9) == std::string::npos);
    CHECK(station_scene(secret, "dc-01") == scene);  // a printed code keeps working
    CHECK(station_scene(secret, "dc-02").substr(9) != scene.substr(9));
    CHECK(station_scene("another-secret-of-sixteen-bytes", "dc-01") != scene);
    CHECK_THROWS_AS(station_scene("short", "dc-01"), std::invalid_argument);
}

// A file beside a database file: a PostgreSQL database has no "beside" (see server_secret).
TEST_CASE("without a configured secret, one is made beside the database, 0600, and kept",
          "[adapters][retention][sqlite-only]") {
    temp_db db;
    const std::string file = db.path() + ".secret";
    std::filesystem::remove(file);
    const auto first = server_secret(db.path());
    CHECK(first.size() >= 32);
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(server_secret(db.path()) == first);  // read back on the next start
    std::ofstream(file, std::ios::trunc) << "too-short\n";
    CHECK_THROWS_AS(server_secret(db.path()), std::runtime_error);
    std::filesystem::remove(file);
    CHECK(server_secret(":memory:") != server_secret(":memory:"));
}
