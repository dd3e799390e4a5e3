#pragma once
// Delivers the outbox: a thread that every poll interval claims due rows through the writer
// (staff rows are fanned out to the bound staff there), sends each outside the writer (WeChat
// customer-service or template message through adapters/wechat_api; a subscribe message for
// mini program users, on a credit the claim reserved; an SMS webhook for hotline callers
// without WeChat), and records each outcome through the writer. At least once: a row claimed but
// never recorded (crash) is claimed again after in_flight_seconds; template sends carry the row's
// idempotency key as client_msg_id so a resend is recognisable.
//
// Thread-safety: start()/stop() from one controlling thread; the rest runs on the worker's own
// thread. The writer, metrics and logger must outlive it.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "adapters/db/outbox_delivery.hpp"
#include "adapters/db/shared_tokens.hpp"
#include "adapters/wechat_api/api_client.hpp"
#include "adapters/wechat_api/http_transport.hpp"
#include "dialog/templates.hpp"
#include "gateway/grid_page/grid_links.hpp"
#include "gateway/server/config.hpp"
#include "gateway/server/log.hpp"
#include "gateway/server/metrics.hpp"
#include "gateway/server/writer.hpp"

namespace minsheng::gateway {

// What one send came to, before it is recorded.
struct delivery_outcome {
    enum class verdict { delivered, retry, dead } what = verdict::retry;
    std::string detail;          // delivered: how ("customer_service", "template msgid=7", "sms")
                                 // otherwise: the error, safe to log and store
    std::string reason;          // metrics label: "http_status", "platform", "no_sms_gateway", ...
    std::string service_openid;  // a customer-service message was sent to this user
    bool counts_attempt = true;  // false: waiting on configuration, never dies of it
    // Mini program rows: what becomes of the subscription credit the claim reserved.
    enum class credit { keep_used, refund, clear } subscription = credit::keep_used;
};

class outbox_worker {
public:
    // Delivers with cfg.delivery; mini program rows with cfg.miniprogram's credentials and
    // subscribe template; staff rows by the streets of cfg.communities. Throws
    // std::invalid_argument / std::runtime_error for an unusable API or webhook config.
    // `shared_tokens` (PostgreSQL): the access tokens are shared with the other gateways.
    outbox_worker(const config& cfg, writer& w, metrics& stats, std::shared_ptr<logger> log,
                  std::function<std::int64_t()> now,
                  std::shared_ptr<adapters::db::shared_tokens> shared_tokens = nullptr);
    ~outbox_worker();  // stop()
    outbox_worker(const outbox_worker&) = delete;
    outbox_worker& operator=(const outbox_worker&) = delete;

    void start();
    // Work order notices (notify/worker_assigned) then carry the grid page's signed link for
    // their recipient (notify/order_link; the template message's url). Call before start().
    void set_order_links(std::shared_ptr<const grid_page::grid_links> links,
                         std::shared_ptr<const dialog::template_set> texts);
    // Finishes the send in progress and records it; rows claimed but not yet sent are released
    // (due again now), then the thread ends. Idempotent.
    void stop();

    // The delay before attempt `attempts + 1`: base * 2^(attempts-1), capped at one hour, with
    // "equal jitter" (half fixed, half random) so retries of many rows spread out. Seconds.
    static std::int64_t backoff_seconds(int attempts, std::int64_t base_ms, std::mt19937& rng);

private:
    void run();
    std::vector<adapters::db::due_notification> claim();
    delivery_outcome deliver(const adapters::db::due_notification& d);
    delivery_outcome send_wechat(const adapters::db::due_notification& d);
    delivery_outcome send_sms(const adapters::db::due_notification& d);
    delivery_outcome send_subscribe(const adapters::db::due_notification& d);
    void record(const adapters::db::due_notification& d, delivery_outcome o);
    void release(const std::vector<adapters::db::due_notification>& rows, std::size_t from);
    bool sleep_until_next_poll();

    delivery_config cfg_;
    miniprogram_config mp_cfg_;
    adapters::db::delivery_routing routing_;
    writer& writer_;
    metrics& stats_;
    std::shared_ptr<logger> log_;
    std::function<std::int64_t()> now_;
    std::unique_ptr<adapters::wechat_api::api_client> api_;
    std::unique_ptr<adapters::wechat_api::api_client> mp_api_;  // null: no subscribe template
    std::unique_ptr<adapters::wechat_api::http_transport> sms_;
    std::string sms_target_;
    std::mt19937 rng_;
    std::shared_ptr<const grid_page::grid_links> links_;  // null: no links
    std::shared_ptr<const dialog::template_set> texts_;

    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace minsheng::gateway
