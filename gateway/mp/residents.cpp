// A resident's own cases: filing one from the form (through the one intake path, exactly once
// per (openid, request_id)), the list, one case with its history, and confirming or rating it.

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dialog/intake/certificate_answers.hpp"
#include "dialog/intake/filing.hpp"
#include "dialog/intake/same_problem.hpp"
#include "dialog/message.hpp"
#include "dialog/nlu/nlu.hpp"
#include "gateway/mp/bodies.hpp"
#include "gateway/mp/fields.hpp"
#include "gateway/mp/mp.hpp"
#include "gateway/mp/views.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::mp {

namespace http = boost::beast::http;
namespace cases = dialog::cases;

namespace {

bool is_mine(const dialog::case_record& c, const dialog::person_ref& me) {
    return c.from == me.from && c.reporter_id == me.user_id;
}

// Refusals of case_service::act for a resident acting on their own case.
refusal resident_refusal(cases::refusal why) {
    switch (why) {
        case cases::refusal::not_found:
            return refusal::case_not_found;
        case cases::refusal::not_allowed:
            return refusal::not_allowed;
        case cases::refusal::invalid:
            return refusal::bad_rating;
        default:
            return refusal::wrong_status;
    }
}

// What handle_once left: the stored reply, and for a fresh message the JSON it was made from.
struct filing {
    adapters::db::handled handled;
    json reply;             // null for a duplicate
    bool answered = false;  // a certificate request answered from the list: no case (200)
};

// After the commit: 201 with the new case, or 200 with what the first request was answered.
void answer_filing(exchange& x, filing& f) {
    count_handled(x, "miniprogram", f.handled.duplicate, f.handled.opened);
    if (f.handled.duplicate) {
        json reply = json::parse(f.handled.reply, nullptr, false);
        if (reply.is_discarded()) return x.internal("the stored reply of a filing is not JSON");
        return answer_json(x, http::status::ok, reply);
    }
    answer_json(x, f.answered ? http::status::ok : http::status::created, f.reply);
}

// A certificate request answered from the city's list (docs/certificates.md): the item and the
// same text chat answers, and how to ask for the community's help all the same; no case.
json certificate_reply(const dialog::template_set& texts,
                       const dialog::intake::certificate_item& item) {
    const auto answer = dialog::intake::certificate_answer(texts, item);
    return {{"certificate", {{"item", item.id}, {"name", item.name}}},
            {"answer", answer},
            {"message", answer + "\n" + texts.render("mp/certificate_footer")}};
}

// A follower's own rating of a case they follow (one problem, one case, docs/cases.md): once,
// while still following, once the case is done; stored on their follower row only. False: they
// do not follow it, left it, rated it already, or it is not done yet.
bool rate_as_follower(dialog::unit_of_work& uow, const dialog::case_record& c,
                      const dialog::person_ref& me, int rating) {
    if (c.status != "done" && c.status != "confirmed" && c.status != "closed") return false;
    for (const auto& f : uow.followers_of(c.id))
        if (f.who == me)
            return f.left_at == 0 && f.rating == 0 && uow.rate_followed(c.id, me, rating);
    return false;
}

// confirm / rate on the resident's own case; rate on a case they follow.
void feedback(exchange& x, const request& rq, cases::action what) {
    auto body = read_feedback(x.req().body(), what == cases::action::rate);
    if (const auto* why = std::get_if<refusal>(&body)) return refuse(x, *why);
    x.on_writer<outcome>(
        [app = x.app_shared(), rq, what,
         args = std::get<cases::act_args>(std::move(body))](adapters::db::store& s) {
            const std::int64_t t = app->now();
            return in_one_unit(s, [&](dialog::unit_of_work& uow) {
                auto c = uow.find_case(rq.number);
                if (!c) return outcome::no(refusal::case_not_found);
                if (!is_mine(*c, rq.me)) {
                    if (what != cases::action::rate ||
                        !rate_as_follower(uow, *c, rq.me, args.rating))
                        return outcome::no(refusal::not_your_case);
                    const auto& texts = *app->templates;
                    return outcome::ok(
                        {{"number", c->number},
                         {"status", c->status},
                         {"status_label", cases::case_service::status_label(texts, *c)},
                         {"following", true},
                         {"rating", args.rating},
                         {"message", texts.render("reply/follower_rated",
                                                  {{"number", c->number},
                                                   {"rating", std::to_string(args.rating)}})}});
                }
                auto r = app->service->act(uow, c->id, what, cases::actor::of(rq.me), args, t);
                if (!r.ok()) return outcome::no(resident_refusal(r.why));
                return outcome::ok(own_case(*app->templates, r.after));
            });
        },
        answer_outcome);
}

}  // namespace

