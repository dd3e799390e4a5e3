// 微实事 proposals and votes, and the outbox, through the unit of work and the reader.

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/db/store.hpp"
#include "tests/adapters/store_test_support.hpp"

namespace {

using namespace minsheng;
using namespace minsheng::adapters::db;
using namespace minsheng::adapters::db::testing;
namespace sql = minsheng::adapters::sql;

const dialog::person_ref alice{dialog::channel::wechat_oa, "alice"};
const dialog::person_ref bob{dialog::channel::wechat_oa, "bob"};
const dialog::person_ref bob_by_phone{dialog::channel::hotline, "bob"};

dialog::proposal_draft proposal_in(const std::string& community, std::int64_t at,
                                   const std::string& title = "加装电梯") {
    dialog::proposal_draft d;
    d.proposer = alice;
    d.community = community;
    d.title = title;
    d.description = "3栋老人多，希望加装电梯";
    d.threshold = 30;
    d.created_at = at;
    d.closes_at = at + 14 * 86400;
    return d;
}

dialog::proposal create(store& s, const dialog::proposal_draft& d) {
    dialog::proposal p;
    s.run([&](dialog::unit_of_work& uow) { p = uow.create_proposal(d); });
    return p;
}

std::vector<std::int64_t> ids_of(const std::vector<dialog::proposal>& ps) {
    std::vector<std::int64_t> out;
    for (const auto& p : ps) out.push_back(p.id);
    return out;
}

dialog::notification to_resident(const std::string& key, std::int64_t case_id,
                                 const std::string& text = "您的心愿已被认领") {
    dialog::notification n;
    n.audience = "resident";
    n.to = alice;
    n.template_key = "notify/case_claimed";
    n.vars_json = R"({"number":"WX20261123-0001"})";
    n.text = text;
    n.case_id = case_id;
    n.idempotency_key = key;
    n.created_at = 1000 + case_id;
    return n;
}

bool enqueue(store& s, const dialog::notification& n) {
    bool ok = false;
    s.run([&](dialog::unit_of_work& uow) { ok = uow.enqueue(n); });
    return ok;
}

}  // namespace

TEST_CASE("Proposals are numbered YS per China day, apart from cases, and found like cases",
          "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(nov23_china_0030 + 86400));
    auto p1 = create(s, proposal_in("东城社区", nov23_china_0030));
    s.run([](dialog::unit_of_work& uow) {
        CHECK(uow.open_case(draft_for("u", nov23_china_0030)).number == "MS20261123-0001");
    });
    auto p2 = create(s, proposal_in("东城社区", nov23_china_0030));
    auto p3 = create(s, proposal_in("西城社区", 0));  // the store's clock: the 24th
    CHECK(p1.number == "YS20261123-0001");
    CHECK(p2.number == "YS20261123-0002");
    CHECK(p3.number == "YS20261124-0001");
    CHECK(p3.created_at == nov23_china_0030 + 86400);

    CHECK(p1.status == "open");
    CHECK(p1.votes == 0);
    CHECK(p1.proposer == alice);
    CHECK(p1.title == "加装电梯");
    CHECK(p1.threshold == 30);
    CHECK(p1.updated_at == p1.created_at);

    s.run([&](dialog::unit_of_work& uow) {
        for (const char* n :
             {"YS20261123-0002", "ys20261123-0002", "YS202611230002", " ys202611230002 "}) {
            INFO(n);
            auto found = uow.find_proposal(n);
            REQUIRE(found);
            CHECK(found->id == p2.id);
        }
        CHECK_FALSE(uow.find_proposal("YS20261123-0009"));
        CHECK_FALSE(uow.find_proposal("MS20261123-0001"));  // a case, not a proposal
        CHECK_FALSE(uow.find_proposal("YS2026"));
        CHECK_FALSE(uow.find_case("YS20261123-0001"));

        auto got = uow.get_proposal(p1.id);
        REQUIRE(got);
        CHECK(got->number == p1.number);
        CHECK(got->community == "东城社区");
        CHECK(got->description == p1.description);
        CHECK(got->closes_at == p1.closes_at);
        CHECK_FALSE(uow.get_proposal(999));
    });
    reader r(file.path());
    auto got = r.get_proposal(p3.id);
    REQUIRE(got);
    CHECK(got->number == "YS20261124-0001");
    CHECK(got->community == "西城社区");
}

