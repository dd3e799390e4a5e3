// People and the points ledger through the unit of work, and the reader's view of them.

#include <catch2/catch.hpp>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/db/store.hpp"
#include "tests/adapters/store_test_support.hpp"

namespace {

using namespace minsheng;
using namespace minsheng::adapters::db;
using namespace minsheng::adapters::db::testing;

const dialog::person_ref alice{dialog::channel::wechat_oa, "alice"};
const dialog::person_ref bob{dialog::channel::wechat_oa, "bob"};
const dialog::person_ref carol{dialog::channel::hotline, "13800138000"};
const dialog::person_ref dave{dialog::channel::wechat_oa, "dave"};  // never saved as a person

std::string account(const dialog::person_ref& who) { return "person:" + who.key(); }

dialog::ledger_posting award(const std::string& key, std::int64_t at, const dialog::person_ref& who,
                             std::int64_t points) {
    return {0, at, "wish_confirmed", 0, key, {{"issued", -points}, {account(who), points}}};
}

bool post(store& s, const dialog::ledger_posting& p) {
    bool ok = false;
    s.run([&](dialog::unit_of_work& uow) { ok = uow.post(p); });
    return ok;
}

namespace sql = minsheng::adapters::sql;

// Runs `statements` as one transaction on `db` and returns the engine's refusal of them (at a
// statement or at COMMIT), or nullopt when they committed.
std::optional<sql::error> refusal_of(sql::connection& db,
                                     const std::vector<std::string>& statements) {
    db.exec("BEGIN");
    try {
        for (const auto& text : statements) db.exec(text);
        db.exec("COMMIT");
        return std::nullopt;
    } catch (const sql::error& e) {
        rollback_if_open(db);
        return e;
    }
}

dialog::person person_of(const dialog::person_ref& who, const std::string& name,
                         const std::string& community, const std::string& phone,
                         std::int64_t updated_at) {
    dialog::person p;
    p.who = who;
    p.name = name;
    p.community = community;
    p.phone = phone;
    p.updated_at = updated_at;
    return p;
}

std::vector<std::string> ranked_names(const std::vector<dialog::ranking_row>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.who.user_id);
    return out;
}

}  // namespace

TEST_CASE("A person is saved, read back, replaced, and found by phone", "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(5000));
    auto p = person_of(alice, "王阿姨", "东城社区", "13800138000", 100);
    p.volunteer = true;
    p.skills = "修水管, 电工";
    p.registered_at = 90;
    s.run([&](dialog::unit_of_work& uow) {
        CHECK_FALSE(uow.get_person(alice));
        uow.save_person(p);
        auto got = uow.get_person(alice);
        REQUIRE(got);
        CHECK(got->who == alice);
        CHECK(got->name == "王阿姨");
        CHECK(got->community == "东城社区");
        CHECK(got->phone == "13800138000");
        CHECK(got->volunteer);
        CHECK(got->skills == "修水管, 电工");
        CHECK(got->registered_at == 90);
        CHECK(got->updated_at == 100);
        // Same user id on another channel is another person.
        CHECK_FALSE(uow.get_person({dialog::channel::miniprogram, "alice"}));
    });
    s.run([&](dialog::unit_of_work& uow) {
        auto replaced = p;
        replaced.name = "王芳";
        replaced.volunteer = false;
        replaced.updated_at = 0;  // stamped by the store's clock
        uow.save_person(replaced);
        // A second person verified the same phone later; a third has no phone; a fourth typed
        // it without verifying.
        auto verified = person_of(bob, "老李", "东城社区", "13800138000", 6000);
        verified.phone_verified_at = 6000;
        uow.save_person(verified);
        uow.save_person(person_of(carol, "", "", "", 7000));
        uow.save_person(
            person_of({dialog::channel::miniprogram, "typer"}, "", "", "13800138000", 8000));
    });
    s.run([&](dialog::unit_of_work& uow) {
        auto got = uow.get_person(alice);
        REQUIRE(got);
        CHECK(got->name == "王芳");
        CHECK_FALSE(got->volunteer);
        CHECK(got->updated_at == 5000);
        auto by_phone = uow.find_person_by_phone("13800138000");
        REQUIRE(by_phone);
        CHECK(by_phone->who == bob);  // the one who verified it; alice and typer merely typed it
        CHECK(by_phone->phone_verified_at == 6000);
        CHECK_FALSE(uow.find_person_by_phone(""));  // carol has no phone, and "" is no phone
        CHECK_FALSE(uow.find_person_by_phone("13900000000"));
    });
    reader r(file.path());
    auto got = r.get_person(alice);
    REQUIRE(got);
    CHECK(got->name == "王芳");
    CHECK(r.get_person(carol)->updated_at == 7000);
    CHECK_FALSE(r.get_person(dave));
    CHECK(count_rows(file.path(), "people") == 4);
}

