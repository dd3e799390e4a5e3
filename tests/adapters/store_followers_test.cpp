// Case followers (one problem, one case) and the search for open cases a new appeal may
// duplicate, through the unit of work; the same on SQLite and PostgreSQL.

#include <algorithm>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/db/retention.hpp"
#include "adapters/db/store.hpp"
#include "tests/adapters/store_test_support.hpp"

namespace {

using namespace minsheng;
using namespace minsheng::adapters::db;
using namespace minsheng::adapters::db::testing;

const std::int64_t t0 = nov23_china_0030;
const dialog::person_ref bob{dialog::channel::miniprogram, "oBob"};
const dialog::person_ref caller{dialog::channel::hotline, "13900139000"};

dialog::case_record open(store& s, const dialog::case_draft& d) {
    dialog::case_record c;
    s.run([&](dialog::unit_of_work& uow) { c = uow.open_case(d); });
    return c;
}

dialog::case_follower follower(std::int64_t case_id, const dialog::person_ref& who, std::int64_t at,
                               std::string via) {
    dialog::case_follower f;
    f.case_id = case_id;
    f.who = who;
    f.joined_at = at;
    f.via = std::move(via);
    return f;
}

std::vector<std::int64_t> candidates(store& s, const dialog::duplicate_candidates_query& q) {
    std::vector<std::int64_t> out;
    s.run([&](dialog::unit_of_work& uow) {
        for (const auto& c : uow.duplicate_candidates(q)) out.push_back(c.id);
    });
    return out;
}

}  // namespace

TEST_CASE("A case's followers are kept once each, with how they came, their rating and leaving",
          "[adapters]") {
    temp_db db;
    store s(db.path());
    const auto c = open(s, draft_for("alice", t0));
    const auto other = open(s, draft_for("alice", t0));
    s.run([&](dialog::unit_of_work& uow) {
        CHECK(uow.add_follower(follower(c.id, caller, t0 + 60, "hotline")));
        CHECK(uow.add_follower(follower(c.id, bob, t0 + 120, "mp")));
        CHECK(uow.add_follower(follower(other.id, bob, t0 + 180, "chat")));
        // The same person on the same case again: refused, the first row kept.
        CHECK_FALSE(uow.add_follower(follower(c.id, bob, t0 + 240, "chat")));
    });
    std::vector<dialog::case_follower> rows;
    s.run([&](dialog::unit_of_work& uow) { rows = uow.followers_of(c.id); });
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].who == caller);
    CHECK(rows[0].via == "hotline");
    CHECK(rows[0].joined_at == t0 + 60);
    CHECK(rows[1].who == bob);
    CHECK(rows[1].via == "mp");
    CHECK(rows[1].rating == 0);
    CHECK(rows[1].left_at == 0);

    SECTION("a follower rates once, only while following; a rating is 1..5") {
        s.run([&](dialog::unit_of_work& uow) {
            CHECK(uow.rate_followed(c.id, bob, 4));
            CHECK_FALSE(uow.rate_followed(c.id, bob, 5));  // rated already
            CHECK_FALSE(uow.rate_followed(c.id, {dialog::channel::wechat_oa, "oEve"}, 5));
        });
        CHECK_THROWS(s.run([&](dialog::unit_of_work& uow) { uow.rate_followed(c.id, caller, 6); }));
        s.run([&](dialog::unit_of_work& uow) {
            CHECK(uow.followers_of(c.id)[1].rating == 4);
            CHECK(uow.followers_of(c.id)[0].rating == 0);  // the failed unit wrote nothing
        });
    }
    SECTION("leaving is stamped once, and a follower who left neither rates nor joins again") {
        s.run([&](dialog::unit_of_work& uow) {
            CHECK(uow.leave_case(c.id, bob, t0 + 300));
            CHECK_FALSE(uow.leave_case(c.id, bob, t0 + 400));
            CHECK_FALSE(uow.rate_followed(c.id, bob, 3));
            CHECK_FALSE(uow.add_follower(follower(c.id, bob, t0 + 500, "chat")));
            CHECK(uow.followers_of(c.id)[1].left_at == t0 + 300);
        });
    }
    SECTION("a person's followed cases come newest joined first") {
        s.run([&](dialog::unit_of_work& uow) {
            const auto mine = uow.followed_by(bob, 10);
            REQUIRE(mine.size() == 2);
            CHECK(mine[0].case_id == other.id);
            CHECK(mine[1].case_id == c.id);
            CHECK(uow.followed_by(bob, 1).size() == 1);
            CHECK(uow.followed_by({dialog::channel::wechat_oa, "oBob"}, 10).empty());
        });
    }
    SECTION("a follower names an existing case and a known way of coming") {
        CHECK_THROWS(s.run([&](dialog::unit_of_work& uow) {
            uow.add_follower(follower(other.id + 100, bob, t0, "chat"));
        }));
        CHECK_THROWS(s.run([&](dialog::unit_of_work& uow) {
            uow.add_follower(follower(other.id, caller, t0, "telepathy"));
        }));
        s.run([&](dialog::unit_of_work& uow) { CHECK(uow.followers_of(other.id).size() == 1); });
    }
}