TEST_CASE("Open proposals are listed per community, newest first; status changes compare first",
          "[adapters]") {
    temp_db file;
    store s(file.path());
    auto a = create(s, proposal_in("东城社区", nov23_china_0030));
    auto b = create(s, proposal_in("西城社区", nov23_china_0030));
    auto c = create(s, proposal_in("东城社区", nov23_china_0030));
    auto d = create(s, proposal_in("东城社区", nov23_china_0030));
    using ids = std::vector<std::int64_t>;
    s.run([&](dialog::unit_of_work& uow) {
        auto passed = c;
        passed.status = "passed";
        passed.case_id = 77;
        passed.updated_at = c.created_at + 100;
        CHECK(uow.update_proposal(passed, "open"));
        CHECK_FALSE(uow.update_proposal(passed, "open"));  // already passed: the race is lost
        auto withdrawn = c;
        withdrawn.status = "withdrawn";
        CHECK_FALSE(uow.update_proposal(withdrawn, "open"));
        auto stored = uow.get_proposal(c.id);
        REQUIRE(stored);
        CHECK(stored->status == "passed");
        CHECK(stored->case_id == 77);
        CHECK(stored->updated_at == c.created_at + 100);

        CHECK(ids_of(uow.open_proposals("东城社区", 10)) == ids{d.id, a.id});
        CHECK(ids_of(uow.open_proposals("", 10)) == ids{d.id, b.id, a.id});
        CHECK(ids_of(uow.open_proposals("", 2)) == ids{d.id, b.id});
        CHECK(uow.open_proposals("", 0).empty());
        CHECK(uow.open_proposals("北城社区", 10).empty());
    });
    reader r(file.path());
    CHECK(ids_of(r.open_proposals("东城社区", 10)) == ids{d.id, a.id});
    CHECK(ids_of(r.open_proposals("", 10)) == ids{d.id, b.id, a.id});
    CHECK(r.get_proposal(c.id)->status == "passed");
}

TEST_CASE("Each person votes once per proposal and the vote count follows", "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(5000));
    auto p = create(s, proposal_in("东城社区", nov23_china_0030));
    auto q = create(s, proposal_in("东城社区", nov23_china_0030));
    s.run([&](dialog::unit_of_work& uow) {
        CHECK(uow.add_vote(p.id, bob, {}, 300));
        CHECK_FALSE(uow.add_vote(p.id, bob, {}, 400));   // a second vote
        CHECK(uow.add_vote(p.id, alice, {}, 200));       // earlier, though recorded later
        CHECK(uow.add_vote(p.id, bob_by_phone, {}, 0));  // another channel is another person
        CHECK(uow.add_vote(q.id, bob, {}, 500));
        CHECK(uow.get_proposal(p.id)->votes == 3);
        CHECK(uow.get_proposal(q.id)->votes == 1);
    });
    // A repeat in a later unit of work is refused as well.
    s.run([&](dialog::unit_of_work& uow) {
        CHECK_FALSE(uow.add_vote(p.id, alice, {}, 600));
        CHECK(uow.voters(p.id) == std::vector<dialog::person_ref>{alice, bob, bob_by_phone});
        CHECK(uow.voters(q.id) == std::vector<dialog::person_ref>{bob});
        CHECK(uow.voters(999).empty());
    });
    // A vote on a proposal that does not exist is a storage failure, not a silent no-op.
    CHECK_THROWS_AS(s.run([&](dialog::unit_of_work& uow) { uow.add_vote(999, alice, {}, 1); }),
                    store_error);
    CHECK(count_rows(file.path(), "votes") == 4);
    reader r(file.path());
    CHECK(r.get_proposal(p.id)->votes == 3);
    CHECK(r.get_proposal(q.id)->votes == 1);
}

TEST_CASE("A vote is refused, nothing written, when any identity key of the voter voted already",
          "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(5000));
    auto p = create(s, proposal_in("东城社区", nov23_china_0030));
    auto q = create(s, proposal_in("东城社区", nov23_china_0030));
    const std::vector<std::string> bob_keys{"phone:13900139000", "union:u-bob"};
    s.run([&](dialog::unit_of_work& uow) {
        CHECK(uow.add_vote(p.id, bob, bob_keys, 300));
        // The same phone from the other channel, the same unionid from another account.
        CHECK_FALSE(uow.add_vote(p.id, bob_by_phone, {"phone:13900139000"}, 310));
        CHECK_FALSE(uow.add_vote(p.id, alice, {"union:u-bob"}, 320));
        // The keys are per proposal.
        CHECK(uow.add_vote(q.id, bob_by_phone, {"phone:13900139000"}, 330));
        CHECK(uow.get_proposal(p.id)->votes == 1);
        CHECK(uow.voters(p.id) == std::vector<dialog::person_ref>{bob});
    });
    // The refused votes left nothing behind: one vote and its three keys on p, two on q.
    CHECK(count_rows(file.path(), "votes") == 2);
    CHECK(count_rows(file.path(), "vote_keys") == 5);
    // A phone that moved to someone else after the vote still counts as having voted.
    s.run([&](dialog::unit_of_work& uow) {
        CHECK_FALSE(uow.add_vote(p.id, alice, {"phone:13900139000"}, 400));
    });
}

