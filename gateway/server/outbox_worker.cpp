#include "gateway/server/outbox_worker.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>

#include "dialog/nlu/nlu.hpp"
#include "dialog/utf8.hpp"
#include "dialog/values/iso8601.hpp"
#include "gateway/server/token_share.hpp"

namespace minsheng::gateway {

namespace {

namespace api = adapters::wechat_api;
using adapters::db::due_notification;
using adapters::db::outbox_delivery;
using verdict = delivery_outcome::verdict;

delivery_outcome delivered(std::string via, std::string service_openid = "") {
    return {verdict::delivered, std::move(via), "", std::move(service_openid), true};
}

delivery_outcome retry(std::string error, std::string reason, bool counts_attempt = true) {
    return {verdict::retry, std::move(error), std::move(reason), "", counts_attempt};
}

delivery_outcome dead(std::string error, std::string reason) {
    return {verdict::dead, std::move(error), std::move(reason), "", true};
}

// Retryable failures wait; so do two that are the account's trouble, not the message's: no
// token (a bad secret is a configuration alarm) and the daily quota (45009, resets tomorrow).
// A closed customer-service window (45015/45047) reaches here only when no template is
// configured: the user may write again. Everything else (bad openid, bad template) is permanent.
delivery_outcome from_result(const api::api_result& r) {
    const std::string reason = r.token_failure ? "token" : std::string(api::to_string(r.kind));
    if (r.retryable || r.token_failure || r.errcode == 45009 || api::is_window_closed(r.errcode))
        return retry(api::describe(r), reason);
    return dead(api::describe(r), reason);
}

// The template's data: the rendered text as `first` (the legacy keyword every template has) and
// the notification's string variables under their own names, when the platform's field rules
// accept them; otherwise the text alone.
api::message_data template_data(const dialog::notification& n) {
    api::message_data data;
    const auto vars = nlohmann::json::parse(n.vars_json, nullptr, false);
    if (vars.is_object())
        for (const auto& [key, value] : vars.items())
            if (value.is_string()) data[key] = value.get<std::string>();
    data["first"] = n.text;
    if (api::check_template_data(data)) return {{"first", n.text}};
    return data;
}

// "https://sms.example/hook?x=1" → {"https://sms.example", "/hook?x=1"}.
std::pair<std::string, std::string> split_url(const std::string& url) {
    const auto scheme_end = url.find("://");
    const auto path = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
    if (path == std::string::npos) return {url, "/"};
    return {url.substr(0, path), url.substr(path)};
}

std::chrono::system_clock::time_point at(std::int64_t unix) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(unix));
}

// Cut to `max` code points, the last of them "…" when anything was cut.
std::string fit(const std::string& s, std::size_t max) {
    if (dialog::count_code_points(s) <= max) return s;
    return std::string(dialog::prefix_chars(s, max - 1)) + "…";
}

// A `phrase` field: Chinese characters only, at most 5 ("已受理，正在安排" → "已受理正在").
std::string chinese_phrase(const std::string& s) {
    std::string out;
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size() && n < 5;) {
        const auto d = dialog::decode_utf8(s, i);
        if (d.cp >= 0x4E00 && d.cp <= 0x9FFF) {
            out.append(s, i, d.len);
            ++n;
        }
        i += d.len;
    }
    return out;
}

// "2026-12-02 10:30", China time: what the platform's time fields take.
std::string china_minute(std::int64_t unix) {
    auto iso = dialog::format_iso8601(unix).substr(0, 16);
    iso[10] = ' ';
    return iso;
}

// A subscribe or template message's fields from the notification, as a field map
// ([miniprogram.subscribe_fields], [wechat_api.template_fields.<id>]) says.
api::message_data mapped_data(const std::map<std::string, std::string>& fields,
                              const dialog::notification& n) {
    const auto vars = nlohmann::json::parse(n.vars_json, nullptr, false);
    api::message_data data;
    for (const auto& [key, source] : fields) {
        std::string value;
        if (source == "text")
            value = n.text;
        else if (source == "time")
            value = china_minute(n.created_at);
        else if (vars.is_object() && vars.contains(source) && vars[source].is_string())
            value = vars[source].get<std::string>();
        // The platform's limits of the two text types (CONSTRAINTS.md §5); the others are
        // checked before sending and refused whole.
        if (api::field_type(key) == "thing") value = fit(value, 20);
        if (api::field_type(key) == "phrase") value = chinese_phrase(value);
        // A field the notification has nothing for: a phrase must still be Chinese.
        if (value.empty()) value = api::field_type(key) == "phrase" ? "新进展" : "-";
        data[key] = value;
    }
    return data;
}