// A filing that joined an open case as a follower: its number and status, and what happened in
// words; nothing of the case's reporter or their description.
json joined_case(const dialog::template_set& texts, const dialog::case_record& c) {
    const auto status = cases::case_service::status_label(texts, c);
    return {
        {"joined", true},
        {"number", c.number},
        {"status", c.status},
        {"status_label", status},
        {"message", texts.render("mp/joined_case", {{"number", c.number}, {"status", status}})}};
}

// A problem the resident reported before (their own open case: what they sent now was added to
// it) or follows: no new case.
json repeated_case(const dialog::template_set& texts, const dialog::case_record& c,
                   bool following) {
    const auto status = cases::case_service::status_label(texts, c);
    return {{"repeated", true},
            {"following", following},
            {"number", c.number},
            {"status", c.status},
            {"status_label", status},
            {"message", texts.render(following             ? "mp/already_following"
                                     : c.kind == "wish"    ? "mp/already_wished"
                                     : c.kind == "project" ? "mp/already_proposed"
                                                           : "mp/already_reported",
                                     {{"number", c.number}, {"status", status}})}};
}

void file_case(exchange& x, reader& r, const request& rq) {
    auto body = read_case_form(x.req().body());
    if (const auto* why = std::get_if<refusal>(&body)) return refuse(x, *why);
    auto& read = std::get<case_form>(body);
    // "Not the same problem": only of a case this resident was joined to (following it, or
    // left it by this very filing, which a retry finds as it was answered), or their own case
    // that a filing of theirs was taken as telling again.
    std::int64_t leave = 0;
    if (!read.not_same_as.empty()) {
        const auto c = r.get_case_by_number(read.not_same_as);
        if (!c) return refuse(x, refusal::case_not_found);
        bool joined = is_mine(*c, rq.me);
        for (const auto& f : r.followers_of(c->id)) joined = joined || f.who == rq.me;
        if (!joined) return refuse(x, refusal::not_following);
        leave = c->id;
    }
    const std::string& request_id = read.request_id;
    const std::string& description = read.description;
    const std::vector<std::string>& media = read.media_ids;
    dialog::intake::report& form = read.form;

    // The same understanding as chat, here on the reader; what the form chose wins over it.
    auto& app = x.app();
    auto understood =
        std::make_shared<const dialog::nlu::understanding>(app.nlu->understand(description));
    form.from = dialog::channel::miniprogram;
    form.reporter_id = rq.me.user_id;
    form.description = description;
    form.place = dialog::intake::place_of(*app.nlu, description, form.address, understood.get());
    form.phone_from_text = true;
    form.phone_from_profile = true;
    form.source_key = "mp:" + rq.me.user_id + ":" + request_id;
    for (const auto& id : media) form.attachments.push_back("[图片] media:" + id);

    dialog::inbound_message m;
    m.from = dialog::channel::miniprogram;
    m.user_id = rq.me.user_id;
    m.dedup_key = form.source_key;
    m.kind = dialog::inbound_kind::text;
    m.text = description;

    // Still needing help after an answer: the answered submission's count is marked escalated
    // (the resident's own, keyed like their filings), or this one's when none is named.
    const std::string certificate_key =
        read.answered_request_id.empty() ? form.source_key
                                         : "mp:" + rq.me.user_id + ":" + read.answered_request_id;
    x.on_writer<filing>(
        [app = x.app_shared(), form = std::move(form), m = std::move(m), understood,
         still_need_help = read.still_need_help, certificate_key, leave](adapters::db::store& s) {
            const std::int64_t t = app->now();
            dialog::inbound_message message = m;
            message.create_time = t;
            filing out;
            out.handled = s.handle_once(
                message.from, message.dedup_key, message, [&](dialog::unit_of_work& uow) {
                    // A certificate the city's list names: answered, no case, unless the
                    // resident still needs the community's help (then counted escalated).
                    if (const auto* item =
                            app->certificates ? app->certificates->asked(*understood) : nullptr) {
                        dialog::intake::count_certificate(
                            uow, *item, form.from,
                            still_need_help ? certificate_key : form.source_key, still_need_help,
                            t);
                        if (!still_need_help) {
                            out.answered = true;
                            out.reply = certificate_reply(*app->templates, *item);
                            return views::json_compact(out.reply);
                        }
                    }
                    // One problem, one case: the same problem as someone's open case joins it;
                    // a resident who says it is not (not_same_as) leaves it for their own case.
                    const dialog::person_ref me{form.from, form.reporter_id};
                    if (leave != 0) uow.leave_case(leave, me, t);
                    const auto draft = dialog::intake::draft_of(form, understood.get(), t);
                    // Told again by its reporter or a follower: no second case; their own
                    // takes what they sent now (the text, then the photos) as details.
                    if (leave == 0) {
                        if (auto before = dialog::intake::reported_before(
                                *app->nlu, uow, dialog::cases::duplicate_policy{}, draft, t,
                                app->sketches.get(), understood.get())) {
                            bool added = true;
                            if (!before->following) {
                                const auto as = cases::actor::of(me);
                                added = app->service
                                            ->add_detail(uow, before->c.id, as, form.description, t)
                                            .ok();
                                for (const auto& line : form.attachments)
                                    if (added)
                                        app->service->add_detail(uow, before->c.id, as, line, t);
                            }
                            if (added) {
                                out.reply =
                                    repeated_case(*app->templates, before->c, before->following);
                                return views::json_compact(out.reply);
                            }
                        }
                    }
                    std::optional<dialog::case_record> same;
                    if (leave == 0)
                        same = dialog::intake::same_problem(
                            *app->nlu, uow, dialog::cases::duplicate_policy{}, draft, t,
                            app->sketches.get(), understood.get());
                    if (same &&
                        dialog::intake::follow(uow, *same, me, "mp", t,
                                               dialog::followed_report{draft, form.attachments})) {
                        out.reply = joined_case(*app->templates, *same);
                        return views::json_compact(out.reply);
                    }
                    auto rec = dialog::intake::file(*app->service, uow, form, understood.get(),
                                                    understood->normalised, t);
                    out.reply = own_case(*app->templates, rec);
                    return views::json_compact(out.reply);
                });
            return out;
        },
        answer_filing);
}

void my_cases(exchange& x, reader& r, const request& rq) {
    dialog::case_query q;
    q.reporter = rq.me;
    q.limit = 50;
    json arr = json::array();
    for (const auto& c : r.list_cases(q)) arr.push_back(case_summary(*x.app().templates, c));
    answer_json(x, http::status::ok, {{"cases", std::move(arr)}});
}

void my_case(exchange& x, reader& r, const request& rq) {
    auto c = r.get_case_by_number(rq.number);
    if (!c) return refuse(x, refusal::case_not_found);
    if (!is_mine(*c, rq.me)) return refuse(x, refusal::not_your_case);
    const auto& texts = *x.app().templates;
    json body = own_case(texts, *c);
    body["history"] = history_of(texts, r.events_of(c->id));
    answer_json(x, http::status::ok, body);
}

void confirm(exchange& x, reader&, const request& rq) { feedback(x, rq, cases::action::confirm); }

void rate(exchange& x, reader&, const request& rq) { feedback(x, rq, cases::action::rate); }

}  // namespace minsheng::gateway::mp
