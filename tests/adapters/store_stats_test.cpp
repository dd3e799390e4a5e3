// The statistics (adapters/db/statistics.hpp) on a real database (SQLite or PostgreSQL) with known
// data: every figure checked, for all communities and for a community scope.

#include "adapters/db/statistics.hpp"

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "adapters/db/store.hpp"
#include "tests/adapters/store_test_support.hpp"

namespace {

using namespace minsheng;
using namespace minsheng::adapters::db;
using namespace minsheng::adapters::db::testing;

constexpr std::int64_t day = 86400;
// 2026-11-01 00:00 China time: the window is [t0, t0 + 30 days), judged at t0 + 20 days.
constexpr std::int64_t t0 = 1793462400;
constexpr std::int64_t window_end = t0 + 30 * day;
constexpr std::int64_t judged_at = t0 + 20 * day;

const std::string east = "东城社区";
const std::string west = "西城社区";
const std::string south = "南城社区";  // configured, nothing in it

const dialog::person_ref v1{dialog::channel::wechat_oa, "v1"};
const dialog::person_ref v2{dialog::channel::wechat_oa, "v2"};
const dialog::person_ref v3{dialog::channel::wechat_oa, "v3"};
const dialog::person_ref v4{dialog::channel::miniprogram, "v4"};
const dialog::person_ref r1{dialog::channel::wechat_oa, "r1"};

struct case_spec {
    std::string community;
    std::string category;
    std::string kind;
    dialog::channel from = dialog::channel::wechat_oa;
    std::int64_t created_at = 0;
    std::int64_t deadline_at = 0;
    std::string status;  // set after opening unless "received"
    std::int64_t closed_at = 0;
    int rating = 0;
};

std::int64_t open_case(store& s, const case_spec& spec) {
    auto d = draft_for("resident", spec.created_at, spec.kind, spec.category);
    d.from = spec.from;
    d.community = spec.community;
    d.deadline_at = spec.deadline_at;
    std::int64_t id = 0;
    s.run([&](dialog::unit_of_work& uow) {
        auto c = uow.open_case(d);
        id = c.id;
        if (spec.status == "received" && spec.rating == 0) return;
        auto u = c;
        u.status = spec.status;
        u.closed_at = spec.closed_at;
        u.rating = spec.rating;
        REQUIRE(uow.update_case(u, c.status, c.updated_at));
    });
    return id;
}

void save_volunteer(store& s, const dialog::person_ref& who, const std::string& community,
                    std::int64_t registered_at, bool volunteer = true) {
    s.run([&](dialog::unit_of_work& uow) {
        dialog::person p;
        p.who = who;
        p.community = community;
        p.volunteer = volunteer;
        p.registered_at = volunteer ? registered_at : 0;
        p.updated_at = registered_at;
        uow.save_person(p);
    });
}

void add_event(store& s, std::int64_t case_id, std::int64_t at, const dialog::person_ref& who,
               const std::string& action) {
    s.run([&](dialog::unit_of_work& uow) {
        uow.add_event({0, case_id, at, who.key(), action, "accepted", "claimed", ""});
    });
}

void credit(store& s, const std::string& key, std::int64_t at, const std::string& reason,
            std::int64_t case_id, const dialog::person_ref& who, std::int64_t points) {
    s.run([&](dialog::unit_of_work& uow) {
        REQUIRE(uow.post(
            {0, at, reason, case_id, key, {{"issued", -points}, {"person:" + who.key(), points}}}));
    });
}

void visit(store& s, const dialog::person_ref& who, const std::string& station,
           std::int64_t checkin_at, std::int64_t minutes, std::int64_t points) {
    s.run([&](dialog::unit_of_work& uow) {
        dialog::service_visit v;
        v.who = who;
        v.station = station;
        v.checkin_at = checkin_at;
        auto started = uow.start_visit(v);
        if (minutes > 0) {
            started.checkout_at = checkin_at + minutes * 60;
            started.minutes = minutes;
            started.points = points;
            started.checkout_proof = "scene";
            REQUIRE(uow.finish_visit(started));
        }
    });
}

// The known data: the figures below are counted from this by hand.
struct fixture {
    temp_db file;
    store s{file.path(), options_at(t0)};
    std::vector<std::int64_t> ids;