std::string replace_all(std::string s, std::string_view what, std::string_view with) {
    for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size()))
        s.replace(at, what.size(), with);
    return s;
}

adapters::db::delivery_routing routing_of(const config& cfg) {
    adapters::db::delivery_routing r;
    for (const auto& c : cfg.communities)
        if (!c.street.empty()) r.street_of[c.name] = c.street;
    if (!cfg.miniprogram.secret.empty()) r.mp_template_id = cfg.miniprogram.subscribe_template;
    return r;
}

}  // namespace

outbox_worker::outbox_worker(const config& cfg, writer& w, metrics& stats,
                             std::shared_ptr<logger> log, std::function<std::int64_t()> now,
                             std::shared_ptr<adapters::db::shared_tokens> shared_tokens)
    : cfg_(cfg.delivery),
      mp_cfg_(cfg.miniprogram),
      routing_(routing_of(cfg)),
      writer_(w),
      stats_(stats),
      log_(std::move(log)),
      now_(std::move(now)),
      rng_(std::random_device{}()) {
    const auto client = [this, &shared_tokens](const std::string& base, const std::string& appid,
                                               const std::string& secret) {
        api::api_config a;
        a.base_url = base;
        a.appid = appid;
        a.secret = secret;
        a.ca_file = cfg_.ca_file;
        a.request_timeout = std::chrono::milliseconds(cfg_.request_timeout_ms);
        a.shared_token = token_share_of(shared_tokens, appid);
        return std::make_unique<api::api_client>(std::move(a));
    };
    api_ = client(cfg_.base_url, cfg_.appid, cfg_.secret);
    // The mini program is another app with its own token: subscribe messages go through it.
    if (!routing_.mp_template_id.empty())
        mp_api_ = client(mp_cfg_.base_url, mp_cfg_.appid, mp_cfg_.secret);
    if (!cfg_.sms_webhook.empty()) {
        auto [base, target] = split_url(cfg_.sms_webhook);
        api::transport_config t;
        t.base_url = base;
        t.ca_file = cfg_.ca_file;
        t.request_timeout = std::chrono::milliseconds(cfg_.request_timeout_ms);
        sms_ = std::make_unique<api::http_transport>(std::move(t));
        sms_target_ = target;
    }
}

outbox_worker::~outbox_worker() { stop(); }

void outbox_worker::start() {
    thread_ = std::thread([this] { run(); });
}

void outbox_worker::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::int64_t outbox_worker::backoff_seconds(int attempts, std::int64_t base_ms, std::mt19937& rng) {
    constexpr std::int64_t cap_ms = 3600 * 1000;
    std::int64_t delay = std::min(std::max<std::int64_t>(base_ms, 1), cap_ms);
    for (int i = 1; i < attempts && delay < cap_ms; ++i) delay = std::min(delay * 2, cap_ms);
    std::uniform_int_distribution<std::int64_t> jitter(0, delay / 2);
    return (delay - delay / 2 + jitter(rng)) / 1000;
}

void outbox_worker::run() {
    do {
        const auto rows = claim();
        for (std::size_t i = 0; i < rows.size(); ++i) {
            {
                std::lock_guard lock(mu_);
                if (stopping_) {
                    release(rows, i);
                    return;
                }
            }
            record(rows[i], deliver(rows[i]));
        }
        // A full batch suggests more are due: claim again at once.
        if (rows.size() == static_cast<std::size_t>(cfg_.batch)) continue;
    } while (sleep_until_next_poll());
}

bool outbox_worker::sleep_until_next_poll() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(cfg_.poll_interval_ms), [&] { return stopping_; });
    return !stopping_;
}

