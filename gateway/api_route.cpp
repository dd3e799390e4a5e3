// /api/v1/...: the operator API (docs/operator-api.md), behind a bearer token: the bootstrap
// operator token or a staff token (gateway/staff_auth.hpp). Authentication and every read run on
// the reader pool, writes (case actions, notes, replies, assignment, the sweep, audit entries) on
// the writer; never on an I/O thread. Every case a caller reads or acts on is checked against
// their scope (403 outside it). Personal data is masked in every field shown.

#include <algorithm>
#include <boost/asio/post.hpp>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "adapters/sqlite_store/staff.hpp"
#include "dialog/cases/civil_time.hpp"
#include "dialog/cases/iso8601.hpp"
#include "dialog/cases/service.hpp"
#include "dialog/utf8.hpp"
#include "gateway/detail/app_impl.hpp"
#include "gateway/staff_auth.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;
using json = nlohmann::json;

namespace {

using views::error_body;

http::status status_of(dialog::cases::refusal r) {
    using dialog::cases::refusal;
    switch (r) {
        case refusal::none:
            return http::status::ok;
        case refusal::not_found:
            return http::status::not_found;
        case refusal::not_allowed:
            return http::status::forbidden;
        case refusal::invalid:
            return http::status::bad_request;
        default:
            return http::status::conflict;
    }
}

// nullopt with `error` set when the body is not what the endpoint takes.
std::optional<action_request> parse_action(const std::string& body, std::string& error) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        error = "the body must be a JSON object";
        return std::nullopt;
    }
    auto string_field = [&](const char* k, std::string& out) {
        if (!j.contains(k)) return true;
        if (!j[k].is_string()) {
            error = std::string(k) + " must be a string";
            return false;
        }
        out = j[k].get<std::string>();
        return true;
    };
    action_request a;
    std::string name;
    if (!string_field("action", name)) return std::nullopt;
    auto what = dialog::cases::action_from_string(name);
    if (!what) {
        error =
            "action must be one of accept, assign, release, start, report_done, confirm, "
            "reopen, close, cancel, merge";
        return std::nullopt;
    }
    a.what = *what;
    if (!string_field("note", a.args.note) || !string_field("assignee", a.args.assignee) ||
        !string_field("comment", a.args.comment))
        return std::nullopt;
    if (j.contains("into")) {
        const auto& into = j["into"];
        if (into.is_number_integer() && into.get<std::int64_t>() > 0)
            a.args.merge_into = into.get<std::int64_t>();
        else if (into.is_string() && !into.get<std::string>().empty())
            a.into_number = into.get<std::string>();
        else {
            error = "into must be a case id or a case number";
            return std::nullopt;
        }
    }
    if (j.contains("rating")) {
        if (!j["rating"].is_number_integer()) {
            error = "rating must be a whole number";
            return std::nullopt;
        }
        a.args.rating = j["rating"].get<int>();
    }
    if (a.what == dialog::cases::action::assign && a.args.assignee.empty()) {
        error = "assign needs an assignee";
        return std::nullopt;
    }
    if (a.what == dialog::cases::action::merge && a.args.merge_into == 0 && a.into_number.empty()) {
        error = "merge needs into (the case that absorbs this one)";
        return std::nullopt;
    }
    return a;
}

}  // namespace

std::optional<std::int64_t> whole_number(std::string_view text, std::int64_t lo, std::int64_t hi) {
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || p != text.data() + text.size() || n < lo || n > hi)
        return std::nullopt;
    return n;
}

void app::impl::read_json(request_ctx ctx, http_request&& req,
                          std::function<void(http_response&&)> respond,
                          std::function<json(adapters::sqlite_store::reader&)> read) {
    auto shared_req = std::make_shared<http_request>(std::move(req));
    auto shared_respond =
        std::make_shared<std::function<void(http_response &&)>>(std::move(respond));
    boost::asio::post(
        read_threads, [this, ctx, read = std::move(read), shared_req, shared_respond] {
            auto send = [&](http::status s, const json& body) {
                (*shared_respond)(make_response(*shared_req, s, body.dump() + "\n",
                                                "application/json; charset=utf-8"));
            };
            try {
                auto r = readers->acquire();
                json body = read(*r);
                readers->release(std::move(r));
                if (body.is_object() && body.contains("error")) {
                    stats.requests_rejected.inc(body["error"].value("code", "not_found"));
                    return send(http::status::not_found, body);
                }
                send(http::status::ok, body);
            } catch (const std::exception& e) {
                stats.errors.inc(ctx.route);
                log->error("{} {} read failure: {}", ctx.id, ctx.route, e.what());
                send(http::status::internal_server_error,
                     error_body("internal", "the case store could not be read"));
            }
        });
}