TEST_CASE("A notification is enqueued once per idempotency key, pending and due at once",
          "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(9000));
    CHECK(enqueue(s, to_resident("claimed:1", 1)));
    CHECK_FALSE(enqueue(s, to_resident("claimed:1", 1, "second text")));  // keeps the first
    dialog::notification staff;
    staff.audience = "supervisor";
    staff.community = "东城社区";
    staff.template_key = "notify/overdue";
    staff.vars_json = "{}";
    staff.text = "有案件超期";
    staff.case_id = 2;
    staff.idempotency_key = "overdue:2";  // created_at 0: the store's clock
    CHECK(enqueue(s, staff));
    CHECK(enqueue(s, to_resident("claimed:3", 3)));
    CHECK_THROWS_AS(enqueue(s, to_resident("", 4)), std::invalid_argument);
    CHECK(count_rows(file.path(), "outbox") == 3);

    reader r(file.path());
    auto all = r.list_outbox({});
    REQUIRE(all.size() == 3);
    CHECK(all[0].n.idempotency_key == "claimed:3");  // newest first
    CHECK(all[1].n.idempotency_key == "overdue:2");
    const auto& first = all[2];
    CHECK(first.n.id > 0);
    CHECK(first.n.audience == "resident");
    REQUIRE(first.n.to);
    CHECK(*first.n.to == alice);
    CHECK(first.n.template_key == "notify/case_claimed");
    CHECK(first.n.vars_json == R"({"number":"WX20261123-0001"})");
    CHECK(first.n.text == "您的心愿已被认领");
    CHECK(first.n.case_id == 1);
    CHECK(first.n.created_at == 1001);
    CHECK(first.status == "pending");
    CHECK(first.attempts == 0);
    CHECK(first.next_attempt_at == 1001);
    CHECK(first.last_error.empty());
    CHECK(first.delivered_at == 0);

    const auto& sup = all[1];
    CHECK_FALSE(sup.n.to);
    CHECK(sup.n.community == "东城社区");
    CHECK(sup.n.created_at == 9000);

    CHECK(r.list_outbox({std::nullopt, 2, 100}).size() == 1);
    CHECK(r.list_outbox({std::string("pending"), 3, 100}).at(0).n.case_id == 3);
    CHECK(r.list_outbox({std::string("dead"), std::nullopt, 100}).empty());
    CHECK(r.list_outbox({std::nullopt, std::nullopt, 0}).size() == 1);  // clamped to 1
    CHECK(r.list_outbox({std::nullopt, std::nullopt, 2}).size() == 2);
    CHECK(r.count_outbox("pending") == 3);
    CHECK(r.count_outbox("dead") == 0);
    CHECK(r.count_outbox("") == 3);

    {
        // The worker of a later issue marks deliveries; the reader shows them.
        auto db = raw_connection(file.path());
        db->exec(
            "UPDATE outbox SET status = 'dead', attempts = 5, last_error = 'timeout' "
            "WHERE idempotency_key = 'overdue:2'");
        CHECK_THROWS_AS(db->exec("UPDATE outbox SET status = 'lost' WHERE id = 1"), sql::error);
    }
    CHECK(r.count_outbox("pending") == 2);
    CHECK(r.count_outbox("dead") == 1);
    auto dead = r.list_outbox({std::string("dead"), std::nullopt, 10});
    REQUIRE(dead.size() == 1);
    CHECK(dead[0].attempts == 5);
    CHECK(dead[0].last_error == "timeout");
}

