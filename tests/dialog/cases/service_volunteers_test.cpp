// Vetted volunteers and least contact (docs/security.md): applications a worker decides within
// their communities, claims only by approved volunteers, and the resident's contact only for the
// volunteer holding the claim, each reveal an audit line.
#include "dialog/cases/service.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/dialog/cases/service_test_support.hpp"

using namespace minsheng::dialog;
using namespace minsheng::dialog::cases;
using namespace minsheng::dialog::cases::testing;

namespace {

const person_ref grandma = resident("oGrandma");
const person_ref stranger = resident("oStranger");  // applies, never vetted
const person_ref xiao_li = resident("oXiaoLi");
const std::int64_t t0 = 1772416800;  // Mon 2026-03-02 10:00 China time

volunteer_decider worker_of(const std::string& community) {
    volunteer_decider d;
    d.actor = "operator:w-" + community;
    d.communities = {community};
    return d;
}

struct vetting_world : world {
    vetting_world() : world(settings()) {}
    static program_settings settings() {
        program_settings s;
        s.communities = {"光明社区", "幸福社区"};
        s.streets = {{"光明社区", "东城街道"}, {"幸福社区", "西城街道"}};
        return s;
    }
    person apply(const person_ref& who, const std::string& community = "光明社区",
                 std::int64_t t = t0) {
        return tx([&](unit_of_work& u) {
            return service.register_volunteer(u, who, "小陈", community, "买菜", t);
        });
    }
    volunteer_result decide(std::int64_t number, bool approve, const volunteer_decider& by,
                            std::int64_t t = t0 + 60) {
        return tx(
            [&](unit_of_work& u) { return service.decide_volunteer(u, number, approve, by, t); });
    }
    person person_of(const person_ref& who) {
        return tx([&](unit_of_work& u) { return u.get_person(who).value(); });
    }
    case_record wish(std::int64_t t = t0) {
        auto d = draft(grandma, "wish", "想请人帮忙买菜，电话13812345678", t);
        d.contact_phone = "13812345678";
        return open(d, t);
    }
    std::optional<wish_contact> reveal(const case_record& c, const person_ref& who,
                                       std::int64_t t) {
        return tx([&](unit_of_work& u) {
            return service.reveal_contact(u, u.get_case(c.id).value(), who, "test", t);
        });
    }
};

std::size_t count_action(const std::vector<case_event>& events, const std::string& action) {
    std::size_t n = 0;
    for (const auto& e : events) n += e.action == action ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("registering is an application: no volunteer until approved, workers told", "[dialog]") {
    vetting_world w;
    const auto p = w.apply(stranger);
    CHECK(p.volunteer_status == "applied");
    CHECK_FALSE(p.volunteer);
    CHECK(p.volunteer_number == 1);
    const auto notices = with_template(w.outbox(), "notify/worker_volunteer_applied");
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].audience == "worker");
    CHECK(notices[0].community == "光明社区");
    CHECK(notices[0].text.find("ZY1") != std::string::npos);
    // Applying again changes nothing of the status and tells nobody again.
    CHECK(w.apply(stranger, "光明社区", t0 + 10).volunteer_status == "applied");
    CHECK(with_template(w.outbox(), "notify/worker_volunteer_applied").size() == 1);
}

TEST_CASE("an applicant cannot claim a wish: refused, nothing stored, no contact", "[dialog]") {
    vetting_world w;
    w.apply(stranger);
    const auto c = w.wish();
    const auto events_before = w.events(c.id).size();
    const auto r = w.act(c.id, action::claim, actor::of(stranger), t0 + 60);
    CHECK(r.why == refusal::not_volunteer);
    CHECK(w.get(c.id).status == "accepted");
    CHECK(w.get(c.id).claimer.empty());
    CHECK(w.events(c.id).size() == events_before);
    CHECK_FALSE(w.reveal(c, stranger, t0 + 61));
    CHECK(w.events(c.id).size() == events_before);
    // Nor check in at a station.
    const auto visit = w.tx(
        [&](unit_of_work& u) { return w.service.check_in(u, stranger, "dc-01", "", {}, t0 + 70); });
    CHECK(visit.why == refusal::not_volunteer);
}

