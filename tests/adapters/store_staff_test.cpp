#include "adapters/db/staff.hpp"

#include <catch2/catch.hpp>

#include "adapters/db/store.hpp"
#include "store_test_support.hpp"

namespace {

using namespace minsheng::adapters::db;
using namespace minsheng::adapters::db::testing;
namespace sql = minsheng::adapters::sql;

constexpr std::int64_t t0 = nov23_china_0030;

staff_member worker(const std::string& id, const std::string& community,
                    const std::string& grid = "") {
    staff_member m;
    m.id = id;
    m.name = "工作人员" + id;
    m.role = "worker";
    m.community = community;
    m.grid = grid;
    return m;
}

}  // namespace

TEST_CASE("staff are saved, updated, listed and deactivated", "[adapters][staff]") {
    temp_db db;
    store s(db.path(), options_at(t0));
    save_staff(s, worker("w-2", "西城社区"), t0);
    save_staff(s, worker("w-1", "东城社区", "网格1"), t0);
    staff_member sup;
    sup.id = "s-1";
    sup.name = "街道主任";
    sup.role = "supervisor";
    sup.street = "东城街道";
    save_staff(s, sup, t0);

    auto changed = worker("w-1", "东城社区", "网格2");
    changed.name = "王工";
    save_staff(s, changed, t0 + 10);

    reader r(db.path());
    auto w1 = get_staff(r, "w-1");
    REQUIRE(w1);
    CHECK(w1->name == "王工");
    CHECK(w1->grid == "网格2");
    CHECK(w1->created_at == t0);  // an update keeps when they were added
    CHECK(w1->updated_at == t0 + 10);
    CHECK(w1->active);
    CHECK_FALSE(get_staff(r, "nobody"));

    auto all = list_staff(r);
    REQUIRE(all.size() == 3);
    CHECK(all[0].id == "s-1");
    CHECK(all[1].id == "w-1");
    CHECK(all[2].id == "w-2");
    CHECK(list_staff(s).size() == 3);

    CHECK(deactivate_staff(s, "w-2", t0 + 20));
    CHECK_FALSE(deactivate_staff(s, "nobody", t0 + 20));
    CHECK_FALSE(get_staff(r, "w-2")->active);
}

TEST_CASE("bad staff members are refused and change nothing", "[adapters][staff]") {
    temp_db db;
    store s(db.path(), options_at(t0));
    auto bad_role = worker("w-1", "东城社区");
    bad_role.role = "boss";
    CHECK_THROWS_AS(save_staff(s, bad_role, t0), std::invalid_argument);
    CHECK_THROWS_AS(save_staff(s, worker("", "东城社区"), t0), std::invalid_argument);
    CHECK_THROWS_AS(save_staff(s, worker("w-1", ""), t0), std::invalid_argument);
    staff_member sup;
    sup.id = "s-1";
    sup.name = "主任";
    sup.role = "supervisor";
    CHECK_THROWS_AS(save_staff(s, sup, t0), std::invalid_argument);
    reader r(db.path());
    CHECK(list_staff(r).empty());
}

