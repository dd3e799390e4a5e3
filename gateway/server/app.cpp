#include "gateway/server/app.hpp"

#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/db/discovery.hpp"
#include "adapters/db/keyed_codes.hpp"
#include "dialog/intake/call_filing.hpp"
#include "dialog/intake/certificate_answers.hpp"
#include "gateway/grid/grid_map.hpp"
#include "gateway/grid_page/grid_page.hpp"
#include "gateway/mp/mp.hpp"
#include "gateway/operator/endpoints.hpp"
#include "gateway/operator/stats_render.hpp"
#include "gateway/routes/routes.hpp"
#include "gateway/server/app_state.hpp"
#include "gateway/server/dispatch.hpp"
#include "gateway/server/monthly_discovery.hpp"
#include "gateway/server/station_scenes.hpp"
#include "gateway/server/sweep.hpp"

namespace minsheng::gateway {

namespace net = boost::asio;

// The process around the shared state: the io_context and its threads, the listening server and
// the sweep timer. Declared first, the io_context is destroyed last: handlers still queued in it
// hold the state, which is released with them once every thread has been joined.
struct app::impl {
    net::io_context ioc;
    app_ptr state;
    std::shared_ptr<http_server> server;
    std::shared_ptr<sweeper> sweep;
    std::vector<std::thread> threads;