TEST_CASE(
    "Duplicate candidates are recent open complaints of the category, near or in the "
    "community",
    "[adapters]") {
    temp_db db;
    store s(db.path());
    auto near = draft_for("a", t0, "complaint", "城乡建设");
    near.community = "东城社区";
    near.location = dialog::geo_point{22.5170, 113.3920};
    const auto in_box = open(s, near);

    auto far = near;
    far.community = "西城社区";
    far.location = dialog::geo_point{22.5300, 113.3920};  // about 1.4 km north
    const auto far_away = open(s, far);

    auto unlocated = near;
    unlocated.location.reset();
    const auto same_community = open(s, unlocated);

    auto other_category = near;
    other_category.category = "环境保护";
    open(s, other_category);

    auto wish = near;
    wish.kind = "wish";
    open(s, wish);

    auto old = near;
    old.created_at = t0 - 40 * 86400;
    open(s, old);

    auto done = open(s, near);
    s.run([&](dialog::unit_of_work& uow) {
        auto c = *uow.get_case(done.id);
        auto u = c;
        u.status = "done";
        REQUIRE(uow.update_case(u, c.status, c.updated_at));
    });

    // A grid worker's report of a resident in difficulty, at the same place: private, so no one
    // is ever made its follower.
    auto hidden = near;
    hidden.is_private = true;
    open(s, hidden);

    dialog::duplicate_candidates_query q;
    q.category = "城乡建设";
    q.since = t0 - 30 * 86400;
    q.near = dialog::geo_point{22.5175, 113.3925};
    q.radius_m = 250;

    SECTION("by the box alone") { CHECK(candidates(s, q) == std::vector<std::int64_t>{in_box.id}); }
    SECTION("by the community alone") {
        q.near.reset();
        q.community = "东城社区";
        CHECK(candidates(s, q) == std::vector<std::int64_t>{same_community.id, in_box.id});
    }
    SECTION("by either") {
        q.community = "西城社区";
        CHECK(candidates(s, q) == std::vector<std::int64_t>{far_away.id, in_box.id});
    }
    SECTION("by neither: every place; newest first and limited") {
        q.near.reset();
        CHECK(candidates(s, q) ==
              std::vector<std::int64_t>{same_community.id, far_away.id, in_box.id});
        q.limit = 1;
        CHECK(candidates(s, q) == std::vector<std::int64_t>{same_community.id});
    }
    SECTION("the reader finds the same as the unit of work (operators' possible duplicates)") {
        reader r(db.path());
        q.community = "西城社区";
        std::vector<std::int64_t> read;
        for (const auto& c : r.duplicate_candidates(q)) read.push_back(c.id);
        CHECK(read == candidates(s, q));
        CHECK(read == std::vector<std::int64_t>{far_away.id, in_box.id});
    }
    SECTION("a wider box finds the far case too") {
        q.radius_m = 2000;
        CHECK(candidates(s, q) == std::vector<std::int64_t>{far_away.id, in_box.id});
    }
    SECTION("another kind, another category, nothing recent: nothing") {
        q.category = "卫生计生";
        CHECK(candidates(s, q).empty());
        q.category = "城乡建设";
        q.since = t0 + 1;
        CHECK(candidates(s, q).empty());
    }
}

