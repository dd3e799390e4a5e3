// Staff on the official account (their WeChat bound with 绑定工号): the volunteer applications
// waiting in their communities, approving or refusing one, and confirming a resident's move
// into one of their communities. Everyone else is told these are
// for staff only, and nothing is read or written for them.
#include <cstdlib>

#include "dialog/conversation/detail/flows.hpp"

namespace minsheng::dialog::detail {
namespace {

std::string application_text(std::int64_t number) { return "ZY" + std::to_string(number); }

// The bound staff member speaking, or nullopt after telling the person these are for staff.
std::optional<bound_staff> staff_speaking(turn& t) {
    auto s = t.uow.staff_of(t.me());
    if (!s) t.say("reply/staff_only");
    return s;
}

// The application number in "ZY12" digits (at most 12 of them); 0 when none.
std::int64_t application_number(const std::string& digits) {
    if (digits.empty() || digits.size() > 12) return 0;
    return std::strtoll(digits.c_str(), nullptr, 10);
}

}  // namespace

void confirm_move(turn& t, const std::string& digits) {
    const auto staff = staff_speaking(t);
    if (!staff) return;
    const std::int64_t number = application_number(digits);
    if (number == 0) return t.say("reply/move_confirm_how");
    const auto r = t.service.confirm_move(t.uow, number, t.service.decider_of(*staff), t.now);
    const template_set::vars v = {{"move", std::to_string(number)},
                                  {"community", r.after.community}};
    switch (r.why) {
        case cases::refusal::none:
            return t.say("reply/move_confirmed_done", v);
        case cases::refusal::not_allowed:
            return t.say("reply/move_not_yours", v);
        case cases::refusal::wrong_status:
            return t.say("reply/move_already_confirmed", v);
        default:
            return t.say("reply/move_not_found", v);
    }
}

void volunteer_applications(turn& t) {
    const auto staff = staff_speaking(t);
    if (!staff) return;
    const auto by = t.service.decider_of(*staff);
    if (!by.all && by.communities.empty()) return t.say("reply/volunteer_applications_empty");
    const auto waiting = t.uow.list_volunteers("applied", by.communities, list_max_items);
    if (waiting.empty()) return t.say("reply/volunteer_applications_empty");
    std::vector<std::string> items;
    for (const auto& p : waiting)
        items.push_back(t.render(
            "reply/volunteer_application_item",
            {{"application", application_text(p.volunteer_number)},
             {"name", p.name.empty() ? t.render("notify/anonymous_applicant") : p.name},
             {"community", p.community},
             {"skills", p.skills.empty() ? t.render("notify/anonymous_applicant") : p.skills}}));
    t.say_text(list_text(t.render("reply/volunteer_applications_header"), items,
                         t.render("reply/volunteer_applications_footer")));
}

void decide_volunteer(turn& t, const std::string& digits, bool approve) {
    const auto staff = staff_speaking(t);
    if (!staff) return;
    const std::int64_t number = application_number(digits);
    if (number == 0) return t.say("reply/volunteer_decide_how");
    const auto r =
        t.service.decide_volunteer(t.uow, number, approve, t.service.decider_of(*staff), t.now);
    const std::string name =
        r.after.name.empty() ? t.render("notify/anonymous_applicant") : r.after.name;
    const template_set::vars v = {{"application", application_text(number)}, {"name", name}};
    switch (r.why) {
        case cases::refusal::none:
            return t.say(approve ? "reply/volunteer_approved_done" : "reply/volunteer_refused_done",
                         v);
        case cases::refusal::not_allowed:
            return t.say("reply/volunteer_decision_not_yours", v);
        case cases::refusal::wrong_status:
            return t.say(
                approve ? "reply/volunteer_already_approved" : "reply/volunteer_already_refused",
                v);
        default:
            return t.say("reply/volunteer_decision_not_found", v);
    }
}

}  // namespace minsheng::dialog::detail
