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

// A lease long enough (20 days) that the wish held in progress stays held through the
// reminder and escalation tests; it runs out by April.
program_settings long_lease() {
    program_settings s;
    s.claim_lease_seconds = 20 * 86400;
    return s;
}

// Wishes filed Mon 2 March 10:00: due Mon 9 March 23:59:59 (3, 4, 5, 6, 9 March), reminder
// Fri 6 March 08:30.
struct sweep_world : world {
    sweep_world() : world(long_lease()) {
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

TEST_CASE("a wish left done is confirmed by the system only after the resident was told",
          "[dialog]") {
    sweep_world w;
    const auto done_at = w.get(w.finished.id).updated_at;
    const auto outbox_before = w.outbox(w.finished.id).size();
    // The notice is due 2 days before the 7 days are over: not yet.
    auto r = w.sweep(done_at + 5 * 86400);
    CHECK(r.confirm_notices == 0);
    CHECK(w.get(w.finished.id).confirm_notice_at == 0);
    CHECK(w.outbox(w.finished.id).size() == outbox_before);

    const auto told_at = done_at + 5 * 86400 + 1;
    r = w.sweep(told_at);
    CHECK(r.confirm_notices == 1);
    CHECK(r.auto_confirmed == 0);
    auto c = w.get(w.finished.id);
    CHECK(c.status == "done");
    CHECK(c.confirm_notice_at == told_at);
    CHECK(w.events(c.id).back().action == "confirm_notice");
    CHECK(w.events(c.id).back().actor == "system");
    const auto notice = with_template(w.outbox(c.id), "notify/case_confirm_notice");
    REQUIRE(notice.size() == 1);
    CHECK(notice[0].to == grandma);
    CHECK(notice[0].text.find(iso(told_at + 2 * 86400).substr(0, 10)) != std::string::npos);
    CHECK(notice[0].text.find("未解决 " + c.number) != std::string::npos);
    // Once only, and nobody confirmed at the same instant.
    r = w.sweep(told_at);
    CHECK(r.confirm_notices == 0);
    CHECK(r.auto_confirmed == 0);
    CHECK(with_template(w.outbox(c.id), "notify/case_confirm_notice").size() == 1);

    // Confirmed when the notice is 2 days old, crediting the claimer as the resident would.
    CHECK(w.sweep(told_at + 2 * 86400 - 1).auto_confirmed == 0);
    CHECK(w.balance("person:" + xiao_li.key()) == 0);
    r = w.sweep(told_at + 2 * 86400);
    CHECK(r.auto_confirmed == 1);
    CHECK(r.auto_closed == 0);
    c = w.get(w.finished.id);
    CHECK(c.status == "confirmed");
    CHECK(c.confirm_notice_at == 0);
    CHECK(w.events(c.id).back().action == "confirm");
    CHECK(w.events(c.id).back().actor == "system");
    CHECK(w.balance("person:" + xiao_li.key()) == 10);
    CHECK(sent_to(w.outbox(c.id), "notify/volunteer_points", xiao_li));
    CHECK(sent_to(w.outbox(c.id), "notify/case_auto_confirmed", grandma));
    CHECK(w.sweep(told_at + 2 * 86400).auto_confirmed == 0);
    CHECK(w.balance("person:" + xiao_li.key()) == 10);

    // Confirmed without a rating: closed by the system auto_close_days later.
    const auto confirmed_at = told_at + 2 * 86400;
    CHECK(w.sweep(confirmed_at + 7 * 86400).auto_closed == 0);
    CHECK(w.sweep(confirmed_at + 7 * 86400 + 1).auto_closed == 1);
    CHECK(w.get(c.id).status == "closed");
    CHECK(sent_to(w.outbox(c.id), "notify/case_auto_closed", grandma));
}

TEST_CASE("a case found done long after is told first and confirmed no earlier than it says",
          "[dialog]") {
    sweep_world w;
    const auto done_at = w.get(w.finished.id).updated_at;
    // The sweep was down for a month.
    const auto back = done_at + 30 * 86400;
    auto r = w.sweep(back);
    CHECK(r.confirm_notices == 1);
    CHECK(r.auto_confirmed == 0);
    CHECK(r.auto_closed == 0);
    CHECK(w.sweep(back + 2 * 86400 - 1).auto_confirmed == 0);
    CHECK(w.get(w.finished.id).status == "done");
    CHECK(w.sweep(back + 2 * 86400).auto_confirmed == 1);
}

TEST_CASE("a resident who answers after the notice is not confirmed by the system", "[dialog]") {
    sweep_world w;
    const auto done_at = w.get(w.finished.id).updated_at;
    const auto told_at = done_at + 6 * 86400;
    REQUIRE(w.sweep(told_at).confirm_notices == 1);
    // 未解决: reopened to the claimer; a later done starts a new wait with a new notice.
    REQUIRE(w.act(w.finished.id, action::not_solved, actor::of(grandma), told_at + 60).ok());
    CHECK(w.get(w.finished.id).confirm_notice_at == 0);
    CHECK(w.sweep(told_at + 3 * 86400).auto_confirmed == 0);
    REQUIRE(
        w.act(w.finished.id, action::report_done, actor::of(xiao_li), told_at + 3 * 86400).ok());
    const auto again = told_at + 3 * 86400;
    CHECK(w.sweep(again + 5 * 86400).confirm_notices == 0);
    CHECK(w.sweep(again + 5 * 86400 + 1).confirm_notices == 1);
    CHECK(with_template(w.outbox(w.finished.id), "notify/case_confirm_notice").size() == 2);
}

TEST_CASE("a hotline case left done, with nobody to ask, is closed after the waiting time",
          "[dialog]") {
    world w;
    const auto filed = at("2026-03-02T10:00:00+08:00");
    auto d = draft(resident("ignored"), "complaint", "路灯坏了", filed);
    d.from = channel::hotline;
    d.reporter_id = "13900139000";
    const auto c = w.open(d, filed);
    act_args to_worker;
    to_worker.assignee = "w-01";
    REQUIRE(w.act(c.id, action::assign, actor::op("admin"), filed + 30, to_worker).ok());
    REQUIRE(w.act(c.id, action::report_done, actor::op("admin"), filed + 60).ok());
    const auto done_at = filed + 60;
    auto r = w.sweep(done_at + 7 * 86400);
    CHECK(r.confirm_notices == 0);
    CHECK(r.auto_closed == 0);
    r = w.sweep(done_at + 7 * 86400 + 1);
    CHECK(r.confirm_notices == 0);
    CHECK(r.auto_confirmed == 0);
    CHECK(r.auto_closed == 1);
    const auto after = w.get(c.id);
    CHECK(after.status == "closed");
    CHECK(after.closed_at == done_at + 7 * 86400 + 1);
    CHECK(w.events(c.id).back().action == "close");
    CHECK(w.events(c.id).back().actor == "system");
    CHECK(with_template(w.outbox(c.id), "notify/case_done_closes").size() == 1);
    CHECK(with_template(w.outbox(c.id), "notify/case_auto_closed").size() == 1);
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
    CHECK(first.leases_expired == 2);  // the claimed one, and the one held in progress
    CHECK(first.reminders == 3);       // the wishes back on the wall are due too
    CHECK(first.escalations == 3);
    CHECK(first.confirm_notices == 1);  // the finished wish: its resident is asked first
    CHECK(first.auto_closed == 0);
    CHECK(first.proposals_expired == 1);
    const auto outbox = w.outbox().size();
    std::size_t events = 0;
    for (auto id : {w.unclaimed.id, w.claimed.id, w.finished.id, lease.id})
        events += w.events(id).size();

    const auto second = w.sweep(now);
    CHECK(second.leases_expired == 0);
    CHECK(second.reminders == 0);
    CHECK(second.escalations == 0);
    CHECK(second.confirm_notices == 0);
    CHECK(second.auto_confirmed == 0);
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
    // Bulk: cases confirmed without a rating, written straight through the store in one
    // transaction.
    const auto fresh = w.tx([&](unit_of_work& u) {
        for (int i = 0; i < many; ++i) {
            auto c = u.open_case(
                draft(resident("oBulk" + std::to_string(i)), "complaint", "楼道灯坏了", filed));
            auto done = c;
            done.status = "confirmed";
            done.updated_at = done_at;
            REQUIRE(u.update_case(done, c.status, c.updated_at));
        }
        // One more, done later: not due at the sweep below.
        auto c = u.open_case(draft(grandma, "complaint", "路灯坏了", filed));
        auto done = c;
        done.status = "confirmed";
        done.updated_at = done_at + 86400;
        REQUIRE(u.update_case(done, c.status, c.updated_at));
        return done;
    });

    const auto now = done_at + 7 * 86400 + 1;
    CHECK(w.sweep(now).auto_closed == many);
    const auto left = w.tx([&](unit_of_work& u) {
        case_query q;
        q.statuses = {"confirmed"};
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
