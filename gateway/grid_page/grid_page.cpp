// /grid/: the grid worker's mobile page and its API. Every API call: the address's failed-token
// budget first (429), then the token's signature and expiry (401, counted as a failure), then, on
// the writer, whether the person is still a bound, active worker (403), then whether the order
// is theirs (404 otherwise, the same as an unknown number, so nobody learns of others' orders).
// Nothing is written before all of these pass.

#include "gateway/grid_page/grid_page.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "adapters/wechat_oa/detail/base64.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/values/geo.hpp"
#include "gateway/server/app_state.hpp"

namespace minsheng::gateway::grid_page {

namespace http = boost::beast::http;
using json = nlohmann::json;
namespace cases = dialog::cases;

namespace {

constexpr std::string_view json_type = "application/json; charset=utf-8";
constexpr std::string_view api_prefix = "/grid/api/orders";

std::string_view content_type_of(const std::filesystem::path& p) {
    const auto ext = p.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".js") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".svg") return "image/svg+xml";
    return "application/octet-stream";
}

// Same headers on every answer: never framed, never sniffed, the token never sent on as a
// referrer; API answers are never cached (they are one worker's orders).
void secure(http_response& res) {
    res.set("Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.set(http::field::cache_control, "no-store");
}

void send_page(const exchange_ptr& x, http_response res) {
    secure(res);
    x->answer(std::move(res));
}

void send_json(exchange& x, http::status s, const json& body) {
    auto res = x.response(s, body.dump(), json_type);
    secure(res);
    x.answer(std::move(res));
}

void refuse(exchange& x, http::status s, std::string_view code) {
    x.app().stats.requests_rejected.inc(code);
    send_json(x, s, {{"error", std::string(code)}});
}

std::optional<cases::order_step> step_named(std::string_view s) {
    if (s == "accept") return cases::order_step::accept;
    if (s == "arrive") return cases::order_step::arrive;
    if (s == "progress") return cases::order_step::progress;
    if (s == "photo") return cases::order_step::photo;
    if (s == "done") return cases::order_step::done;
    if (s == "return") return cases::order_step::give_back;
    return std::nullopt;
}

// A photo as the page sends it: "data:image/jpeg;base64,..." (or png), at most max_photo_bytes
// once decoded, and really a JPEG or PNG. Kept as the order_photo event's note, as it came.
bool plausible_photo(const std::string& data_url) {
    std::string_view v = data_url;
    std::string_view head;
    for (std::string_view h : {"data:image/jpeg;base64,", "data:image/png;base64,"})
        if (v.rfind(h, 0) == 0) head = h;
    if (head.empty()) return false;
    const auto bytes = adapters::wechat_oa::detail::base64_decode(v.substr(head.size()));
    if (!bytes || bytes->size() < 8 || bytes->size() > max_photo_bytes) return false;
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>((*bytes)[i]); };
    const bool jpeg = b(0) == 0xff && b(1) == 0xd8 && b(2) == 0xff;
    const bool png = b(0) == 0x89 && b(1) == 'P' && b(2) == 'N' && b(3) == 'G';
    return jpeg || png;
}

// The resident's words as their worker reads them: phone and ID numbers masked, the place
// kept (the worker goes to the door; the summary and list use the public, masked form).
std::string for_the_worker(const std::string& text) {
    static const std::regex numbers(R"((\d{17}[\dXx])|(1[3-9]\d{9}))");
    std::string out;
    auto from = text.cbegin();
    for (std::sregex_iterator it(text.begin(), text.end(), numbers), end; it != end; ++it) {
        const auto& m = *it;
        out.append(from, m[0].first);
        out += m[1].matched ? dialog::nlu::mask_id_number(m.str(0))
                            : dialog::nlu::mask_phone(m.str(0));
        from = m[0].second;
    }
    out.append(from, text.cend());
    return out;
}

json order_item(const app_state& app, const dialog::case_record& c) {
    return {{"number", c.number},
            {"status", c.status},
            {"status_label", cases::case_service::status_label(*app.templates, c)},
            {"deadline_at", c.deadline_at},
            {"category", c.category},
            {"summary", cases::case_service::public_summary(c, 40)}};
}

