#include "gateway/server/metrics.hpp"

#include <cstdio>

namespace minsheng::gateway {
namespace {

void escape_label(std::string& out, std::string_view v) {
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
}

void header(std::string& out, const std::string& name, const std::string& help, const char* type) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

std::string format_double(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

}  // namespace

counter_family::counter_family(std::string name, std::string help, std::string label)
    : name_(std::move(name)), help_(std::move(help)), label_(std::move(label)) {}

void counter_family::inc(std::string_view label_value, std::uint64_t n) {
    {
        std::shared_lock lock(mu_);
        auto it = values_.find(label_value);
        if (it != values_.end()) {
            it->second->fetch_add(n, std::memory_order_relaxed);
            return;
        }
    }
    std::unique_lock lock(mu_);
    auto& slot = values_[std::string(label_value)];
    if (!slot) slot = std::make_unique<std::atomic<std::uint64_t>>(0);
    slot->fetch_add(n, std::memory_order_relaxed);
}

std::uint64_t counter_family::value(std::string_view label_value) const {
    std::shared_lock lock(mu_);
    auto it = values_.find(label_value);
    return it == values_.end() ? 0 : it->second->load(std::memory_order_relaxed);
}

void counter_family::render(std::string& out) const {
    header(out, name_, help_, "counter");
    std::shared_lock lock(mu_);
    for (const auto& [k, v] : values_) {
        out += name_ + "{" + label_ + "=\"";
        escape_label(out, k);
        out += "\"} " + std::to_string(v->load(std::memory_order_relaxed)) + "\n";
    }
}

histogram_family::histogram_family(std::string name, std::string help, std::string label)
    : name_(std::move(name)), help_(std::move(help)), label_(std::move(label)) {}

void histogram_family::observe(std::string_view label_value, double seconds) {
    series* s = nullptr;
    {
        std::shared_lock lock(mu_);
        auto it = series_.find(label_value);
        if (it != series_.end()) s = it->second.get();
    }
    if (!s) {
        std::unique_lock lock(mu_);
        auto& slot = series_[std::string(label_value)];
        if (!slot) slot = std::make_unique<series>();
        s = slot.get();
    }
    std::size_t i = 0;
    while (i < bounds.size() && seconds > bounds[i]) ++i;
    s->buckets[i].fetch_add(1, std::memory_order_relaxed);
    s->count.fetch_add(1, std::memory_order_relaxed);
    s->sum_micros.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void histogram_family::render(std::string& out) const {
    header(out, name_, help_, "histogram");
    std::shared_lock lock(mu_);
    for (const auto& [k, s] : series_) {
        std::string lbl = label_ + "=\"";
        escape_label(lbl, k);
        lbl += "\"";
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i <= bounds.size(); ++i) {
            cumulative += s->buckets[i].load(std::memory_order_relaxed);
            std::string le = i < bounds.size() ? format_double(bounds[i]) : "+Inf";
            out += name_ + "_bucket{" + lbl + ",le=\"" + le + "\"} " + std::to_string(cumulative) +
                   "\n";
        }
        out += name_ + "_sum{" + lbl + "} " +
               format_double(static_cast<double>(s->sum_micros.load()) / 1e6) + "\n";
        out += name_ + "_count{" + lbl + "} " + std::to_string(s->count.load()) + "\n";
    }
}

std::string metrics::render() const {
    std::string out;
    out.reserve(4096);
    messages_received.render(out);
    messages_duplicate.render(out);
    requests_rejected.render(out);
    cases_opened.render(out);
    errors.render(out);
    handler_errors.render(out);
    case_actions.render(out);
    timer_actions.render(out);
    notifications_delivered.render(out);
    notifications_failed.render(out);
    notifications_dead.render(out);
    if (const auto pending = notifications_pending.load(); pending >= 0)
        out +=
            "# HELP minsheng_notifications_pending Outbox rows pending delivery.\n"
            "# TYPE minsheng_notifications_pending gauge\n"
            "minsheng_notifications_pending " +
            std::to_string(pending) + "\n";
    overloaded.render(out);
    rate_limited.render(out);
    hotline_legacy_signatures.render(out);
    if (const auto open = connections_open.load(); open >= 0)
        out +=
            "# HELP minsheng_connections_open Client connections open now.\n"
            "# TYPE minsheng_connections_open gauge\n"
            "minsheng_connections_open " +
            std::to_string(open) + "\n";
    if (!store_synchronous.empty())
        out +=
            "# HELP minsheng_store_synchronous The store's SQLite synchronous mode (1 = in use).\n"
            "# TYPE minsheng_store_synchronous gauge\n"
            "minsheng_store_synchronous{mode=\"" +
            store_synchronous + "\"} 1\n";
    latency.render(out);
    return out;
}

}  // namespace minsheng::gateway