// Claims on the writer and waits for the commit: only committed claims are sent, so a send
// never precedes the record that it is in flight.
std::vector<due_notification> outbox_worker::claim() {
    using rows = std::vector<due_notification>;
    auto result = std::make_shared<std::promise<rows>>();
    auto future = result->get_future();
    const auto now = now_();
    const bool queued = writer::submitted::queued ==
                        writer_.submit(
                            [now, result, batch = static_cast<std::size_t>(cfg_.batch),
                             in_flight = cfg_.in_flight_seconds, routing = routing_, log = log_,
                             &stats = stats_](adapters::db::store& s) -> writer::continuation {
                                rows claimed;
                                std::int64_t pending = -1;
                                try {
                                    outbox_delivery out(s);
                                    claimed = out.claim_due(now, batch, in_flight, routing);
                                    pending = out.pending();
                                } catch (const std::exception& e) {
                                    return [result, log, what = std::string(e.what())](bool) {
                                        log->error("outbox: claiming failed: {}", what);
                                        result->set_value({});
                                    };
                                }
                                return [result, claimed = std::move(claimed), pending,
                                        &stats](bool committed) mutable {
                                    if (committed) stats.notifications_pending.store(pending);
                                    result->set_value(committed ? std::move(claimed) : rows{});
                                };
                            },
                            true);
    if (!queued) return {};
    return future.get();
}

delivery_outcome outbox_worker::deliver(const due_notification& d) {
    try {
        if (d.miniprogram) return send_subscribe(d);
        return d.openid.empty() ? send_sms(d) : send_wechat(d);
    } catch (const std::exception& e) {
        return retry(std::string("unexpected: ") + e.what(), "internal");
    }
}

void outbox_worker::set_order_links(std::shared_ptr<const grid_page::grid_links> links,
                                    std::shared_ptr<const dialog::template_set> texts) {
    links_ = std::move(links);
    texts_ = std::move(texts);
}

delivery_outcome outbox_worker::send_wechat(const due_notification& d) {
    // A new work order: its worker's signed link to the order on the grid page.
    std::string link;
    if (links_ && texts_ && links_->enabled() && d.n.template_key == "notify/worker_assigned" &&
        d.n.audience == "worker" && d.n.case_id != 0) {
        const auto number = nlohmann::json::parse(d.n.vars_json, nullptr, false);
        if (number.is_object() && number.value("number", nlohmann::json()).is_string())
            link = links_->link_for("wechat_oa:" + d.openid, number["number"].get<std::string>(),
                                    now_());
    }
    const std::string text =
        link.empty() ? d.n.text
                     : d.n.text + "\n" + texts_->render("notify/order_link", {{"url", link}});
    const auto tpl = cfg_.templates.find(d.n.template_key);
    const std::string template_id =
        tpl != cfg_.templates.end() ? tpl->second : cfg_.default_template;
    if (template_id.empty()) {
        // Customer-service only: the platform enforces the window (45015 → retry later).
        const auto r = api_->send_custom_text(d.openid, text);
        return r.ok ? delivered("customer_service", d.openid) : from_result(r);
    }
    api::recipient_state who;
    if (d.last_inbound) who.last_inbound = at(*d.last_inbound);
    who.service_messages_since = d.service_messages_since;
    api::template_message fallback;
    fallback.touser = d.openid;
    fallback.template_id = template_id;
    const auto fields = cfg_.template_fields.find(template_id);
    fallback.data = fields != cfg_.template_fields.end() ? mapped_data(fields->second, d.n)
                                                         : template_data(d.n);
    fallback.client_msg_id = d.n.idempotency_key;  // a resend after a timeout is the same message
    fallback.url = link;                           // opened on tap; "" none
    const auto sent =
        api_->notify(who, {d.openid, text, std::move(fallback), std::nullopt}, at(now_()));
    if (!sent.result.ok) return from_result(sent.result);
    if (sent.used == api::channel::customer_service) return delivered("customer_service", d.openid);
    return delivered("template msgid=" + std::to_string(sent.result.msgid.value_or(0)));
}

