#include "dialog/cases/service.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tests/dialog/cases/service_test_support.hpp"

using namespace minsheng::dialog;
using namespace minsheng::dialog::cases;
using namespace minsheng::dialog;
using namespace minsheng::dialog::cases::testing;

namespace {

const person_ref grandma = resident("oGrandma");
const person_ref xiao_li = resident("oXiaoLi");
const person_ref xiao_wang = resident("oXiaoWang");
const std::int64_t t0 = 1772416800;  // Mon 2026-03-02 10:00 China time

// The real store's unit of work, with another writer slipping in: just before the service's
// first update_case, `interleave` runs against the same store (as a second process would have
// committed between the service's read and its write).
class interleaved final : public unit_of_work {
public:
    interleaved(unit_of_work& inner, std::function<void(unit_of_work&)> interleave)
        : in_(inner), interleave_(std::move(interleave)) {}

    bool update_case(const case_record& u, std::string_view s, std::int64_t t) override {
        if (interleave_) std::exchange(interleave_, nullptr)(in_);
        return in_.update_case(u, s, t);
    }

    case_record open_case(const case_draft& d) override { return in_.open_case(d); }
    std::vector<case_record> cases_of(channel f, const std::string& r, std::size_t n) override {
        return in_.cases_of(f, r, n);
    }
    std::optional<case_record> get_case(std::int64_t id) override { return in_.get_case(id); }
    staff_binding bind_staff(std::string_view c, const person_ref& w, std::int64_t t) override {
        return in_.bind_staff(c, w, t);
    }
    std::optional<case_record> find_case(std::string_view n) override { return in_.find_case(n); }
    bool add_follower(const case_follower& f) override { return in_.add_follower(f); }
    std::vector<case_follower> followers_of(std::int64_t id) override {
        return in_.followers_of(id);
    }
    bool leave_case(std::int64_t id, const person_ref& w, std::int64_t t) override {
        return in_.leave_case(id, w, t);
    }
    bool rate_followed(std::int64_t id, const person_ref& w, int r) override {
        return in_.rate_followed(id, w, r);
    }
    std::vector<case_follower> followed_by(const person_ref& w, std::size_t n) override {
        return in_.followed_by(w, n);
    }
    std::vector<case_record> duplicate_candidates(const duplicate_candidates_query& q) override {
        return in_.duplicate_candidates(q);
    }