namespace {

namespace store_ns = adapters::sqlite_store;
using respond_fn = std::function<void(http_response&&)>;
constexpr std::string_view json_type = "application/json; charset=utf-8";
constexpr std::size_t max_text_chars = 2000;  // a note or a reply, in code points

json forbidden_body() {
    return error_body("forbidden", "this case is outside the cases you may see");
}

// What a writer task answers once its writes are committed.
struct write_outcome {
    http::status status = http::status::ok;
    json body;
    std::string metric;  // case_actions counter to bump on success; "" none
};

// The JSON body's "text" (an object with a non-empty string of at most max_text_chars), or
// nullopt with `error` set.
std::optional<std::string> text_field(const json& j, std::string& error) {
    if (!j.contains("text") || !j["text"].is_string()) {
        error = "text must be a string";
        return std::nullopt;
    }
    auto text = j["text"].get<std::string>();
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        error = "text must not be empty";
        return std::nullopt;
    }
    if (dialog::count_code_points(text) > max_text_chars) {
        error = "text must be at most 2000 characters";
        return std::nullopt;
    }
    return text;
}

// The grid of the case's community (config) whose name its address or description mentions;
// "" when none does. Cases carry no grid of their own: this is how a grid worker is matched.
std::string case_grid(const config& cfg, const dialog::case_record& c) {
    for (const auto& cc : cfg.communities) {
        if (cc.name != c.community) continue;
        for (const auto& g : cc.grids)
            if (!g.empty() && (c.address.find(g) != std::string::npos ||
                               c.description.find(g) != std::string::npos))
                return g;
    }
    return "";
}

// Whether the staff member may be assigned the case: an active worker of its community (any
// community when the case has none) and, when both the case and the worker have a grid, of
// its grid.
bool may_handle(const store_ns::staff_member& m, const dialog::case_record& c,
                const std::string& grid) {
    return m.active && m.role == "worker" && (c.community.empty() || m.community == c.community) &&
           (grid.empty() || m.grid.empty() || m.grid == grid);
}

// The least-loaded (fewest open assigned cases, then lowest id) active worker of the case's
// community, those of the case's grid first; nullptr when it has none (or no community).
const store_ns::staff_member* pick_worker(const std::vector<store_ns::staff_member>& staff,
                                          const std::map<std::string, std::int64_t>& loads,
                                          const dialog::case_record& c, const std::string& grid) {
    if (c.community.empty()) return nullptr;
    auto load = [&](const store_ns::staff_member& m) {
        auto it = loads.find(m.id);
        return it == loads.end() ? std::int64_t{0} : it->second;
    };
    const store_ns::staff_member* best = nullptr;
    for (bool same_grid : {true, false}) {
        if (same_grid && grid.empty()) continue;
        for (const auto& m : staff) {
            if (!may_handle(m, c, grid) || (same_grid && m.grid != grid)) continue;
            if (!best || load(m) < load(*best)) best = &m;  // staff are ordered by id
        }
        if (best) return best;
    }
    return nullptr;
}

// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes
// doubled. A field that a spreadsheet would run as a formula (= + - @ first) gets a leading '.
std::string csv_field(const json& v) {
    std::string s = v.is_null() ? "" : v.is_string() ? v.get<std::string>() : v.dump();
    if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) s.insert(0, "'");
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}

constexpr std::array csv_columns{
    "number",      "kind",          "category",    "status",    "channel",       "community",
    "urgency",     "handling_mode", "assignee",    "reporter",  "contact_phone", "address",
    "description", "created_at",    "deadline_at", "closed_at", "rating"};

// The cases as CSV (UTF-8 with a BOM so spreadsheets read the Chinese right, CRLF line ends),
// from their masked operator view.
std::string cases_csv(const std::vector<dialog::case_record>& cases) {
    std::string out = "\xEF\xBB\xBF";
    for (std::size_t i = 0; i < csv_columns.size(); ++i)
        out += (i ? "," : "") + std::string(csv_columns[i]);
    out += "\r\n";
    for (const auto& c : cases) {
        const json v = views::operator_case(c);
        for (std::size_t i = 0; i < csv_columns.size(); ++i)
            out += (i ? "," : "") + csv_field(v[csv_columns[i]]);
        out += "\r\n";
    }
    return out;
}

// Everything route_api does once the caller is known; runs on a read thread, so reads are
// done right here with a reader of the pool.
class api_call {
public:
    api_call(app::impl& app, app::impl::request_ctx ctx, http_request&& req, respond_fn respond,
             operator_identity who)
        : app_(app),
          ctx_(std::move(ctx)),
          req_(std::make_shared<http_request>(std::move(req))),
          respond_(std::make_shared<respond_fn>(std::move(respond))),
          who_(std::move(who)) {}