// One order as its worker needs it: the address in full (they go to the door), the words and
// the phone masked (the chat shows the worker no phone either), the steps so far. Photos are
// counted, not sent back.
json order_view(const app_state& app, dialog::unit_of_work& uow, const dialog::case_record& c) {
    json o = order_item(app, c);
    o["address"] = c.address;
    o["description"] = for_the_worker(c.description);
    o["phone"] = c.contact_phone.empty() ? "" : dialog::nlu::mask_phone(c.contact_phone);
    json steps = json::array();
    bool accepted = false;
    int photos = 0;
    for (const auto& e : uow.events_of(c.id)) {
        if (e.action == "assign") accepted = false;
        if (e.action == "order_accepted") accepted = true;
        if (e.action == "order_photo") ++photos;
        const bool shown = e.action == "assign" || e.action == "order_accepted" ||
                           e.action == "start" || e.action == "order_progress" ||
                           e.action == "order_photo" || e.action == "report_done";
        if (!shown) continue;
        steps.push_back(
            {{"at", e.at},
             {"action", e.action},
             {"note", e.action == "order_photo" ? std::string()
                                                : dialog::nlu::mask_personal_data(e.note)}});
    }
    o["accepted"] = accepted;
    o["photos"] = photos;
    o["steps"] = std::move(steps);
    return o;
}

std::string_view outcome_code(cases::order_outcome o) {
    switch (o) {
        case cases::order_outcome::done:
            return "ok";
        case cases::order_outcome::not_found:
        case cases::order_outcome::not_yours:
            return "not_found";
        case cases::order_outcome::wrong_status:
            return "wrong_status";
        case cases::order_outcome::needs_text:
            return "needs_text";
        case cases::order_outcome::needs_location:
            return "needs_location";
    }
    return "wrong_status";
}

http::status outcome_status(cases::order_outcome o) {
    switch (o) {
        case cases::order_outcome::done:
            return http::status::ok;
        case cases::order_outcome::not_found:
        case cases::order_outcome::not_yours:
            return http::status::not_found;
        case cases::order_outcome::wrong_status:
            return http::status::conflict;
        default:
            return http::status::bad_request;
    }
}

// What the writer found: an HTTP status and a JSON body.
struct answer_value {
    http::status status = http::status::ok;
    json body;
};

answer_value fail(http::status s, std::string_view code) {
    return {s, {{"error", std::string(code)}}};
}

// The API call after the token: on the writer, the worker and then the order.
void serve_api(const exchange_ptr& x, const std::string& person_key) {
    const std::string& path = x->ctx().path;
    std::string rest = path.substr(api_prefix.size());  // "", "/<number>", "/<number>/<step>"
    if (!rest.empty() && rest.front() == '/') rest.erase(0, 1);
    std::string number = rest, step_name;
    if (const auto slash = rest.find('/'); slash != std::string::npos) {
        number = rest.substr(0, slash);
        step_name = rest.substr(slash + 1);
    }
    const auto method = x->req().method();
    std::optional<cases::order_step> step;
    if (!step_name.empty()) {
        step = step_named(step_name);
        if (!step || number.empty()) return refuse(*x, http::status::not_found, "not_found");
        if (method != http::verb::post)
            return refuse(*x, http::status::method_not_allowed, "method_not_allowed");
    } else if (method != http::verb::get) {
        return refuse(*x, http::status::method_not_allowed, "method_not_allowed");
    }
    if (number.size() > 32) return refuse(*x, http::status::not_found, "not_found");

    // The step's body: {"text": "...", "lat": n, "lng": n, "photo": "data:image/..."}.
    std::string text;
    std::optional<dialog::geo_point> where;
    if (step) {
        const auto body = json::parse(x->req().body(), nullptr, false);
        if (!x->req().body().empty() && !body.is_object())
            return refuse(*x, http::status::bad_request, "bad_body");
        if (body.is_object()) {
            if (body.contains("text")) {
                if (!body["text"].is_string())
                    return refuse(*x, http::status::bad_request, "bad_body");
                text = body["text"].get<std::string>();
                if (text.size() > 2000) return refuse(*x, http::status::bad_request, "bad_body");
            }
            if (body.contains("lat") || body.contains("lng")) {
                if (!body.value("lat", json()).is_number() ||
                    !body.value("lng", json()).is_number())
                    return refuse(*x, http::status::bad_request, "bad_location");
                where = dialog::geo_point{body["lat"].get<double>(), body["lng"].get<double>()};
                if (!dialog::valid_point(*where))
                    return refuse(*x, http::status::bad_request, "bad_location");
            }
        }
        if (*step == cases::order_step::photo) {
            if (!plausible_photo(text)) return refuse(*x, http::status::bad_request, "bad_photo");
        } else if (text.find("data:") == 0) {
            return refuse(*x, http::status::bad_request, "bad_body");
        }
    }
    x->on_writer<answer_value>(
        [app = x->app_shared(), person_key, number, step, text,
         where](adapters::db::store& s) -> answer_value {
            answer_value out;
            const std::int64_t now = app->now();
            s.run([&](dialog::unit_of_work& uow) {
                const auto who = dialog::person_ref::parse(person_key);
                const auto staff = who ? uow.staff_of(*who) : std::nullopt;
                // Unbound, deactivated, or no longer a worker: the link opens nothing.
                if (!staff || staff->role != "worker") {
                    out = fail(http::status::forbidden, "not_a_worker");
                    return;
                }
                if (number.empty()) {
                    json list = json::array();
                    for (const auto& c : app->service->orders_of(uow, *staff, 200))
                        list.push_back(order_item(*app, c));
                    out.body = {{"worker", staff->name}, {"orders", std::move(list)}};
                    return;
                }
                if (!step) {
                    const auto c = uow.find_case(number);
                    if (!c || c->assignee != staff->id) {
                        out = fail(http::status::not_found, "not_found");
                        return;
                    }
                    out.body = {{"worker", staff->name}, {"order", order_view(*app, uow, *c)}};
                    return;
                }
                const auto r =
                    app->service->order_act(uow, *staff, number, *step, text, where, now);
                if (r.what != cases::order_outcome::done) {
                    out = fail(outcome_status(r.what), outcome_code(r.what));
                    return;
                }
                out.body = {{"worker", staff->name}, {"order", order_view(*app, uow, r.after)}};
            });
            return out;
        },
        [](exchange& ex, answer_value& v) { send_json(ex, v.status, v.body); });
}

}  // namespace

