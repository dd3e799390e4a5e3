#pragma once
// Private: the state every route shares. Built once in app's constructor; everything reachable
// from here is immutable or thread-safe as noted.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/sqlite_store/store.hpp"
#include "adapters/wechat_oa/oa_endpoint.hpp"
#include "dialog/conversation/conversation.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/templates.hpp"
#include "gateway/app.hpp"
#include "gateway/http_server.hpp"
#include "gateway/log.hpp"
#include "gateway/metrics.hpp"
#include "gateway/outbox_worker.hpp"
#include "gateway/writer.hpp"

namespace minsheng::gateway {

// Readers for the operator API, one per reader-pool thread at a time. Thread-safe.
class reader_pool {
public:
    explicit reader_pool(std::string path) : path_(std::move(path)) {}
    std::unique_ptr<adapters::sqlite_store::reader> acquire();
    void release(std::unique_ptr<adapters::sqlite_store::reader> r);

private:
    std::string path_;
    std::mutex mu_;
    std::vector<std::unique_ptr<adapters::sqlite_store::reader>> free_;
};

// The parsed body of POST /api/v1/cases/{id}/actions.
struct action_request {
    dialog::cases::action what{};
    dialog::cases::act_args args;
    std::string into_number;  // merge target given as a case number
};

// Per-feature state, defined in the feature's own file and built by its make_* function in app's
// constructor (after the writer, readers and service exist).
struct mp_state;           // gateway/mp_route.cpp: sessions, rate limits, the code2session client
struct open311_state;      // gateway/open311_route.cpp
struct console_state;      // gateway/console_route.cpp: the web console's files
struct staff_state;        // gateway/staff_auth.cpp: operator authentication
struct operator_identity;  // gateway/staff_auth.hpp

struct app::impl {
    config cfg;
    std::function<std::int64_t()> now;
    std::shared_ptr<const dialog::template_set> templates;
    std::shared_ptr<const dialog::nlu::engine> nlu;
    std::shared_ptr<const dialog::cases::case_service> service;
    std::shared_ptr<const dialog::conversation> talk;
    std::shared_ptr<const adapters::wechat_oa::oa_endpoint> oa;
    metrics stats;
    std::shared_ptr<logger> log;

    boost::asio::io_context ioc;
    // Declared before the writer, so it is destroyed after the writer has run the continuations
    // of its last records. Null when delivery is off (no API secret).
    std::unique_ptr<outbox_worker> outbox;
    std::unique_ptr<writer> write;
    std::unique_ptr<reader_pool> readers;
    boost::asio::thread_pool read_threads{2};
    std::shared_ptr<http_server> server;
    std::vector<std::thread> threads;
    std::atomic<std::uint64_t> request_seq{0};
    std::unique_ptr<boost::asio::steady_timer> sweep_timer;
    std::shared_ptr<mp_state> mp;
    std::shared_ptr<open311_state> open311;
    std::shared_ptr<console_state> console;
    std::shared_ptr<staff_state> staff;

    std::mutex stop_mu;
    std::condition_variable stop_cv;
    bool stopped = false;
    bool stopping = false;

    void handle(http_request&& req, std::function<void(http_response&&)> respond);

    // routes (each answers exactly once through `respond`)
    struct request_ctx {
        std::string id;
        std::chrono::steady_clock::time_point start;
        std::string route;
        std::string path;
        adapters::wechat_oa::query_params query;
    };
    void route_wechat(request_ctx ctx, http_request&& req,
                      std::function<void(http_response&&)> respond);
    void route_api(request_ctx ctx, http_request&& req,
                   std::function<void(http_response&&)> respond);
    void route_public(request_ctx ctx, http_request&& req,
                      std::function<void(http_response&&)> respond);
    void route_hotline(request_ctx ctx, http_request&& req,
                       std::function<void(http_response&&)> respond);
    // /mp/v1/...: the mini program API (gateway/mp_route.cpp).
    void route_mp(request_ctx ctx, http_request&& req,
                  std::function<void(http_response&&)> respond);
    // /open311/v2/...: GeoReport v2 (gateway/open311_route.cpp).
    void route_open311(request_ctx ctx, http_request&& req,
                       std::function<void(http_response&&)> respond);
    // / and /console/...: the web console's static files (gateway/console_route.cpp).
    void route_console(request_ctx ctx, http_request&& req,
                       std::function<void(http_response&&)> respond);
    // /api/v1/stats...: statistics for an authenticated operator, scoped to what they may see
    // (gateway/stats_route.cpp). Called by route_api after authentication, on a read thread.
    void serve_stats(request_ctx ctx, http_request&& req,
                     std::function<void(http_response&&)> respond, const operator_identity& who);

    // Runs `read` on the reader pool and answers its JSON (404 when it holds an "error").
    void read_json(request_ctx ctx, http_request&& req,
                   std::function<void(http_response&&)> respond,
                   std::function<nlohmann::json(adapters::sqlite_store::reader&)> read);
    // Applies an operator's case action on the writer and answers after the commit.
    void act_on_case(request_ctx ctx, http_request&& req,
                     std::function<void(http_response&&)> respond, std::int64_t case_id,
                     action_request request);

    // Timers: runs the case service's sweep on the writer every sweep_interval_seconds.
    void schedule_sweep();
    // Queues one sweep on the writer; `done` gets the report after the commit (nullopt when the
    // sweep failed or the writer is stopping).
    void run_sweep(std::function<void(std::optional<dialog::cases::sweep_report>)> done);
};

std::shared_ptr<mp_state> make_mp_state(app::impl& app);
std::shared_ptr<open311_state> make_open311_state(app::impl& app);
std::shared_ptr<console_state> make_console_state(app::impl& app);
std::shared_ptr<staff_state> make_staff_state(app::impl& app);

// Helpers shared by the routes.
http_response make_response(const http_request& req, boost::beast::http::status status,
                            std::string body, std::string_view content_type);
// Splits "path?query" and decodes the query strictly; nullopt query = bad escape or repeated key.
std::pair<std::string, std::optional<adapters::wechat_oa::query_params>> split_target(
    std::string_view target);
// The whole of `text` as a number in [lo, hi], or nullopt.
std::optional<std::int64_t> whole_number(std::string_view text, std::int64_t lo, std::int64_t hi);

}  // namespace minsheng::gateway
