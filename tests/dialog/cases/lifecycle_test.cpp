#include "dialog/cases/lifecycle.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <tuple>
#include <vector>

using namespace minsheng::dialog::cases;
using namespace minsheng::dialog;

namespace {

const std::vector<action> every_action = {
    action::accept, action::assign,      action::claim,   action::release, action::lease_expired,
    action::start,  action::report_done, action::confirm, action::rate,    action::not_solved,
    action::reopen, action::close,       action::cancel,  action::merge,
};
const std::vector<role> every_role = {role::reporter, role::volunteer, role::handler,
                                      role::operator_, role::system};

// The lifecycle as docs and lifecycle.hpp draw it, written out by hand: (from, action, who) →
// to, with "reopened" resolved for has_handler = true (in_progress) and false (accepted).
struct allowed {
    std::string from;
    action a;
    role who;
    std::string to_with_handler;
    std::string to_without_handler;
};

std::vector<allowed> expected_table() {
    std::vector<allowed> t;
    const auto add = [&](std::vector<std::string> froms, action a, std::vector<role> roles,
                         std::string to, std::string to_alone = "") {
        for (const auto& f : froms)
            for (role r : roles) t.push_back({f, a, r, to, to_alone.empty() ? to : to_alone});
    };
    add({"received"}, action::accept, {role::operator_, role::system}, "accepted");
    add({"received", "accepted", "assigned"}, action::assign, {role::operator_}, "assigned");
    add({"accepted"}, action::claim, {role::volunteer}, "claimed");
    add({"claimed"}, action::release, {role::volunteer, role::handler, role::operator_},
        "accepted");
    add({"claimed", "in_progress"}, action::lease_expired, {role::system}, "accepted");
    add({"assigned", "claimed"}, action::start, {role::volunteer, role::handler, role::operator_},
        "in_progress");
    add({"assigned", "claimed", "in_progress"}, action::report_done,
        {role::volunteer, role::handler, role::operator_}, "done");
    add({"done"}, action::confirm, {role::reporter, role::operator_, role::system}, "confirmed");
    add({"done", "confirmed"}, action::rate, {role::reporter}, "closed");
    add({"done", "confirmed"}, action::not_solved, {role::reporter}, "in_progress", "accepted");
    add({"done", "confirmed", "closed"}, action::reopen, {role::operator_}, "in_progress",
        "accepted");
    add({"done", "confirmed"}, action::close, {role::operator_, role::system}, "closed");
    add({"received", "accepted", "assigned", "claimed", "in_progress"}, action::cancel,
        {role::reporter, role::operator_}, "cancelled");
    add({"received", "accepted", "assigned", "claimed", "in_progress", "done", "confirmed"},
        action::merge, {role::operator_}, "merged");
    return t;
}

std::string show(std::optional<std::string_view> s) {
    return s ? std::string(*s) : std::string("(not allowed)");
}

}  // namespace

TEST_CASE("every transition the lifecycle draws is allowed and leads where it should", "[dialog]") {
    for (const auto& e : expected_table()) {
        INFO(e.from << " --" << to_string(e.a) << "--> by role " << static_cast<int>(e.who));
        CHECK(show(next_status(e.from, e.a, e.who, true)) == e.to_with_handler);
        CHECK(show(next_status(e.from, e.a, e.who, false)) == e.to_without_handler);
    }
}

TEST_CASE("nothing outside the drawn lifecycle is allowed", "[dialog]") {
    std::set<std::tuple<std::string, action, role>> drawn;
    for (const auto& e : expected_table()) drawn.insert({e.from, e.a, e.who});
    int forbidden = 0;
    for (auto from : all_statuses())
        for (action a : every_action)
            for (role r : every_role) {
                if (drawn.count({std::string(from), a, r})) continue;
                INFO(from << " --" << to_string(a) << "--> by role " << static_cast<int>(r));
                CHECK_FALSE(next_status(from, a, r, true));
                CHECK_FALSE(next_status(from, a, r, false));
                ++forbidden;
            }
    CHECK(forbidden == 10 * 14 * 5 - static_cast<int>(drawn.size()));
}

