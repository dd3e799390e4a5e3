#pragma once
// One HTTP exchange on its way through the threads, and the one place every route runs work off
// the I/O thread:
//
//   on_reader(fn)          fn(reader) on the reader pool, with a pooled read-only connection
//   on_writer(work, then)  work(store) on the writer inside the current group commit; once that
//                          commit is durable, then(value) on an I/O thread
//
// Both are also the error boundary: an exception thrown by fn, work or then becomes a 500 with a
// one-line reason in the route's error format, minsheng_handler_errors_total{route} and one log
// line; it never reaches a thread's run loop. A failed commit answers 500 too (the client sends
// again; exactly-once handling makes that safe), and a writer that is stopping answers 503.
//
// An exchange answers exactly once: the first answer wins, later ones are dropped (and counted as
// a bug in the log). Thread-safety: every member may be called from any thread. It keeps the
// application state alive by a shared_ptr, never by a raw pointer, so a task that outlives the
// route's stack frame is safe.
//
// after_commit() is the same writer step for work that no request waits on (the sweep timer).

#include <atomic>
#include <boost/asio/post.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/server/app_state.hpp"

namespace minsheng::gateway {

// A response to `req` with the server header, keep-alive as the request asked, and the body.
http_response make_response(const http_request& req, boost::beast::http::status status,
                            std::string body, std::string_view content_type);

class exchange : public std::enable_shared_from_this<exchange> {
public:
    // How this route writes an error: (request, status, code, message) → response. The default
    // writes the message as text/plain.
    using error_format =
        std::function<http_response(const http_request&, boost::beast::http::status,
                                    std::string_view code, std::string_view message)>;

    static std::shared_ptr<exchange> make(app_ptr app, request_ctx ctx, http_request req,
                                          respond_fn respond);

    app_state& app() const { return *app_; }
    const app_ptr& app_shared() const { return app_; }
    const request_ctx& ctx() const { return ctx_; }
    const http_request& req() const { return req_; }
    // The decoded query parameter, or nullptr.
    const std::string* param(std::string_view key) const;

    // Sets how errors are written (JSON for the APIs, XML for Open311 XML). Call before any
    // work is started.
    void set_error_format(error_format f) { error_format_ = std::move(f); }

    // Answers once; later calls are dropped. Any thread.
    void answer(http_response&& res);
    // A response to this request (does not answer).
    http_response response(boost::beast::http::status status, std::string body,
                           std::string_view content_type) const;
    void answer(boost::beast::http::status status, std::string body,
                std::string_view content_type) {
        answer(response(status, std::move(body), content_type));
    }
    // A refusal the caller caused (4xx, or 503 with retry_after > 0): counted in
    // minsheng_requests_rejected_total{code}, logged at warn, written in the route's format.
    void refuse(boost::beast::http::status status, std::string_view code, std::string_view message,
                std::int64_t retry_after = 0);
    // A failure of ours: 500, minsheng_handler_errors_total{route}, one error line with `what`
    // (never shown to the client).
    void internal(std::string_view what);

    // Runs fn here, on this thread, inside the error boundary: the dispatcher runs every route
    // through it, so an exception in a route's synchronous part answers 500 too.
    void run(const std::function<void(exchange&)>& fn) { guarded(fn); }

    // Runs fn on a reader thread with a pooled reader. fn answers (or starts more work).
    void on_reader(std::function<void(exchange&, adapters::db::reader&)> fn);

    // Runs work on the writer in the current batch; after the commit, then(value) on an I/O
    // thread. work may throw: its writes are then rolled back as far as the store's own unit of
    // work rolls them back (store::run / handle_once), and the exchange answers internal().
    // `failed` (optional) answers instead of internal() when the work threw or the commit failed.
    template <class T>
    void on_writer(std::function<T(adapters::db::store&)> work,
                   std::function<void(exchange&, T&)> then,
                   std::function<void(exchange&, std::string_view why)> failed = {});

    bool answered() const { return answered_.load(); }

private:
    exchange(app_ptr app, request_ctx ctx, http_request req, respond_fn respond);
    // Posts fn to an I/O thread, inside the error boundary.
    void on_io(std::function<void(exchange&)> fn);
    void guarded(const std::function<void(exchange&)>& fn);
    // The non-template core of on_writer: `work` returns what runs after the commit.
    void submit(std::function<std::function<void(exchange&)>(adapters::db::store&)> work,
                std::function<void(exchange&, std::string_view)> failed);

    app_ptr app_;
    request_ctx ctx_;
    http_request req_;
    respond_fn respond_;
    error_format error_format_;
    std::atomic<bool> answered_{false};
};
using exchange_ptr = std::shared_ptr<exchange>;

template <class T>
void exchange::on_writer(std::function<T(adapters::db::store&)> work,
                         std::function<void(exchange&, T&)> then,
                         std::function<void(exchange&, std::string_view why)> failed) {
    submit(
        [work = std::move(work),
         then = std::move(then)](adapters::db::store& s) -> std::function<void(exchange&)> {
            auto value = std::make_shared<T>(work(s));
            return [value, then](exchange& x) { then(x, *value); };
        },
        std::move(failed));
}

// Counts a message that went through store::handle_once on `channel`: a duplicate, or a new
// message with the cases it opened (each logged with its number, kind, category and urgency).
void count_handled(const exchange& x, std::string_view channel, bool duplicate,
                   const std::vector<dialog::case_record>& opened);

// The writer step without a request: work(store) on the writer; after the commit, then(value) on
// an I/O thread; on failure (work threw, the commit failed, or the writer is stopping)
// then(nullopt) there instead, after counting minsheng_handler_errors_total{what} and logging.
// `then` must not throw (it runs outside any exchange).
template <class T>
void after_commit(const app_ptr& app, std::string what, std::function<T(adapters::db::store&)> work,
                  std::function<void(std::optional<T>)> then);

// The non-template core of after_commit.
void after_commit_erased(const app_ptr& app, std::string what,
                         std::function<std::function<void()>(adapters::db::store&)> work,
                         std::function<void()> on_failure);

template <class T>
void after_commit(const app_ptr& app, std::string what, std::function<T(adapters::db::store&)> work,
                  std::function<void(std::optional<T>)> then) {
    auto shared_then = std::make_shared<std::function<void(std::optional<T>)>>(std::move(then));
    after_commit_erased(
        app, std::move(what),
        [work = std::move(work), shared_then](adapters::db::store& s) -> std::function<void()> {
            auto value = std::make_shared<T>(work(s));
            return [value, shared_then] { (*shared_then)(std::move(*value)); };
        },
        [shared_then] { (*shared_then)(std::nullopt); });
}

}  // namespace minsheng::gateway
