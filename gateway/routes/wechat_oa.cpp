// POST/GET /wechat/oa: the official-account callback.
//   I/O thread: verify + decrypt + parse (adapters/wechat_oa), understand (dialog NLU).
//   writer: exactly-once handling in one transaction (dedup, state, case) — the conversation.
//   I/O thread after the commit: render and encrypt the passive reply.

#include <variant>

#include "adapters/wechat_oa/stored_reply.hpp"
#include "dialog/intake/call_appeals.hpp"
#include "dialog/utf8.hpp"
#include "gateway/routes/routes.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;
namespace oa = adapters::wechat_oa;

namespace {

// Shorter messages are one problem: looking for several costs an understanding per sentence.
constexpr std::size_t several_problems_min_chars = 40;

// What the writer hands back: the reply as a value (a fresh message's own, or a duplicate's
// stored one), never re-parsed for a fresh message.
struct handled_push {
    dialog::reply answer;
    bool duplicate = false;
    std::vector<dialog::case_record> opened;
};

}  // namespace

void serve_wechat_oa(const exchange_ptr& x) {
    auto& app = x->app();
    const std::int64_t t = app.now();
    auto refuse = [&](const oa::rejection& r) {
        x->refuse(static_cast<http::status>(oa::http_status(r.reason)), oa::to_string(r.reason),
                  r.detail);
    };

    if (x->req().method() == http::verb::get) {
        auto v = app.oa->verify_url(x->ctx().query, t);
        if (auto* r = std::get_if<oa::rejection>(&v)) return refuse(*r);
        return x->answer(http::status::ok, std::get<std::string>(std::move(v)), "text/plain");
    }

    auto decoded = app.oa->decode(x->ctx().query, x->req().body(), t);
    if (auto* r = std::get_if<oa::rejection>(&decoded)) return refuse(*r);
    auto push =
        std::make_shared<const oa::decoded_push>(std::get<oa::decoded_push>(std::move(decoded)));

    // Understanding runs here, on the I/O thread, outside the transaction.
    std::shared_ptr<const dialog::nlu::understanding> understood;
    // A long message may raise several problems: found here too, for one case each.
    std::shared_ptr<const std::vector<dialog::intake::call_appeal>> problems;
    if (push->message.kind == dialog::inbound_kind::text) {
        understood = std::make_shared<const dialog::nlu::understanding>(
            app.nlu->understand(push->message.text));
        if (dialog::count_code_points(push->message.text) >= several_problems_min_chars) {
            auto found = dialog::intake::find_appeals(*app.nlu, push->message.text);
            if (found.size() >= 2)
                problems = std::make_shared<const std::vector<dialog::intake::call_appeal>>(
                    std::move(found));
        }
    }

    auto state = x->app_shared();
    x->on_writer<handled_push>(
        [state, push, understood, problems, t](adapters::db::store& store) {
            const auto& m = push->message;
            handled_push out;
            auto h = store.handle_once(m.from, m.dedup_key, m, [&](dialog::unit_of_work& uow) {
                out.answer = state->talk->step(m, understood.get(), uow, t, problems.get()).answer;
                return oa::store_reply(out.answer);
            });
            out.duplicate = h.duplicate;
            if (h.duplicate) out.answer = oa::load_reply(h.reply);
            out.opened = std::move(h.opened);
            return out;
        },
        [push, t](exchange& ex, handled_push& h) {
            count_handled(ex, dialog::to_string(push->message.from), h.duplicate, h.opened);
            std::string body = ex.app().oa->encode(*push, h.answer, t);
            const char* type = body == "success" ? "text/plain" : "application/xml; charset=utf-8";
            ex.answer(http::status::ok, std::move(body), type);
        });
}

}  // namespace minsheng::gateway
