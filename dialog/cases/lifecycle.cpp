#include "dialog/cases/lifecycle.hpp"

#include <algorithm>
#include <array>

namespace minsheng::dialog::cases {
namespace {

// "reopened": resolved by next_status() to in_progress or accepted.
constexpr std::string_view reopened = "reopened";

struct transition {
    action a;
    std::vector<std::string_view> from;
    std::string_view to;
    std::vector<role> by;
};

// The whole lifecycle. A claimer acts as `handler` (or as `volunteer`, which the service passes
// for release/start/report_done only when the volunteer is the claimer).
const std::array<transition, 14>& table() {
    using namespace status;
    static const std::array<transition, 14> t = {{
        {action::accept, {received}, accepted, {role::operator_, role::system}},
        {action::assign, {received, accepted, assigned}, assigned, {role::operator_}},
        {action::claim, {accepted}, claimed, {role::volunteer}},
        {action::release, {claimed}, accepted, {role::volunteer, role::handler, role::operator_}},
        {action::lease_expired, {claimed, in_progress}, accepted, {role::system}},
        {action::start,
         {assigned, claimed},
         in_progress,
         {role::volunteer, role::handler, role::operator_}},
        {action::report_done,
         {assigned, claimed, in_progress},
         done,
         {role::volunteer, role::handler, role::operator_}},
        {action::confirm, {done}, confirmed, {role::reporter, role::operator_, role::system}},
        {action::rate, {done, confirmed}, closed, {role::reporter}},
        {action::not_solved, {done, confirmed}, reopened, {role::reporter}},
        {action::reopen, {done, confirmed, closed}, reopened, {role::operator_}},
        {action::close, {done, confirmed}, closed, {role::operator_, role::system}},
        {action::cancel,
         {received, accepted, assigned, claimed, in_progress},
         cancelled,
         {role::reporter, role::operator_}},
        {action::merge,
         {received, accepted, assigned, claimed, in_progress, done, confirmed},
         merged,
         {role::operator_}},
    }};
    return t;
}

struct action_name {
    action a;
    std::string_view name;
};

constexpr std::array<action_name, 14> action_names = {{
    {action::accept, "accept"},
    {action::assign, "assign"},
    {action::claim, "claim"},
    {action::release, "release"},
    {action::lease_expired, "lease_expired"},
    {action::start, "start"},
    {action::report_done, "report_done"},
    {action::confirm, "confirm"},
    {action::rate, "rate"},
    {action::not_solved, "not_solved"},
    {action::reopen, "reopen"},
    {action::close, "close"},
    {action::cancel, "cancel"},
    {action::merge, "merge"},
}};

}  // namespace

const std::vector<std::string_view>& all_statuses() {
    static const std::vector<std::string_view> all = {
        status::received,    status::accepted, status::assigned,  status::claimed,
        status::in_progress, status::done,     status::confirmed, status::closed,
        status::cancelled,   status::merged,
    };
    return all;
}

bool is_terminal(std::string_view s) {
    return s == status::closed || s == status::cancelled || s == status::merged;
}

bool is_open(std::string_view s) {
    const auto& all = all_statuses();
    return !is_terminal(s) && std::find(all.begin(), all.end(), s) != all.end();
}

std::string_view to_string(action a) {
    for (const auto& n : action_names)
        if (n.a == a) return n.name;
    return "unknown";
}

std::optional<action> action_from_string(std::string_view name) {
    for (const auto& n : action_names)
        if (n.name == name) return n.a;
    return std::nullopt;
}

std::optional<std::string_view> next_status(std::string_view from, action a, role who,
                                            bool has_handler) {
    for (const auto& t : table()) {
        if (t.a != a) continue;
        if (std::find(t.from.begin(), t.from.end(), from) == t.from.end()) return std::nullopt;
        if (std::find(t.by.begin(), t.by.end(), who) == t.by.end()) return std::nullopt;
        if (t.to == reopened) return has_handler ? status::in_progress : status::accepted;
        return t.to;
    }
    return std::nullopt;
}

}  // namespace minsheng::dialog::cases