TEST_CASE("proposals_to_expire pages by id through the open proposals past their closing time",
          "[adapters]") {
    using ids = std::vector<std::int64_t>;
    temp_db where;
    store s(where.path());
    auto early = create(s, proposal_in("东城社区", nov23_china_0030));
    auto later = create(s, proposal_in("西城社区", nov23_china_0030 + 86400));
    auto never = proposal_in("东城社区", nov23_china_0030);
    never.closes_at = 0;
    create(s, never);
    auto passed = create(s, proposal_in("东城社区", nov23_china_0030));
    auto due = create(s, proposal_in("东城社区", nov23_china_0030));
    s.run([&](dialog::unit_of_work& uow) {
        auto p = passed;
        p.status = "passed";
        REQUIRE(uow.update_proposal(p, "open"));
    });
    const auto closes = nov23_china_0030 + 14 * 86400;
    s.run([&](dialog::unit_of_work& uow) {
        CHECK(uow.proposals_to_expire(closes - 1, 0, 10).empty());
        CHECK(ids_of(uow.proposals_to_expire(closes, 0, 10)) == ids{early.id, due.id});
        CHECK(ids_of(uow.proposals_to_expire(closes, 0, 1)) == ids{early.id});
        CHECK(ids_of(uow.proposals_to_expire(closes, early.id, 10)) == ids{due.id});
        CHECK(ids_of(uow.proposals_to_expire(closes + 86400, 0, 10)) ==
              ids{early.id, later.id, due.id});
        CHECK(uow.proposals_to_expire(closes, 0, 0).empty());
    });
}

TEST_CASE("More expired proposals than one list returns are all reached by paging", "[adapters]") {
    temp_db where;
    store s(where.path());
    const int many = 1234;
    s.run([&](dialog::unit_of_work& uow) {
        for (int i = 0; i < many; ++i)
            uow.create_proposal(proposal_in("东城社区", nov23_china_0030));
    });
    const auto closes = nov23_china_0030 + 14 * 86400;
    s.run([&](dialog::unit_of_work& uow) {
        CHECK(uow.proposals_to_expire(closes, 0, 5000).size() == 1000);  // the store's cap
        std::size_t seen = 0;
        std::int64_t after = 0;
        for (auto page = uow.proposals_to_expire(closes, after, 1000); !page.empty();
             page = uow.proposals_to_expire(closes, after, 1000)) {
            seen += page.size();
            after = page.back().id;
        }
        CHECK(seen == static_cast<std::size_t>(many));
    });
}

TEST_CASE("count_proposals counts one proposer's proposals since a time, any status",
          "[adapters]") {
    temp_db where;
    store s(where.path());
    auto first = create(s, proposal_in("东城社区", 1000));
    create(s, proposal_in("东城社区", 2000));
    auto by_bob = proposal_in("东城社区", 2000);
    by_bob.proposer = bob;
    create(s, by_bob);
    s.run([&](dialog::unit_of_work& uow) {
        auto p = first;
        p.status = "withdrawn";
        REQUIRE(uow.update_proposal(p, "open"));
        CHECK(uow.count_proposals(alice, 0) == 2);
        CHECK(uow.count_proposals(alice, 1000) == 2);
        CHECK(uow.count_proposals(alice, 1001) == 1);
        CHECK(uow.count_proposals(alice, 2001) == 0);
        CHECK(uow.count_proposals(bob, 0) == 1);
        CHECK(uow.count_proposals(bob_by_phone, 0) == 0);  // another channel, another person
    });
}

TEST_CASE("The proposal sweep and cap queries search their indexes", "[adapters]") {
    temp_db file;
    { store s(file.path()); }
    auto db = raw_connection(file.path());
    CHECK_THAT(query_plan(*db,
                          "SELECT id FROM proposals WHERE status = 'open' AND closes_at > 0 AND "
                          "closes_at <= ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                          [](sql::statement& q) {
                              q.bind(1, std::int64_t{5000});
                              q.bind(2, std::int64_t{0});
                              q.bind(3, std::int64_t{100});
                          }),
               Catch::Contains("proposals_by_status_closes"));
    CHECK_THAT(query_plan(*db,
                          "SELECT count(*) FROM proposals WHERE channel = ?1 AND user_id = ?2 AND "
                          "created_at >= ?3",
                          [](sql::statement& q) {
                              q.bind(1, "wechat_oa");
                              q.bind(2, "alice");
                              q.bind(3, std::int64_t{1000});
                          }),
               Catch::Contains("proposals_by_proposer"));
}

