// What an operator does to one case, each in one unit of work on the writer and answered once it
// has committed:
//   POST /api/v1/cases/{id}/actions  a lifecycle action (case_service::act); "assign" names a
//                                    worker or "auto" (dialog/cases/assignment.hpp)
//   POST /api/v1/cases/{id}/notes    an internal note (201)
//   POST /api/v1/cases/{id}/reply    a canned reply or free text to the reporter (202, queued in
//                                    the outbox)
//   POST /api/v1/cases/{id}/followers/split
//                                    a follower's report is another problem: they leave the case
//                                    and their own case opens from what they reported (201)

#include <functional>
#include <string>
#include <utility>
#include <variant>

#include "adapters/db/staff.hpp"
#include "dialog/cases/operator_desk.hpp"
#include "dialog/intake/same_problem.hpp"
#include "gateway/operator/bodies.hpp"
#include "gateway/operator/endpoints.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::operator_api {

namespace {

namespace store_ns = adapters::db;
using dialog::cases::actor;

outcome refused_assignee(dialog::cases::assignee_refusal why) {
    if (why == dialog::cases::assignee_refusal::no_worker)
        return outcome::refusal(http::status::conflict, "no_worker",
                                "no active case worker of this case's community");
    return outcome::refusal(http::status::bad_request, "bad_assignee",
                            "the assignee must be an active case worker of this case's "
                            "community (and grid)");
}

// The action, in one unit of work: the case and a merge target in the caller's scope, the
// assignee resolved by the assignment rule, then case_service::act.
outcome apply(const app_state& app, store_ns::store& st, std::int64_t id,
              const action_request& request, const operator_identity& who) {
    const std::int64_t t = app.now();
    const bool assigning = request.what == dialog::cases::action::assign;
    // Read before the unit of work, like every staff read of the writer.
    const dialog::cases::roster staff = assigning ? roster_of(st) : dialog::cases::roster{};
    outcome out;
    auto finish = [&](outcome o) { out = std::move(o); };
    st.run([&](dialog::unit_of_work& uow) {
        action_request a = request;  // resolved below; a retried unit of work starts afresh
        auto c = uow.get_case(id);
        if (!c) return finish(outcome::no_such_case());
        if (!who.may_see(*c)) return finish(outcome::forbidden());
        if (!a.into_number.empty()) {
            auto target = uow.find_case(a.into_number);
            if (!target)
                return finish(
                    outcome::refusal(http::status::bad_request, "invalid",
                                     "no case numbered " + a.into_number + " to merge into"));
            a.args.merge_into = target->id;
        }
        if (a.args.merge_into != 0) {
            auto target = uow.get_case(a.args.merge_into);
            if (target && !who.may_see(*target)) return finish(outcome::forbidden());
        }
        if (assigning) {
            auto choice = app.staff->assignment_rule.choose(staff, *c, a.args.assignee);
            if (!choice.ok()) return finish(refused_assignee(choice.why));
            a.args.assignee = choice.assignee;
        }
        auto result = app.service->act(uow, id, a.what, actor::op(who.id), a.args, t);
        if (!result.ok())
            return finish(outcome::refusal(status_of(result.why),
                                           std::string(dialog::cases::to_string(result.why)),
                                           result.detail));
        finish(outcome::answer(http::status::ok, {{"case", views::operator_case(result.after)}},
                               std::string(dialog::cases::to_string(a.what))));
    });
    return out;
}

// Runs fn on the writer, in one unit of work, on case `id` as found there: no such case and a
// case outside the caller's scope are refused before fn sees it. Answered after the commit.
void on_visible_case(
    const call& c, std::int64_t id,
    std::function<outcome(const app_state&, dialog::unit_of_work&, const dialog::case_record&)>
        fn) {
    c.x.on_writer<outcome>(
        [app = c.x.app_shared(), id, who = c.who, fn = std::move(fn)](store_ns::store& st) {
            outcome out;
            st.run([&](dialog::unit_of_work& uow) {
                auto found = uow.get_case(id);
                if (!found)
                    out = outcome::no_such_case();
                else if (!who.may_see(*found))
                    out = outcome::forbidden();
                else
                    out = fn(*app, uow, *found);
            });
            return out;
        },
        deliver);
}

}  // namespace