    void serve();
    // A case action, scoped; also the bootstrap operator's act_on_case.
    void act(std::int64_t id, action_request a);

private:
    using reader = store_ns::reader;

    void answer(http::status s, const json& body) const {
        (*respond_)(make_response(*req_, s, body.dump() + "\n", std::string(json_type)));
    }
    void reject(http::status s, std::string_view reason, std::string_view message) const {
        app_.stats.requests_rejected.inc(reason);
        if (app_.log->should_log(spdlog::level::warn))
            app_.log->warn("{} api rejected: {}", ctx_.id, reason);
        answer(s, error_body(reason, message));
    }
    const std::string* param(const char* k) const {
        auto it = ctx_.query.find(k);
        return it == ctx_.query.end() || it->second.empty() ? nullptr : &it->second;
    }
    bool only(http::verb v) const {
        if (req_->method() == v) return true;
        reject(http::status::method_not_allowed, "method_not_allowed",
               v == http::verb::get ? "only GET is allowed here" : "only POST is allowed here");
        return false;
    }
    bool limit_param(std::size_t& out) const {
        if (auto v = param("limit")) {
            auto n = whole_number(*v, 1, 1000);
            if (!n) {
                reject(http::status::bad_request, "bad_parameter",
                       "limit must be a whole number from 1 to 1000");
                return false;
            }
            out = static_cast<std::size_t>(*n);
        }
        return true;
    }
    bool roles(std::initializer_list<std::string_view> allowed) const {
        for (auto r : allowed)
            if (who_.role == r) return true;
        reject(http::status::forbidden, "forbidden", "your role may not use this endpoint");
        return false;
    }
    std::optional<json> body_object() const {
        json j = json::parse(req_->body(), nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            reject(http::status::bad_request, "bad_request", "the body must be a JSON object");
            return std::nullopt;
        }
        return j;
    }

    // Runs `read` with a reader and answers what it returns.
    void read(const std::function<std::pair<http::status, json>(reader&)>& fn) const;
    // Runs `fn` on the writer; answers its outcome after the commit.
    void write(std::function<write_outcome(store_ns::store&)> fn) const;

    std::optional<dialog::case_query> case_filters(std::size_t default_limit) const;
    void list_cases();
    void export_cases();
    void case_detail(std::int64_t id);
    void note(std::int64_t id);
    void reply(std::int64_t id);
    void auto_assign();
    void staff_list();
    void me();
    void wechat_code();
    void legacy();  // outbox, proposals, ranking, sweep

    app::impl& app_;
    app::impl::request_ctx ctx_;
    std::shared_ptr<http_request> req_;
    std::shared_ptr<respond_fn> respond_;
    operator_identity who_;
};

void api_call::read(const std::function<std::pair<http::status, json>(reader&)>& fn) const {
    try {
        auto r = app_.readers->acquire();
        auto [status, body] = fn(*r);
        app_.readers->release(std::move(r));
        if (body.is_object() && body.contains("error"))
            app_.stats.requests_rejected.inc(body["error"].value("code", "not_found"));
        answer(status, body);
    } catch (const std::exception& e) {
        app_.stats.errors.inc(ctx_.route);
        app_.log->error("{} {} read failure: {}", ctx_.id, ctx_.route, e.what());
        answer(http::status::internal_server_error,
               error_body("internal", "the case store could not be read"));
    }
}

void api_call::write(std::function<write_outcome(store_ns::store&)> fn) const {
    auto& app = app_;
    auto send = [&app, req = req_, respond = respond_](http::status s, json body) {
        boost::asio::post(app.ioc, [req, respond, s, body = std::move(body)] {
            (*respond)(make_response(*req, s, body.dump() + "\n", std::string(json_type)));
        });
    };
    bool queued = app.write->submit([&app, id = ctx_.id, fn = std::move(fn),
                                     send](store_ns::store& st) -> writer::continuation {
        write_outcome out;
        try {
            out = fn(st);
        } catch (const std::exception& e) {
            std::string what = e.what();
            return [&app, id, what, send](bool) {
                app.stats.errors.inc("api");
                app.log->error("{} operator write failed: {}", id, what);
                send(http::status::internal_server_error,
                     error_body("internal", "the change could not be stored"));
            };
        }
        return [&app, id, out, send](bool committed) {
            if (!committed) {
                app.stats.errors.inc("api");
                app.log->error("{} operator write failed: the commit failed", id);
                return send(http::status::internal_server_error,
                            error_body("internal", "the change could not be stored"));
            }
            if (out.body.is_object() && out.body.contains("error")) {
                auto code = out.body["error"].value("code", "refused");
                app.stats.requests_rejected.inc(code);
                if (app.log->should_log(spdlog::level::info))
                    app.log->info("{} operator request refused: {}", id, code);
            } else if (!out.metric.empty()) {
                app.stats.case_actions.inc(out.metric);
            }
            send(out.status, out.body);
        };
    });
    if (!queued)
        send(http::status::service_unavailable, error_body("shutting_down", "shutting down"));
}

