#pragma once
// The state every route and every off-thread task shares. Built once by app's constructor,
// before any thread runs, and held as std::shared_ptr<app_state> (app_ptr): a task that runs on
// the writer, a reader or an I/O thread keeps it alive by value, never by a raw pointer.
//
// Thread-safety, per member: everything above "thread-safe" is immutable after construction and
// may be read from any thread; the members below it are thread-safe objects.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapters/db/store.hpp"
#include "adapters/http/query_string.hpp"
#include "adapters/wechat_oa/oa_endpoint.hpp"
#include "dialog/cases/service.hpp"
#include "dialog/conversation/conversation.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/templates.hpp"
#include "gateway/server/client_address.hpp"
#include "gateway/server/config.hpp"
#include "gateway/server/http_server.hpp"
#include "gateway/server/log.hpp"
#include "gateway/server/metrics.hpp"
#include "gateway/server/outbox_worker.hpp"
#include "gateway/server/rate_limiter.hpp"
#include "gateway/server/reader_pool.hpp"
#include "gateway/server/replay_guard.hpp"
#include "gateway/server/token_share.hpp"
#include "gateway/server/writer.hpp"

namespace minsheng::adapters::db {
class discovery_keys;  // adapters/db/discovery.hpp
}

namespace minsheng::gateway {

// One request as the dispatcher hands it to a route.
struct request_ctx {
    std::string id;  // "r0000002a", in the X-Request-Id header and every log line
    std::chrono::steady_clock::time_point start;
    std::string route;  // metrics label: "wechat_oa", "api", "mp", ...
    std::string path;   // without the query
    adapters::http::query_params query;
    std::string peer;  // the client's address as the connection shows it
};
using respond_fn = std::function<void(http_response&&)>;

// Per-feature state, defined in the feature's own folder and built by its make_* function in
// app's constructor (after the writer, readers and service exist). Each is immutable or
// internally thread-safe.
struct mp_state;       // gateway/mp/: sessions, rate limits, the code2session client
struct open311_state;  // gateway/routes/open311.cpp
struct console_state;  // gateway/routes/console.cpp: the web console's files
struct staff_state;    // gateway/operator/staff_auth.hpp: canned replies, the auth throttle
namespace grid_page {
struct grid_page_state;  // gateway/grid_page/grid_page.hpp: the page's files, links, throttle
}

struct app_state {
    explicit app_state(boost::asio::io_context& ioc) : io(ioc.get_executor()) {}
    app_state(const app_state&) = delete;
    app_state& operator=(const app_state&) = delete;

    // Immutable after construction.
    config cfg;
    std::function<std::int64_t()> now;  // unix seconds; thread-safe
    std::shared_ptr<const dialog::template_set> templates;
    std::shared_ptr<const dialog::nlu::engine> nlu;
    std::shared_ptr<const dialog::cases::case_service> service;
    std::shared_ptr<const dialog::conversation> talk;
    // The duplicate search's cache of open cases' sketches (talk's own, shared by every channel).
    std::shared_ptr<dialog::intake::sketch_cache> sketches;
    // The city's certificate list; null when the deployment has none.
    std::shared_ptr<const dialog::intake::certificate_catalogue> certificates;
    std::shared_ptr<const adapters::wechat_oa::oa_endpoint> oa;
    std::shared_ptr<mp_state> mp;
    std::shared_ptr<open311_state> open311;
    std::shared_ptr<console_state> console;
    std::shared_ptr<staff_state> staff;
    std::shared_ptr<grid_page::grid_page_state> grid_page;
    // 主动发现's keyed hashes of ID and phone numbers (adapters/db/discovery.hpp).
    std::shared_ptr<const adapters::db::discovery_keys> discovery;
    // [limits] trusted_proxies, parsed: whose X-Forwarded-For names the client.
    std::vector<ip_network> trusted_proxies;
    // Settings that weaken security, as /healthz lists them ("wechat_plain_mode").
    std::vector<std::string> warnings;

    // Thread-safe.
    metrics stats;
    std::atomic<std::uint64_t> request_seq{0};  // the request ids' counter
    std::atomic<int> reads_waiting{0};          // reader tasks queued, not yet started
    // Token buckets per client address for the routes that need no account.
    std::unique_ptr<rate_limiter> public_by_peer, open311_by_peer, hotline_by_peer;
    // The hotline signatures let in while still inside the clock window (replays refused).
    std::unique_ptr<replay_guard> hotline_replays;
    // The server's open connections (set by app::start before the threads run).
    std::shared_ptr<const std::atomic<std::int64_t>> connections;
    std::shared_ptr<logger> log;
    // The I/O threads: answers built after a commit are posted here. The io_context itself is
    // owned by app and outlives this state's use (app joins every thread before releasing it).
    boost::asio::io_context::executor_type io;
    std::unique_ptr<writer> write;  // submit() from any thread
    std::unique_ptr<reader_pool> readers;
    // The WeChat access tokens' shared rows (PostgreSQL only; null on SQLite). Thread-safe.
    std::shared_ptr<adapters::db::shared_tokens> shared_tokens;
    boost::asio::thread_pool read_threads{2};
    // Null when delivery is off (no API secret). Stopped before the writer.
    std::unique_ptr<outbox_worker> outbox;
};
using app_ptr = std::shared_ptr<app_state>;

}  // namespace minsheng::gateway