TEST_CASE("a token finds its active staff member until it expires or is revoked",
          "[adapters][staff]") {
    temp_db db;
    store s(db.path(), options_at(t0));
    save_staff(s, worker("w-1", "东城社区"), t0);
    save_staff(s, worker("w-2", "东城社区"), t0);

    auto forever = issue_token(s, "w-1", 0, "laptop", t0);
    auto day = issue_token(s, "w-1", t0 + 86400, "", t0);
    CHECK(forever.token.size() == 43);  // 32 bytes, base64url without padding
    CHECK(forever.token.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    CHECK(forever.token != day.token);
    CHECK(forever.hash == token_hash(forever.token));
    CHECK(forever.hash.size() == 64);
    // SHA-256 of "abc", the FIPS 180-2 example.
    CHECK(token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    reader r(db.path());
    auto who = staff_by_token(r, forever.token, t0 + 10);
    REQUIRE(who);
    CHECK(who->id == "w-1");
    CHECK(staff_by_token(r, day.token, t0 + 86399));
    CHECK_FALSE(staff_by_token(r, day.token, t0 + 86400));  // expired
    CHECK_FALSE(staff_by_token(r, "not-a-token", t0));
    CHECK_FALSE(staff_by_token(r, "", t0));
    CHECK_FALSE(staff_by_token(r, forever.hash, t0));  // the stored hash is not a token

    // Only the hash is stored.
    {
        auto raw = raw_connection(db.path());
        auto q = raw->prepare("SELECT count(*) FROM staff_tokens WHERE token_hash = ?1");
        q->bind(1, forever.token);
        REQUIRE(q->executeStep());
        CHECK(q->getColumn(0).getInt64() == 0);
    }

    // Revoked by the token or by its hash; a second revocation finds nothing.
    CHECK(revoke_token(s, forever.token, t0 + 20));
    CHECK_FALSE(revoke_token(s, forever.token, t0 + 21));
    CHECK_FALSE(staff_by_token(r, forever.token, t0 + 30));
    auto other = issue_token(s, "w-2", 0, "", t0);
    CHECK(revoke_token(s, other.hash, t0 + 20));
    CHECK_FALSE(staff_by_token(r, other.token, t0 + 30));

    // A deactivated member's tokens stop working; nobody issues one for them any more.
    auto again = issue_token(s, "w-1", 0, "", t0);
    CHECK(staff_by_token(r, again.token, t0 + 30));
    deactivate_staff(s, "w-1", t0 + 40);
    CHECK_FALSE(staff_by_token(r, again.token, t0 + 50));
    CHECK_THROWS_AS(issue_token(s, "w-1", 0, "", t0 + 60), std::invalid_argument);
    CHECK_THROWS_AS(issue_token(s, "nobody", 0, "", t0 + 60), std::invalid_argument);
}

TEST_CASE("the audit trail is appended and listed newest first, and never changes",
          "[adapters][staff]") {
    temp_db db;
    store s(db.path(), options_at(t0));
    auto first = append_audit(s, {0, t0, "admin-cli", "staff_add", "w-1", "role worker"});
    auto second = append_audit(s, {0, t0 + 5, "operator:w-1", "export", "cases.csv", "rows 3"});
    CHECK(second > first);

    reader r(db.path());
    auto entries = list_audit(r, 10);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].id == second);
    CHECK(entries[0].actor == "operator:w-1");
    CHECK(entries[0].action == "export");
    CHECK(entries[0].detail == "rows 3");
    CHECK(entries[1].at == t0);
    CHECK(list_audit(r, 1).size() == 1);

    auto raw = raw_connection(db.path());
    CHECK_THROWS_AS(raw->exec("DELETE FROM audit_log"), sql::error);
    CHECK_THROWS_AS(raw->exec("UPDATE audit_log SET actor = 'x'"), sql::error);
    CHECK(list_audit(r, 10).size() == 2);
}

TEST_CASE("open cases are counted per assignee", "[adapters][staff]") {
    temp_db db;
    store s(db.path(), options_at(t0));
    std::vector<std::int64_t> ids;
    s.run([&](minsheng::dialog::unit_of_work& uow) {
        for (int i = 0; i < 4; ++i) ids.push_back(uow.open_case(draft_for("o_r", t0)).id);
        auto assign = [&](std::int64_t id, const std::string& who, const std::string& status) {
            auto c = *uow.get_case(id);
            auto before = c.status;
            auto at = c.updated_at;
            c.assignee = who;
            c.status = status;
            REQUIRE(uow.update_case(c, before, at));
        };
        assign(ids[0], "w-1", "assigned");
        assign(ids[1], "w-1", "in_progress");
        assign(ids[2], "w-1", "closed");  // finished: not a load
        assign(ids[3], "w-2", "assigned");
    });
    reader r(db.path());
    auto counts = open_cases_by_assignee(r);
    CHECK(counts.size() == 2);
    CHECK(counts["w-1"] == 2);
    CHECK(counts["w-2"] == 1);
    CHECK(open_cases_by_assignee(s) == counts);
}