TEST_CASE("A posting that does not balance is refused before anything is written", "[adapters]") {
    temp_db file;
    store s(file.path());
    using entries = std::vector<dialog::ledger_entry>;
    const std::vector<dialog::ledger_posting> bad = {
        {0, 1, "r", 0, "k1", entries{{"issued", -5}, {account(alice), 4}}},   // sums to -1
        {0, 1, "r", 0, "k2", entries{{"issued", 0}}},                         // one entry
        {0, 1, "r", 0, "k3", entries{}},                                      // none
        {0, 1, "r", 0, "k4", entries{{"", -5}, {account(alice), 5}}},         // empty account
        {0, 1, "r", 0, "", entries{{"issued", -5}, {account(alice), 5}}},     // no key
        {0, 1, "r", 0, "k5", entries{{"issued", -5}, {"person:nobody", 5}}},  // bad person
        {0, 1, "r", 0, "k6",
         entries{
             {"a", std::numeric_limits<std::int64_t>::max()}, {"b", 1}, {"c", -2}}},  // overflow
    };
    s.run([&](dialog::unit_of_work& uow) {
        for (const auto& p : bad) {
            INFO(p.idempotency_key);
            CHECK_THROWS_AS(uow.post(p), std::invalid_argument);
        }
        // The refusal wrote nothing and did not spoil the unit of work: it still commits.
        CHECK(uow.balance("issued") == 0);
        CHECK(uow.post(award("good", 1, alice, 5)));
    });
    CHECK(count_rows(file.path(), "ledger_postings") == 1);
    CHECK(count_rows(file.path(), "ledger_entries") == 2);
    reader r(file.path());
    CHECK(r.balance(account(alice)) == 5);
}

TEST_CASE("The database itself refuses an unbalanced posting and changes to the ledger",
          "[adapters]") {
    temp_db file;
    { store s(file.path()); }
    auto db = raw_connection(file.path());
    const std::string posting =
        "INSERT INTO ledger_postings (id, at, reason, idempotency_key, lines) "
        "VALUES (1, 1, 'r', 'k', 2)";
    const std::string first_line = "INSERT INTO ledger_entries VALUES (1, 0, 'issued', -5)";
    // An unbalanced posting is never committed. SQLite refuses it at the INSERT of its last
    // line, PostgreSQL (a deferred constraint trigger) at COMMIT: the moment differs, not what
    // is kept.
    auto unbalanced = refusal_of(
        *db,
        {posting, first_line, "INSERT INTO ledger_entries VALUES (1, 1, 'person:wechat_oa:a', 4)"});
    REQUIRE(unbalanced);
    CHECK(unbalanced->what_kind == sql::error::kind::constraint);
    CHECK_THAT(unbalanced->what(), Catch::Contains("does not balance"));
    CHECK(count_rows(file.path(), "ledger_postings") == 0);
    CHECK(count_rows(file.path(), "ledger_entries") == 0);

    auto beyond =
        refusal_of(*db, {posting, first_line,
                         "INSERT INTO ledger_entries VALUES (1, 1, 'person:wechat_oa:a', 5)",
                         "INSERT INTO ledger_entries VALUES (1, 2, 'x', 5)"});
    REQUIRE(beyond);
    CHECK(beyond->what_kind == sql::error::kind::constraint);
    CHECK_THAT(beyond->what(), Catch::Contains("beyond its posting"));
    CHECK(count_rows(file.path(), "ledger_entries") == 0);

    CHECK_FALSE(
        refusal_of(*db, {posting, first_line,
                         "INSERT INTO ledger_entries VALUES (1, 1, 'person:wechat_oa:a', 5)"}));
    for (const char* change :
         {"UPDATE ledger_entries SET amount = 6 WHERE line = 1", "DELETE FROM ledger_entries",
          "UPDATE ledger_postings SET at = 2", "DELETE FROM ledger_postings"}) {
        INFO(change);
        auto refused = refusal_of(*db, {change});
        REQUIRE(refused);
        CHECK(refused->what_kind == sql::error::kind::constraint);
        CHECK_THAT(refused->what(), Catch::Contains("append-only"));
    }
    CHECK(count_rows(file.path(), "ledger_entries") == 2);
    CHECK(query_int(file.path(), "SELECT sum(amount) FROM ledger_entries", -1) == 0);
}

