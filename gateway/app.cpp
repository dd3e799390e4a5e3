#include "gateway/app.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <ctime>

#include "gateway/detail/app_impl.hpp"

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

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
                   hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

std::pair<std::string, adapters::wechat_oa::query_params> split_target(std::string_view target) {
    adapters::wechat_oa::query_params q;
    auto qm = target.find('?');
    std::string path(target.substr(0, qm));
    if (qm == std::string_view::npos) return {path, q};
    std::string_view rest = target.substr(qm + 1);
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view kv = rest.substr(0, amp);
        auto eq = kv.find('=');
        std::string k = percent_decode(kv.substr(0, eq));
        std::string v = eq == std::string_view::npos ? "" : percent_decode(kv.substr(eq + 1));
        if (!k.empty()) q.emplace(std::move(k), std::move(v));
        if (amp == std::string_view::npos) break;
        rest = rest.substr(amp + 1);
    }
    return {path, q};
}

void app::impl::handle(http_request&& req, std::function<void(http_response&&)> respond) {
    request_ctx ctx;
    char idbuf[24];
    std::snprintf(idbuf, sizeof idbuf, "r%08llx",
                  static_cast<unsigned long long>(request_seq.fetch_add(1) + 1));
    ctx.id = idbuf;
    ctx.start = std::chrono::steady_clock::now();

    // Every answer passes here: latency, request id header, one log line.
    auto done = [this, ctx, respond = std::move(respond)](http_response&& res) mutable {
        res.set("X-Request-Id", ctx.id);
        double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.start).count();
        stats.latency.observe(ctx.route, secs);
        if (log->should_log(spdlog::level::info))
            log->info("{} {} {} {:.2f}ms", ctx.id, ctx.route, res.result_int(), secs * 1e3);
        respond(std::move(res));
    };

    auto [path, query] = split_target(req.target());
    auto reject = [&](http::status status, std::string_view reason, std::string body) {
        stats.requests_rejected.inc(reason);
        if (log->should_log(spdlog::level::warn))
            log->warn("{} rejected {} {}", ctx.id, reason, static_cast<int>(status));
        done(make_response(req, status, std::move(body), "text/plain; charset=utf-8"));
    };

    if (path == "/wechat/oa") {
        ctx.route = "wechat_oa";
        if (req.method() != http::verb::get && req.method() != http::verb::post)
            return reject(http::status::method_not_allowed, "method_not_allowed",
                          "only GET and POST are allowed on /wechat/oa\n");
        return route_wechat(ctx, std::move(req), std::move(done));
    }
    if (path.rfind("/api/v1/", 0) == 0) {
        ctx.route = "api";
        return route_api(ctx, std::move(req), std::move(done));
    }
    if (path == "/healthz") {
        ctx.route = "healthz";
        if (req.method() != http::verb::get)
            return reject(http::status::method_not_allowed, "method_not_allowed",
                          "only GET is allowed on /healthz\n");
        return done(make_response(req, http::status::ok, "{\"status\":\"ok\"}\n",
                                  "application/json"));
    }
    if (path == "/metrics") {
        ctx.route = "metrics";
        if (req.method() != http::verb::get)
            return reject(http::status::method_not_allowed, "method_not_allowed",
                          "only GET is allowed on /metrics\n");
        return done(make_response(req, http::status::ok, stats.render(),
                                  "text/plain; version=0.0.4; charset=utf-8"));
    }
    ctx.route = "unknown";
    reject(http::status::not_found, "not_found", "no such endpoint\n");
}

app::app(config c, std::function<std::int64_t()> now) : impl_(std::make_unique<impl>()) {
    auto& s = *impl_;
    s.cfg = std::move(c);
    s.now = now ? std::move(now) : [] { return static_cast<std::int64_t>(std::time(nullptr)); };
    s.log = make_logger(s.cfg.log_level);
    s.templates = dialog::template_set::load(s.cfg.templates_dir);
    s.talk = std::make_shared<const dialog::conversation>(s.templates);
    s.nlu = dialog::nlu::engine::load(s.cfg.models_dir);
    s.oa = std::make_shared<const adapters::wechat_oa::oa_endpoint>(s.cfg.wechat);
    s.write = std::make_unique<writer>(
        std::make_unique<adapters::sqlite_store::store>(s.cfg.db_path));
    s.readers = std::make_unique<reader_pool>(s.cfg.db_path);
    for (auto ch : {"wechat_oa", "miniprogram", "hotline"}) {
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
        [this](http_request&& req, std::function<void(http_response&&)> respond) {
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
    for (int i = 0; i < s.cfg.threads; ++i) s.threads.emplace_back([&s] { s.ioc.run(); });
}

net::ip::tcp::endpoint app::endpoint() const { return impl_->server->local_endpoint(); }

void app::stop(int drain_ms) {
    auto& s = *impl_;
    {
        std::lock_guard lock(s.stop_mu);
        if (s.stopping || s.stopped) return;
        s.stopping = true;
    }
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
