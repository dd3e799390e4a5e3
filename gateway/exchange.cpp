#include "gateway/exchange.hpp"

#include <boost/asio/post.hpp>

namespace minsheng::gateway {

namespace http = boost::beast::http;

http_response make_response(const http_request& req, http::status status, std::string body,
                            std::string_view content_type) {
    http_response res{status, req.version()};
    res.set(http::field::server, "minsheng");
    res.set(http::field::content_type, content_type);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

namespace {

http_response plain_error(const http_request& req, http::status status, std::string_view,
                          std::string_view message) {
    std::string body(message);
    if (body.empty() || body.back() != '\n') body += '\n';
    return make_response(req, status, std::move(body), "text/plain; charset=utf-8");
}

}  // namespace

exchange::exchange(app_ptr app, request_ctx ctx, http_request req, respond_fn respond)
    : app_(std::move(app)),
      ctx_(std::move(ctx)),
      req_(std::move(req)),
      respond_(std::move(respond)),
      error_format_(plain_error) {}

std::shared_ptr<exchange> exchange::make(app_ptr app, request_ctx ctx, http_request req,
                                         respond_fn respond) {
    return std::shared_ptr<exchange>(
        new exchange(std::move(app), std::move(ctx), std::move(req), std::move(respond)));
}

const std::string* exchange::param(std::string_view key) const {
    auto it = ctx_.query.find(key);
    return it == ctx_.query.end() ? nullptr : &it->second;
}

void exchange::answer(http_response&& res) {
    if (answered_.exchange(true)) {
        app_->log->error("{} {} answered twice; the second answer is dropped", ctx_.id, ctx_.route);
        return;
    }
    respond_(std::move(res));
}

http_response exchange::response(http::status status, std::string body,
                                 std::string_view content_type) const {
    return make_response(req_, status, std::move(body), content_type);
}

void exchange::refuse(http::status status, std::string_view code, std::string_view message,
                      std::int64_t retry_after) {
    auto& a = *app_;
    a.stats.requests_rejected.inc(code);
    if (a.log->should_log(spdlog::level::warn))
        a.log->warn("{} {} refused: {} {}", ctx_.id, ctx_.route, code, static_cast<int>(status));
    http_response res = error_format_(req_, status, code, message);
    if (retry_after > 0) res.set(http::field::retry_after, std::to_string(retry_after));
    answer(std::move(res));
}

void exchange::internal(std::string_view what) {
    auto& a = *app_;
    a.stats.errors.inc(ctx_.route);
    a.log->error("{} {} failed: {}", ctx_.id, ctx_.route, what);
    answer(error_format_(req_, http::status::internal_server_error, "internal",
                         "temporarily unable to process this request; please try again"));
}

void exchange::guarded(const std::function<void(exchange&)>& fn) {
    try {
        fn(*this);
    } catch (const std::exception& e) {
        app_->stats.handler_errors.inc(ctx_.route);
        internal(e.what());
    } catch (...) {
        app_->stats.handler_errors.inc(ctx_.route);
        internal("unknown exception");
    }
}

void exchange::on_io(std::function<void(exchange&)> fn) {
    boost::asio::post(app_->io,
                      [self = shared_from_this(), fn = std::move(fn)] { self->guarded(fn); });
}

void exchange::on_reader(std::function<void(exchange&, adapters::db::reader&)> fn) {
    // Bounded: a flood of reads (public pages, Open311 lists, token checks) waits in a queue of
    // at most limits.reader_queue and is then refused, so it cannot starve everyone else.
    auto& waiting = app_->reads_waiting;
    if (waiting.fetch_add(1) >= app_->cfg.limits.reader_queue) {
        waiting.fetch_sub(1);
        app_->stats.overloaded.inc("reader");
        return refuse(http::status::service_unavailable, "busy",
                      "the service is busy; please try again shortly", 1);
    }
    boost::asio::post(app_->read_threads, [self = shared_from_this(), fn = std::move(fn)] {
        self->app_->reads_waiting.fetch_sub(1);
        self->guarded([&](exchange& x) {
            reader_pool::lease r(*x.app().readers);
            fn(x, *r);
        });
    });
}

void exchange::submit(std::function<std::function<void(exchange&)>(adapters::db::store&)> work,
                      std::function<void(exchange&, std::string_view)> failed) {
    auto self = shared_from_this();
    auto shared_failed =
        std::make_shared<std::function<void(exchange&, std::string_view)>>(std::move(failed));
    auto fail = [shared_failed](exchange& x, std::string_view why) {
        if (*shared_failed) return (*shared_failed)(x, why);
        x.internal(why);
    };
    const auto submitted = app_->write->submit(
        [self, work = std::move(work), fail](adapters::db::store& s) -> writer::continuation {
            std::function<void(exchange&)> then;
            try {
                then = work(s);
            } catch (const std::exception& e) {
                self->app().stats.handler_errors.inc(self->ctx().route);
                return [self, fail, why = std::string(e.what())](bool) {
                    self->on_io([fail, why](exchange& x) { fail(x, why); });
                };
            }
            // Answered only once the batch holding this work has committed; building the answer
            // goes back to the I/O threads so the writer moves on.
            return [self, fail, then = std::move(then)](bool committed) {
                if (!committed)
                    return self->on_io([fail](exchange& x) { fail(x, "the commit failed"); });
                self->on_io(then);
            };
        });
    if (submitted == writer::submitted::stopping)
        return refuse(http::status::service_unavailable, "shutting_down",
                      "the service is shutting down; please try again shortly", 1);
    if (submitted == writer::submitted::full) {
        app_->stats.overloaded.inc("writer");
        return refuse(http::status::service_unavailable, "busy",
                      "the service is busy; please try again shortly", 1);
    }
}

void count_handled(const exchange& x, std::string_view channel, bool duplicate,
                   const std::vector<dialog::case_record>& opened) {
    auto& a = x.app();
    if (duplicate) return a.stats.messages_duplicate.inc(channel);
    a.stats.messages_received.inc(channel);
    if (!opened.empty()) a.stats.cases_opened.inc(channel, opened.size());
    if (a.log->should_log(spdlog::level::info))
        for (const auto& c : opened)
            a.log->info("{} case {} opened kind={} category={} urgency={}", x.ctx().id, c.number,
                        c.kind, c.category.empty() ? "-" : c.category, c.urgency);
}

void after_commit_erased(const app_ptr& app, std::string what,
                         std::function<std::function<void()>(adapters::db::store&)> work,
                         std::function<void()> on_failure) {
    auto report = [app, what](std::string_view why) {
        app->stats.handler_errors.inc(what);
        app->stats.errors.inc(what);
        app->log->error("{} failed: {}", what, why);
    };
    const auto submitted = app->write->submit([app, work = std::move(work), on_failure, report](
                                                  adapters::db::store& s) -> writer::continuation {
        std::function<void()> then;
        try {
            then = work(s);
        } catch (const std::exception& e) {
            return [app, on_failure, report, why = std::string(e.what())](bool) {
                boost::asio::post(app->io, [on_failure, report, why] {
                    report(why);
                    on_failure();
                });
            };
        }
        return [app, on_failure, report, then = std::move(then)](bool committed) {
            if (!committed)
                return boost::asio::post(app->io, [on_failure, report] {
                    report("the commit failed");
                    on_failure();
                });
            boost::asio::post(app->io, then);
        };
    });
    if (submitted != writer::submitted::queued) {
        if (submitted == writer::submitted::full) app->stats.overloaded.inc("writer");
        on_failure();
    }
}

}  // namespace minsheng::gateway