    fixture() {
        using dialog::channel;
        const std::vector<case_spec> cases{
            // 1: closed on time, rated 5
            {east, "城管", "complaint", channel::wechat_oa, t0 + 1 * day, t0 + 5 * day, "closed",
             t0 + 3 * day, 5},
            // 2: closed late, rated 2
            {east, "城管", "complaint", channel::hotline, t0 + 2 * day, t0 + 6 * day, "closed",
             t0 + 8 * day, 2},
            // 3: with its handler past the deadline: overdue
            {east, "环保", "wish", channel::wechat_oa, t0 + 3 * day, t0 + 10 * day, "in_progress",
             0, 0},
            // 4: open, deadline still ahead
            {west, "城管", "consultation", channel::miniprogram, t0 + 4 * day, t0 + 25 * day,
             "accepted", 0, 0},
            // 5: done (back with the resident) past the deadline, no category, rated 4
            {west, "", "complaint", channel::wechat_oa, t0 + 5 * day, t0 + 7 * day, "done", 0, 4},
            // 6: cancelled: no part of deadline compliance
            {west, "环保", "complaint", channel::wechat_oa, t0 + 6 * day, t0 + 9 * day, "cancelled",
             t0 + 7 * day, 0},
            // 7: no community, no deadline
            {"", "城管", "complaint", channel::hotline, t0 + 7 * day, 0, "received", 0, 0},
            // 8: before the window (closed, rated 4): counts nowhere but its claim below
            {east, "城管", "complaint", channel::wechat_oa, t0 - 1 * day, t0 + 1 * day, "closed",
             t0, 4},
            // 9: at the window's end: outside
            {west, "城管", "complaint", channel::wechat_oa, window_end, window_end + 5 * day,
             "received", 0, 0},
        };
        for (const auto& c : cases) ids.push_back(open_case(s, c));

        save_volunteer(s, v1, east, t0 - 10 * day);
        save_volunteer(s, v2, east, t0 + 2 * day);
        save_volunteer(s, v3, west, window_end + 1);  // registered after the window
        save_volunteer(s, v4, west, t0 - 5 * day);
        save_volunteer(s, r1, east, t0, false);  // a resident

        add_event(s, ids[2], t0 + 4 * day, v1, "claim");    // east
        add_event(s, ids[3], t0 + 5 * day, v2, "claim");    // west case, east volunteer
        add_event(s, ids[7], t0 + 1 * day, v1, "claim");    // an old case, claimed in the window
        add_event(s, ids[2], t0 - 1 * day, v2, "claim");    // before the window
        add_event(s, ids[2], t0 + 4 * day, v1, "start");    // not a claim
        add_event(s, ids[3], t0 + 9 * day, v3, "release");  // not a claim

        credit(s, "wish_confirmed:3", t0 + 6 * day, "wish_confirmed", ids[2], v1, 10);
        credit(s, "wish_confirmed:4", window_end + day, "wish_confirmed", ids[3], v2, 10);
        visit(s, v1, "dc-01", t0 + 2 * day, 90, 15);
        credit(s, "visit:1", t0 + 2 * day + 90 * 60, "service_hours", 0, v1, 15);
        visit(s, v4, "xc-01", t0 + 3 * day, 30, 5);
        credit(s, "visit:2", t0 + 3 * day + 30 * 60, "service_hours", 0, v4, 5);
        visit(s, v1, "dc-01", t0 - 3 * day, 60, 10);  // before the window
        visit(s, v2, "dc-02", window_end, 0, 0);      // at the window's end, still open
    }

