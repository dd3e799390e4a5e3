#include "dialog/cases/service.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/dialog/cases/service_test_support.hpp"

using namespace minsheng::dialog;
using namespace minsheng::dialog::cases;
using namespace minsheng::dialog;
using namespace minsheng::dialog::cases::testing;

namespace {

const person_ref grandma = resident("oGrandma");
const person_ref xiao_li = resident("oXiaoLi");

// Wishes filed Mon 2 March 10:00: due Mon 9 March 23:59:59 (3, 4, 5, 6, 9 March), reminder
// Fri 6 March 08:30.
struct sweep_world : world {
    sweep_world() {
        volunteer(xiao_li);
        filed = at("2026-03-02T10:00:00+08:00");
        unclaimed = open(draft(grandma, "wish", "想请人帮忙打扫卫生", filed), filed);
        claimed = open(draft(grandma, "wish", "想请人上门理发", filed), filed);
        REQUIRE(act(claimed.id, action::claim, actor::of(xiao_li), filed).ok());
        REQUIRE(act(claimed.id, action::start, actor::of(xiao_li), filed).ok());
        finished = open(draft(grandma, "wish", "想请人读报", filed), filed);
        REQUIRE(act(finished.id, action::claim, actor::of(xiao_li), filed).ok());
        REQUIRE(act(finished.id, action::report_done, actor::of(xiao_li), filed).ok());
    }
    std::int64_t filed = 0;
    case_record unclaimed, claimed, finished;
};

}  // namespace

TEST_CASE("reminders go out in working hours only, and once", "[dialog]") {
    sweep_world w;
    REQUIRE(iso(w.unclaimed.deadline_at) == "2026-03-09T23:59:59+08:00");
    REQUIRE(iso(w.unclaimed.remind_at) == "2026-03-06T08:30:00+08:00");

    CHECK(w.sweep(at("2026-03-05T10:00:00+08:00")).reminders == 0);  // not due yet
    CHECK(w.sweep(at("2026-03-06T12:30:00+08:00")).reminders == 0);  // lunch break
    CHECK(w.sweep(at("2026-03-07T10:00:00+08:00")).reminders == 0);  // Saturday
    CHECK(w.sweep(at("2026-03-09T08:29:59+08:00")).reminders == 0);  // before opening
    const auto monday = at("2026-03-09T09:00:00+08:00");
    CHECK(w.sweep(monday).reminders == 2);  // not the finished one
    CHECK(w.sweep(monday).reminders == 0);
    CHECK(w.sweep(monday + 3600).reminders == 0);

    CHECK(w.get(w.unclaimed.id).reminded_at == monday);
    CHECK(w.get(w.claimed.id).reminded_at == monday);
    CHECK(w.get(w.finished.id).reminded_at == 0);
    const auto ev = w.events(w.unclaimed.id);
    CHECK(ev.back().action == "remind");
    CHECK(ev.back().actor == "system");
    CHECK(ev.back().to_status == "");

    const auto to_workers = with_template(w.outbox(w.unclaimed.id), "notify/worker_reminder");
    REQUIRE(to_workers.size() == 1);
    CHECK(to_workers[0].audience == "worker");
    CHECK(to_workers[0].community == "光明社区");
    CHECK(to_workers[0].text.find("2026-03-09") != std::string::npos);
    CHECK(sent_to(w.outbox(w.claimed.id), "notify/volunteer_reminder", xiao_li));
    CHECK(with_template(w.outbox(w.claimed.id), "notify/volunteer_reminder").size() == 1);
}

TEST_CASE("an overdue case is escalated to the supervisor once, in working hours", "[dialog]") {
    sweep_world w;
    CHECK(w.sweep(at("2026-03-09T23:59:58+08:00")).escalations == 0);  // not overdue yet
    CHECK(w.sweep(at("2026-03-10T12:30:00+08:00")).escalations == 0);  // lunch break
    const auto tuesday = at("2026-03-10T14:00:00+08:00");
    const auto rep = w.sweep(tuesday);
    CHECK(rep.escalations == 2);
    CHECK(rep.reminders == 2);  // never reminded before: reminded now too
    CHECK(w.sweep(tuesday).escalations == 0);
    CHECK(w.sweep(at("2026-03-11T09:00:00+08:00")).escalations == 0);

    const auto c = w.get(w.unclaimed.id);
    CHECK(c.escalated_at == tuesday);
    CHECK(w.events(c.id).back().action == "escalate");
    const auto up = with_template(w.outbox(c.id), "notify/supervisor_overdue");
    REQUIRE(up.size() == 1);
    CHECK(up[0].audience == "supervisor");
    CHECK(up[0].community == "光明社区");
    CHECK(up[0].text.find(c.number) != std::string::npos);
    CHECK(w.get(w.finished.id).escalated_at == 0);
}

TEST_CASE("a case left done is closed by the system after the waiting time", "[dialog]") {
    sweep_world w;
    const auto done_at = w.get(w.finished.id).updated_at;
    CHECK(w.sweep(done_at + 7 * 86400).auto_closed == 0);
    CHECK(w.get(w.finished.id).status == "done");
    CHECK(w.sweep(done_at + 7 * 86400 + 1).auto_closed == 1);
    const auto c = w.get(w.finished.id);
    CHECK(c.status == "closed");
    CHECK(c.closed_at == done_at + 7 * 86400 + 1);
    CHECK(w.events(c.id).back().action == "close");
    CHECK(w.events(c.id).back().actor == "system");
    CHECK(sent_to(w.outbox(c.id), "notify/case_auto_closed", grandma));
    CHECK(w.sweep(done_at + 8 * 86400).auto_closed == 0);
}