void api_call::serve() {
    const std::string& path = ctx_.path;
    constexpr std::string_view cases_prefix = "/api/v1/cases/";
    if (path == "/api/v1/stats" || path.rfind("/api/v1/stats/", 0) == 0)
        return app_.serve_stats(std::move(ctx_), std::move(*req_), std::move(*respond_), who_);
    if (path == "/api/v1/me") {
        if (only(http::verb::get)) me();
        return;
    }
    if (path == "/api/v1/me/wechat-code") {
        if (only(http::verb::post)) wechat_code();
        return;
    }
    if (path == "/api/v1/cases") {
        if (only(http::verb::get)) list_cases();
        return;
    }
    if (path == "/api/v1/cases.csv") {
        if (only(http::verb::get)) export_cases();
        return;
    }
    if (path.rfind(cases_prefix, 0) == 0) {
        std::string_view rest = std::string_view(path).substr(cases_prefix.size());
        std::string_view sub;
        if (auto slash = rest.find('/'); slash != std::string_view::npos) {
            sub = rest.substr(slash + 1);
            rest = rest.substr(0, slash);
        }
        auto id = whole_number(rest, 1, std::numeric_limits<std::int64_t>::max());
        if (!id || !(sub.empty() || sub == "actions" || sub == "notes" || sub == "reply"))
            return reject(http::status::not_found, "not_found", "no such case");
        if (sub.empty()) {
            if (only(http::verb::get)) case_detail(*id);
            return;
        }
        if (!only(http::verb::post)) return;
        if (sub == "notes") return note(*id);
        if (sub == "reply") return reply(*id);
        std::string error;
        auto parsed = parse_action(req_->body(), error);
        if (!parsed) return reject(http::status::bad_request, "bad_request", error);
        return act(*id, std::move(*parsed));
    }
    if (path == "/api/v1/canned") {
        if (!only(http::verb::get)) return;
        json arr = json::array();
        for (const auto& c : app_.staff->canned)
            arr.push_back({{"key", c.key}, {"title", c.title}, {"text", c.text}});
        return answer(http::status::ok, {{"replies", std::move(arr)}});
    }
    if (path == "/api/v1/staff") {
        if (only(http::verb::get)) staff_list();
        return;
    }
    if (path == "/api/v1/assign/auto") {
        if (only(http::verb::post) && roles({"admin", "supervisor"})) auto_assign();
        return;
    }
    if (path == "/api/v1/audit") {
        if (!only(http::verb::get) || !roles({"admin"})) return;
        std::size_t limit = 100;
        if (!limit_param(limit)) return;
        return read([limit](reader& r) {
            json arr = json::array();
            for (const auto& e : store_ns::list_audit(r, limit)) arr.push_back(views::audit(e));
            return std::pair{http::status::ok, json{{"entries", std::move(arr)}}};
        });
    }
    if (path == "/api/v1/outbox" || path == "/api/v1/proposals" || path == "/api/v1/ranking" ||
        path == "/api/v1/sweep") {
        if (roles({"admin", "supervisor"})) legacy();
        return;
    }
    reject(http::status::not_found, "not_found", "no such endpoint");
}

void api_call::me() {
    json communities = json::array();
    if (who_.sees_all())
        for (const auto& c : app_.cfg.communities) communities.push_back(c.name);
    else
        for (const auto& c : who_.communities) communities.push_back(c);
    auto or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
    answer(http::status::ok, {{"id", who_.id},
                              {"name", who_.name},
                              {"role", who_.role},
                              {"community", or_null(who_.community)},
                              {"grid", or_null(who_.grid)},
                              {"street", or_null(who_.street)},
                              {"communities", std::move(communities)},
                              {"sees_all", who_.sees_all()},
                              {"staff", who_.staff},
                              {"wechat_bound", who_.wechat_bound}});
}

// A one-time code the caller sends to the official account ("绑定工号 <code>") so that their
// staff notifications reach them on WeChat; valid for 24 hours, replacing any earlier code.
void api_call::wechat_code() {
    if (!who_.staff)
        return reject(http::status::conflict, "not_staff",
                      "only staff members added with minsheng-admin can bind WeChat");
    const std::int64_t now = app_.now();
    write([who = who_, now](store_ns::store& st) -> write_outcome {
        // The member was active when the token was checked; issue_bind_code checks again.
        const auto code = store_ns::issue_bind_code(st, who.id, now + 24 * 3600, now);
        store_ns::append_audit(
            st, {0, now, dialog::cases::actor::op(who.id).key(), "staff_bind_code", who.id, ""});
        return {http::status::ok,
                {{"code", code.code},
                 {"send", "绑定工号 " + code.code},
                 {"expires_at", dialog::cases::format_iso8601(code.expires_at)}},
                ""};
    });
}