    std::vector<case_record> list_cases(const case_query& q) override { return in_.list_cases(q); }
    std::int64_t add_event(const case_event& e) override { return in_.add_event(e); }
    std::vector<case_event> events_of(std::int64_t id) override { return in_.events_of(id); }
    std::int64_t count_events_by(std::string_view a, std::string_view what,
                                 std::int64_t since) override {
        return in_.count_events_by(a, what, since);
    }
    std::int64_t count_held_claims(std::string_view c) override { return in_.count_held_claims(c); }
    std::vector<std::int64_t> dropped_claims(std::string_view c, std::int64_t since) override {
        return in_.dropped_claims(c, since);
    }
    std::int64_t next_volunteer_number() override { return in_.next_volunteer_number(); }
    std::optional<person> find_volunteer(std::int64_t n) override { return in_.find_volunteer(n); }
    std::vector<person> list_volunteers(std::string_view s, const std::vector<std::string>& c,
                                        std::size_t n) override {
        return in_.list_volunteers(s, c, n);
    }
    std::int64_t next_community_move() override { return in_.next_community_move(); }
    std::optional<person> find_community_move(std::int64_t n) override {
        return in_.find_community_move(n);
    }
    std::optional<bound_staff> staff_of(const person_ref& w) override { return in_.staff_of(w); }
    std::optional<person> get_person(const person_ref& w) override { return in_.get_person(w); }
    void save_person(const person& p) override { in_.save_person(p); }
    std::optional<person> find_person_by_phone(std::string_view p) override {
        return in_.find_person_by_phone(p);
    }
    std::int64_t add_phone_code(const phone_code& c) override { return in_.add_phone_code(c); }
    std::optional<phone_code> latest_phone_code(const person_ref& w) override {
        return in_.latest_phone_code(w);
    }
    void update_phone_code(const phone_code& c) override { in_.update_phone_code(c); }
    std::int64_t count_phone_codes_to(std::string_view p, std::int64_t since) override {
        return in_.count_phone_codes_to(p, since);
    }
    std::int64_t count_phone_codes_for(const person_ref& w, std::int64_t since) override {
        return in_.count_phone_codes_for(w, since);
    }
    bool post(const ledger_posting& p) override { return in_.post(p); }
    std::int64_t balance(std::string_view a) override { return in_.balance(a); }
    std::vector<ranking_row> ranking(std::string_view c, std::int64_t s, std::int64_t u,
                                     std::size_t n) override {
        return in_.ranking(c, s, u, n);
    }
    std::optional<service_visit> open_visit(const person_ref& w) override {
        return in_.open_visit(w);
    }
    service_visit start_visit(const service_visit& v) override { return in_.start_visit(v); }
    bool finish_visit(const service_visit& closed) override { return in_.finish_visit(closed); }
    std::vector<service_visit> visits_of(const person_ref& w, std::size_t n) override {
        return in_.visits_of(w, n);
    }
    std::int64_t credited_minutes(const person_ref& w, std::int64_t since,
                                  std::int64_t until) override {
        return in_.credited_minutes(w, since, until);
    }
    proposal create_proposal(const proposal_draft& d) override { return in_.create_proposal(d); }
    std::optional<proposal> get_proposal(std::int64_t id) override { return in_.get_proposal(id); }
    std::optional<proposal> find_proposal(std::string_view n) override {
        return in_.find_proposal(n);
    }
    std::vector<proposal> open_proposals(std::string_view c, std::size_t n) override {
        return in_.open_proposals(c, n);
    }
    std::vector<proposal> proposals_to_expire(std::int64_t at, std::int64_t after,
                                              std::size_t n) override {
        return in_.proposals_to_expire(at, after, n);
    }
    std::int64_t count_proposals(const person_ref& w, std::int64_t since) override {
        return in_.count_proposals(w, since);
    }
    bool update_proposal(const proposal& p, std::string_view s) override {
        return in_.update_proposal(p, s);
    }
    bool add_vote(std::int64_t id, const person_ref& v, const std::vector<std::string>& keys,
                  std::int64_t t) override {
        return in_.add_vote(id, v, keys, t);
    }
    std::vector<person_ref> voters(std::int64_t id) override { return in_.voters(id); }
    bool enqueue(const notification& n) override { return in_.enqueue(n); }
    std::string load_state(channel f, const std::string& u) override {
        return in_.load_state(f, u);
    }
    void save_state(channel f, const std::string& u, const std::string& s) override {
        in_.save_state(f, u, s);
    }

private:
    unit_of_work& in_;
    std::function<void(unit_of_work&)> interleave_;
};

}  // namespace

TEST_CASE("a claim that loses the race to another writer is refused, not thrown", "[dialog]") {
    world w;
    w.volunteer(xiao_li);
    w.volunteer(xiao_wang);
    const auto c = w.open(draft(grandma, "wish", "想请人上门理发", t0), t0);

    const auto r = w.tx([&](unit_of_work& real) {
        interleaved racing(real, [&](unit_of_work& u) {
            // Xiao Wang's claim commits first.
            REQUIRE(w.service.act(u, c.id, action::claim, actor::of(xiao_wang), {}, t0 + 1).ok());
        });
        return w.service.act(racing, c.id, action::claim, actor::of(xiao_li), {}, t0 + 2);
    });
    CHECK(r.why == refusal::wrong_status);
    CHECK_FALSE(r.detail.empty());
    CHECK(r.after.claimer == xiao_wang.key());  // what is stored now

    const auto stored = w.get(c.id);
    CHECK(stored.claimer == xiao_wang.key());
    const auto ev = w.events(c.id);
    REQUIRE(ev.size() == 3);
    CHECK(ev.back().actor == xiao_wang.key());
    CHECK(with_template(w.outbox(c.id), "notify/wish_claimed").size() == 1);
}

TEST_CASE("a retried operation never sends the same notification twice", "[dialog]") {
    world w;
    w.volunteer(xiao_li);
    const auto c = w.open(draft(grandma, "wish", "想请人上门理发", t0), t0);
    REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0).ok());
    const auto sent = w.outbox(c.id);
    const auto claimed = with_template(sent, "notify/wish_claimed");
    REQUIRE(claimed.size() == 1);
    // The same notification enqueued again (a retried transaction) is kept once.
    const bool again = w.tx([&](unit_of_work& u) { return u.enqueue(claimed[0]); });
    CHECK_FALSE(again);
    CHECK(w.outbox(c.id).size() == sent.size());
    // Keys differ per event: claim, release and claim again in the same second all go out.
    REQUIRE(w.act(c.id, action::release, actor::of(xiao_li), t0).ok());
    REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0).ok());
    CHECK(with_template(w.outbox(c.id), "notify/wish_claimed").size() == 2);
}
