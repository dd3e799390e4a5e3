#include "gateway/app.hpp"

#include <boost/asio/post.hpp>
#include <chrono>
#include <ctime>

#include "adapters/wechat_oa/query_string.hpp"
#include "gateway/detail/app_impl.hpp"
#include "gateway/stats_render.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;
namespace net = boost::asio;

std::unique_ptr<adapters::sqlite_store::reader> reader_pool::acquire() {
    {
        std::lock_guard lock(mu_);
        if (!free_.empty()) {
            auto r = std::move(free_.back());
            free_.pop_back();
            return r;
        }
    }
    return std::make_unique<adapters::sqlite_store::reader>(path_);
}

void reader_pool::release(std::unique_ptr<adapters::sqlite_store::reader> r) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(r));
}

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

std::pair<std::string, std::optional<adapters::wechat_oa::query_params>> split_target(
    std::string_view target) {
    auto qm = target.find('?');
    std::string path(target.substr(0, qm));
    if (qm == std::string_view::npos) return {path, adapters::wechat_oa::query_params{}};
    return {path, adapters::wechat_oa::decode_query(target.substr(qm + 1))};
}

void app::impl::handle(http_request&& req, std::function<void(http_response&&)> respond) {
    request_ctx ctx;
    char idbuf[24];
    std::snprintf(idbuf, sizeof idbuf, "r%08llx",
                  static_cast<unsigned long long>(request_seq.fetch_add(1) + 1));
    ctx.id = idbuf;
    ctx.start = std::chrono::steady_clock::now();

    auto [path, query] = split_target(req.target());
    ctx.route = path == "/wechat/oa"                                                   ? "wechat_oa"
                : path.rfind("/api/v1/", 0) == 0                                       ? "api"
                : path.rfind("/public/v1/", 0) == 0                                    ? "public"
                : path.rfind("/hotline/", 0) == 0                                      ? "hotline"
                : path.rfind("/mp/v1/", 0) == 0                                        ? "mp"
                : path.rfind("/open311/v2/", 0) == 0                                   ? "open311"
                : path == "/" || path == "/console" || path.rfind("/console/", 0) == 0 ? "console"
                : path == "/healthz"                                                   ? "healthz"
                : path == "/metrics"                                                   ? "metrics"
                                                                                       : "unknown";

    // Every answer passes here: latency, request id header, one log line.
    auto done = [this, id = ctx.id, route = ctx.route, start = ctx.start,
                 respond = std::move(respond)](http_response&& res) mutable {
        res.set("X-Request-Id", id);
        double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        stats.latency.observe(route, secs);
        if (log->should_log(spdlog::level::info))
            log->info("{} {} {} {:.2f}ms", id, route, res.result_int(), secs * 1e3);
        respond(std::move(res));
    };
    auto reject = [&](http::status status, std::string_view reason, std::string body) {
        stats.requests_rejected.inc(reason);
        if (log->should_log(spdlog::level::warn))
            log->warn("{} rejected {} {}", ctx.id, reason, static_cast<int>(status));
        done(make_response(req, status, std::move(body), "text/plain; charset=utf-8"));
    };
    if (!query)
        return reject(http::status::bad_request, "bad_query",
                      "the query string has a bad escape or a repeated parameter\n");
    ctx.path = path;
    ctx.query = std::move(*query);

    if (ctx.route == "wechat_oa") {
        if (req.method() != http::verb::get && req.method() != http::verb::post)
            return reject(http::status::method_not_allowed, "method_not_allowed",
                          "only GET and POST are allowed on /wechat/oa\n");
        return route_wechat(std::move(ctx), std::move(req), std::move(done));
    }
    if (ctx.route == "api") return route_api(std::move(ctx), std::move(req), std::move(done));
    if (ctx.route == "public") return route_public(std::move(ctx), std::move(req), std::move(done));
    if (ctx.route == "hotline")
        return route_hotline(std::move(ctx), std::move(req), std::move(done));
    if (ctx.route == "mp") return route_mp(std::move(ctx), std::move(req), std::move(done));
    if (ctx.route == "open311")
        return route_open311(std::move(ctx), std::move(req), std::move(done));
    if (ctx.route == "console")
        return route_console(std::move(ctx), std::move(req), std::move(done));
    if (ctx.route != "unknown" && req.method() != http::verb::get)
        return reject(http::status::method_not_allowed, "method_not_allowed",
                      "only GET is allowed here\n");
    if (ctx.route == "healthz")
        return done(
            make_response(req, http::status::ok, "{\"status\":\"ok\"}\n", "application/json"));
    if (ctx.route == "metrics")
        return done(make_response(req, http::status::ok, stats.render(),
                                  "text/plain; version=0.0.4; charset=utf-8"));
    reject(http::status::not_found, "not_found", "no such endpoint\n");
}