// The queue's filters, shared by /cases and /cases.csv; nullopt after answering 400.
std::optional<dialog::case_query> api_call::case_filters(std::size_t default_limit) const {
    dialog::case_query q;
    q.limit = default_limit;
    if (auto v = param("status")) q.statuses.push_back(*v);
    if (auto v = param("kind")) q.kind = *v;
    if (auto v = param("category")) q.category = *v;
    if (auto v = param("community")) q.community = *v;
    if (auto v = param("handling_mode")) q.handling_modes.push_back(*v);
    if (auto v = param("assignee")) q.assignee = *v == "none" ? std::string() : *v;
    if (auto v = param("channel")) {
        q.from = dialog::channel_from_string(*v);
        if (!q.from) {
            reject(http::status::bad_request, "bad_parameter",
                   "channel must be wechat_oa, miniprogram, hotline or open311");
            return std::nullopt;
        }
    }
    if (auto v = param("overdue")) {
        if (*v != "1" && *v != "0") {
            reject(http::status::bad_request, "bad_parameter", "overdue must be 1 or 0");
            return std::nullopt;
        }
        if (*v == "1") q.late_at = app_.now();
    }
    if (!limit_param(q.limit)) return std::nullopt;
    if (auto v = param("before_id")) {
        auto n = whole_number(*v, 0, std::numeric_limits<std::int64_t>::max());
        if (!n) {
            reject(http::status::bad_request, "bad_parameter",
                   "before_id must be a positive case id");
            return std::nullopt;
        }
        q.before_id = *n;
    }
    return q;
}

void api_call::list_cases() {
    auto q = case_filters(100);
    if (!q) return;
    const bool asked_community = q->community.has_value();
    if (!who_.scope(*q)) {
        if (asked_community)
            return reject(http::status::forbidden, "forbidden", "not your community");
        return answer(http::status::ok, {{"cases", json::array()}});
    }
    read([q = *q](reader& r) {
        auto cases = r.list_cases(q);
        json arr = json::array();
        for (const auto& c : cases) arr.push_back(views::operator_case(c));
        json body{{"cases", std::move(arr)}};
        if (!cases.empty() && cases.size() == q.limit) body["next_before_id"] = cases.back().id;
        return std::pair{http::status::ok, std::move(body)};
    });
}

void api_call::export_cases() {
    auto q = case_filters(1000);
    if (!q) return;
    const bool asked_community = q->community.has_value();
    const bool in_scope = who_.scope(*q);
    if (!in_scope && asked_community)
        return reject(http::status::forbidden, "forbidden", "not your community");
    std::vector<dialog::case_record> cases;
    try {
        auto r = app_.readers->acquire();
        if (in_scope) cases = r->list_cases(*q);
        app_.readers->release(std::move(r));
    } catch (const std::exception& e) {
        app_.stats.errors.inc(ctx_.route);
        app_.log->error("{} export read failure: {}", ctx_.id, e.what());
        return answer(http::status::internal_server_error,
                      error_body("internal", "the case store could not be read"));
    }
    // The export is answered only once its audit entry is committed: no export leaves unrecorded.
    std::string filters;
    for (const auto& [k, v] : ctx_.query) filters += (filters.empty() ? "" : "&") + k + "=" + v;
    auto body = std::make_shared<std::string>(cases_csv(cases));
    store_ns::audit_entry entry{
        0,
        app_.now(),
        dialog::cases::actor::op(who_.id).key(),
        "export",
        "cases.csv",
        "rows " + std::to_string(cases.size()) + (filters.empty() ? "" : "; " + filters)};
    auto& app = app_;
    auto req = req_;
    auto respond = respond_;
    auto fail = [&app, req, respond] {
        boost::asio::post(app.ioc, [req, respond] {
            (*respond)(make_response(
                *req, http::status::internal_server_error,
                error_body("internal", "the export could not be recorded").dump() + "\n",
                std::string(json_type)));
        });
    };
    bool queued = app.write->submit([&app, entry, body, req, respond, fail,
                                     id = ctx_.id](store_ns::store& st) -> writer::continuation {
        try {
            store_ns::append_audit(st, entry);
        } catch (const std::exception& e) {
            app.log->error("{} export audit failed: {}", id, e.what());
            return [fail](bool) { fail(); };
        }
        return [&app, body, req, respond, fail](bool committed) {
            if (!committed) return fail();
            boost::asio::post(app.ioc, [body, req, respond] {
                auto res = make_response(*req, http::status::ok, std::move(*body),
                                         "text/csv; charset=utf-8");
                res.set(http::field::content_disposition, "attachment; filename=\"cases.csv\"");
                (*respond)(std::move(res));
            });
        };
    });
    if (!queued) fail();
}