TEST_CASE("Open proposals of a caller's communities are theirs alone, newest first", "[adapters]") {
    temp_db file;
    store s(file.path());
    auto a = create(s, proposal_in("东城社区", nov23_china_0030));
    auto b = create(s, proposal_in("西城社区", nov23_china_0030));
    auto c = create(s, proposal_in("南山社区", nov23_china_0030));
    auto d = create(s, proposal_in("东城社区", nov23_china_0030));
    using ids = std::vector<std::int64_t>;
    reader r(file.path());
    CHECK(ids_of(r.open_proposals_in({"东城社区"}, 10)) == ids{d.id, a.id});
    CHECK(ids_of(r.open_proposals_in({"东城社区", "西城社区"}, 10)) == ids{d.id, b.id, a.id});
    CHECK(ids_of(r.open_proposals_in({"西城社区", "东城社区"}, 2)) == ids{d.id, b.id});
    CHECK(ids_of(r.open_proposals_in({"南山社区"}, 10)) == ids{c.id});
    CHECK(r.open_proposals_in({"北城社区"}, 10).empty());
    CHECK(r.open_proposals_in({}, 10).empty());  // no community: nothing, never everything
    CHECK(r.open_proposals_in({"东城社区"}, 0).empty());
    // The unscoped read is unchanged.
    CHECK(ids_of(r.open_proposals("", 10)) == ids{d.id, c.id, b.id, a.id});
}

TEST_CASE("The outbox of a caller's communities: rows about their cases or their staff only",
          "[adapters]") {
    temp_db file;
    store s(file.path(), options_at(9000));
    std::int64_t east = 0, west = 0;
    s.run([&](dialog::unit_of_work& uow) {
        auto d = draft_for("o_east", nov23_china_0030);
        d.community = "东城社区";
        east = uow.open_case(d).id;
        d = draft_for("o_west", nov23_china_0030);
        d.community = "西城社区";
        west = uow.open_case(d).id;
    });
    // To the reporter of each case (no community on the row: the case's counts).
    CHECK(enqueue(s, to_resident("east:resident", east)));
    CHECK(enqueue(s, to_resident("west:resident", west)));
    // To the staff of a community about a case, and about none.
    dialog::notification staff;
    staff.audience = "worker";
    staff.community = "东城社区";
    staff.template_key = "notify/worker_new_case";
    staff.vars_json = "{}";
    staff.text = "有新案件";
    staff.case_id = east;
    staff.idempotency_key = "east:worker";
    CHECK(enqueue(s, staff));
    staff.case_id = 0;
    staff.idempotency_key = "east:staff";
    CHECK(enqueue(s, staff));
    // A row naming 东城社区 but about a case of 西城社区 follows the case.
    staff.case_id = west;
    staff.idempotency_key = "west:misnamed";
    CHECK(enqueue(s, staff));
    // A resident's notice about no case (a proposal that expired): nobody's community.
    CHECK(enqueue(s, to_resident("expired", 0)));

    reader r(file.path());
    auto keys = [](const std::vector<outbox_row>& rows) {
        std::vector<std::string> out;
        for (const auto& row : rows) out.push_back(row.n.idempotency_key);
        return out;
    };
    using names = std::vector<std::string>;
    const outbox_filter all;
    CHECK(keys(r.list_outbox_in(all, {"东城社区"})) ==
          names{"east:staff", "east:worker", "east:resident"});
    CHECK(keys(r.list_outbox_in(all, {"西城社区"})) == names{"west:misnamed", "west:resident"});
    CHECK(keys(r.list_outbox_in(all, {"西城社区", "东城社区"})).size() == 5);
    CHECK(r.list_outbox_in(all, {"南山社区"}).empty());
    CHECK(r.list_outbox_in(all, {}).empty());
    CHECK(keys(r.list_outbox_in({std::nullopt, east, 100}, {"东城社区"})) ==
          names{"east:worker", "east:resident"});
    CHECK(r.list_outbox_in({std::nullopt, east, 100}, {"西城社区"}).empty());
    CHECK(r.list_outbox_in({std::string("dead"), std::nullopt, 100}, {"东城社区"}).empty());
    CHECK(r.list_outbox_in({std::string("pending"), std::nullopt, 1}, {"东城社区"}).size() == 1);
    CHECK(r.count_outbox_in("pending", {"东城社区"}) == 3);
    CHECK(r.count_outbox_in("", {"西城社区"}) == 2);
    CHECK(r.count_outbox_in("dead", {"东城社区"}) == 0);
    CHECK(r.count_outbox_in("", {}) == 0);
    // The unscoped reads still see every row.
    CHECK(r.list_outbox(all).size() == 6);
    CHECK(r.count_outbox("") == 6);
}
