// POST /hotline/transcripts: 12345 call transcripts become cases, like chat messages do.
//   I/O thread: HMAC check (per hotline system), parse the batch, find the appeals in each
//     call's caller turns (NLU, outside any transaction).
//   writer thread: each call exactly once, keyed by (hotline, system:call_id): its cases, the
//     caller's notification in the outbox, and the per-call result stored as the call's reply,
//     so a re-sent call answers the same result and changes nothing.
//   back on the I/O thread after the commit: one answer per call.

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "adapters/hotline/auth.hpp"
#include "adapters/hotline/transcript.hpp"
#include "dialog/intake/call_appeals.hpp"
#include "dialog/nlu/nlu.hpp"
#include "gateway/detail/app_impl.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;
using json = nlohmann::json;

namespace {

// One call, understood, ready for the writer.
struct call_work {
    adapters::hotline::transcript call;
    std::vector<dialog::intake::call_appeal> appeals;
    adapters::hotline::caller_text words;
};

// "turns 2-4" (1-based) for the caller turns an appeal's bytes come from.
std::string span_of(const adapters::hotline::caller_text& words,
                    const dialog::intake::call_appeal& a) {
    std::size_t first = 0;
    std::size_t last = 0;
    bool any = false;
    for (const auto& p : words.pieces) {
        if (p.end <= a.begin || p.begin >= a.end) continue;
        if (!any) first = p.turn_index;
        last = p.turn_index;
        any = true;
    }
    if (!any) return "";
    return first == last ? "turn " + std::to_string(first + 1)
                         : "turns " + std::to_string(first + 1) + "-" + std::to_string(last + 1);
}

// The first specific address said anywhere in the call, for appeals that did not repeat it.
std::string address_in_call(const std::vector<dialog::intake::call_appeal>& appeals) {
    for (const auto& a : appeals)
        if (const auto* e = a.understood.find("address")) return e->text;
    return "";
}

}  // namespace