TEST_CASE("Open cases opened at a place are candidates however many newer ones are elsewhere",
          "[adapters]") {
    temp_db db;
    store s(db.path());
    auto d = draft_for("a", t0, "complaint", "城乡建设");
    d.address = "";
    d.description = "幸福路的路灯坏了，晚上一片漆黑";
    d.place = "幸福路";
    const auto first = open(s, d);
    d.description = "路灯不亮";
    d.address = "东城区幸福路12号";
    const auto second = open(s, d);
    d.place = "%_幸福\\路";
    const auto odd = open(s, d);
    d.place = "";
    d.description = "幸福路的井盖丢了";  // opened without a place: found by no place
    d.community = "东城社区";
    const auto unplaced = open(s, d);
    std::vector<std::int64_t> newer;
    for (int i = 0; i < 25; ++i) {
        auto elsewhere = draft_for("b", t0 + 60 + i, "complaint", "城乡建设");
        elsewhere.address = "人民路" + std::to_string(i + 1) + "号";
        elsewhere.description = "人民路的路灯坏了";
        elsewhere.place = "人民路";
        newer.push_back(open(s, elsewhere).id);
    }
    dialog::duplicate_candidates_query q;
    q.category = "城乡建设";
    q.since = t0 - 30 * 86400;

    // Every place: the newest 20, none of the first four.
    auto found = candidates(s, q);
    REQUIRE(found.size() == 20);
    CHECK(found.front() == newer.back());
    CHECK(std::find(found.begin(), found.end(), first.id) == found.end());

    // At the place: equal, newest first; no pattern (LIKE's wildcards are only characters).
    q.place = "幸福路";
    CHECK(candidates(s, q) == std::vector<std::int64_t>{second.id, first.id});
    q.place = "%_幸福\\路";
    CHECK(candidates(s, q) == std::vector<std::int64_t>{odd.id});
    q.place = "%";
    CHECK(candidates(s, q).empty());
    q.place = "幸福";
    CHECK(candidates(s, q).empty());
    // Or at the other place given.
    q.place = "龙华路";
    CHECK(candidates(s, q).empty());
    q.place_also = "幸福路";
    CHECK(candidates(s, q) == std::vector<std::int64_t>{second.id, first.id});
    q.place_also = "";
    // Beside a community: either, each once.
    q.place = "幸福路";
    q.community = "东城社区";
    found = candidates(s, q);
    CHECK(std::find(found.begin(), found.end(), first.id) != found.end());
    CHECK(std::find(found.begin(), found.end(), second.id) != found.end());
    CHECK(std::find(found.begin(), found.end(), unplaced.id) != found.end());  // its community
    std::sort(found.begin(), found.end());
    CHECK(std::adjacent_find(found.begin(), found.end()) == found.end());
    // Another category or kind: nothing.
    q.community = "";
    q.category = "环境保护";
    CHECK(candidates(s, q).empty());
    // A closed case is no candidate.
    q.category = "城乡建设";
    s.run([&](dialog::unit_of_work& uow) {
        auto c = uow.get_case(first.id);
        REQUIRE(c);
        auto closed = *c;
        closed.status = "closed";
        closed.closed_at = t0 + 3600;
        REQUIRE(uow.update_case(closed, c->status, c->updated_at));
    });
    CHECK(candidates(s, q) == std::vector<std::int64_t>{second.id});
}

