#pragma once
// Prometheus metrics: labelled counters and a latency histogram. Thread-safe: increments are
// lock-free once a label value has been seen; render() may run concurrently with updates.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::gateway {

// A counter family with one label, e.g. minsheng_messages_received_total{channel="wechat_oa"}.
class counter_family {
public:
    counter_family(std::string name, std::string help, std::string label);
    void inc(std::string_view label_value, std::uint64_t n = 1);
    std::uint64_t value(std::string_view label_value) const;
    void render(std::string& out) const;

private:
    std::string name_, help_, label_;
    mutable std::shared_mutex mu_;
    std::map<std::string, std::unique_ptr<std::atomic<std::uint64_t>>, std::less<>> values_;
};

// A histogram of durations in seconds with fixed buckets and one label (the route).
class histogram_family {
public:
    histogram_family(std::string name, std::string help, std::string label);
    void observe(std::string_view label_value, double seconds);
    void render(std::string& out) const;

    static constexpr std::array<double, 12> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

private:
    struct series {
        std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets{};
        std::atomic<std::uint64_t> count{0};
        std::atomic<std::uint64_t> sum_micros{0};
    };
    std::string name_, help_, label_;
    mutable std::shared_mutex mu_;
    std::map<std::string, std::unique_ptr<series>, std::less<>> series_;
};

// The gateway's metrics.
struct metrics {
    counter_family messages_received{"minsheng_messages_received_total",
                                     "Inbound messages accepted, by channel.", "channel"};
    counter_family messages_duplicate{"minsheng_messages_duplicate_total",
                                      "Inbound retries answered from the stored reply.", "channel"};
    counter_family requests_rejected{"minsheng_requests_rejected_total",
                                     "Requests refused with a 4xx, by reason.", "reason"};
    counter_family cases_opened{"minsheng_cases_opened_total", "Cases opened, by channel.",
                                "channel"};
    counter_family errors{"minsheng_internal_errors_total", "Requests that failed with a 5xx.",
                          "route"};
    counter_family handler_errors{
        "minsheng_handler_errors_total",
        "Exceptions caught at the error boundary (answered 500), by route.", "route"};
    counter_family case_actions{"minsheng_case_actions_total",
                                "Case lifecycle actions applied by operators, by action.",
                                "action"};
    counter_family timer_actions{"minsheng_timer_actions_total",
                                 "Changes made by the timer sweep, by kind.", "kind"};
    counter_family notifications_delivered{"minsheng_notifications_delivered_total",
                                           "Outbox notifications delivered, by channel.",
                                           "channel"};
    counter_family notifications_failed{"minsheng_notifications_failed_total",
                                        "Failed notification attempts (retried), by reason.",
                                        "reason"};
    counter_family notifications_dead{"minsheng_notifications_dead_total",
                                      "Notifications given up, by reason.", "reason"};
    counter_family overloaded{"minsheng_overload_rejections_total",
                              "Requests answered 503 because a queue or the connection cap was "
                              "full, by what was full.",
                              "queue"};
    counter_family rate_limited{"minsheng_rate_limited_total",
                                "Requests refused 429 by a per-client token bucket, by bucket.",
                                "bucket"};
    counter_family hotline_legacy_signatures{
        "minsheng_hotline_legacy_signatures_total",
        "Hotline requests let in with the legacy signature (sha256=, over timestamp and body "
        "only), by hotline system.",
        "system"};
    // Outbox rows still pending at the worker's last poll; -1 until it first polls (not shown).
    std::atomic<std::int64_t> notifications_pending{-1};
    // Connections open now; -1 until the server runs (not shown).
    std::atomic<std::int64_t> connections_open{-1};
    // The store's synchronous mode as it reads it back ("full", "normal"); set once at start-up
    // before any thread reads it.
    std::string store_synchronous;
    histogram_family latency{"minsheng_http_request_duration_seconds",
                             "Time from request read to response written.", "route"};

    std::string render() const;
};

}  // namespace minsheng::gateway