    stats_query query(std::vector<std::string> communities = {}) const {
        stats_query q;
        q.since = t0;
        q.until = window_end;
        q.now = judged_at;
        q.communities = std::move(communities);
        q.stations = {{"dc-01", east}, {"dc-02", east}, {"xc-01", west}};
        q.listed = {east, west, south};
        return q;
    }

    statistics compute(std::vector<std::string> communities = {}) {
        reader r(file.path());
        return compute_statistics(r, query(std::move(communities)));
    }
};

}  // namespace

TEST_CASE("Statistics count every case figure of the window for all communities", "[adapters]") {
    fixture f;
    const auto st = f.compute();

    CHECK(st.totals.cases == 7);
    CHECK(st.totals.open == 4);     // 3, 4, 5, 7
    CHECK(st.totals.closed == 2);   // 1, 2
    CHECK(st.totals.overdue == 1);  // 3 (5 is done: back with the resident)

    CHECK(st.by_category == std::vector<keyed_count>{{"城管", 4}, {"环保", 2}, {"", 1}});
    CHECK(st.by_kind ==
          std::vector<keyed_count>{{"complaint", 5}, {"consultation", 1}, {"wish", 1}});
    CHECK(st.by_channel ==
          std::vector<keyed_count>{{"wechat_oa", 4}, {"hotline", 2}, {"miniprogram", 1}});
    CHECK(st.by_community == std::vector<keyed_count>{{east, 3}, {west, 3}, {"", 1}});
    CHECK(st.by_status == std::vector<keyed_count>{{"closed", 2},
                                                   {"accepted", 1},
                                                   {"cancelled", 1},
                                                   {"done", 1},
                                                   {"in_progress", 1},
                                                   {"received", 1}});

    const auto& d = st.deadlines;
    CHECK(d.with_deadline == 5);  // 1-5; 6 is cancelled, 7 has none
    CHECK(d.closed_on_time == 1);
    CHECK(d.closed_late == 1);
    CHECK(d.open_overdue == 2);  // 3 and 5
    CHECK(d.open_on_time == 1);  // 4
    REQUIRE(d.compliance_rate);
    CHECK(*d.compliance_rate == Approx(0.25));

    CHECK(st.ratings.count == 3);
    REQUIRE(st.ratings.mean);
    CHECK(*st.ratings.mean == Approx(11.0 / 3.0));
    CHECK(st.ratings.distribution == std::array<std::int64_t, 5>{0, 1, 0, 1, 1});

    CHECK(st.demand == std::vector<demand_cell>{{"", "城管", 1},
                                                {east, "城管", 2},
                                                {east, "环保", 1},
                                                {west, "", 1},
                                                {west, "城管", 1},
                                                {west, "环保", 1}});
}

TEST_CASE("Statistics count volunteer activity and resources for all communities", "[adapters]") {
    fixture f;
    const auto v = f.compute().volunteers;
    CHECK(v.registered == 3);        // v1, v2, v4 (v3 registered after the window)
    CHECK(v.claims == 3);            // by the time of the claim, whatever the case's age
    CHECK(v.active == 3);            // v1, v2 claimed; v1, v4 visited
    CHECK(v.wishes_confirmed == 1);  // the other confirmation is after the window
    CHECK(v.visits == 2);
    CHECK(v.service_minutes == 120);
    CHECK(v.points_credited == 30);  // 10 + 15 + 5

    CHECK(f.compute().resources ==
          std::vector<resource_row>{{east, 2, 2}, {south, 0, 0}, {west, 1, 1}});
}

