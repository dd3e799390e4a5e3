// Claims that cannot be hoarded (docs/security.md, "vetted volunteers"): at most
// max_active_claims wishes held at a time, claim–release cycles rate-limited, and the lease
// covering in_progress as well as claimed.
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
const person_ref xiao_li = resident("oXiaoLi");      // a volunteer
const person_ref xiao_wang = resident("oXiaoWang");  // another volunteer
const std::int64_t t0 = 1772416800;                  // Mon 2026-03-02 10:00 China time
constexpr std::int64_t hour = 3600;

struct claims_world : world {
    explicit claims_world(program_settings s = {}) : world(std::move(s)) {
        volunteer(xiao_li);
        volunteer(xiao_wang);
    }
    case_record wish(int n, std::int64_t t = t0) {
        return open(draft(grandma, "wish", "想请人帮忙买菜 " + std::to_string(n), t), t);
    }
    std::size_t events_total(const std::vector<case_record>& cases) {
        std::size_t n = 0;
        for (const auto& c : cases) n += events(c.id).size();
        return n;
    }
};

}  // namespace

TEST_CASE("a volunteer holding the most wishes allowed cannot claim another", "[dialog]") {
    claims_world w;
    std::vector<case_record> wishes;
    for (int i = 0; i < 5; ++i) wishes.push_back(w.wish(i));
    // Three held: two claimed, one in progress.
    for (int i = 0; i < 3; ++i)
        REQUIRE(w.act(wishes[i].id, action::claim, actor::of(xiao_li), t0 + i).ok());
    REQUIRE(w.act(wishes[2].id, action::start, actor::of(xiao_li), t0 + 10).ok());

    const auto events_before = w.events_total(wishes);
    const auto outbox_before = w.outbox().size();
    const auto r = w.act(wishes[3].id, action::claim, actor::of(xiao_li), t0 + 20);
    CHECK(r.why == refusal::claim_limit);
    CHECK(r.held == std::vector<std::string>{wishes[0].number, wishes[1].number, wishes[2].number});
    // Nothing written.
    CHECK(w.get(wishes[3].id).status == "accepted");
    CHECK(w.get(wishes[3].id).claimer.empty());
    CHECK(w.events_total(wishes) == events_before);
    CHECK(w.outbox().size() == outbox_before);
    // Another volunteer still may.
    CHECK(w.act(wishes[3].id, action::claim, actor::of(xiao_wang), t0 + 30).ok());

    // A wish reported done is no longer held: one more claim fits.
    REQUIRE(w.act(wishes[0].id, action::report_done, actor::of(xiao_li), t0 + 40).ok());
    CHECK(w.act(wishes[4].id, action::claim, actor::of(xiao_li), t0 + 50).ok());
}

TEST_CASE("the claim limit follows the settings; 0 means none", "[dialog]") {
    program_settings one;
    one.max_active_claims = 1;
    claims_world w(one);
    const auto a = w.wish(1), b = w.wish(2);
    REQUIRE(w.act(a.id, action::claim, actor::of(xiao_li), t0).ok());
    CHECK(w.act(b.id, action::claim, actor::of(xiao_li), t0 + 1).why == refusal::claim_limit);

    program_settings none;
    none.max_active_claims = 0;
    claims_world u(none);
    for (int i = 0; i < 5; ++i)
        CHECK(u.act(u.wish(i).id, action::claim, actor::of(xiao_li), t0 + i).ok());
}

TEST_CASE("a volunteer who dropped three claims within a day waits until the oldest is a day old",
          "[dialog]") {
    claims_world w;
    const auto a = w.wish(1), b = w.wish(2), c = w.wish(3), d = w.wish(4);
    // Claim and release a, claim and release b, then c's lease runs out.
    REQUIRE(w.act(a.id, action::claim, actor::of(xiao_li), t0).ok());
    REQUIRE(w.act(a.id, action::release, actor::of(xiao_li), t0 + hour).ok());
    REQUIRE(w.act(b.id, action::claim, actor::of(xiao_li), t0 + 2 * hour).ok());
    REQUIRE(w.act(b.id, action::release, actor::of(xiao_li), t0 + 3 * hour).ok());
    REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0 - 70 * hour).ok());
    REQUIRE(w.sweep(t0 + 4 * hour).leases_expired == 1);  // expired at t0 + 2h, swept at t0 + 4h

    const auto outbox_before = w.outbox().size();
    auto r = w.act(d.id, action::claim, actor::of(xiao_li), t0 + 5 * hour);
    CHECK(r.why == refusal::claim_cooldown);
    CHECK(r.retry_at == t0 + hour + 24 * hour);  // when a's release leaves the window
    CHECK(w.get(d.id).status == "accepted");
    CHECK(w.outbox().size() == outbox_before);
    // One second before, still refused; at retry_at, allowed.
    CHECK(w.act(d.id, action::claim, actor::of(xiao_li), r.retry_at - 1).why ==
          refusal::claim_cooldown);
    CHECK(w.act(d.id, action::claim, actor::of(xiao_li), r.retry_at).ok());
}