TEST_CASE("A posting is written once per idempotency key", "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(777));
    CHECK(post(s, award("case-1-confirmed", 0, alice, 10)));
    CHECK_FALSE(post(s, award("case-1-confirmed", 5, alice, 10)));
    CHECK_FALSE(post(s, award("case-1-confirmed", 5, bob, 99)));  // the key decides, not the body
    CHECK(post(s, award("case-2-confirmed", 5, alice, 3)));
    s.run([&](dialog::unit_of_work& uow) {
        CHECK(uow.balance(account(alice)) == 13);
        CHECK(uow.balance(account(bob)) == 0);
        CHECK(uow.balance("issued") == -13);
        CHECK(uow.balance("no such account") == 0);
    });
    CHECK(count_rows(file.path(), "ledger_postings") == 2);
    CHECK(count_rows(file.path(), "ledger_entries") == 4);
    CHECK(query_int(file.path(),
                    "SELECT at FROM ledger_postings WHERE idempotency_key = 'case-1-confirmed'") ==
          777);  // at 0: the store's clock
}

TEST_CASE("The ranking counts credits to people in the window, by community, highest first",
          "[adapters]") {
    temp_db file;
    store s(file.path());
    s.run([&](dialog::unit_of_work& uow) {
        uow.save_person(person_of(alice, "阿明", "东城社区", "", 1));
        uow.save_person(person_of(bob, "", "东城社区", "", 1));
        uow.save_person(person_of(carol, "卡罗", "西城社区", "", 1));
    });
    // Posted out of time order on purpose: the tie between alice and bob goes to the earlier
    // credit (alice at 100), not to the earlier posting.
    CHECK(post(s, award("b", 110, bob, 10)));
    CHECK(post(s, award("a", 100, alice, 10)));
    CHECK(post(s, award("c", 120, carol, 5)));
    CHECK(post(s, award("d", 130, dave, 20)));
    CHECK(post(s, award("late", 200, carol, 100)));  // at the window's end: outside
    CHECK(post(s, award("early", 99, bob, 100)));    // before the window
    // Spending points is a debit: it lowers the balance, not the ranking.
    CHECK(post(s, {0, 150, "redeem", 0, "spend", {{account(alice), -3}, {"issued", 3}}}));
    // Accounts that are not people never rank.
    CHECK(post(s, {0, 150, "transfer", 0, "pool", {{"issued", -50}, {"pool:东城社区", 50}}}));

    reader r(file.path());
    using names = std::vector<std::string>;
    s.run([&](dialog::unit_of_work& uow) {
        auto all = uow.ranking("", 100, 200, 10);
        CHECK(ranked_names(all) == names{"dave", "alice", "bob", "13800138000"});
        REQUIRE(all.size() == 4);
        CHECK(all[0].points == 20);
        CHECK(all[0].name.empty());  // no people row
        CHECK(all[1].points == 10);
        CHECK(all[1].name == "阿明");
        CHECK(all[1].who == alice);
        CHECK(all[3].who == carol);
        CHECK(all[3].name == "卡罗");

        CHECK(ranked_names(uow.ranking("东城社区", 100, 200, 10)) == names{"alice", "bob"});
        CHECK(ranked_names(uow.ranking("西城社区", 100, 200, 10)) == names{"13800138000"});
        CHECK(uow.ranking("北城社区", 100, 200, 10).empty());
        CHECK(ranked_names(uow.ranking("", 100, 200, 2)) == names{"dave", "alice"});
        CHECK(uow.ranking("", 100, 200, 0).empty());
        CHECK(ranked_names(uow.ranking("", 100, 201, 10)) ==
              names{"13800138000", "dave", "alice", "bob"});
        CHECK(ranked_names(uow.ranking("", 0, 1000, 10)) ==
              names{"bob", "13800138000", "dave", "alice"});
        CHECK(uow.ranking("", 200, 100, 10).empty());

        CHECK(uow.balance(account(alice)) == 7);
        CHECK(uow.balance("issued") == -292);
    });
    CHECK(ranked_names(r.ranking("东城社区", 100, 200, 10)) == names{"alice", "bob"});
    CHECK(ranked_names(r.ranking("", 100, 200, 10)) ==
          names{"dave", "alice", "bob", "13800138000"});
    CHECK(r.balance(account(alice)) == 7);
    CHECK(r.balance("issued") == -292);
}