TEST_CASE("a worker decides only for their community, a supervisor for their street, an admin all",
          "[dialog]") {
    vetting_world w;
    const auto a = w.apply(stranger, "光明社区");
    const auto b = w.apply(xiao_li, "幸福社区");

    // Another community's worker: refused, nothing stored, nobody told.
    auto r = w.decide(a.volunteer_number, true, worker_of("幸福社区"));
    CHECK(r.why == refusal::not_allowed);
    CHECK(w.person_of(stranger).volunteer_status == "applied");
    CHECK(with_template(w.outbox(), "notify/volunteer_approved").empty());
    // Another street's supervisor: refused as well.
    bound_staff west{"s-west", "西城督导", "supervisor", "", "西城街道"};
    CHECK(w.decide(a.volunteer_number, true, w.service.decider_of(west)).why ==
          refusal::not_allowed);
    CHECK(w.decide(b.volunteer_number, false, w.service.decider_of(west)).ok());
    // Their own worker approves; the applicant is told; the decision is recorded.
    r = w.decide(a.volunteer_number, true, worker_of("光明社区"), t0 + 120);
    REQUIRE(r.ok());
    const auto p = w.person_of(stranger);
    CHECK(p.volunteer);
    CHECK(p.volunteer_status == "approved");
    CHECK(p.volunteer_decided_by == "operator:w-光明社区");
    CHECK(p.volunteer_decided_at == t0 + 120);
    CHECK(sent_to(w.outbox(), "notify/volunteer_approved", stranger));
    CHECK(sent_to(w.outbox(), "notify/volunteer_refused", xiao_li));
    // Deciding the same again is refused; an unknown number is not found.
    CHECK(w.decide(a.volunteer_number, true, worker_of("光明社区")).why == refusal::wrong_status);
    CHECK(w.decide(99, true, worker_of("光明社区")).why == refusal::not_found);
    // A refused applicant who applies again stays refused.
    CHECK(w.apply(xiao_li, "幸福社区", t0 + 200).volunteer_status == "refused");
}

TEST_CASE("the contact is shown only to the volunteer holding the claim, each time audited",
          "[dialog]") {
    vetting_world w;
    w.decide(w.apply(xiao_li).volunteer_number, true, worker_of("光明社区"));
    const auto c = w.wish();
    CHECK_FALSE(w.reveal(c, xiao_li, t0 + 30));  // not claimed yet
    REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0 + 60).ok());
    auto shown = w.reveal(c, xiao_li, t0 + 61);
    REQUIRE(shown);
    CHECK(shown->phone == "13812345678");
    CHECK(shown->address == "东城街道光明社区5栋");
    CHECK_FALSE(w.reveal(c, grandma, t0 + 62));  // not the claimer
    auto events = w.events(c.id);
    CHECK(count_action(events, "contact_shown") == 1);
    CHECK(events.back().actor == xiao_li.key());
    CHECK(events.back().to_status.empty());  // no status change: not in public histories
    // In progress, still theirs; reported done, no longer.
    REQUIRE(w.act(c.id, action::start, actor::of(xiao_li), t0 + 120).ok());
    CHECK(w.reveal(c, xiao_li, t0 + 121));
    REQUIRE(w.act(c.id, action::report_done, actor::of(xiao_li), t0 + 180).ok());
    CHECK_FALSE(w.reveal(c, xiao_li, t0 + 181));
    CHECK(count_action(w.events(c.id), "contact_shown") == 2);
    // Released: never again.
    const auto other = w.wish(t0 + 200);
    REQUIRE(w.act(other.id, action::claim, actor::of(xiao_li), t0 + 210).ok());
    CHECK(w.reveal(other, xiao_li, t0 + 211));
    REQUIRE(w.act(other.id, action::release, actor::of(xiao_li), t0 + 220).ok());
    CHECK_FALSE(w.reveal(other, xiao_li, t0 + 221));
}
