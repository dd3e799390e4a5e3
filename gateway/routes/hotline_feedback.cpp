// POST /hotline/feedback: the 12345 centre's return visit (回访) of a caller about a case: their
// rating (docs/hotline.md, "Return visits").
//   I/O thread: the signature is checked by serve_hotline; parse the body (adapters/hotline).
//   writer: exactly once per (system, callback_id): dialog::intake::rate_by_call decides whether
//     the phone reported the case by a call (the case service takes the rating) or follows it by
//     one (stored on the follower row). A refusal keeps nothing, so the same return visit can be
//     sent again once the case is done.
//   I/O thread after the commit: the answer.

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

using dialog::intake::call_rating_outcome;

// What the writer hands back: the stored answer, or why the rating was refused.
struct rated {
    std::string reply;  // JSON, as stored for the callback id
    bool duplicate = false;
    call_rating_outcome refused = call_rating_outcome::rated_as_reporter;  // rated_as_*: none
    bool ok() const {
        return refused == call_rating_outcome::rated_as_reporter ||
               refused == call_rating_outcome::rated_as_follower;
    }
};

// Thrown inside the unit of work so that a refusal keeps nothing (not even the callback id).
struct refused_rating {
    call_rating_outcome why;
};

void refuse(exchange& x, call_rating_outcome why) {
    switch (why) {
        case call_rating_outcome::no_case:
            return x.refuse(http::status::not_found, "case_not_found", "no case has this number");
        case call_rating_outcome::not_the_caller:
            return x.refuse(http::status::forbidden, "not_the_caller",
                            "this phone neither reported this case by a call nor follows it");
        case call_rating_outcome::not_ratable:
            return x.refuse(http::status::conflict, "not_ratable",
                            "the case is not done yet (or, reported by this caller, already "
                            "closed); a rating is taken once it is done");
        case call_rating_outcome::already_rated:
            return x.refuse(http::status::conflict, "already_rated",
                            "this caller has already rated the case (or said it is not their "
                            "problem)");
        case call_rating_outcome::invalid:
        default:
            return x.refuse(http::status::bad_request, "bad_feedback",
                            "rating must be an integer from 1 to 5");
    }
}

}  // namespace

void serve_hotline_feedback(const exchange_ptr& x, const std::string& system) {
    const auto& req = x->req();
    auto parsed = adapters::hotline::parse_callback(req.body(), req[http::field::content_type]);
    if (const auto* e = std::get_if<adapters::hotline::callback_error>(&parsed))
        return x->refuse(http::status::bad_request, "bad_feedback", e->message);
    auto visit = std::get<adapters::hotline::callback>(std::move(parsed));

    x->on_writer<rated>(
        [app = x->app_shared(), system, visit](adapters::db::store& store) {
            const std::int64_t t = app->now();
            dialog::inbound_message m;
            m.from = dialog::channel::hotline;
            m.user_id = visit.caller_phone;
            m.dedup_key = "callback:" + system + ":" + visit.callback_id;
            m.create_time = t;
            m.kind = dialog::inbound_kind::text;
            m.text = visit.comment;
            rated out;
            try {
                auto h = store.handle_once(m.from, m.dedup_key, m, [&](dialog::unit_of_work& uow) {
                    const auto r = dialog::intake::rate_by_call(
                        *app->service, uow,
                        {visit.number, visit.caller_phone, visit.rating, visit.comment}, t);
                    if (r.outcome != call_rating_outcome::rated_as_reporter &&
                        r.outcome != call_rating_outcome::rated_as_follower)
                        throw refused_rating{r.outcome};
                    json body{{"callback_id", visit.callback_id},
                              {"status", "accepted"},
                              {"case", r.after.number},
                              {"rated_as", r.outcome == call_rating_outcome::rated_as_reporter
                                               ? "reporter"
                                               : "follower"},
                              {"rating", visit.rating},
                              {"case_status", r.after.status},
                              {"case_status_label", dialog::cases::case_service::status_label(
                                                        *app->templates, r.after)}};
                    return views::json_compact(body);
                });
                out.reply = std::move(h.reply);
                out.duplicate = h.duplicate;
            } catch (const refused_rating& why) {
                out.refused = why.why;
            }
            return out;
        },
        [](exchange& ex, rated& r) {
            if (!r.ok()) return refuse(ex, r.refused);
            ex.app().stats.messages_received.inc("hotline_feedback", r.duplicate ? 0 : 1);
            json body = json::parse(r.reply, nullptr, false);
            if (body.is_discarded() || !body.is_object())
                return ex.internal("the stored answer of a return visit is not JSON");
            if (r.duplicate) body["status"] = "duplicate";
            ex.answer(http::status::ok, views::json_text(body), json_type);
        });
}

}  // namespace minsheng::gateway