TEST_CASE("After many random balanced postings every balance is as posted and they sum to zero",
          "[adapters]") {
    temp_db file;
    store s(file.path());
    std::mt19937_64 rng(20261123);
    const std::vector<std::string> accounts = {
        "issued", account(alice), account(bob), account(carol), account(dave), "pool:a", "pool:b"};
    std::map<std::string, std::int64_t> expected;
    int posted = 0;
    s.begin_batch();
    for (int i = 0; i < 300; ++i) {
        dialog::ledger_posting p;
        p.at = 1000 + static_cast<std::int64_t>(rng() % 1000);
        p.reason = "random";
        // Some keys repeat: those postings must be ignored.
        p.idempotency_key = "k" + std::to_string(rng() % 250);
        const std::size_t n = 2 + rng() % 4;
        std::int64_t sum = 0;
        for (std::size_t e = 0; e + 1 < n; ++e) {
            const auto amount = static_cast<std::int64_t>(rng() % 2001) - 1000;
            p.entries.push_back({accounts[rng() % accounts.size()], amount});
            sum += amount;
        }
        p.entries.push_back({accounts[rng() % accounts.size()], -sum});
        if (post(s, p)) {
            ++posted;
            for (const auto& e : p.entries) expected[e.account] += e.amount;
        }
    }
    s.commit_batch();
    REQUIRE(posted > 100);
    REQUIRE(posted < 300);
    CHECK(count_rows(file.path(), "ledger_postings") == posted);

    reader r(file.path());
    std::int64_t total = 0;
    for (const auto& a : accounts) {
        INFO(a);
        CHECK(r.balance(a) == expected[a]);
        total += r.balance(a);
    }
    CHECK(total == 0);
    CHECK(query_int(file.path(), "SELECT sum(amount) FROM ledger_entries", -1) == 0);
    CHECK(query_int(file.path(),
                    "SELECT count(*) FROM (SELECT posting_id FROM ledger_entries "
                    "GROUP BY posting_id HAVING sum(amount) <> 0) AS unbalanced") == 0);
}

TEST_CASE("The ranking of several communities counts the people of those communities only",
          "[adapters]") {
    temp_db file;
    store s(file.path());
    s.run([&](dialog::unit_of_work& uow) {
        uow.save_person(person_of(alice, "阿明", "东城社区", "", 1));
        uow.save_person(person_of(bob, "", "西城社区", "", 1));
        uow.save_person(person_of(carol, "卡罗", "南山社区", "", 1));
    });
    CHECK(post(s, award("a", 100, alice, 10)));
    CHECK(post(s, award("b", 110, bob, 20)));
    CHECK(post(s, award("c", 120, carol, 30)));
    CHECK(post(s, award("d", 130, dave, 40)));  // no people row: no community

    reader r(file.path());
    using names = std::vector<std::string>;
    CHECK(ranked_names(r.ranking_in({"东城社区", "西城社区"}, 100, 200, 10)) ==
          names{"bob", "alice"});
    CHECK(ranked_names(r.ranking_in({"南山社区"}, 100, 200, 10)) == names{"13800138000"});
    CHECK(ranked_names(r.ranking_in({"东城社区", "西城社区"}, 100, 200, 1)) == names{"bob"});
    CHECK(r.ranking_in({"北城社区"}, 100, 200, 10).empty());
    CHECK(r.ranking_in({}, 100, 200, 10).empty());  // no community: nobody, never everybody
    CHECK(r.ranking_in({"东城社区"}, 200, 100, 10).empty());
    CHECK(ranked_names(r.ranking("", 100, 200, 10)) ==
          names{"dave", "13800138000", "bob", "alice"});
}