TEST_CASE("a sample of forbidden moves is refused, by status and by role", "[dialog]") {
    // Wrong status.
    CHECK_FALSE(next_status("accepted", action::accept, role::operator_, false));
    CHECK_FALSE(next_status("received", action::claim, role::volunteer, false));
    CHECK_FALSE(next_status("in_progress", action::confirm, role::reporter, true));
    CHECK_FALSE(next_status("done", action::cancel, role::reporter, true));
    CHECK_FALSE(next_status("closed", action::merge, role::operator_, true));
    CHECK_FALSE(next_status("cancelled", action::reopen, role::operator_, true));
    CHECK_FALSE(next_status("merged", action::cancel, role::operator_, true));
    CHECK_FALSE(next_status("in_progress", action::not_solved, role::reporter, true));
    CHECK_FALSE(next_status("closed", action::rate, role::reporter, true));
    // Wrong role.
    CHECK_FALSE(next_status("accepted", action::claim, role::operator_, false));
    CHECK_FALSE(next_status("accepted", action::claim, role::reporter, false));
    CHECK_FALSE(next_status("done", action::confirm, role::handler, true));
    CHECK_FALSE(next_status("done", action::rate, role::operator_, true));
    CHECK_FALSE(next_status("done", action::reopen, role::reporter, true));
    CHECK_FALSE(next_status("done", action::close, role::reporter, true));
    CHECK_FALSE(next_status("claimed", action::lease_expired, role::operator_, true));
    CHECK_FALSE(next_status("received", action::accept, role::volunteer, false));
    CHECK_FALSE(next_status("received", action::assign, role::system, false));
    CHECK_FALSE(next_status("in_progress", action::cancel, role::handler, true));
    CHECK_FALSE(next_status("in_progress", action::merge, role::reporter, true));
    // Unknown statuses lead nowhere.
    CHECK_FALSE(next_status("bogus", action::accept, role::operator_, false));
    CHECK_FALSE(next_status("", action::cancel, role::operator_, false));
}

TEST_CASE("reopening goes back to the handler, or to the wall when nobody handles it", "[dialog]") {
    CHECK(show(next_status("done", action::not_solved, role::reporter, true)) == "in_progress");
    CHECK(show(next_status("done", action::not_solved, role::reporter, false)) == "accepted");
    CHECK(show(next_status("closed", action::reopen, role::operator_, true)) == "in_progress");
    CHECK(show(next_status("closed", action::reopen, role::operator_, false)) == "accepted");
}

TEST_CASE("action names round-trip and unknown names are refused", "[dialog]") {
    std::set<std::string> names;
    for (action a : every_action) {
        const auto name = to_string(a);
        names.insert(std::string(name));
        REQUIRE(action_from_string(name));
        CHECK(*action_from_string(name) == a);
    }
    CHECK(names.size() == every_action.size());
    CHECK(to_string(action::report_done) == "report_done");
    CHECK(to_string(action::lease_expired) == "lease_expired");
    CHECK_FALSE(action_from_string("Accept"));
    CHECK_FALSE(action_from_string(""));
    CHECK_FALSE(action_from_string("opened"));
}

TEST_CASE("open and terminal statuses split the status list", "[dialog]") {
    CHECK(all_statuses().size() == 10);
    CHECK(all_statuses().front() == "received");
    for (auto s : all_statuses()) CHECK(is_open(s) != is_terminal(s));
    CHECK(is_terminal("closed"));
    CHECK(is_terminal("cancelled"));
    CHECK(is_terminal("merged"));
    CHECK(is_open("done"));
    CHECK(is_open("confirmed"));
    CHECK(is_open("received"));
    CHECK_FALSE(is_open("bogus"));
}