TEST_CASE("Followers survive in a step-15 table on both engines", "[adapters]") {
    temp_db db;
    { store s(db.path()); }
    auto c = raw_connection(db.path());
    REQUIRE(table_exists(*c, "case_followers"));
    CHECK(column_names(*c, "case_followers") ==
          std::vector<std::string>{"case_id", "channel", "user_id", "joined_at", "via", "rating",
                                   "left_at", "report"});
}

TEST_CASE("What a follower reported is kept until they leave, or their case closed long ago",
          "[adapters]") {
    temp_db db;
    store s(db.path());
    const auto c = open(s, draft_for("alice", t0));
    dialog::followed_report own;
    own.draft = draft_for("13900139000", t0 + 60);
    own.draft.from = dialog::channel::hotline;
    own.draft.description = "幸福路12号门口的井盖丢了，晚上很危险";
    own.draft.category_confidence = 0.625;
    own.draft.source_ref = "12345:HL-9";
    own.draft.source_span = "turns 2-3";
    own.draft.community = "幸福社区";
    own.draft.location = dialog::geo_point{22.5, 113.25};
    own.attachments = {"[图片] media:m-1"};
    auto with_report = follower(c.id, caller, t0 + 60, "hotline");
    with_report.report = own;
    s.run([&](dialog::unit_of_work& uow) {
        CHECK(uow.add_follower(with_report));
        CHECK(uow.add_follower(follower(c.id, bob, t0 + 120, "merge")));
    });
    std::vector<dialog::case_follower> rows;
    s.run([&](dialog::unit_of_work& uow) { rows = uow.followers_of(c.id); });
    REQUIRE(rows.size() == 2);
    REQUIRE(rows[0].report);
    const auto& d = rows[0].report->draft;
    CHECK(d.from == dialog::channel::hotline);
    CHECK(d.reporter_id == "13900139000");
    CHECK(d.description == own.draft.description);
    CHECK(d.kind == "complaint");
    CHECK(d.category == own.draft.category);
    CHECK(d.category_confidence == 0.625);
    CHECK(d.urgency == "normal");
    CHECK(d.address == own.draft.address);
    CHECK(d.contact_phone == own.draft.contact_phone);
    CHECK(d.source_key == own.draft.source_key);
    CHECK(d.source_ref == "12345:HL-9");
    CHECK(d.source_span == "turns 2-3");
    CHECK(d.community == "幸福社区");
    REQUIRE(d.location);
    CHECK(*d.location == dialog::geo_point{22.5, 113.25});
    CHECK(rows[0].report->attachments == own.attachments);
    CHECK_FALSE(rows[1].report);  // a follower by a merge reported nothing of their own

    SECTION("leaving blanks it: their own case was opened from it, or they are not to be asked") {
        s.run([&](dialog::unit_of_work& uow) { CHECK(uow.leave_case(c.id, caller, t0 + 300)); });
        s.run([&](dialog::unit_of_work& uow) { CHECK_FALSE(uow.followers_of(c.id)[0].report); });
    }
    SECTION("the retention sweep blanks it once the case was closed before the period") {
        const std::int64_t day = 86400;
        CHECK(purge_expired(s, t0 + day, t0).follower_reports == 0);  // open: kept
        auto closed = c;
        closed.status = "closed";
        closed.closed_at = t0 + 2 * day;
        s.run([&](dialog::unit_of_work& uow) {
            REQUIRE(uow.update_case(closed, c.status, c.updated_at));
        });
        CHECK(purge_expired(s, t0 + 3 * day, t0 + day).follower_reports == 0);  // closed lately
        CHECK(purge_expired(s, t0 + 200 * day, t0 + 20 * day).follower_reports == 1);
        s.run([&](dialog::unit_of_work& uow) {
            const auto after = uow.followers_of(c.id);
            CHECK_FALSE(after[0].report);
            CHECK(after[0].left_at == 0);  // still following: only the text is gone
        });
    }
}