void api_call::case_detail(std::int64_t id) {
    read([id, who = who_](reader& r) {
        auto c = r.get_case(id);
        if (!c) return std::pair{http::status::not_found, error_body("not_found", "no such case")};
        if (!who.may_see(*c)) return std::pair{http::status::forbidden, forbidden_body()};
        json body = views::operator_case(*c);
        json events = json::array();
        for (const auto& e : r.events_of(id)) events.push_back(views::operator_event(e));
        body["events"] = std::move(events);
        dialog::case_query merged;
        merged.merged_into = id;
        json numbers = json::array();
        for (const auto& m : r.list_cases(merged)) numbers.push_back(m.number);
        body["merged_cases"] = std::move(numbers);
        return std::pair{http::status::ok, std::move(body)};
    });
}

void api_call::act(std::int64_t id, action_request a) {
    auto& app = app_;
    write([&app, id, a = std::move(a), who = who_](store_ns::store& st) mutable {
        const std::int64_t t = app.now();
        const bool assigning = a.what == dialog::cases::action::assign;
        std::vector<store_ns::staff_member> staff;
        std::map<std::string, std::int64_t> loads;
        if (assigning) {
            staff = store_ns::list_staff(st);
            loads = store_ns::open_cases_by_assignee(st);
        }
        write_outcome out;
        st.run([&](dialog::unit_of_work& uow) {
            auto refuse = [&](http::status s, json body) { out = {s, std::move(body), ""}; };
            auto c = uow.get_case(id);
            if (!c) return refuse(http::status::not_found, error_body("not_found", "no such case"));
            if (!who.may_see(*c)) return refuse(http::status::forbidden, forbidden_body());
            if (!a.into_number.empty()) {
                auto target = uow.find_case(a.into_number);
                if (!target)
                    return refuse(http::status::bad_request,
                                  error_body("invalid", "no case numbered " + a.into_number +
                                                            " to merge into"));
                a.args.merge_into = target->id;
            }
            if (a.args.merge_into != 0) {
                auto target = uow.get_case(a.args.merge_into);
                if (target && !who.may_see(*target))
                    return refuse(http::status::forbidden, forbidden_body());
            }
            if (assigning) {
                const auto grid = case_grid(app.cfg, *c);
                if (a.args.assignee == "auto") {
                    const auto* w = pick_worker(staff, loads, *c, grid);
                    if (!w)
                        return refuse(http::status::conflict,
                                      error_body("no_worker",
                                                 "no active case worker of this case's community"));
                    a.args.assignee = w->id;
                } else {
                    auto m = std::find_if(staff.begin(), staff.end(),
                                          [&](const auto& s) { return s.id == a.args.assignee; });
                    if (m == staff.end() || !may_handle(*m, *c, grid))
                        return refuse(http::status::bad_request,
                                      error_body("bad_assignee",
                                                 "the assignee must be an active case worker of "
                                                 "this case's community (and grid)"));
                }
            }
            auto result =
                app.service->act(uow, id, a.what, dialog::cases::actor::op(who.id), a.args, t);
            if (!result.ok())
                return refuse(status_of(result.why),
                              error_body(dialog::cases::to_string(result.why), result.detail));
            out = {http::status::ok,
                   {{"case", views::operator_case(result.after)}},
                   std::string(dialog::cases::to_string(a.what))};
        });
        return out;
    });
}

void api_call::note(std::int64_t id) {
    auto j = body_object();
    if (!j) return;
    std::string error;
    auto text = text_field(*j, error);
    if (!text) return reject(http::status::bad_request, "bad_request", error);
    auto& app = app_;
    write([&app, id, text = *text, who = who_](store_ns::store& st) {
        write_outcome out;
        st.run([&](dialog::unit_of_work& uow) {
            auto c = uow.get_case(id);
            if (!c) {
                out = {http::status::not_found, error_body("not_found", "no such case"), ""};
                return;
            }
            if (!who.may_see(*c)) {
                out = {http::status::forbidden, forbidden_body(), ""};
                return;
            }
            dialog::case_event e;
            e.case_id = id;
            e.at = app.now();
            e.actor = dialog::cases::actor::op(who.id).key();
            e.action = "note";
            e.note = text;
            e.id = uow.add_event(e);
            out = {http::status::created, {{"event", views::operator_event(e)}}, "note"};
        });
        return out;
    });
}