std::shared_ptr<const grid_links> make_grid_links(const config& cfg, const std::string& secret) {
    return std::make_shared<const grid_links>(secret, cfg.grid_page.public_url,
                                              std::int64_t{cfg.grid_page.link_hours} * 3600);
}

std::shared_ptr<grid_page_state> make_grid_page_state(app_state& app,
                                                      std::shared_ptr<const grid_links> links) {
    app.templates->require({"notify/order_link", "console/not_found"});
    auto state = std::make_shared<grid_page_state>(
        std::move(links), app.cfg.limits.auth_failures_per_minute, app.now);
    namespace fs = std::filesystem;
    const fs::path root = app.cfg.grid_page.dir;
    std::error_code ec;
    // The page is a handful of flat files: index.html, app.js, text.js, style.css.
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        const auto name = entry.path().filename().string();
        std::error_code fec;
        if (name.empty() || name.front() == '.' || !entry.is_regular_file(fec) ||
            entry.file_size(fec) > (1u << 20))
            continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        if (!in) continue;
        state->files.emplace("/grid/" + name,
                             page_file{bytes.str(), std::string(content_type_of(entry.path()))});
    }
    if (!state->files.contains("/grid/index.html"))
        app.log->warn("grid page directory {} has no index.html; /grid/ answers 404",
                      root.string());
    if (!state->links->enabled())
        app.log->info("grid_page.public_url is not set: work order notices carry no page link");
    return state;
}

void serve_grid_page(const exchange_ptr& x) {
    const auto& path = x->ctx().path;
    auto& page = *x->app().grid_page;
    if (path.rfind(api_prefix, 0) == 0 &&
        (path.size() == api_prefix.size() || path[api_prefix.size()] == '/')) {
        const std::string& peer = x->ctx().peer;
        if (auto d = page.failures.admit(peer); !d.allowed) {
            x->app().stats.rate_limited.inc("grid_auth");
            auto res = x->response(http::status::too_many_requests,
                                   json{{"error", "rate_limited"}}.dump(), json_type);
            res.set(http::field::retry_after, std::to_string(d.retry_after_seconds));
            return send_page(x, std::move(res));
        }
        const auto token = std::string(x->req()["X-Grid-Token"]);
        const auto person = page.links->person_of(token, x->app().now());
        if (!person) {
            page.failures.failed(peer);
            return refuse(*x, http::status::unauthorized, "bad_token");
        }
        return serve_api(x, *person);
    }
    if (x->req().method() != http::verb::get && x->req().method() != http::verb::head)
        return refuse(*x, http::status::method_not_allowed, "method_not_allowed");
    if (path == "/grid") {
        auto res = x->response(http::status::found, "", "text/plain; charset=utf-8");
        res.set(http::field::location, "/grid/");
        return send_page(x, std::move(res));
    }
    const std::string name = path == "/grid/" ? "/grid/index.html" : path;
    const auto it = page.files.find(name);
    if (it == page.files.end())
        return send_page(
            x, x->response(http::status::not_found, x->app().templates->render("console/not_found"),
                           "text/plain; charset=utf-8"));
    auto res = x->response(http::status::ok, it->second.body, it->second.content_type);
    if (x->req().method() == http::verb::head) res.body().clear();
    send_page(x, std::move(res));
}

}  // namespace minsheng::gateway::grid_page
