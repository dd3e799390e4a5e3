// POST /hotline/not-same: a caller whose call joined an open case ("附近已有同类问题…") says it is
// another problem; the centre posts it and the caller's own case opens (docs/hotline.md, "Not
// the same problem").
//   I/O thread: the signature is checked by serve_hotline; parse the body (adapters/hotline).
//   writer: exactly once per (system, request_id): dialog::intake::split_by_call checks that the
//     phone follows the case by a call, leaves it and opens the caller's own case from what they
//     said then. A refusal keeps nothing, so the same request may be sent again.
//   I/O thread after the commit: the answer, with the text the operator may read to the caller.

#include <nlohmann/json.hpp>

#include "adapters/hotline/feedback.hpp"
#include "dialog/intake/call_feedback.hpp"
#include "gateway/routes/routes.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;
using json = nlohmann::json;

namespace {

constexpr std::string_view json_type = "application/json; charset=utf-8";

using dialog::intake::call_split_outcome;

struct split_answer {
    std::string reply;  // JSON, as stored for the request id
    bool duplicate = false;
    call_split_outcome refused = call_split_outcome::split;  // split: none
};

// Thrown inside the unit of work so that a refusal keeps nothing (not even the request id).
struct refused_split {
    call_split_outcome why;
};

void refuse(exchange& x, call_split_outcome why) {
    switch (why) {
        case call_split_outcome::no_case:
            return x.refuse(http::status::not_found, "case_not_found", "no case has this number");
        case call_split_outcome::not_the_caller:
            return x.refuse(http::status::forbidden, "not_the_caller",
                            "this phone follows this case by no call");
        case call_split_outcome::not_following:
            return x.refuse(http::status::conflict, "not_following",
                            "this caller has already left this case (said it was another "
                            "problem before)");
        case call_split_outcome::merged:
            return x.refuse(http::status::conflict, "merged",
                            "this case was merged into another; its callers follow that one now");
        case call_split_outcome::no_report:
        default:
            return x.refuse(http::status::conflict, "no_report",
                            "what this caller said is not kept (they follow the case by a merge "
                            "or from before it was kept); file their call again as a new call");
    }
}

}  // namespace

void serve_hotline_not_same(const exchange_ptr& x, const std::string& system) {
    const auto& req = x->req();
    auto parsed = adapters::hotline::parse_not_same(req.body(), req[http::field::content_type]);
    if (const auto* e = std::get_if<adapters::hotline::callback_error>(&parsed))
        return x->refuse(http::status::bad_request, "bad_request", e->message);
    auto ask = std::get<adapters::hotline::not_same>(std::move(parsed));

    x->on_writer<split_answer>(
        [app = x->app_shared(), system, ask](adapters::db::store& store) {
            const std::int64_t t = app->now();
            dialog::inbound_message m;
            m.from = dialog::channel::hotline;
            m.user_id = ask.caller_phone;
            m.dedup_key = "not-same:" + system + ":" + ask.request_id;
            m.create_time = t;
            m.kind = dialog::inbound_kind::text;
            split_answer out;
            try {
                auto h = store.handle_once(m.from, m.dedup_key, m, [&](dialog::unit_of_work& uow) {
                    const auto r = dialog::intake::split_by_call(
                        *app->service, *app->templates, uow, *app->nlu,
                        {ask.number, ask.caller_phone, "hotline:" + m.dedup_key}, t);
                    if (r.outcome != call_split_outcome::split) throw refused_split{r.outcome};
                    const auto& rec = r.opened;
                    const std::string category =
                        rec.category.empty() ? app->templates->render("hotline/category_unknown")
                                             : rec.category;
                    json body{
                        {"request_id", ask.request_id},
                        {"status", "accepted"},
                        {"left", r.left.number},
                        {"case",
                         {{"number", rec.number},
                          {"kind", rec.kind},
                          {"category", rec.category.empty() ? json(nullptr) : json(rec.category)},
                          {"span", rec.source_span}}},
                        {"answer", app->templates->render("hotline/split_answer",
                                                          {{"number", rec.number},
                                                           {"category", category},
                                                           {"left", r.left.number}})}};
                    return views::json_compact(body);
                });
                out.reply = std::move(h.reply);
                out.duplicate = h.duplicate;
            } catch (const refused_split& why) {
                out.refused = why.why;
            }
            return out;
        },
        [](exchange& ex, split_answer& r) {
            if (r.refused != call_split_outcome::split) return refuse(ex, r.refused);
            ex.app().stats.messages_received.inc("hotline_not_same", r.duplicate ? 0 : 1);
            if (!r.duplicate) ex.app().stats.cases_opened.inc("hotline", 1);
            json body = json::parse(r.reply, nullptr, false);
            if (body.is_discarded() || !body.is_object())
                return ex.internal("the stored answer of a not-same request is not JSON");
            if (r.duplicate) body["status"] = "duplicate";
            ex.answer(http::status::ok, views::json_text(body), json_type);
        });
}

}  // namespace minsheng::gateway