void app::impl::route_hotline(request_ctx ctx, http_request&& req,
                              std::function<void(http_response&&)> respond) {
    auto answer = [&](http::status s, const json& body) {
        respond(make_response(req, s, body.dump() + "\n", "application/json; charset=utf-8"));
    };
    auto reject = [&](http::status s, std::string_view reason, std::string_view message) {
        stats.requests_rejected.inc(reason);
        if (log->should_log(spdlog::level::warn))
            log->warn("{} hotline rejected: {}", ctx.id, reason);
        answer(s, views::error_body(reason, message));
    };
    if (ctx.path != "/hotline/transcripts")
        return reject(http::status::not_found, "not_found", "no such endpoint");
    if (req.method() != http::verb::post)
        return reject(http::status::method_not_allowed, "method_not_allowed",
                      "only POST is allowed here");

    std::string system(req["X-Minsheng-Hotline"]);
    if (system.empty()) system = "default";
    auto secret = cfg.hotline.secrets.find(system);
    const std::int64_t t = now();
    auto failure = adapters::hotline::verify(
        secret == cfg.hotline.secrets.end() ? std::string_view() : std::string_view(secret->second),
        req["X-Minsheng-Timestamp"], req["X-Minsheng-Signature"], req.body(), t,
        cfg.hotline.max_clock_skew);
    if (failure != adapters::hotline::auth_failure::none)
        return reject(http::status::unauthorized, adapters::hotline::to_string(failure),
                      "the request must carry X-Minsheng-Timestamp and a valid "
                      "X-Minsheng-Signature for this hotline system");

    auto parsed =
        adapters::hotline::parse_batch(req.body(), req[http::field::content_type], ctx.query);
    if (auto* e = std::get_if<adapters::hotline::batch_error>(&parsed))
        return reject(http::status::bad_request, "bad_batch", e->message);
    auto& calls = std::get<std::vector<adapters::hotline::parsed_call>>(parsed);

    // Understanding on this I/O thread, outside the transaction.
    auto out = std::make_shared<std::vector<json>>(calls.size());
    auto work = std::make_shared<std::vector<std::pair<std::size_t, call_work>>>();
    for (std::size_t i = 0; i < calls.size(); ++i) {
        auto& c = calls[i];
        if (!c.call) {
            (*out)[i] = {{"call_id", c.call_id}, {"status", "rejected"}, {"error", c.error}};
            stats.requests_rejected.inc("bad_call");
            continue;
        }
        call_work w;
        w.words = adapters::hotline::caller_words(*c.call);
        w.appeals = dialog::intake::find_appeals(*nlu, w.words.text);
        w.call = std::move(*c.call);
        work->emplace_back(i, std::move(w));
    }

    auto shared_req = std::make_shared<http_request>(std::move(req));
    auto shared_respond =
        std::make_shared<std::function<void(http_response &&)>>(std::move(respond));
    auto finish = [this, shared_req, shared_respond, out] {
        json body{{"results", json::array()}};
        std::size_t accepted = 0;
        for (auto& r : *out) {
            if (r.value("status", "") == "accepted") ++accepted;
            body["results"].push_back(std::move(r));
        }
        body["accepted"] = accepted;
        boost::asio::post(ioc, [shared_req, shared_respond, body = std::move(body)] {
            (*shared_respond)(make_response(*shared_req, http::status::ok, body.dump() + "\n",
                                            "application/json; charset=utf-8"));
        });
    };
    if (work->empty()) return finish();

    bool queued = write->submit([this, ctx, system, t, work, out, finish](
                                    adapters::sqlite_store::store& store) -> writer::continuation {
        std::vector<std::size_t> fresh;  // indexes of calls handled now (not duplicates)
        std::size_t opened = 0;
        for (auto& [index, w] : *work) {
            const auto& call = w.call;
            dialog::inbound_message m;
            m.from = dialog::channel::hotline;
            m.user_id = call.caller_phone;
            m.dedup_key = "call:" + system + ":" + call.call_id;
            m.create_time = call.started_at != 0 ? call.started_at : t;
            m.kind = dialog::inbound_kind::text;
            m.text = w.words.text;
            try {
                auto h = store.handle_once(m.from, m.dedup_key, m, [&](dialog::unit_of_work& uow) {
                    json result{{"call_id", call.call_id}, {"status", "accepted"}};
                    json cases = json::array();
                    const std::string fallback_address = address_in_call(w.appeals);
                    std::size_t n = 0;
                    for (const auto& a : w.appeals) {
                        const auto& u = a.understood;
                        dialog::case_draft d;
                        d.from = dialog::channel::hotline;
                        d.reporter_id = call.caller_phone;
                        d.kind = u.kind.name.empty() ? "complaint" : u.kind.name;
                        d.category = u.category.unsure ? call.operator_category : u.category.name;
                        d.category_confidence = u.category.confidence;
                        d.urgency = u.urgency.name == "urgent" ? "urgent" : "normal";
                        d.description = a.text;
                        const auto* addr = u.find("address");
                        d.address = addr ? addr->text : fallback_address;
                        d.contact_phone = call.caller_phone;
                        d.source_key = m.dedup_key + "#" + std::to_string(++n);
                        d.source_ref = system + ":" + call.call_id;
                        d.source_span = span_of(w.words, a);
                        d.created_at = t;
                        auto rec = service->open(uow, d, u.normalised, t);
                        // The caller hears the number: on WeChat when the phone is bound to a
                        // resident there, else by SMS; the outbox worker chooses at delivery.
                        dialog::notification note;
                        note.audience = "resident";
                        note.to = dialog::person_ref{dialog::channel::hotline, call.caller_phone};
                        note.template_key = "hotline/case_opened";
                        note.vars_json = json{{"number", rec.number}}.dump();
                        note.text = templates->render(
                            "hotline/case_opened",
                            {{"number", rec.number},
                             {"category",
                              rec.category.empty() ? std::string("待分类") : rec.category}});
                        note.case_id = rec.id;
                        note.idempotency_key = "hotline:" + d.source_key;
                        note.created_at = t;
                        uow.enqueue(note);
                        cases.push_back({{"number", rec.number},
                                         {"kind", rec.kind},
                                         {"category", rec.category.empty() ? json(nullptr)
                                                                           : json(rec.category)},
                                         {"span", d.source_span}});
                    }
                    result["cases"] = std::move(cases);
                    if (w.appeals.empty()) result["note"] = "no appeal found in the caller's words";
                    return result.dump();
                });
                json r = json::parse(h.reply, nullptr, false);
                if (r.is_discarded()) r = json::object();
                if (h.duplicate) {
                    r["status"] = "duplicate";
                } else {
                    fresh.push_back(index);
                    opened += h.opened.size();
                }
                (*out)[index] = std::move(r);
            } catch (const std::exception& e) {
                log->error("{} hotline call store failure: {}", ctx.id, e.what());
                stats.errors.inc("hotline");
                // Not acknowledged: the hotline system sends it again, and it is handled once.
                (*out)[index] = {{"call_id", call.call_id},
                                 {"status", "failed"},
                                 {"error",
                                  "temporarily unable to store this call; send it "
                                  "again"}};
            }
        }
        return [this, out, fresh, opened, finish](bool committed) {
            if (!committed)
                for (auto i : fresh)
                    (*out)[i] = {{"call_id", (*out)[i].value("call_id", "")},
                                 {"status", "failed"},
                                 {"error",
                                  "temporarily unable to store this call; send it "
                                  "again"}};
            else {
                stats.messages_received.inc("hotline", fresh.size());
                stats.cases_opened.inc("hotline", opened);
            }
            finish();
        };
    });
    if (!queued) {
        for (auto& [index, w] : *work)
            (*out)[index] = {{"call_id", w.call.call_id},
                             {"status", "failed"},
                             {"error", "shutting down; send it again"}};
        finish();
    }
}

}  // namespace minsheng::gateway