app::app(config c, std::function<std::int64_t()> now) : impl_(std::make_unique<impl>()) {
    auto& s = *impl_;
    s.cfg = std::move(c);
    s.now = now ? std::move(now) : [] { return static_cast<std::int64_t>(std::time(nullptr)); };
    s.log = make_logger(s.cfg.log_level);
    s.templates = dialog::template_set::load(s.cfg.templates_dir);
    s.templates->require({"hotline/case_opened"});
    s.templates->require(stats_render::template_keys());
    auto calendar = std::make_shared<const dialog::cases::working_calendar>(
        dialog::cases::working_calendar::load(s.cfg.program.calendar_dir));
    auto hours = s.cfg.program.working_hours.empty()
                     ? dialog::cases::working_hours::standard()
                     : dialog::cases::working_hours::parse(s.cfg.program.working_hours);
    s.service = std::make_shared<const dialog::cases::case_service>(
        s.templates, std::move(calendar), std::move(hours), s.cfg.program.settings);
    s.talk = std::make_shared<const dialog::conversation>(s.templates, s.service);
    s.nlu = dialog::nlu::engine::load(s.cfg.models_dir);
    // Build the masking tables now, not on the first operator request.
    (void)dialog::nlu::mask_personal_data("");
    s.oa = std::make_shared<const adapters::wechat_oa::oa_endpoint>(s.cfg.wechat);
    s.write =
        std::make_unique<writer>(std::make_unique<adapters::sqlite_store::store>(s.cfg.db_path));
    s.readers = std::make_unique<reader_pool>(s.cfg.db_path);
    if (!s.cfg.delivery.secret.empty())
        s.outbox = std::make_unique<outbox_worker>(s.cfg, *s.write, s.stats, s.log, s.now);
    s.staff = make_staff_state(s);
    s.mp = make_mp_state(s);
    s.open311 = make_open311_state(s);
    s.console = make_console_state(s);
    for (auto ch : {"wechat_oa", "miniprogram", "hotline", "open311"}) {
        s.stats.messages_received.inc(ch, 0);
        s.stats.messages_duplicate.inc(ch, 0);
        s.stats.cases_opened.inc(ch, 0);
    }
}

app::~app() {
    stop(1000);
    wait();
}

void app::start() {
    auto& s = *impl_;
    net::ip::tcp::endpoint at(net::ip::make_address(s.cfg.host), s.cfg.port);
    s.server = std::make_shared<http_server>(
        s.ioc, at, server_limits{s.cfg.body_limit, s.cfg.read_timeout_ms},
        [this](http_request&& req, std::function<void(http_response &&)> respond) {
            impl_->handle(std::move(req), std::move(respond));
        },
        [this](const std::string& reason) {
            impl_->stats.requests_rejected.inc(reason);
            if (impl_->log->should_log(spdlog::level::warn))
                impl_->log->warn("rejected {} before routing", reason);
        });
    s.server->start();
    if (s.cfg.using_dev_credentials)
        s.log->warn(
            "using the built-in development WeChat credentials; set MINSHENG_WECHAT_TOKEN, "
            "MINSHENG_WECHAT_AES_KEY and MINSHENG_WECHAT_APPID for a real account");
    s.sweep_timer = std::make_unique<net::steady_timer>(s.ioc);
    s.schedule_sweep();
    if (s.outbox)
        s.outbox->start();
    else
        s.log->info(
            "notification delivery is off (no MINSHENG_WECHAT_API_SECRET); "
            "notifications stay pending");
    for (int i = 0; i < s.cfg.threads; ++i) s.threads.emplace_back([&s] { s.ioc.run(); });
}