void act(const call& c, std::int64_t id) {
    auto parsed = parse_action(c.x.req().body());
    if (const auto* bad = std::get_if<bad_body>(&parsed))
        return c.refuse(http::status::bad_request, "bad_request", bad->reason);
    c.x.on_writer<outcome>(
        [app = c.x.app_shared(), id, a = std::get<action_request>(std::move(parsed)),
         who = c.who](store_ns::store& st) { return apply(*app, st, id, a, who); },
        deliver);
}

void add_note(const call& c, std::int64_t id) {
    auto parsed = parse_note(c.x.req().body());
    if (const auto* bad = std::get_if<bad_body>(&parsed))
        return c.refuse(http::status::bad_request, "bad_request", bad->reason);
    on_visible_case(
        c, id,
        [text = std::get<note_request>(std::move(parsed)).text, who = c.who](
            const app_state& app, dialog::unit_of_work& uow, const dialog::case_record& found) {
            auto e = dialog::cases::add_note(uow, found, actor::op(who.id), text, app.now());
            return outcome::answer(http::status::created, {{"event", views::operator_event(e)}},
                                   "note");
        });
}

void reply(const call& c, std::int64_t id) {
    auto parsed = parse_reply(c.x.req().body());
    if (const auto* bad = std::get_if<bad_body>(&parsed))
        return c.refuse(http::status::bad_request, "bad_request", bad->reason);
    auto& r = std::get<reply_request>(parsed);
    std::string key;
    if (!r.canned.empty()) {
        if (!c.app().staff->find_canned(r.canned))
            return c.refuse(http::status::bad_request, "unknown_canned",
                            "canned must be the key of a reply listed by /api/v1/canned");
        key = "canned/" + r.canned;
    }
    on_visible_case(
        c, id,
        [id, key, text = std::move(r.text), who = c.who](
            const app_state& app, dialog::unit_of_work& uow, const dialog::case_record& found) {
            std::string message =
                key.empty() ? text : dialog::cases::canned_reply_text(*app.templates, key, found);
            auto n = app.service->reply_to_reporter(uow, id, actor::op(who.id), key,
                                                    std::move(message), app.now());
            if (!n)
                return outcome::refusal(http::status::bad_request, "bad_request",
                                        "nothing to send");
            store_ns::outbox_row row;
            row.n = *n;
            row.status = "pending";
            return outcome::answer(http::status::accepted, {{"notification", views::outbox(row)}},
                                   "reply");
        });
}

void split_follower(const call& c, std::int64_t id) {
    auto parsed = parse_split(c.x.req().body());
    if (const auto* bad = std::get_if<bad_body>(&parsed))
        return c.refuse(http::status::bad_request, "bad_request", bad->reason);
    const auto ask = std::get<split_request>(parsed);
    on_visible_case(
        c, id,
        [ask, who = c.who](const app_state& app, dialog::unit_of_work& uow,
                           const dialog::case_record& found) {
            const auto rows = uow.followers_of(found.id);
            // The row the operator saw: the list only grows, but two joining in the same second
            // may sort before it, so its place and its time must both still hold.
            if (ask.follower > rows.size() || rows[ask.follower - 1].joined_at != ask.joined_at)
                return outcome::refusal(http::status::conflict, "followers_changed",
                                        "the case's followers have changed; reload the case");
            const auto& row = rows[ask.follower - 1];
            if (row.left_at != 0)
                return outcome::refusal(http::status::conflict, "not_following",
                                        "this follower has left the case already");
            if (found.status == "merged")
                return outcome::refusal(http::status::conflict, "merged",
                                        "this case was merged into another; its followers follow "
                                        "that one now");
            const std::int64_t t = app.now();
            auto opened = dialog::intake::split_off(*app.service, *app.templates, uow, *app.nlu,
                                                    found, row.who, actor::op(who.id).key(), "", t);
            if (!opened)
                return outcome::refusal(http::status::conflict, "no_report",
                                        "what this follower reported is not kept (they follow "
                                        "by a merge, or joined before it was kept)");
            return outcome::answer(http::status::created,
                                   {{"case", views::operator_case(*opened)},
                                    {"left", views::operator_case(*uow.get_case(found.id))}},
                                   "split_follower");
        });
}

}  // namespace minsheng::gateway::operator_api