TEST_CASE("Statistics for a community scope count only that community", "[adapters]") {
    fixture f;
    const auto st = f.compute({west});

    CHECK(st.totals.cases == 3);  // 4, 5, 6
    CHECK(st.totals.open == 2);
    CHECK(st.totals.closed == 0);
    CHECK(st.totals.overdue == 0);
    CHECK(st.by_community == std::vector<keyed_count>{{west, 3}});
    CHECK(st.by_category == std::vector<keyed_count>{{"", 1}, {"城管", 1}, {"环保", 1}});

    CHECK(st.deadlines.with_deadline == 2);
    CHECK(st.deadlines.closed_on_time == 0);
    CHECK(st.deadlines.closed_late == 0);
    CHECK(st.deadlines.open_overdue == 1);
    CHECK(st.deadlines.open_on_time == 1);
    REQUIRE(st.deadlines.compliance_rate);
    CHECK(*st.deadlines.compliance_rate == 0.0);

    CHECK(st.ratings.count == 1);
    CHECK(st.ratings.mean == 4.0);

    CHECK(st.volunteers.registered == 1);        // v4
    CHECK(st.volunteers.claims == 1);            // on case 4
    CHECK(st.volunteers.active == 2);            // v2 claimed here, v4 visited here
    CHECK(st.volunteers.wishes_confirmed == 0);  // case 4's is after the window
    CHECK(st.volunteers.visits == 1);
    CHECK(st.volunteers.service_minutes == 30);
    CHECK(st.volunteers.points_credited == 5);  // v4's
    CHECK(st.resources == std::vector<resource_row>{{west, 1, 1}});
    CHECK(st.demand ==
          std::vector<demand_cell>{{west, "", 1}, {west, "城管", 1}, {west, "环保", 1}});

    const auto east_only = f.compute({east});
    CHECK(east_only.totals.cases == 3);
    CHECK(east_only.volunteers.claims == 2);
    CHECK(east_only.volunteers.active == 1);
    CHECK(east_only.volunteers.visits == 1);
    CHECK(east_only.volunteers.points_credited == 25);
    CHECK(east_only.resources == std::vector<resource_row>{{east, 2, 2}});

    // Two communities are the sum of both.
    const auto both = f.compute({east, west});
    CHECK(both.totals.cases == 6);
    CHECK(both.volunteers.claims == 3);
    CHECK(both.volunteers.points_credited == 30);
    CHECK(both.resources.size() == 2);
}

TEST_CASE("Statistics of an empty window or a community without data are zeros and nulls",
          "[adapters]") {
    fixture f;
    for (const auto& st : {f.compute({"北城社区"}), [&] {
                               reader r(f.file.path());
                               auto q = f.query();
                               q.since = window_end + 100 * day;
                               q.until = window_end + 130 * day;
                               return compute_statistics(r, q);
                           }()}) {
        CHECK(st.totals.cases == 0);
        CHECK(st.totals.open == 0);
        CHECK(st.by_category.empty());
        CHECK(st.by_status.empty());
        CHECK(st.demand.empty());
        CHECK(st.deadlines.with_deadline == 0);
        CHECK_FALSE(st.deadlines.compliance_rate);
        CHECK(st.ratings.count == 0);
        CHECK_FALSE(st.ratings.mean);
        CHECK(st.ratings.distribution == std::array<std::int64_t, 5>{});
        CHECK(st.volunteers.claims == 0);
        CHECK(st.volunteers.active == 0);
        CHECK(st.volunteers.visits == 0);
        CHECK(st.volunteers.points_credited == 0);
    }
    // A community with no stations and nothing else: no visits, no resources row.
    CHECK(f.compute({"北城社区"}).resources.empty());
    CHECK(f.compute({"北城社区"}).volunteers.registered == 0);
}

TEST_CASE("Statistics read a database with no data at all", "[adapters]") {
    temp_db file;
    { store s(file.path()); }
    reader r(file.path());
    stats_query q;
    q.since = t0;
    q.until = window_end;
    q.now = judged_at;
    q.listed = {east};
    const auto st = compute_statistics(r, q);
    CHECK(st.totals.cases == 0);
    CHECK(st.resources == std::vector<resource_row>{{east, 0, 0}});
    // The reader is usable again afterwards: the snapshot was ended.
    CHECK(r.count_cases() == 0);
    CHECK(compute_statistics(r, q).totals.cases == 0);
}