delivery_outcome outbox_worker::send_sms(const due_notification& d) {
    // An Open311 reporter who left no phone has no push channel: their client polls
    // GET /open311/v2/requests instead.
    const auto& to = d.n.to->user_id;
    if (to.empty() ||
        !std::all_of(to.begin(), to.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return dead("no phone or WeChat account to notify (the client polls)", "no_route");
    // Waiting for configuration is not the notification's failure: it never dies of it.
    if (!sms_) return retry("no SMS gateway configured", "no_sms_gateway", false);
    const nlohmann::json body = {
        {"phone", d.n.to->user_id}, {"text", d.n.text}, {"idempotency_key", d.n.idempotency_key}};
    const auto r = sms_->post_json(sms_target_, body.dump());
    if (!r.ok())
        return retry("sms " + std::string(api::to_string(r.error)) + ": " + r.error_message,
                     "sms_transport");
    if (r.status >= 200 && r.status < 300) return delivered("sms");
    const std::string what = "sms http_status " + std::to_string(r.status);
    if (r.status == 408 || r.status == 429 || r.status >= 500) return retry(what, "sms_http");
    return dead(what, "sms_http");
}

delivery_outcome outbox_worker::send_subscribe(const due_notification& d) {
    using credit = delivery_outcome::credit;
    api::subscribe_message m;
    m.touser = d.openid;
    m.template_id = routing_.mp_template_id;
    m.page = replace_all(mp_cfg_.subscribe_page, "{number}",
                         nlohmann::json::parse(d.n.vars_json, nullptr, false).value("number", ""));
    m.data = mapped_data(mp_cfg_.subscribe_fields, d.n);
    const auto r = mp_api_->send_subscribe(m);
    if (r.ok) return delivered("subscribe msgid=" + std::to_string(r.msgid.value_or(0)));
    auto o = from_result(r);
    if (r.errcode == 43101) {
        // The user has no subscription left after all: wait for the next one they give.
        o = retry(api::describe(r), "no_subscription", false);
        o.subscription = credit::clear;
    } else if (o.what == verdict::retry || r.kind == api::failure::invalid_request) {
        o.subscription = credit::refund;  // the platform did not take it: the credit is unused
    }
    return o;
}

void outbox_worker::record(const due_notification& d, delivery_outcome o) {
    const auto now = now_();
    if (o.what == verdict::retry && o.counts_attempt && d.attempts >= cfg_.max_attempts)
        o.what = verdict::dead;
    const auto next = now + backoff_seconds(d.attempts, cfg_.retry_base_ms, rng_);
    const auto id = d.n.id;
    // Phone numbers only masked in logs; the stored error never holds one.
    const std::string who = d.openid.empty() ? dialog::nlu::mask_phone(d.n.to->user_id)
                            : d.miniprogram  ? "mini program"
                                             : "wechat";
    const std::string subscriber = d.miniprogram ? d.openid : std::string();
    writer_.submit(
        [id, now, next, o, who, subscriber, tpl = routing_.mp_template_id, attempts = d.attempts,
         &stats = stats_, log = log_](adapters::db::store& s) -> writer::continuation {
            bool changed = false;
            try {
                outbox_delivery out(s);
                if (!subscriber.empty() && o.subscription == delivery_outcome::credit::refund)
                    out.refund_subscription(subscriber, tpl, now);
                if (!subscriber.empty() && o.subscription == delivery_outcome::credit::clear)
                    out.clear_subscription(subscriber, tpl, now);
                if (o.what == verdict::delivered)
                    changed = out.mark_delivered(id, now, o.detail, o.service_openid);
                else if (o.what == verdict::dead)
                    changed = out.mark_dead(id, now, o.detail);
                else
                    changed = out.mark_retry(id, now, o.detail, next);
            } catch (const std::exception& e) {
                // Unrecorded: the row is claimed again after in_flight_seconds.
                return [log, id, what = std::string(e.what())](bool) {
                    log->error("outbox {}: recording the outcome failed: {}", id, what);
                };
            }
            return [=, &stats](bool committed) {
                if (!committed || !changed) return;
                if (o.what == verdict::delivered) {
                    stats.notifications_delivered.inc(o.detail.substr(0, o.detail.find(' ')));
                    if (log->should_log(spdlog::level::info))
                        log->info("outbox {} delivered to {} via {}", id, who, o.detail);
                    return;
                }
                stats.notifications_failed.inc(o.reason);
                if (o.what == verdict::dead) {
                    stats.notifications_dead.inc(o.reason);
                    log->warn("outbox {} dead after {} attempts: {}", id, attempts, o.detail);
                } else if (log->should_log(spdlog::level::info)) {
                    log->info("outbox {} attempt {} failed, retry at {}: {}", id, attempts, next,
                              o.detail);
                }
            };
        },
        true);
}

// Stopping between sends: the rows not sent are due again at once, not after the in-flight time.
void outbox_worker::release(const std::vector<due_notification>& rows, std::size_t from) {
    const auto now = now_();
    std::vector<std::int64_t> ids;
    for (std::size_t i = from; i < rows.size(); ++i) ids.push_back(rows[i].n.id);
    writer_.submit(
        [ids, now](adapters::db::store& s) -> writer::continuation {
            try {
                outbox_delivery out(s);
                for (auto id : ids) out.mark_retry(id, now, "not sent: the gateway stopped", now);
            } catch (const std::exception&) {
                // Then they come back after in_flight_seconds; nothing is lost.
            }
            return {};
        },
        true);
}

}  // namespace minsheng::gateway
