// POST /hotline/transcripts: 12345 call transcripts become cases, like chat messages do.
//   I/O thread: HMAC check (per hotline system: v2 over method, path, query, content type,
//     timestamp and body; the legacy form only for systems configured for it, counted), replay
//     check (a signature let in before, while still inside the window, is refused), parse the
//     batch (adapters/hotline), find the appeals in each call's caller turns (dialog/intake,
//     outside any transaction).
//   writer: each call exactly once, keyed by (hotline, system:call_id), filed by
//     dialog::intake::file_call (certificate requests answered from the city's list first,
//     without a case unless the operator marked still_needs_help); the per-call result is stored as
//     the call's reply, so a re-sent call answers the same result and changes nothing.
//   I/O thread after the commit: one answer with a result per call.

#include <algorithm>

#include <nlohmann/json.hpp>

#include "adapters/hotline/auth.hpp"
#include "adapters/hotline/transcript.hpp"
#include "dialog/intake/call_filing.hpp"
#include "dialog/intake/certificate_answers.hpp"
#include "gateway/routes/routes.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;
using json = nlohmann::json;

namespace {

constexpr std::string_view json_type = "application/json; charset=utf-8";

// One call, understood, ready for the writer.
struct call_work {
    std::size_t index = 0;  // in the batch
    adapters::hotline::transcript call;
    std::string text;  // the caller's words
    dialog::intake::call_report report;
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

// What the agent said before each caller turn (several agent turns in a row are one line), so
// that "还有别的问题吗？" followed by the caller's next words can start another appeal.
std::vector<dialog::intake::agent_line> agent_lines(const adapters::hotline::transcript& call,
                                                    const adapters::hotline::caller_text& words) {
    std::vector<dialog::intake::agent_line> out;
    std::size_t from = 0;  // first turn after the previous caller turn
    for (const auto& p : words.pieces) {
        // The agent's last line before this caller turn is the one the caller answers.
        for (std::size_t i = p.turn_index; i-- > from;)
            if (call.turns[i].speaker == "agent" && !call.turns[i].text.empty()) {
                out.push_back({p.begin, call.turns[i].text});
                break;
            }
        from = p.turn_index + 1;
    }
    return out;
}

json failed_call(std::string_view call_id, std::string_view why) {
    return {{"call_id", call_id}, {"status", "failed"}, {"error", why}};
}

constexpr std::string_view retry_later = "temporarily unable to store this call; send it again";

// What the writer hands back for the batch: a result per call (by batch index), which calls were
// handled now, and how many cases they opened.
struct batch_outcome {
    std::vector<json> results;
    std::vector<std::size_t> fresh;
    std::size_t opened = 0;
};

void answer_batch(exchange& x, std::vector<json>& results) {
    json body{{"results", json::array()}};
    std::size_t accepted = 0;
    for (auto& r : results) {
        if (r.value("status", "") == "accepted") ++accepted;
        body["results"].push_back(std::move(r));
    }
    body["accepted"] = accepted;
    x.answer(http::status::ok, views::json_text(body), json_type);
}

// On the writer: each call in its own unit of work, exactly once; results go into `out`.
void store_calls(const app_ptr& app, const exchange& x, const std::vector<call_work>& work,
                 std::int64_t t, adapters::db::store& store, batch_outcome& out) {
    for (const auto& w : work) {
        dialog::inbound_message m;
        m.from = dialog::channel::hotline;
        m.user_id = w.call.caller_phone;
        m.dedup_key = w.report.dedup_key;
        m.create_time = w.call.started_at != 0 ? w.call.started_at : t;
        m.kind = dialog::inbound_kind::text;
        m.text = w.text;
        try {
            json fresh_result;
            auto h = store.handle_once(m.from, m.dedup_key, m, [&](dialog::unit_of_work& uow) {
                // Certificate requests are answered from the city's list: the operator reads the
                // answer and no case opens, unless the caller still needs the community's help.
                dialog::intake::call_report report = w.report;
                std::vector<dialog::intake::call_certificate> certificates;
                if (app->certificates)
                    certificates = dialog::intake::answer_call_certificates(
                        *app->certificates, *app->templates, uow, report, t);
                std::vector<std::int64_t> joined, repeated;
                auto opened = dialog::intake::file_call(*app->service, *app->templates, uow, report,
                                                        t, app->nlu.get(), &joined,
                                                        app->sketches.get(), &repeated);
                json cases = json::array();
                for (std::size_t i = 0; i < opened.size(); ++i) {
                    const auto& rec = opened[i];
                    cases.push_back(
                        {{"number", rec.number},
                         {"kind", rec.kind},
                         {"category", rec.category.empty() ? json(nullptr) : json(rec.category)},
                         {"span", i < report.spans.size() ? report.spans[i] : ""}});
                    for (const auto& c : certificates)
                        if (c.escalated && c.appeal == i) cases.back()["certificate"] = c.item;
                    // The same problem as an open case: the caller follows it (one problem, one
                    // case), and the answer the operator may give says so.
                    const auto answer = [&](const char* key) {
                        return app->templates->render(
                            key, {{"number", rec.number},
                                  {"status", dialog::cases::case_service::status_label(
                                                 *app->templates, rec)}});
                    };
                    if (std::find(joined.begin(), joined.end(), rec.id) != joined.end()) {
                        cases.back()["joined"] = true;
                        cases.back()["answer"] = answer("hotline/joined_answer");
                    } else if (std::find(repeated.begin(), repeated.end(), rec.id) !=
                               repeated.end()) {
                        // Reported before by this caller: no new case (one problem, one case).
                        cases.back()["repeated"] = true;
                        cases.back()["answer"] = answer("hotline/repeated_answer");
                    }
                }
                fresh_result = {{"call_id", w.call.call_id}, {"status", "accepted"}};
                fresh_result["cases"] = std::move(cases);
                if (!certificates.empty()) {
                    json answers = json::array();
                    for (const auto& c : certificates)
                        answers.push_back({{"item", c.item},
                                           {"name", c.name},
                                           {"span", c.span},
                                           {"answer", c.answer},
                                           {"still_needs_help", c.escalated}});
                    fresh_result["certificates"] = std::move(answers);
                }
                if (opened.empty() && certificates.empty())
                    fresh_result["note"] = "no appeal found in the caller's words";
                return views::json_compact(fresh_result);
            });
            if (h.duplicate) {
                json r = json::parse(h.reply, nullptr, false);
                if (r.is_discarded() || !r.is_object()) r = json::object();
                r["status"] = "duplicate";
                out.results[w.index] = std::move(r);
            } else {
                out.fresh.push_back(w.index);
                out.opened += h.opened.size();
                out.results[w.index] = std::move(fresh_result);
            }
        } catch (const std::exception& e) {
            // Not acknowledged: the hotline system sends it again, and it is handled once.
            x.app().stats.errors.inc("hotline");
            x.app().log->error("{} hotline call store failure: {}", x.ctx().id, e.what());
            out.results[w.index] = failed_call(w.call.call_id, retry_later);
        }
    }
}

// The signature, its freshness and the replay guard, for every hotline endpoint. Returns the
// hotline system's name, or nullopt when the request was refused (answered).
std::optional<std::string> admit_signed(const exchange_ptr& x) {
    auto& app = x->app();
    const auto& req = x->req();
    std::string system(req["X-Minsheng-Hotline"]);
    if (system.empty()) system = "default";
    const auto& cfg = app.cfg.hotline;
    auto secret = cfg.secrets.find(system);
    const std::int64_t t = app.now();
    const bool legacy_allowed = cfg.legacy_signature.contains(system);
    const auto verdict = adapters::hotline::verify(
        secret == cfg.secrets.end() ? std::string_view() : std::string_view(secret->second),
        req["X-Minsheng-Timestamp"], req["X-Minsheng-Signature"],
        {req.method_string(), x->ctx().path, x->ctx().query, req[http::field::content_type],
         req.body()},
        t, cfg.max_clock_skew, legacy_allowed);
    if (verdict.failure == adapters::hotline::auth_failure::legacy_refused) {
        x->refuse(http::status::unauthorized, "legacy_signature",
                  "this hotline system must sign its requests with X-Minsheng-Signature: "
                  "v2=... over method, path, query, content type, timestamp and body");
        return std::nullopt;
    }
    if (verdict.failure != adapters::hotline::auth_failure::none) {
        x->refuse(http::status::unauthorized, adapters::hotline::to_string(verdict.failure),
                  "the request must carry X-Minsheng-Timestamp and a valid "
                  "X-Minsheng-Signature for this hotline system");
        return std::nullopt;
    }
    // Only a verified signature is remembered: nobody without the secret can fill the guard.
    const auto seen = app.hotline_replays->admit(system + " " + verdict.mac, verdict.timestamp, t);
    if (seen.result == replay_guard::outcome::replayed) {
        x->refuse(http::status::unauthorized, "replayed",
                  "this signature was used before; sign each request with the current "
                  "timestamp (a request sent again needs a later one)");
        return std::nullopt;
    }
    if (seen.result == replay_guard::outcome::full) {
        app.stats.overloaded.inc("hotline_replays");
        x->refuse(http::status::service_unavailable, "busy",
                  "too many signed requests in the clock window; send it again later",
                  seen.retry_after_seconds);
        return std::nullopt;
    }
    if (verdict.form == adapters::hotline::signature_form::legacy)
        app.stats.hotline_legacy_signatures.inc(system);
    return system;
}

// POST /hotline/transcripts, signed by `system`.
void serve_transcripts(const exchange_ptr& x, const std::string& system) {
    auto& app = x->app();
    const auto& req = x->req();
    const std::int64_t t = app.now();
    auto parsed =
        adapters::hotline::parse_batch(req.body(), req[http::field::content_type], x->ctx().query);
    if (auto* e = std::get_if<adapters::hotline::batch_error>(&parsed))
        return x->refuse(http::status::bad_request, "bad_batch", e->message);
    auto& calls = std::get<std::vector<adapters::hotline::parsed_call>>(parsed);

    // Understanding on this I/O thread, outside the transaction.
    std::vector<json> results(calls.size());
    auto work = std::make_shared<std::vector<call_work>>();
    for (std::size_t i = 0; i < calls.size(); ++i) {
        auto& c = calls[i];
        if (!c.call) {
            results[i] = {{"call_id", c.call_id}, {"status", "rejected"}, {"error", c.error}};
            app.stats.requests_rejected.inc("bad_call");
            continue;
        }
        call_work w;
        w.index = i;
        auto words = adapters::hotline::caller_words(*c.call);
        w.report.appeals =
            dialog::intake::find_appeals(*app.nlu, words.text, agent_lines(*c.call, words));
        for (const auto& a : w.report.appeals) w.report.spans.push_back(span_of(words, a));
        w.report.system = system;
        w.report.call_id = c.call->call_id;
        w.report.caller_phone = c.call->caller_phone;
        w.report.operator_category = c.call->operator_category;
        w.report.still_needs_help = c.call->still_needs_help;
        w.report.dedup_key = "call:" + system + ":" + c.call->call_id;
        w.text = std::move(words.text);
        w.call = std::move(*c.call);
        work->push_back(std::move(w));
    }
    if (work->empty()) return answer_batch(*x, results);

    // The writer fills the outcome; the answer reads it on an I/O thread after the commit.
    auto state = x->app_shared();
    auto out = std::make_shared<batch_outcome>();
    out->results = std::move(results);
    x->on_writer<bool>(
        [state, x, out, work, t](adapters::db::store& store) {
            store_calls(state, *x, *work, t, store, *out);
            return true;
        },
        [out](exchange& ex, bool&) {
            ex.app().stats.messages_received.inc("hotline", out->fresh.size());
            ex.app().stats.cases_opened.inc("hotline", out->opened);
            answer_batch(ex, out->results);
        },
        [out, work](exchange& ex, std::string_view) {
            // The batch's commit failed: no call handled in it is acknowledged; the hotline
            // system sends each again and each is handled once. Duplicates stay duplicates.
            for (auto i : out->fresh)
                out->results[i] = failed_call(out->results[i].value("call_id", ""), retry_later);
            for (const auto& w : *work)
                if (out->results[w.index].is_null())
                    out->results[w.index] = failed_call(w.call.call_id, retry_later);
            answer_batch(ex, out->results);
        });
}

}  // namespace

void serve_hotline(const exchange_ptr& x) {
    const std::string_view path = x->ctx().path;
    if (path != "/hotline/transcripts" && path != "/hotline/feedback" &&
        path != "/hotline/not-same")
        return x->refuse(http::status::not_found, "not_found", "no such endpoint");
    if (x->req().method() != http::verb::post)
        return x->refuse(http::status::method_not_allowed, "method_not_allowed",
                         "only POST is allowed here");
    const auto system = admit_signed(x);
    if (!system) return;
    if (path == "/hotline/feedback") return serve_hotline_feedback(x, *system);
    if (path == "/hotline/not-same") return serve_hotline_not_same(x, *system);
    serve_transcripts(x, *system);
}

}  // namespace minsheng::gateway