TEST_CASE("sweeping twice at the same instant does nothing the second time", "[dialog]") {
    sweep_world w;
    // A claim that will have expired, and a proposal past its voting time.
    const auto lease = w.open(draft(grandma, "wish", "想请人陪伴聊天", w.filed), w.filed);
    REQUIRE(w.act(lease.id, action::claim, actor::of(xiao_li), w.filed).ok());
    w.tx([&](unit_of_work& u) {
        w.service.propose(u, grandma, "光明社区", "装路灯", "装路灯", w.filed);
    });

    const auto now = at("2026-04-01T10:00:00+08:00");  // a Wednesday, working hours
    const auto first = w.sweep(now);
    CHECK(first.leases_expired == 1);
    CHECK(first.reminders == 3);  // the wish back on the wall is due too
    CHECK(first.escalations == 3);
    CHECK(first.auto_closed == 1);
    CHECK(first.proposals_expired == 1);
    const auto outbox = w.outbox().size();
    std::size_t events = 0;
    for (auto id : {w.unclaimed.id, w.claimed.id, w.finished.id, lease.id})
        events += w.events(id).size();

    const auto second = w.sweep(now);
    CHECK(second.leases_expired == 0);
    CHECK(second.reminders == 0);
    CHECK(second.escalations == 0);
    CHECK(second.auto_closed == 0);
    CHECK(second.proposals_expired == 0);
    CHECK(w.outbox().size() == outbox);
    std::size_t events_after = 0;
    for (auto id : {w.unclaimed.id, w.claimed.id, w.finished.id, lease.id})
        events_after += w.events(id).size();
    CHECK(events_after == events);
}

namespace {

// More than the store returns per query (1000), and not a multiple of the sweep's page.
constexpr int many = 1234;

}  // namespace

TEST_CASE("the auto-close sweep closes every waiting case, more than the store lists at once",
          "[dialog]") {
    world w;
    const auto filed = at("2026-03-02T10:00:00+08:00");
    const auto done_at = filed + 3600;
    // Bulk: cases reported done, written straight through the store in one transaction.
    const auto fresh = w.tx([&](unit_of_work& u) {
        for (int i = 0; i < many; ++i) {
            auto c = u.open_case(
                draft(resident("oBulk" + std::to_string(i)), "complaint", "楼道灯坏了", filed));
            auto done = c;
            done.status = "done";
            done.updated_at = done_at;
            REQUIRE(u.update_case(done, c.status, c.updated_at));
        }
        // One more, done later: not due at the sweep below.
        auto c = u.open_case(draft(grandma, "complaint", "路灯坏了", filed));
        auto done = c;
        done.status = "done";
        done.updated_at = done_at + 86400;
        REQUIRE(u.update_case(done, c.status, c.updated_at));
        return done;
    });

    const auto now = done_at + 7 * 86400 + 1;
    CHECK(w.sweep(now).auto_closed == many);
    const auto left = w.tx([&](unit_of_work& u) {
        case_query q;
        q.statuses = {"done"};
        q.limit = 1000;
        return u.list_cases(q);
    });
    REQUIRE(left.size() == 1);
    CHECK(left[0].id == fresh.id);
    store::reader r(w.file.path());
    store::case_filter closed;
    closed.status = "closed";
    CHECK(r.count_cases(closed) == many);
    CHECK(r.count_outbox("pending") == many);  // each reporter is told
    CHECK(w.sweep(now).auto_closed == 0);
    CHECK(w.sweep(done_at + 8 * 86400 + 1).auto_closed == 1);
}

TEST_CASE("every open proposal past its voting time expires, more than the store lists at once",
          "[dialog]") {
    world w;
    const auto t = at("2026-03-02T10:00:00+08:00");
    const auto closes = t + 10 * 86400;
    const auto still_open = w.tx([&](unit_of_work& u) {
        for (int i = 0; i < many; ++i) {
            proposal_draft d;
            d.proposer = resident("oBulk" + std::to_string(i));
            d.community = "光明社区";
            d.title = "装路灯";
            d.threshold = 5;
            d.created_at = t;
            d.closes_at = closes;
            u.create_proposal(d);
        }
        // Newest of all, and still open for votes at the sweep below.
        proposal_draft d;
        d.proposer = grandma;
        d.community = "光明社区";
        d.title = "装长椅";
        d.threshold = 5;
        d.created_at = t;
        d.closes_at = closes + 86400;
        return u.create_proposal(d);
    });

    const auto report = w.sweep(closes);
    CHECK(report.proposals_expired == many);
    const auto open = w.tx([&](unit_of_work& u) { return u.open_proposals("", 1000); });
    REQUIRE(open.size() == 1);
    CHECK(open[0].id == still_open.id);
    // Each proposer is told.
    CHECK(store::reader(w.file.path()).count_outbox("pending") == many);
    CHECK(with_template(w.outbox(), "notify/proposal_expired").size() == 1000);  // one page
    CHECK(w.sweep(closes).proposals_expired == 0);
}