void api_call::reply(std::int64_t id) {
    auto j = body_object();
    if (!j) return;
    const bool canned = j->contains("canned");
    if (canned == j->contains("text"))
        return reject(http::status::bad_request, "bad_request",
                      "give either canned (a canned reply's key) or text");
    std::string text, key;
    if (canned) {
        if (!(*j)["canned"].is_string() ||
            !app_.staff->find_canned((*j)["canned"].get<std::string>()))
            return reject(http::status::bad_request, "unknown_canned",
                          "canned must be the key of a reply listed by /api/v1/canned");
        key = "canned/" + (*j)["canned"].get<std::string>();
    } else {
        std::string error;
        auto t = text_field(*j, error);
        if (!t) return reject(http::status::bad_request, "bad_request", error);
        text = *t;
    }
    auto& app = app_;
    write([&app, id, key, text, who = who_](store_ns::store& st) {
        write_outcome out;
        st.run([&](dialog::unit_of_work& uow) {
            auto c = uow.get_case(id);
            if (!c) {
                out = {http::status::not_found, error_body("not_found", "no such case"), ""};
                return;
            }
            if (!who.may_see(*c)) {
                out = {http::status::forbidden, forbidden_body(), ""};
                return;
            }
            std::string message = text;
            if (!key.empty()) {
                // The canned file's first line is its title; the resident reads the rest.
                auto all = app.templates->render(
                    key, {{"number", c->number},
                          {"status", dialog::cases::case_service::status_label(*app.templates, *c)},
                          {"community", c->community},
                          {"category", c->category}});
                auto nl = all.find('\n');
                message = nl == std::string::npos ? all : all.substr(nl + 1);
                while (!message.empty() && (message.back() == '\n' || message.back() == '\r'))
                    message.pop_back();
            }
            auto n = app.service->reply_to_reporter(uow, id, dialog::cases::actor::op(who.id), key,
                                                    message, app.now());
            if (!n) {
                out = {http::status::bad_request, error_body("bad_request", "nothing to send"), ""};
                return;
            }
            store_ns::outbox_row row;
            row.n = *n;
            row.status = "pending";
            out = {http::status::accepted, {{"notification", views::outbox(row)}}, "reply"};
        });
        return out;
    });
}

void api_call::auto_assign() {
    auto& app = app_;
    write([&app, who = who_](store_ns::store& st) {
        const std::int64_t t = app.now();
        const auto staff = store_ns::list_staff(st);
        auto loads = store_ns::open_cases_by_assignee(st);
        json assigned = json::array();
        st.run([&](dialog::unit_of_work& uow) {
            dialog::case_query q;
            q.statuses = {"received", "accepted"};
            q.assignee = "";
            // Wall wishes (direct, station) are for volunteers to claim, not for workers.
            q.handling_modes = {"", "express"};
            q.oldest_first = true;
            q.limit = 1000;
            if (!who.scope(q)) return;
            for (const auto& c : uow.list_cases(q)) {
                const auto* w = pick_worker(staff, loads, c, case_grid(app.cfg, c));
                if (!w) continue;
                dialog::cases::act_args args;
                args.assignee = w->id;
                args.note = "auto";
                auto r = app.service->act(uow, c.id, dialog::cases::action::assign,
                                          dialog::cases::actor::op(who.id), args, t);
                if (!r.ok()) continue;
                ++loads[w->id];
                assigned.push_back({{"case", c.number}, {"case_id", c.id}, {"assignee", w->id}});
            }
        });
        store_ns::append_audit(st, {0, t, dialog::cases::actor::op(who.id).key(), "assign_auto", "",
                                    "cases " + std::to_string(assigned.size())});
        return write_outcome{http::status::ok, {{"assigned", std::move(assigned)}}, ""};
    });
}

void api_call::staff_list() {
    read([who = who_](reader& r) {
        const auto loads = store_ns::open_cases_by_assignee(r);
        json arr = json::array();
        for (const auto& m : store_ns::list_staff(r)) {
            bool visible = who.sees_all();
            for (const auto& c : who.communities) visible = visible || m.community == c;
            if (who.role == "supervisor" && m.street == who.street) visible = true;
            if (!visible) continue;
            auto it = loads.find(m.id);
            arr.push_back(views::staff(m, it == loads.end() ? 0 : it->second));
        }
        return std::pair{http::status::ok, json{{"staff", std::move(arr)}}};
    });
}

