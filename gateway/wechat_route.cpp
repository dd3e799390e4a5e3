// POST/GET /wechat/oa: the official-account callback.
//   I/O thread: verify + decrypt + parse (adapters), understand (dialog NLU).
//   writer thread: exactly-once handling in one transaction (dedup, state, case).
//   back on the session: render and encrypt the passive reply.

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "gateway/detail/app_impl.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;
using json = nlohmann::json;

namespace {

std::string serialize(const dialog::reply& r) {
    json j;
    switch (r.kind) {
        case dialog::reply::type::none:
            j["type"] = "none";
            break;
        case dialog::reply::type::text:
            j["type"] = "text";
            j["text"] = r.text;
            break;
        case dialog::reply::type::news:
            j = {{"type", "news"},
                 {"title", r.title},
                 {"description", r.description},
                 {"pic_url", r.pic_url},
                 {"url", r.url}};
            break;
    }
    return j.dump();
}

dialog::reply deserialize(const std::string& payload) {
    dialog::reply r;
    json j = json::parse(payload, nullptr, false);
    if (j.is_discarded()) return r;
    auto type = j.value("type", "none");
    if (type == "text") {
        r.kind = dialog::reply::type::text;
        r.text = j.value("text", "");
    } else if (type == "news") {
        r.kind = dialog::reply::type::news;
        r.title = j.value("title", "");
        r.description = j.value("description", "");
        r.pic_url = j.value("pic_url", "");
        r.url = j.value("url", "");
    }
    return r;
}

bool carries_text(dialog::inbound_kind k) { return k == dialog::inbound_kind::text; }

}  // namespace

void app::impl::route_wechat(request_ctx ctx, http_request&& req,
                             std::function<void(http_response&&)> respond) {
    const auto& query = ctx.query;
    const std::int64_t t = now();

    auto reject = [&](const adapters::wechat_oa::rejection& r) {
        stats.requests_rejected.inc(adapters::wechat_oa::to_string(r.reason));
        if (log->should_log(spdlog::level::warn))
            log->warn("{} wechat_oa rejected: {}", ctx.id,
                      adapters::wechat_oa::to_string(r.reason));
        respond(make_response(req,
                              static_cast<http::status>(adapters::wechat_oa::http_status(r.reason)),
                              r.detail + "\n", "text/plain; charset=utf-8"));
    };

    if (req.method() == http::verb::get) {
        auto v = oa->verify_url(query, t);
        if (auto* r = std::get_if<adapters::wechat_oa::rejection>(&v)) return reject(*r);
        return respond(make_response(req, http::status::ok, std::get<std::string>(std::move(v)),
                                     "text/plain"));
    }

    auto decoded = oa->decode(query, req.body(), t);
    if (auto* r = std::get_if<adapters::wechat_oa::rejection>(&decoded)) return reject(*r);
    auto push = std::make_shared<adapters::wechat_oa::decoded_push>(
        std::get<adapters::wechat_oa::decoded_push>(std::move(decoded)));

    // Understanding runs here, on the I/O thread, outside the transaction.
    std::shared_ptr<const dialog::nlu::understanding> understood;
    if (carries_text(push->message.kind))
        understood =
            std::make_shared<const dialog::nlu::understanding>(nlu->understand(push->message.text));

    auto shared_req = std::make_shared<http_request>(std::move(req));
    auto shared_respond =
        std::make_shared<std::function<void(http_response &&)>>(std::move(respond));
    bool queued = write->submit([this, ctx, push = push, understood, shared_req, shared_respond,
                                 t](adapters::sqlite_store::store& store) -> writer::continuation {
        const auto& m = push->message;
        auto fail = [this, ctx, shared_req, shared_respond](const char* what) {
            stats.errors.inc("wechat_oa");
            log->error("{} wechat_oa store failure: {}", ctx.id, what);
            // Not acknowledged: WeChat retries, and the retry is processed exactly once.
            (*shared_respond)(make_response(*shared_req, http::status::internal_server_error,
                                            "temporarily unable to process\n",
                                            "text/plain; charset=utf-8"));
        };
        auto h = std::make_shared<adapters::sqlite_store::handled>();
        try {
            *h = store.handle_once(m.from, m.dedup_key, m, [&](dialog::unit_of_work& uow) {
                auto outcome = talk->step(m, understood.get(), uow, t);
                return serialize(outcome.answer);
            });
        } catch (const std::exception& e) {
            std::string what = e.what();
            return [fail, what](bool) { fail(what.c_str()); };
        }
        // Answered only once the batch holding this message has committed.
        return [this, ctx, push, t, h, shared_req, shared_respond, fail](bool committed) {
            if (!committed) return fail("the batch commit failed");
            const char* ch = dialog::to_string(push->message.from).data();
            if (h->duplicate) {
                stats.messages_duplicate.inc(ch);
            } else {
                stats.messages_received.inc(ch);
                if (!h->opened.empty()) stats.cases_opened.inc(ch, h->opened.size());
                if (log->should_log(spdlog::level::info))
                    for (const auto& c : h->opened)
                        log->info("{} case {} opened kind={} category={} urgency={}", ctx.id,
                                  c.number, c.kind, c.category.empty() ? "-" : c.category,
                                  c.urgency);
            }
            // Encryption and the write go back to the I/O threads; the writer moves on.
            boost::asio::post(ioc, [this, push, t, h, shared_req, shared_respond] {
                std::string body = oa->encode(*push, deserialize(h->reply), t);
                const char* type =
                    body == "success" ? "text/plain" : "application/xml; charset=utf-8";
                (*shared_respond)(
                    make_response(*shared_req, http::status::ok, std::move(body), type));
            });
        };
    });
    if (!queued)
        (*shared_respond)(make_response(*shared_req, http::status::service_unavailable,
                                        "shutting down\n", "text/plain; charset=utf-8"));
}

}  // namespace minsheng::gateway