void app::impl::schedule_sweep() {
    sweep_timer->expires_after(std::chrono::seconds(cfg.program.sweep_interval_seconds));
    sweep_timer->async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;  // cancelled: shutting down
        run_sweep([](std::optional<dialog::cases::sweep_report>) {});
        schedule_sweep();
    });
}

void app::impl::run_sweep(std::function<void(std::optional<dialog::cases::sweep_report>)> done) {
    auto shared_done =
        std::make_shared<std::function<void(std::optional<dialog::cases::sweep_report>)>>(
            std::move(done));
    bool queued = write->submit(
        [this, shared_done](adapters::sqlite_store::store& store) -> writer::continuation {
            dialog::cases::sweep_report report;
            try {
                const std::int64_t t = now();
                store.run([&](dialog::unit_of_work& uow) { report = service->sweep(uow, t); });
            } catch (const std::exception& e) {
                std::string what = e.what();
                return [this, what, shared_done](bool) {
                    stats.errors.inc("sweep");
                    log->error("sweep failed: {}", what);
                    (*shared_done)(std::nullopt);
                };
            }
            return [this, report, shared_done](bool committed) {
                if (!committed) {
                    stats.errors.inc("sweep");
                    log->error("sweep failed: the commit failed");
                    return (*shared_done)(std::nullopt);
                }
                stats.timer_actions.inc("lease_expired", report.leases_expired);
                stats.timer_actions.inc("reminder", report.reminders);
                stats.timer_actions.inc("escalation", report.escalations);
                stats.timer_actions.inc("auto_close", report.auto_closed);
                stats.timer_actions.inc("proposal_expired", report.proposals_expired);
                if (log->should_log(spdlog::level::info) &&
                    report.leases_expired + report.reminders + report.escalations +
                            report.auto_closed + report.proposals_expired >
                        0)
                    log->info(
                        "sweep: {} leases expired, {} reminders, {} escalations, {} closed, {} "
                        "proposals expired",
                        report.leases_expired, report.reminders, report.escalations,
                        report.auto_closed, report.proposals_expired);
                (*shared_done)(report);
            };
        });
    if (!queued) (*shared_done)(std::nullopt);
}

net::ip::tcp::endpoint app::endpoint() const { return impl_->server->local_endpoint(); }

void app::stop(int drain_ms) {
    auto& s = *impl_;
    {
        std::lock_guard lock(s.stop_mu);
        if (s.stopping || s.stopped) return;
        s.stopping = true;
    }
    if (s.sweep_timer) net::post(s.ioc, [&s] { s.sweep_timer->cancel(); });
    if (s.server) {
        s.server->stop();
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(drain_ms);
        while (s.server->in_flight() > 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    s.ioc.stop();
    for (auto& t : s.threads)
        if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
    s.threads.clear();
    // Before the writer: the worker's last outcomes are recorded through it.
    if (s.outbox) s.outbox->stop();
    s.write->stop();
    s.read_threads.join();
    {
        std::lock_guard lock(s.stop_mu);
        s.stopped = true;
    }
    s.stop_cv.notify_all();
}

void app::wait() {
    std::unique_lock lock(impl_->stop_mu);
    impl_->stop_cv.wait(lock, [&] { return impl_->stopped; });
}

const metrics& app::stats() const { return impl_->stats; }
const config& app::settings() const { return impl_->cfg; }

}  // namespace minsheng::gateway