void api_call::legacy() {
    const std::string& path = ctx_.path;
    if (path == "/api/v1/outbox") {
        if (!only(http::verb::get)) return;
        store_ns::outbox_filter f;
        if (auto v = param("status")) {
            if (*v != "pending" && *v != "delivered" && *v != "dead")
                return reject(http::status::bad_request, "bad_parameter",
                              "status must be pending, delivered or dead");
            f.status = *v;
        }
        if (auto v = param("case_id")) {
            auto n = whole_number(*v, 1, std::numeric_limits<std::int64_t>::max());
            if (!n)
                return reject(http::status::bad_request, "bad_parameter",
                              "case_id must be a case id");
            f.case_id = *n;
        }
        if (!limit_param(f.limit)) return;
        return read([f](reader& r) {
            json arr = json::array();
            for (const auto& row : r.list_outbox(f)) arr.push_back(views::outbox(row));
            return std::pair{http::status::ok, json{{"notifications", std::move(arr)},
                                                    {"pending", r.count_outbox("pending")},
                                                    {"dead", r.count_outbox("dead")}}};
        });
    }
    if (path == "/api/v1/proposals") {
        if (!only(http::verb::get)) return;
        std::string community = param("community") ? *param("community") : "";
        std::size_t limit = 100;
        if (!limit_param(limit)) return;
        return read([community, limit](reader& r) {
            json arr = json::array();
            for (const auto& p : r.open_proposals(community, limit))
                arr.push_back(views::proposal(p));
            return std::pair{http::status::ok, json{{"proposals", std::move(arr)}}};
        });
    }
    if (path == "/api/v1/ranking") {
        if (!only(http::verb::get)) return;
        std::string community = param("community") ? *param("community") : "";
        std::size_t limit = 20;
        if (!limit_param(limit)) return;
        auto [since, until] = dialog::cases::china_month(app_.now());
        return read([community, limit, since, until](reader& r) {
            return std::pair{
                http::status::ok,
                json{{"community", community},
                     {"since", dialog::cases::format_iso8601(since)},
                     {"until", dialog::cases::format_iso8601(until)},
                     {"ranking", views::ranking(r.ranking(community, since, until, limit))}}};
        });
    }
    // POST /api/v1/sweep
    if (!only(http::verb::post)) return;
    auto& app = app_;
    auto req = req_;
    auto respond = respond_;
    app.run_sweep([&app, req, respond](std::optional<dialog::cases::sweep_report> r) {
        boost::asio::post(app.ioc, [&app, r, req, respond] {
            if (!r) {
                app.stats.errors.inc("api");
                return (*respond)(
                    make_response(*req, http::status::internal_server_error,
                                  error_body("internal", "the sweep failed").dump() + "\n",
                                  std::string(json_type)));
            }
            json body{{"leases_expired", r->leases_expired},
                      {"reminders", r->reminders},
                      {"escalations", r->escalations},
                      {"auto_closed", r->auto_closed},
                      {"proposals_expired", r->proposals_expired}};
            (*respond)(
                make_response(*req, http::status::ok, body.dump() + "\n", std::string(json_type)));
        });
    });
}

}  // namespace

void app::impl::route_api(request_ctx ctx, http_request&& req,
                          std::function<void(http_response&&)> respond) {
    // Authentication reads the staff tables: on the reader pool, like everything after it.
    auto shared_req = std::make_shared<http_request>(std::move(req));
    auto shared_respond = std::make_shared<respond_fn>(std::move(respond));
    boost::asio::post(read_threads, [this, ctx = std::move(ctx), shared_req,
                                     shared_respond]() mutable {
        std::optional<operator_identity> who;
        try {
            auto r = readers->acquire();
            who = authenticate_operator(cfg, *r, (*shared_req)[http::field::authorization], now());
            readers->release(std::move(r));
        } catch (const std::exception& e) {
            stats.errors.inc("api");
            log->error("{} authentication failed: {}", ctx.id, e.what());
            return (*shared_respond)(make_response(
                *shared_req, http::status::internal_server_error,
                error_body("internal", "the staff store could not be read").dump() + "\n",
                std::string(json_type)));
        }
        if (!who) {
            http_response res = make_response(
                *shared_req, http::status::unauthorized,
                error_body("unauthorized", "a valid operator bearer token is required").dump() +
                    "\n",
                std::string(json_type));
            res.set(http::field::www_authenticate, "Bearer realm=\"minsheng\"");
            stats.requests_rejected.inc("unauthorized");
            return (*shared_respond)(std::move(res));
        }
        api_call(*this, std::move(ctx), std::move(*shared_req), std::move(*shared_respond),
                 std::move(*who))
            .serve();
    });
}

void app::impl::act_on_case(request_ctx ctx, http_request&& req,
                            std::function<void(http_response&&)> respond, std::int64_t case_id,
                            action_request request) {
    // As the bootstrap operator: an admin, who sees every case.
    api_call call(*this, std::move(ctx), std::move(req), std::move(respond),
                  identity_of(cfg, "operator", "operator", "admin", "", "", ""));
    call.act(case_id, std::move(request));
}

}  // namespace minsheng::gateway