    std::mutex stop_mu;
    std::condition_variable stop_cv;
    bool stopped = false;
    bool stopping = false;
};

app::app(config c, std::function<std::int64_t()> now) : impl_(std::make_unique<impl>()) {
    impl_->state = std::make_shared<app_state>(impl_->ioc);
    auto& s = *impl_->state;
    s.cfg = std::move(c);
    s.now = now ? std::move(now) : [] { return static_cast<std::int64_t>(std::time(nullptr)); };
    s.log = make_logger(s.cfg.log_level);
    s.templates = dialog::template_set::load(s.cfg.templates_dir);
    s.templates->require(dialog::intake::required_templates());
    s.templates->require(dialog::intake::certificate_templates());
    s.templates->require({discovery_ready_template});
    s.templates->require(stats_render::template_keys());
    s.templates->require(operator_api::discovery_template_keys());
    s.templates->require(grid::grid_map_template_keys());
    auto calendar = std::make_shared<const dialog::cases::working_calendar>(
        dialog::cases::working_calendar::load(s.cfg.program.calendar_dir));
    auto hours = s.cfg.program.working_hours.empty()
                     ? dialog::cases::working_hours::standard()
                     : dialog::cases::working_hours::parse(s.cfg.program.working_hours);
    auto settings = s.cfg.program.settings;
    const std::string secret = keying_secret(s.cfg);
    settings.codes = std::make_shared<const adapters::db::keyed_code_book>(secret);
    give_station_scenes(settings, secret);
    s.discovery = std::make_shared<const adapters::db::discovery_keys>(secret);
    s.service = std::make_shared<const dialog::cases::case_service>(
        s.templates, std::move(calendar), std::move(hours), std::move(settings));
    if (!s.cfg.program.certificates_file.empty())
        s.certificates = std::make_shared<const dialog::intake::certificate_catalogue>(
            dialog::intake::certificate_catalogue::load(s.cfg.program.certificates_file));
    s.nlu = dialog::nlu::engine::load(s.cfg.models_dir);
    // With the engine, a complaint that is the same problem as an open case joins it.
    s.talk =
        std::make_shared<const dialog::conversation>(s.templates, s.service, s.certificates, s.nlu);
    s.sketches = s.talk->sketches();
    // Build the masking tables now, not on the first operator request.
    (void)dialog::nlu::mask_personal_data("");
    s.oa = std::make_shared<const adapters::wechat_oa::oa_endpoint>(s.cfg.wechat);
    adapters::db::store_options store_options;
    store_options.sync = *adapters::db::durability_from_string(s.cfg.store.durability);
    store_options.statement_timeout_ms = s.cfg.store.statement_timeout_ms;
    store_options.pg_sslmode = s.cfg.store.pg_sslmode;
    auto store = std::make_unique<adapters::db::store>(s.cfg.db_path, store_options);
    s.stats.store_synchronous = store->synchronous_mode();
    s.write = std::make_unique<writer>(std::move(store),
                                       static_cast<std::size_t>(s.cfg.limits.writer_queue));
    const auto& l = s.cfg.limits;
    for (const auto& p : l.trusted_proxies)
        if (auto n = parse_network(p)) s.trusted_proxies.push_back(*n);
    s.public_by_peer = std::make_unique<rate_limiter>(l.public_per_minute, l.public_burst, s.now);
    s.open311_by_peer =
        std::make_unique<rate_limiter>(l.open311_per_minute, l.open311_burst, s.now);
    s.hotline_by_peer =
        std::make_unique<rate_limiter>(l.hotline_per_minute, l.hotline_burst, s.now);
    s.hotline_replays =
        std::make_unique<replay_guard>(s.cfg.hotline.replay_capacity, s.cfg.hotline.max_clock_skew);
    if (s.cfg.wechat.mode == adapters::wechat_oa::security_mode::plain)
        s.warnings.push_back("wechat_plain_mode");
    s.readers = std::make_unique<reader_pool>(s.cfg.db_path, store_options,
                                              static_cast<std::size_t>(s.cfg.store.pool_size));
    s.shared_tokens = open_shared_tokens(s.cfg);
    if (!s.cfg.delivery.secret.empty())
        s.outbox = std::make_unique<outbox_worker>(s.cfg, *s.write, s.stats, s.log, s.now,
                                                   s.shared_tokens);
    s.staff = make_staff_state(s);
    s.mp = make_mp_state(s);
    s.open311 = make_open311_state(s);
    s.console = make_console_state(s);
    s.grid_page = grid_page::make_grid_page_state(s, grid_page::make_grid_links(s.cfg, secret));
    if (s.outbox) s.outbox->set_order_links(s.grid_page->links, s.templates);
    for (auto ch : {"wechat_oa", "miniprogram", "hotline", "open311"}) {
        s.stats.messages_received.inc(ch, 0);
        s.stats.messages_duplicate.inc(ch, 0);
        s.stats.cases_opened.inc(ch, 0);
    }
    for (const auto& system : s.cfg.hotline.legacy_signature)
        s.stats.hotline_legacy_signatures.inc(system, 0);
}

app::~app() {
    stop(1000);
    wait();
}

void app::start() {
    auto& p = *impl_;
    const app_ptr& state = p.state;
    auto& s = *state;
    net::ip::tcp::endpoint at(net::ip::make_address(s.cfg.host), s.cfg.port);
    server_limits limits;
    limits.body_limit = s.cfg.body_limit;
    limits.body_limit_for = [state](std::string_view target) {
        const auto& l = state->cfg.limits.body_limits;
        auto it = l.find(route_of(target.substr(0, target.find('?'))));
        return it == l.end() ? state->cfg.body_limit : it->second;
    };
    limits.header_timeout_ms = s.cfg.limits.header_timeout_ms;
    limits.body_timeout_ms = s.cfg.limits.body_timeout_ms;
    limits.max_connections = static_cast<std::size_t>(s.cfg.limits.max_connections);
    p.server = std::make_shared<http_server>(
        p.ioc, at, std::move(limits),
        [state](http_request&& req, const std::string& peer,
                std::function<void(http_response &&)> respond) {
            dispatch(state, std::move(req), peer, std::move(respond));
        },
        [state](const std::string& reason) {
            state->stats.requests_rejected.inc(reason);
            if (reason == "too_many_connections") state->stats.overloaded.inc("connections");
            if (state->log->should_log(spdlog::level::warn))
                state->log->warn("rejected {} before routing", reason);
        });
    s.connections = p.server->connections_counter();
    p.server->start();
    if (s.cfg.using_dev_credentials)
        s.log->warn(
            "using the built-in development WeChat credentials; set MINSHENG_WECHAT_TOKEN, "
            "MINSHENG_WECHAT_AES_KEY and MINSHENG_WECHAT_APPID for a real account");
    if (s.certificates && s.certificates->example())
        s.log->warn(
            "the certificate list {} is the shipped example: set [program] certificates_file "
            "to the list your city published (docs/certificates.md)",
            s.cfg.program.certificates_file);
    if (s.cfg.wechat.mode == adapters::wechat_oa::security_mode::plain)
        s.log->warn(
            "WeChat plain mode (wechat.mode = \"plain\"): /wechat/oa checks the signature over "
            "the query only, message bodies are not authenticated; use safe mode in production");
    for (const auto& system : s.cfg.hotline.legacy_signature)
        s.log->warn(
            "hotline system \"{}\" may still use the legacy signature, which does not cover the "
            "query or the content type (docs/hotline.md: migration)",
            system);
    p.sweep = std::make_shared<sweeper>(p.ioc, state);
    p.sweep->start();
    if (s.outbox)
        s.outbox->start();
    else
        s.log->info(
            "notification delivery is off (no MINSHENG_WECHAT_API_SECRET); "
            "notifications stay pending");
    for (int i = 0; i < s.cfg.threads; ++i)
        p.threads.emplace_back([&ioc = p.ioc, state] {
            // The last line of defence: every handler runs inside an exchange's error boundary,
            // but nothing thrown past one may end the process either.
            for (;;) {
                try {
                    ioc.run();
                    return;
                } catch (const std::exception& e) {
                    state->stats.handler_errors.inc("io_thread");
                    state->log->error("I/O thread: {} (the thread goes on)", e.what());
                } catch (...) {
                    state->stats.handler_errors.inc("io_thread");
                    state->log->error("I/O thread: unknown exception (the thread goes on)");
                }
            }
        });
}

net::ip::tcp::endpoint app::endpoint() const { return impl_->server->local_endpoint(); }

void app::stop(int drain_ms) {
    auto& p = *impl_;
    auto& s = *p.state;
    {
        std::lock_guard lock(p.stop_mu);
        if (p.stopping || p.stopped) return;
        p.stopping = true;
    }
    if (p.sweep) p.sweep->stop();
    if (p.server) {
        p.server->stop();
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(drain_ms);
        while (p.server->in_flight() > 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    p.ioc.stop();
    for (auto& t : p.threads)
        if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
    p.threads.clear();
    // Before the writer: the worker's last outcomes, and a login that finished its code2session,
    // are recorded through it.
    if (s.outbox) s.outbox->stop();
    if (s.mp) {
        s.mp->login_threads.stop();
        s.mp->login_threads.join();
    }
    s.write->stop();
    s.read_threads.join();
    {
        std::lock_guard lock(p.stop_mu);
        p.stopped = true;
    }
    p.stop_cv.notify_all();
}

void app::wait() {
    std::unique_lock lock(impl_->stop_mu);
    impl_->stop_cv.wait(lock, [&] { return impl_->stopped; });
}

const metrics& app::stats() const { return impl_->state->stats; }
const config& app::settings() const { return impl_->state->cfg; }

}  // namespace minsheng::gateway
