// / and /console/...: the web console's static files (console/ in the repository). Every file
// is read into memory at start-up, so a request can only ever be answered with one of those
// files: a path is looked up as a whole, never joined onto the directory, and no traversal can
// reach anything else. The console itself talks to /api/v1 with the worker's bearer token.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "gateway/routes/routes.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;

namespace {

// Files larger than this are not part of a console; refusing them keeps start-up memory bounded.
constexpr std::uintmax_t max_file_bytes = 4 * 1024 * 1024;
constexpr std::size_t max_files = 256;

struct static_file {
    std::string body;
    std::string content_type;
    std::string etag;  // quoted, strong: a hash of the bytes
};

std::string_view content_type_of(const std::filesystem::path& p) {
    static const std::map<std::string, std::string_view, std::less<>> types = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
    };
    auto it = types.find(p.extension().string());
    return it == types.end() ? std::string_view("application/octet-stream") : it->second;
}

// FNV-1a: enough to tell two versions of a file apart; not a security property.
std::string etag_of(std::string_view bytes) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[24];
    std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
    return buf;
}

// A name the console may serve: relative, no hidden parts (".git", editor files).
bool servable(const std::filesystem::path& rel) {
    for (const auto& part : rel) {
        auto s = part.string();
        if (s.empty() || s.front() == '.') return false;
    }
    return true;
}

}  // namespace

// Immutable after make_console_state: share freely.
struct console_state {
    std::map<std::string, static_file, std::less<>> files;  // "/console/app.js" → file
    bool installed = false;  // the directory existed and held index.html
};

std::shared_ptr<console_state> make_console_state(app_state& app) {
    app.templates->require({"console/missing", "console/not_found", "console/method_not_allowed"});
    auto state = std::make_shared<console_state>();
    namespace fs = std::filesystem;
    const fs::path root = app.cfg.console_dir;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
        app.log->warn("console directory {} not found; the web console answers 404", root.string());
        return state;
    }
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const fs::path rel = it->path().lexically_relative(root);
        std::error_code entry_ec;  // a bad entry (a broken link) skips itself, not the rest
        if (!servable(rel)) {
            if (it->is_directory(entry_ec)) it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file(entry_ec)) continue;
        if (it->file_size(entry_ec) > max_file_bytes || entry_ec ||
            state->files.size() >= max_files) {
            app.log->warn("console file {} skipped (over the size or count limit)", rel.string());
            continue;
        }
        std::ifstream in(it->path(), std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        if (!in) {
            app.log->warn("console file {} could not be read", rel.string());
            continue;
        }
        static_file f{bytes.str(), std::string(content_type_of(rel)), {}};
        f.etag = etag_of(f.body);
        state->files.emplace("/console/" + rel.generic_string(), std::move(f));
    }
    if (ec)
        app.log->warn("console directory {} could not be listed: {}", root.string(), ec.message());
    state->installed = state->files.contains("/console/index.html");
    if (!state->installed)
        app.log->warn("console directory {} has no index.html; the web console answers 404",
                      root.string());
    else
        app.log->info("web console: {} files from {}", state->files.size(), root.string());
    return state;
}

void serve_console(const exchange_ptr& x) {
    const auto& req = x->req();
    const auto& ctx = x->ctx();
    const auto& console = x->app().console;
    // The same headers on every answer, errors included: the console is never framed, never
    // sniffed, and never leaks its URL (case ids) to another site.
    auto secure = [](http_response& res) {
        // Pictures also as data: URLs: a grid worker's photo is kept as one (checked to be a
        // JPEG or PNG when it came); an <img> runs nothing.
        res.set("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
        res.set("X-Content-Type-Options", "nosniff");
        res.set("Referrer-Policy", "no-referrer");
    };
    const bool head = req.method() == http::verb::head;
    auto send = [&](http_response res) {
        secure(res);
        if (head) res.body().clear();
        x->answer(std::move(res));
    };
    auto text = [&](http::status s, std::string_view reason, std::string_view key) {
        x->app().stats.requests_rejected.inc(reason);
        auto res = x->response(s, x->app().templates->render(key), "text/plain; charset=utf-8");
        res.set(http::field::cache_control, "no-store");
        if (s == http::status::method_not_allowed) res.set(http::field::allow, "GET, HEAD");
        send(std::move(res));
    };
    if (req.method() != http::verb::get && !head)
        return text(http::status::method_not_allowed, "method_not_allowed",
                    "console/method_not_allowed");
    if (ctx.path == "/" || ctx.path == "/console") {
        auto res = x->response(http::status::found, "", "text/plain; charset=utf-8");
        res.set(http::field::location, "/console/");
        res.set(http::field::cache_control, "no-store");
        return send(std::move(res));
    }
    if (!console->installed)
        return text(http::status::not_found, "console_missing", "console/missing");
    const std::string name = ctx.path == "/console/" ? "/console/index.html" : ctx.path;
    auto it = console->files.find(name);
    if (it == console->files.end())
        return text(http::status::not_found, "not_found", "console/not_found");
    const static_file& f = it->second;
    // The files change only with a deployment: the browser revalidates each time (cheap, 304)
    // and never shows a stale console after an upgrade.
    if (req[http::field::if_none_match] == f.etag) {
        auto res = x->response(http::status::not_modified, "", f.content_type);
        res.set(http::field::etag, f.etag);
        res.set(http::field::cache_control, "no-cache");
        return send(std::move(res));
    }
    auto res = x->response(http::status::ok, f.body, f.content_type);
    res.set(http::field::etag, f.etag);
    res.set(http::field::cache_control, "no-cache");
    send(std::move(res));
}

}  // namespace minsheng::gateway
