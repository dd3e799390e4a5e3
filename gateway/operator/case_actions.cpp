// What an operator does to one case, each in one unit of work on the writer and answered once it
// has committed:
//   POST /api/v1/cases/{id}/actions  a lifecycle action (case_service::act); "assign" names a
//                                    worker or "auto" (dialog/cases/assignment.hpp)
//   POST /api/v1/cases/{id}/notes    an internal note (201)
//   POST /api/v1/cases/{id}/reply    a canned reply or free text to the reporter (202, queued in
//                                    the outbox)

#include <functional>
#include <string>
#include <utility>

#include "adapters/sqlite_store/staff.hpp"
#include "dialog/cases/operator_desk.hpp"
#include "gateway/operator/endpoints.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::operator_api {

namespace {

namespace store_ns = adapters::sqlite_store;
using dialog::cases::actor;

// The body of POST /api/v1/cases/{id}/actions.
struct action_request {
    dialog::cases::action what{};
    dialog::cases::act_args args;
    std::string into_number;  // merge target given as a case number
};

// nullopt with `error` set when the body is not what the endpoint takes.
std::optional<action_request> parse_action(const std::string& body, std::string& error) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        error = "the body must be a JSON object";
        return std::nullopt;
    }
    auto string_field = [&](const char* k, std::string& out) {
        if (!j.contains(k)) return true;
        if (!j[k].is_string()) {
            error = std::string(k) + " must be a string";
            return false;
        }
        out = j[k].get<std::string>();
        return true;
    };
    action_request a;
    std::string name;
    if (!string_field("action", name)) return std::nullopt;
    auto what = dialog::cases::action_from_string(name);
    if (!what) {
        error =
            "action must be one of accept, assign, release, start, report_done, confirm, "
            "reopen, close, cancel, merge";
        return std::nullopt;
    }
    a.what = *what;
    if (!string_field("note", a.args.note) || !string_field("assignee", a.args.assignee) ||
        !string_field("comment", a.args.comment))
        return std::nullopt;
    if (j.contains("into")) {
        const auto& into = j["into"];
        if (into.is_number_integer() && into.get<std::int64_t>() > 0)
            a.args.merge_into = into.get<std::int64_t>();
        else if (into.is_string() && !into.get<std::string>().empty())
            a.into_number = into.get<std::string>();
        else {
            error = "into must be a case id or a case number";
            return std::nullopt;
        }
    }
    if (j.contains("rating")) {
        if (!j["rating"].is_number_integer()) {
            error = "rating must be a whole number";
            return std::nullopt;
        }
        a.args.rating = j["rating"].get<int>();
    }
    if (a.what == dialog::cases::action::assign && a.args.assignee.empty()) {
        error = "assign needs an assignee";
        return std::nullopt;
    }
    if (a.what == dialog::cases::action::merge && a.args.merge_into == 0 && a.into_number.empty()) {
        error = "merge needs into (the case that absorbs this one)";
        return std::nullopt;
    }
    return a;
}

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
    std::string error;
    auto parsed = parse_action(c.x.req().body(), error);
    if (!parsed) return c.refuse(http::status::bad_request, "bad_request", error);
    c.x.on_writer<outcome>([app = c.x.app_shared(), id, a = std::move(*parsed), who = c.who](
                               store_ns::store& st) { return apply(*app, st, id, a, who); },
                           deliver);
}

void add_note(const call& c, std::int64_t id) {
    auto j = c.body_object();
    if (!j) return;
    std::string error;
    auto text = text_field(*j, error);
    if (!text) return c.refuse(http::status::bad_request, "bad_request", error);
    on_visible_case(
        c, id,
        [text = std::move(*text), who = c.who](const app_state& app, dialog::unit_of_work& uow,
                                               const dialog::case_record& found) {
            auto e = dialog::cases::add_note(uow, found, actor::op(who.id), text, app.now());
            return outcome::answer(http::status::created, {{"event", views::operator_event(e)}},
                                   "note");
        });
}

void reply(const call& c, std::int64_t id) {
    auto j = c.body_object();
    if (!j) return;
    const bool canned = j->contains("canned");
    if (canned == j->contains("text"))
        return c.refuse(http::status::bad_request, "bad_request",
                        "give either canned (a canned reply's key) or text");
    std::string text, key;
    if (canned) {
        const auto& name = j->at("canned");
        if (!name.is_string() || !c.app().staff->find_canned(name.get<std::string>()))
            return c.refuse(http::status::bad_request, "unknown_canned",
                            "canned must be the key of a reply listed by /api/v1/canned");
        key = "canned/" + name.get<std::string>();
    } else {
        std::string error;
        auto t = text_field(*j, error);
        if (!t) return c.refuse(http::status::bad_request, "bad_request", error);
        text = std::move(*t);
    }
    on_visible_case(
        c, id,
        [id, key, text, who = c.who](const app_state& app, dialog::unit_of_work& uow,
                                     const dialog::case_record& found) {
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

}  // namespace minsheng::gateway::operator_api