TEST_CASE("claims released by an operator or ended by completion do not count as dropped",
          "[dialog]") {
    claims_world w;
    const auto a = w.wish(1), b = w.wish(2), c = w.wish(3), d = w.wish(4);
    REQUIRE(w.act(a.id, action::claim, actor::of(xiao_li), t0).ok());
    REQUIRE(w.act(a.id, action::release, actor::op("admin"), t0 + 1).ok());
    REQUIRE(w.act(b.id, action::claim, actor::of(xiao_li), t0 + 2).ok());
    REQUIRE(w.act(b.id, action::report_done, actor::of(xiao_li), t0 + 3).ok());
    REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0 + 4).ok());
    REQUIRE(w.act(c.id, action::release, actor::of(xiao_li), t0 + 5).ok());
    // Another volunteer's releases of the same wish are theirs, not xiao_li's.
    REQUIRE(w.act(c.id, action::claim, actor::of(xiao_wang), t0 + 6).ok());
    REQUIRE(w.act(c.id, action::release, actor::of(xiao_wang), t0 + 7).ok());
    REQUIRE(w.act(a.id, action::claim, actor::of(xiao_wang), t0 + 8).ok());
    REQUIRE(w.act(a.id, action::release, actor::of(xiao_wang), t0 + 9).ok());
    CHECK(w.act(d.id, action::claim, actor::of(xiao_li), t0 + 10).ok());
    const auto dropped = w.tx([&](unit_of_work& u) { return u.dropped_claims(xiao_li.key(), 0); });
    CHECK(dropped == std::vector<std::int64_t>{t0 + 5});
}

TEST_CASE("a wish held in progress goes back to the wall when its lease runs out", "[dialog]") {
    claims_world w;
    const auto c = w.wish(1);
    REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0).ok());
    const auto started = w.act(c.id, action::start, actor::of(xiao_li), t0 + hour);
    REQUIRE(started.ok());
    REQUIRE(started.after.claim_expires_at == t0 + hour + 72 * hour);

    CHECK(w.sweep(t0 + 73 * hour - 1).leases_expired == 0);
    CHECK(w.get(c.id).status == "in_progress");
    CHECK(w.sweep(t0 + 73 * hour).leases_expired == 1);
    const auto after = w.get(c.id);
    CHECK(after.status == "accepted");
    CHECK(after.claimer.empty());
    CHECK(after.claim_expires_at == 0);
    CHECK(w.events(c.id).back().action == "lease_expired");
    CHECK(w.events(c.id).back().from_status == "in_progress");
    // The volunteer and the resident hear it as from claimed.
    CHECK(sent_to(w.outbox(c.id), "notify/volunteer_lease_expired", xiao_li));
    CHECK(sent_to(w.outbox(c.id), "notify/wish_back_on_wall", grandma));
    // Idempotent.
    CHECK(w.sweep(t0 + 73 * hour).leases_expired == 0);
}

TEST_CASE("a wish reopened to its claimer gets a fresh lease", "[dialog]") {
    claims_world w;
    const auto c = w.wish(1);
    REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0).ok());
    REQUIRE(w.act(c.id, action::report_done, actor::of(xiao_li), t0 + hour).ok());
    const auto reopened = w.act(c.id, action::not_solved, actor::of(grandma), t0 + 2 * hour);
    REQUIRE(reopened.ok());
    CHECK(reopened.after.status == "in_progress");
    CHECK(reopened.after.claimer == xiao_li.key());
    CHECK(reopened.after.claim_expires_at == t0 + 2 * hour + 72 * hour);
}
