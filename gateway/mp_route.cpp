// /mp/v1/...: the mini program API (docs/miniprogram.md), JSON, for residents who prefer forms
// and for volunteers, on the same case service and store as the chat.
//   I/O thread: route, method, bearer token present, its SHA-256.
//   reader pool: the session (unknown / expired → 401), the per-openid rate limit (429), input
//     validation (400), reads, and the NLU for a new case (fast, pure).
//   writer: every change in one unit of work (filing exactly once per (openid, request_id) via
//     store::handle_once); answered only after the commit.
//   login: code2session on mp_state's own small pool (a blocking HTTPS call must hold neither an
//     I/O thread, a reader nor the writer), then the session row through the writer.
// Error bodies: {"error":{"code":<stable English code>,"message":<Chinese, templates/mp/>}}.

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "adapters/sqlite_store/bearer_token.hpp"
#include "adapters/sqlite_store/sessions.hpp"
#include "adapters/wechat_api/api_client.hpp"
#include "dialog/cases/civil_time.hpp"
#include "dialog/cases/geo.hpp"
#include "dialog/cases/handling.hpp"
#include "dialog/cases/iso8601.hpp"
#include "dialog/cases/lifecycle.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/utf8.hpp"
#include "gateway/detail/app_impl.hpp"
#include "gateway/rate_limiter.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;
namespace cases = dialog::cases;
using json = nlohmann::json;
using adapters::sqlite_store::reader;

// Sessions are looked up in the store; what lives here is only what must not: the rate limits
// and the code2session client with the pool its blocking calls run on. Thread-safe.
struct mp_state {
    // Null when no mini program secret is configured: login answers 503.
    std::unique_ptr<adapters::wechat_api::api_client> wechat;
    rate_limiter logins;    // one global bucket (key "")
    rate_limiter requests;  // per openid
    boost::asio::thread_pool login_threads{2};

    mp_state(const config& cfg, std::function<std::int64_t()> now)
        : logins(cfg.miniprogram.logins_per_minute, cfg.miniprogram.logins_per_minute, now),
          requests(cfg.miniprogram.requests_per_minute, cfg.miniprogram.burst, now) {}
    // Queued logins are dropped (the server has stopped answering by now); running ones finish.
    ~mp_state() {
        login_threads.stop();
        login_threads.join();
    }
};

namespace {

// Every templates/mp/ key this file renders; checked at start-up.
const std::vector<std::string>& mp_texts() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k;
        for (const char* name : {"bad_json",           "bad_code",           "missing_code",
                                 "bad_description",    "bad_location",       "bad_address",
                                 "bad_media",          "bad_phone",          "bad_request_id",
                                 "bad_category",       "bad_kind",           "bad_urgency",
                                 "bad_rating",         "bad_comment",        "bad_community",
                                 "unknown_community",  "bad_name",           "bad_skills",
                                 "bad_station",        "unknown_station",    "bad_activity",
                                 "bad_query",          "bad_near",           "unauthorized",
                                 "session_expired",    "rate_limited",       "not_configured",
                                 "wechat_unavailable", "not_found",          "method_not_allowed",
                                 "case_not_found",     "not_your_case",      "wrong_status",
                                 "not_allowed",        "not_volunteer",      "taken",
                                 "already_yours",      "not_on_wall",        "wish_not_found",
                                 "not_your_claim",     "already_checked_in", "not_checked_in",
                                 "proposal_not_found", "already_voted",      "wrong_community",
                                 "proposal_closed",    "community_required", "internal",
                                 "shutting_down",      "bad_template"})
            k.push_back(std::string("mp/") + name);
        return k;
    }();
    return keys;
}

const std::vector<std::string_view>& categories() {
    static const std::vector<std::string_view> c = {
        "城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "卫生计生", "环境保护", "交通运输"};
    return c;
}

// Expired sessions are kept this long to answer "session_expired" rather than "unauthorized".
constexpr std::int64_t keep_expired_seconds = 7 * 86400;
constexpr std::size_t max_media = 9;
constexpr double default_radius_km = 5.0;

// The token of "Bearer <token>" when it has a session token's shape; "" otherwise.
std::string bearer_token(std::string_view header) {
    constexpr std::string_view prefix = "Bearer ";
    if (header.substr(0, prefix.size()) != prefix) return "";
    std::string_view t = header.substr(prefix.size());
    if (t.size() != adapters::sqlite_store::bearer_token_chars) return "";
    for (char ch : t)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') return "";
    return std::string(t);
}

bool ascii_printable(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char ch) { return ch > 0x20 && ch < 0x7f; });
}

std::string trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

// 11-digit mainland mobile number: 1, then 3..9, then nine digits.
bool mainland_mobile(std::string_view p) {
    if (p.size() != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9') return false;
    return std::all_of(p.begin(), p.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// Case, wish and proposal numbers as the store writes them (WX20261123-0001); find_case takes
// them case-insensitively with or without the dash.
bool plausible_number(std::string_view n) {
    if (n.empty() || n.size() > 32) return false;
    return std::all_of(n.begin(), n.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-';
    });
}

// Reads fields of a JSON object body, remembering the template key of the first problem.
class body_fields {
public:
    explicit body_fields(const json& j) : j_(j) {}
    const std::string& problem() const { return problem_; }
    bool ok() const { return problem_.empty(); }
    bool has(const char* k) const { return j_.contains(k) && !j_[k].is_null(); }

    // A string of min..max code points after trimming; absent (or null) leaves `out` alone.
    void text(const char* k, std::string& out, std::size_t min, std::size_t max, bool required,
              const char* bad) {
        if (!ok()) return;
        if (!has(k)) {
            if (required) problem_ = bad;
            return;
        }
        if (!j_[k].is_string()) return void(problem_ = bad);
        std::string v = trimmed(j_[k].get_ref<const std::string&>());
        const auto n = dialog::count_code_points(v);
        if (!dialog::is_valid_utf8(v) || n < min || n > max) return void(problem_ = bad);
        out = std::move(v);
    }
    void one_of(const char* k, std::string& out, const std::vector<std::string_view>& allowed,
                const char* bad) {
        std::string v;
        text(k, v, 1, 64, false, bad);
        if (!ok() || v.empty()) return;
        if (std::find(allowed.begin(), allowed.end(), v) == allowed.end())
            return void(problem_ = bad);
        out = std::move(v);
    }
    void integer(const char* k, int& out, int min, int max, bool required, const char* bad) {
        if (!ok()) return;
        if (!has(k)) {
            if (required) problem_ = bad;
            return;
        }
        if (!j_[k].is_number_integer()) return void(problem_ = bad);
        const auto v = j_[k].get<std::int64_t>();
        if (v < min || v > max) return void(problem_ = bad);
        out = static_cast<int>(v);
    }
    void location(const char* k, std::optional<dialog::geo_point>& out, const char* bad) {
        if (!ok() || !has(k)) return;
        const auto& l = j_[k];
        if (!l.is_object() || !l.contains("lat") || !l.contains("lng") || !l["lat"].is_number() ||
            !l["lng"].is_number())
            return void(problem_ = bad);
        dialog::geo_point p{l["lat"].get<double>(), l["lng"].get<double>()};
        if (!std::isfinite(p.lat) || !std::isfinite(p.lng) || p.lat < -90 || p.lat > 90 ||
            p.lng < -180 || p.lng > 180)
            return void(problem_ = bad);
        out = p;
    }
    void ids(const char* k, std::vector<std::string>& out, std::size_t max_items, const char* bad) {
        if (!ok() || !has(k)) return;
        const auto& a = j_[k];
        if (!a.is_array() || a.size() > max_items) return void(problem_ = bad);
        for (const auto& v : a) {
            if (!v.is_string()) return void(problem_ = bad);
            const auto& s = v.get_ref<const std::string&>();
            if (s.empty() || s.size() > 128 || !ascii_printable(s)) return void(problem_ = bad);
            out.push_back(s);
        }
    }

private:
    const json& j_;
    std::string problem_;
};

// The body as a JSON object; an empty body is {}. nullopt for anything else.
std::optional<json> object_body(const std::string& body) {
    if (trimmed(body).empty()) return json::object();
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

bool is_mine(const dialog::case_record& c, const dialog::person_ref& me) {
    return c.from == me.from && c.reporter_id == me.user_id;
}

bool holding(const dialog::case_record& c) {
    return c.status == cases::status::claimed || c.status == cases::status::in_progress;
}

json text_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

// A resident's own case: what they wrote is theirs to read; nothing about who handles it.
json own_case(const dialog::template_set& texts, const dialog::case_record& c) {
    return {{"number", c.number},
            {"kind", c.kind},
            {"category", text_or_null(c.category)},
            {"urgency", c.urgency},
            {"status", c.status},
            {"status_label", cases::case_service::status_label(texts, c)},
            {"handling_mode", text_or_null(c.handling_mode)},
            {"handling_mode_label", text_or_null(std::string(cases::mode_label(c.handling_mode)))},
            {"description", c.description},
            {"address", text_or_null(c.address)},
            {"location",
             c.location ? json{{"lat", c.location->lat}, {"lng", c.location->lng}} : json(nullptr)},
            {"community", text_or_null(c.community)},
            {"deadline_at", views::time_or_null(c.deadline_at)},
            {"created_at", cases::format_iso8601(c.created_at)},
            {"updated_at", cases::format_iso8601(c.updated_at)},
            {"rating", c.rating == 0 ? json(nullptr) : json(c.rating)}};
}

json case_summary(const dialog::template_set& texts, const dialog::case_record& c) {
    return {{"number", c.number},
            {"kind", c.kind},
            {"category", text_or_null(c.category)},
            {"status", c.status},
            {"status_label", cases::case_service::status_label(texts, c)},
            {"summary", cases::case_service::public_summary(c, 30)},
            {"deadline_at", views::time_or_null(c.deadline_at)},
            {"created_at", cases::format_iso8601(c.created_at)}};
}

// Status changes only: no actor, no note (they may name workers or hold what others wrote).
json history_of(const dialog::template_set& texts, const std::vector<dialog::case_event>& events) {
    json out = json::array();
    for (const auto& e : events) {
        if (e.to_status.empty()) continue;
        const std::string key = "status/" + e.to_status;
        out.push_back({{"at", cases::format_iso8601(e.at)},
                       {"action", e.action},
                       {"from_status", text_or_null(e.from_status)},
                       {"status", e.to_status},
                       {"status_label", texts.has(key) ? texts.render(key) : e.to_status}});
    }
    return out;
}

// The resident's phone for the claimer, as the chat gives it: the case's contact, else the
// reporter's bound phone, else a hotline caller's number.
template <class FindPerson>
std::string contact_phone(const dialog::case_record& c, FindPerson&& find_person) {
    if (!c.contact_phone.empty()) return c.contact_phone;
    if (auto p = find_person(dialog::person_ref{c.from, c.reporter_id}); p && !p->phone.empty())
        return p->phone;
    if (c.from == dialog::channel::hotline) return c.reporter_id;
    return "";
}

// A claim as its volunteer sees it: the contact only while they hold it (as in chat).
template <class FindPerson>
json claim_view(const dialog::template_set& texts, const dialog::case_record& c,
                FindPerson&& find_person) {
    json contact = nullptr;
    if (holding(c))
        contact = {{"phone", text_or_null(contact_phone(c, find_person))},
                   {"address", text_or_null(c.address)}};
    return {{"number", c.number},
            {"status", c.status},
            {"status_label", cases::case_service::status_label(texts, c)},
            {"category", text_or_null(c.category)},
            {"community", text_or_null(c.community)},
            {"summary", cases::case_service::public_summary(c)},
            {"claim_expires_at", views::time_or_null(c.claim_expires_at)},
            {"deadline_at", views::time_or_null(c.deadline_at)},
            {"contact", std::move(contact)}};
}

json visit_view(const cases::case_service& service, const dialog::service_visit& v) {
    const auto* st = service.find_station(v.station);
    return {{"station", v.station},
            {"station_name", st ? json(st->name) : json(nullptr)},
            {"activity", text_or_null(v.activity)},
            {"checkin_at", cases::format_iso8601(v.checkin_at)},
            {"checkout_at", views::time_or_null(v.checkout_at)},
            {"minutes", v.minutes},
            {"points", v.points}};
}

// One error an endpoint answers: HTTP status, stable code, the templates/mp/ text.
struct mp_error {
    http::status status;
    std::string code;
    std::string text;  // template name under mp/
};

mp_error bad_request(std::string text) {
    return {http::status::bad_request, "bad_request", std::move(text)};
}

// Refusals of case_service::act for a resident acting on their own case.
mp_error resident_refusal(cases::refusal r) {
    using cases::refusal;
    switch (r) {
        case refusal::not_found:
            return {http::status::not_found, "case_not_found", "case_not_found"};
        case refusal::not_allowed:
            return {http::status::forbidden, "not_allowed", "not_allowed"};
        case refusal::invalid:
            return bad_request("bad_rating");
        default:
            return {http::status::conflict, "wrong_status", "wrong_status"};
    }
}

enum class endpoint {
    login,
    file_case,
    my_cases,
    my_case,
    confirm,
    rate,
    phone,
    profile_get,
    profile_set,
    proposals,
    vote,
    volunteer,
    wall,
    claim,
    release,
    claims,
    points,
    ranking,
    stations,
    checkin,
    checkout,
    subscriptions_get,
    subscriptions_add
};

struct route_match {
    std::optional<endpoint> what;  // nullopt: no such path
    bool method_ok = false;
    std::string number;  // the {number} segment
};

route_match match(std::string_view path, http::verb method) {
    constexpr std::string_view prefix = "/mp/v1/";
    std::vector<std::string_view> seg;
    std::string_view rest = path.substr(prefix.size());
    while (!rest.empty()) {
        auto slash = rest.find('/');
        seg.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
        if (rest.empty()) seg.emplace_back();  // a trailing slash is its own (empty) segment
    }
    const bool get = method == http::verb::get, post = method == http::verb::post;
    route_match m;
    auto is = [&](endpoint e, bool ok) {
        m.what = e;
        m.method_ok = ok;
        return m;
    };
    if (seg.size() == 1) {
        const auto s = seg[0];
        if (s == "login") return is(endpoint::login, post);
        if (s == "cases") return is(post ? endpoint::file_case : endpoint::my_cases, get || post);
        if (s == "phone") return is(endpoint::phone, post);
        if (s == "profile")
            return is(post ? endpoint::profile_set : endpoint::profile_get, get || post);
        if (s == "proposals") return is(endpoint::proposals, get);
        if (s == "volunteer") return is(endpoint::volunteer, post);
        if (s == "wall") return is(endpoint::wall, get);
        if (s == "claims") return is(endpoint::claims, get);
        if (s == "points") return is(endpoint::points, get);
        if (s == "ranking") return is(endpoint::ranking, get);
        if (s == "stations") return is(endpoint::stations, get);
        if (s == "checkin") return is(endpoint::checkin, post);
        if (s == "checkout") return is(endpoint::checkout, post);
        if (s == "subscriptions")
            return is(post ? endpoint::subscriptions_add : endpoint::subscriptions_get,
                      get || post);
        return m;
    }
    if (seg.size() < 2 || seg.size() > 3 || !plausible_number(seg[1])) return m;
    m.number = std::string(seg[1]);
    if (seg.size() == 2) {
        if (seg[0] == "cases") return is(endpoint::my_case, get);
        return m;
    }
    const auto head = seg[0], verb = seg[2];
    if (head == "cases" && verb == "confirm") return is(endpoint::confirm, post);
    if (head == "cases" && verb == "rate") return is(endpoint::rate, post);
    if (head == "proposals" && verb == "vote") return is(endpoint::vote, post);
    if (head == "wall" && verb == "claim") return is(endpoint::claim, post);
    if (head == "wall" && verb == "release") return is(endpoint::release, post);
    return m;
}

}  // namespace

std::shared_ptr<mp_state> make_mp_state(app::impl& app) {
    app.templates->require(mp_texts());
    auto s = std::make_shared<mp_state>(app.cfg, app.now);
    const auto& mp = app.cfg.miniprogram;
    if (!mp.secret.empty() && !mp.appid.empty()) {
        adapters::wechat_api::api_config c;
        c.base_url = mp.base_url.empty() ? app.cfg.delivery.base_url : mp.base_url;
        c.appid = mp.appid;
        c.secret = mp.secret;
        c.ca_file = app.cfg.delivery.ca_file;
        c.connect_timeout = std::chrono::milliseconds(3000);
        c.request_timeout = std::chrono::milliseconds(5000);
        s->wechat = std::make_unique<adapters::wechat_api::api_client>(std::move(c));
    }
    return s;
}

namespace {

// One request on its way through the threads. Answers exactly once; send() may be called from
// any thread (the server posts the write to the connection's strand).
struct mp_call {
    app::impl& gw;
    app::impl::request_ctx ctx;
    http_request req;
    std::function<void(http_response&&)> respond;
    route_match route;
    dialog::person_ref me{dialog::channel::miniprogram, ""};  // set once authenticated

    mp_call(app::impl& a, app::impl::request_ctx c, http_request&& r,
            std::function<void(http_response&&)> f)
        : gw(a), ctx(std::move(c)), req(std::move(r)), respond(std::move(f)) {}

    void send(http::status s, const json& body, std::int64_t retry_after = 0) {
        http_response res =
            make_response(req, s, body.dump() + "\n", "application/json; charset=utf-8");
        if (retry_after > 0) res.set(http::field::retry_after, std::to_string(retry_after));
        if (s == http::status::unauthorized)
            res.set(http::field::www_authenticate, "Bearer realm=\"minsheng-mp\"");
        respond(std::move(res));
    }
    void fail(const mp_error& e, std::int64_t retry_after = 0) {
        gw.stats.requests_rejected.inc(e.code);
        if (gw.log->should_log(spdlog::level::info))
            gw.log->info("{} mp refused: {} {}", ctx.id, e.code, static_cast<int>(e.status));
        send(e.status, views::error_body(e.code, gw.templates->render("mp/" + e.text)),
             retry_after);
    }
    void fail(http::status s, std::string code) { fail(mp_error{s, code, code}); }
    void internal(std::string_view what) {
        gw.stats.errors.inc("mp");
        gw.log->error("{} mp failure: {}", ctx.id, what);
        fail(http::status::internal_server_error, "internal");
    }
    // From a writer continuation: the writer moves on, the answer is built on an I/O thread.
    void send_later(http::status s, json body, std::shared_ptr<mp_call> self) {
        boost::asio::post(
            gw.ioc, [self = std::move(self), s, body = std::move(body)] { self->send(s, body); });
    }
    void fail_later(mp_error e, std::shared_ptr<mp_call> self) {
        boost::asio::post(gw.ioc, [self = std::move(self), e = std::move(e)] { self->fail(e); });
    }
};
using call_ptr = std::shared_ptr<mp_call>;

// What a change on the writer answers: a body with a status, or an error.
struct outcome {
    http::status status = http::status::ok;
    json body;
    std::optional<mp_error> error;

    static outcome ok(json b) { return {http::status::ok, std::move(b), std::nullopt}; }
    static outcome refused(mp_error e) { return {http::status::ok, nullptr, std::move(e)}; }
};

// Runs `fn` in one unit of work on the writer and answers its outcome after the commit.
// Runs fn on the writer with the store itself (for the store's own operations, outside a unit
// of work) and answers its outcome after the commit.
void change_store(const call_ptr& call,
                  std::function<outcome(adapters::sqlite_store::store&, std::int64_t now)> fn) {
    auto& app = call->gw;
    bool queued = app.write->submit(
        [call, fn = std::move(fn)](adapters::sqlite_store::store& store) -> writer::continuation {
            auto out = std::make_shared<outcome>();
            try {
                *out = fn(store, call->gw.now());
            } catch (const std::exception& e) {
                std::string what = e.what();
                return [call, what](bool) {
                    boost::asio::post(call->gw.ioc, [call, what] { call->internal(what); });
                };
            }
            return [call, out](bool committed) {
                if (!committed)
                    return (void)boost::asio::post(call->gw.ioc,
                                                   [call] { call->internal("the commit failed"); });
                if (out->error) return call->fail_later(*out->error, call);
                call->send_later(out->status, std::move(out->body), call);
            };
        });
    if (!queued) call->fail(http::status::service_unavailable, "shutting_down");
}

// Runs fn in one unit of work on the writer and answers its outcome after the commit.
void change(const call_ptr& call,
            std::function<outcome(dialog::unit_of_work&, std::int64_t now)> fn) {
    change_store(call, [fn = std::move(fn)](adapters::sqlite_store::store& store, std::int64_t t) {
        outcome out;
        store.run([&](dialog::unit_of_work& uow) { out = fn(uow, t); });
        return out;
    });
}

// ---- notifications: subscribe-message credits (docs/notifications.md)

json subscription_view(const std::string& template_id, int credits) {
    return {{"template_id", text_or_null(template_id)}, {"credits", credits}};
}

void subscriptions_get(const call_ptr& call, reader& r) {
    const auto& tpl = call->gw.cfg.miniprogram.subscribe_template;
    const int credits =
        tpl.empty() ? 0 : adapters::sqlite_store::subscription_credits(r, call->me.user_id, tpl);
    call->send(http::status::ok, subscription_view(tpl, credits));
}

// {"accepted": ["<template id>", ...]}: what wx.requestSubscribeMessage answered "accept" for.
void subscriptions_add(const call_ptr& call, reader& r) {
    auto body = object_body(call->req.body());
    if (!body) return call->fail(bad_request("bad_json"));
    const auto& tpl = call->gw.cfg.miniprogram.subscribe_template;
    const auto accepted = body->find("accepted");
    if (accepted == body->end() || !accepted->is_array() || accepted->size() > 20)
        return call->fail(bad_request("bad_template"));
    int grants = 0;
    for (const auto& id : *accepted) {
        if (!id.is_string() || tpl.empty() || id.get<std::string>() != tpl)
            return call->fail(bad_request("bad_template"));
        ++grants;
    }
    if (grants == 0) return subscriptions_get(call, r);  // the user accepted nothing this time
    change_store(call, [call, tpl, grants](adapters::sqlite_store::store& st, std::int64_t t) {
        int credits = 0;
        for (int i = 0; i < grants; ++i)
            credits = adapters::sqlite_store::add_subscription_credit(st, call->me.user_id, tpl, t);
        return outcome::ok(subscription_view(tpl, credits));
    });
}

// ---- residents

void file_case(const call_ptr& call, reader&) {
    auto body = object_body(call->req.body());
    if (!body) return call->fail(bad_request("bad_json"));
    body_fields f(*body);
    std::string request_id, description, category, kind, urgency, address, phone;
    std::optional<dialog::geo_point> location;
    std::vector<std::string> media;
    f.text("request_id", request_id, 1, 64, true, "bad_request_id");
    if (f.ok() && !ascii_printable(request_id)) return call->fail(bad_request("bad_request_id"));
    f.text("description", description, 2, 1000, true, "bad_description");
    f.one_of("category", category, categories(), "bad_category");
    f.one_of("kind", kind, {"wish", "complaint", "consultation"}, "bad_kind");
    f.one_of("urgency", urgency, {"urgent", "normal"}, "bad_urgency");
    f.location("location", location, "bad_location");
    f.text("address", address, 1, 200, false, "bad_address");
    f.ids("media_ids", media, max_media, "bad_media");
    f.text("phone", phone, 11, 11, false, "bad_phone");
    if (f.ok() && !phone.empty() && !mainland_mobile(phone))
        return call->fail(bad_request("bad_phone"));
    if (!f.ok()) return call->fail(bad_request(f.problem()));

    // The same understanding as chat; what the form chose wins over what the models guess.
    const auto u = call->gw.nlu->understand(description);
    dialog::case_draft d;
    d.from = dialog::channel::miniprogram;
    d.reporter_id = call->me.user_id;
    d.kind = !kind.empty() ? kind : u.kind.name.empty() ? "complaint" : u.kind.name;
    d.category = !category.empty() ? category : u.category.unsure ? "" : u.category.name;
    d.category_confidence = !category.empty() ? 1.0 : u.category.confidence;
    d.urgency = !urgency.empty() ? urgency : u.urgency.name == "urgent" ? "urgent" : "normal";
    d.description = description;
    d.address = address;
    if (d.address.empty())
        if (const auto* a = u.find("address")) d.address = a->text;
    d.contact_phone = phone;
    if (d.contact_phone.empty())
        if (const auto* p = u.find("phone")) d.contact_phone = p->value;
    d.location = location;
    d.source_key = "mp:" + call->me.user_id + ":" + request_id;

    dialog::inbound_message m;
    m.from = dialog::channel::miniprogram;
    m.user_id = call->me.user_id;
    m.dedup_key = d.source_key;
    m.kind = dialog::inbound_kind::text;
    m.text = description;

    auto draft = std::make_shared<dialog::case_draft>(std::move(d));
    auto msg = std::make_shared<dialog::inbound_message>(std::move(m));
    auto normalised = std::make_shared<std::string>(u.normalised);
    auto photos = std::make_shared<std::vector<std::string>>(std::move(media));
    bool queued =
        call->gw.write->submit([call, draft, msg, normalised, photos](
                                   adapters::sqlite_store::store& store) -> writer::continuation {
            auto& app = call->gw;
            auto h = std::make_shared<adapters::sqlite_store::handled>();
            try {
                const std::int64_t t = app.now();
                msg->create_time = t;
                *h = store.handle_once(
                    msg->from, msg->dedup_key, *msg, [&](dialog::unit_of_work& uow) {
                        auto filed = *draft;
                        filed.created_at = t;
                        if (filed.contact_phone.empty())
                            if (auto p = uow.get_person(call->me); p)
                                filed.contact_phone = p->phone;
                        auto rec = app.service->open(uow, filed, *normalised, t);
                        for (const auto& id : *photos)
                            app.service->add_detail(uow, rec.id, cases::actor::of(call->me),
                                                    "[图片] media:" + id, t);
                        if (!photos->empty())
                            if (auto now_rec = uow.get_case(rec.id)) rec = std::move(*now_rec);
                        return own_case(*app.templates, rec).dump();
                    });
            } catch (const std::exception& e) {
                std::string what = e.what();
                return [call, what](bool) {
                    boost::asio::post(call->gw.ioc, [call, what] { call->internal(what); });
                };
            }
            return [call, h](bool committed) {
                auto& gw = call->gw;
                if (!committed)
                    return (void)boost::asio::post(gw.ioc,
                                                   [call] { call->internal("the commit failed"); });
                json reply = json::parse(h->reply, nullptr, false);
                if (h->duplicate) {
                    gw.stats.messages_duplicate.inc("miniprogram");
                    return call->send_later(http::status::ok, std::move(reply), call);
                }
                gw.stats.messages_received.inc("miniprogram");
                gw.stats.cases_opened.inc("miniprogram", h->opened.size());
                if (gw.log->should_log(spdlog::level::info))
                    for (const auto& c : h->opened)
                        gw.log->info("{} case {} opened kind={} category={} urgency={}",
                                     call->ctx.id, c.number, c.kind,
                                     c.category.empty() ? "-" : c.category, c.urgency);
                call->send_later(http::status::created, std::move(reply), call);
            };
        });
    if (!queued) call->fail(http::status::service_unavailable, "shutting_down");
}

void my_cases(const call_ptr& call, reader& r) {
    dialog::case_query q;
    q.reporter = call->me;
    q.limit = 50;
    json arr = json::array();
    for (const auto& c : r.list_cases(q)) arr.push_back(case_summary(*call->gw.templates, c));
    call->send(http::status::ok, {{"cases", std::move(arr)}});
}

void my_case(const call_ptr& call, reader& r) {
    auto c = r.get_case_by_number(call->route.number);
    if (!c) return call->fail(http::status::not_found, "case_not_found");
    if (!is_mine(*c, call->me)) return call->fail(http::status::forbidden, "not_your_case");
    json body = own_case(*call->gw.templates, *c);
    body["history"] = history_of(*call->gw.templates, r.events_of(c->id));
    call->send(http::status::ok, body);
}

// confirm / rate on the resident's own case.
void feedback(const call_ptr& call, reader&, cases::action what) {
    auto body = object_body(call->req.body());
    if (!body) return call->fail(bad_request("bad_json"));
    body_fields f(*body);
    cases::act_args args;
    if (what == cases::action::rate) {
        f.integer("rating", args.rating, 1, 5, true, "bad_rating");
        f.text("comment", args.comment, 0, 200, false, "bad_comment");
    }
    if (!f.ok()) return call->fail(bad_request(f.problem()));
    change(call, [call, what, args](dialog::unit_of_work& uow, std::int64_t t) {
        auto& app = call->gw;
        auto c = uow.find_case(call->route.number);
        if (!c)
            return outcome::refused({http::status::not_found, "case_not_found", "case_not_found"});
        if (!is_mine(*c, call->me))
            return outcome::refused({http::status::forbidden, "not_your_case", "not_your_case"});
        auto r = app.service->act(uow, c->id, what, cases::actor::of(call->me), args, t);
        if (!r.ok()) return outcome::refused(resident_refusal(r.why));
        return outcome::ok(own_case(*app.templates, r.after));
    });
}

void bind_phone(const call_ptr& call, reader&) {
    auto body = object_body(call->req.body());
    if (!body) return call->fail(bad_request("bad_json"));
    body_fields f(*body);
    std::string phone;
    f.text("phone", phone, 11, 11, true, "bad_phone");
    if (!f.ok() || !mainland_mobile(phone)) return call->fail(bad_request("bad_phone"));
    change(call, [call, phone](dialog::unit_of_work& uow, std::int64_t t) {
        auto p = call->gw.service->bind_phone(uow, call->me, phone, t);
        return outcome::ok({{"phone", dialog::nlu::mask_phone(p.phone)}});
    });
}

json profile_view(const std::optional<dialog::person>& p) {
    if (!p)
        return {{"community", nullptr},
                {"phone", nullptr},
                {"volunteer", false},
                {"name", nullptr},
                {"skills", nullptr}};
    return {{"community", text_or_null(p->community)},
            {"phone", p->phone.empty() ? json(nullptr) : json(dialog::nlu::mask_phone(p->phone))},
            {"volunteer", p->volunteer},
            {"name", text_or_null(p->name)},
            {"skills", text_or_null(p->skills)}};
}

// A community name from the body; one of the configured communities when any are configured.
std::optional<mp_error> read_community(const app::impl& app, body_fields& f, std::string& out,
                                       bool required) {
    f.text("community", out, 1, 30, required, "bad_community");
    if (!f.ok()) return bad_request(f.problem());
    if (out.empty() || app.cfg.communities.empty()) return std::nullopt;
    for (const auto& c : app.cfg.communities)
        if (c.name == out) return std::nullopt;
    return bad_request("unknown_community");
}

void profile_get(const call_ptr& call, reader& r) {
    call->send(http::status::ok, profile_view(r.get_person(call->me)));
}

void profile_set(const call_ptr& call, reader&) {
    auto body = object_body(call->req.body());
    if (!body) return call->fail(bad_request("bad_json"));
    body_fields f(*body);
    std::string community;
    if (auto e = read_community(call->gw, f, community, true)) return call->fail(*e);
    change(call, [call, community](dialog::unit_of_work& uow, std::int64_t t) {
        call->gw.service->set_community(uow, call->me, community, t);
        return outcome::ok(profile_view(uow.get_person(call->me)));
    });
}

void proposals(const call_ptr& call, reader& r) {
    auto p = r.get_person(call->me);
    const std::string community = p ? p->community : "";
    json arr = json::array();
    if (!community.empty())
        for (const auto& x : r.open_proposals(community, 50)) {
            json v = views::proposal(x);
            v.erase("id");
            v.erase("case_id");
            arr.push_back(std::move(v));
        }
    call->send(http::status::ok,
               {{"community", text_or_null(community)}, {"proposals", std::move(arr)}});
}

void vote(const call_ptr& call, reader&) {
    change(call, [call](dialog::unit_of_work& uow, std::int64_t t) {
        auto& app = call->gw;
        auto p = uow.get_person(call->me);
        if (!p || p->community.empty())
            return outcome::refused(
                {http::status::conflict, "community_required", "community_required"});
        auto r = app.service->vote(uow, call->route.number, call->me, t);
        using cases::refusal;
        switch (r.why) {
            case refusal::none:
                break;
            case refusal::not_found:
                return outcome::refused(
                    {http::status::not_found, "proposal_not_found", "proposal_not_found"});
            case refusal::already_voted:
                return outcome::refused({http::status::conflict, "already_voted", "already_voted"});
            case refusal::wrong_community:
                return outcome::refused(
                    {http::status::forbidden, "wrong_community", "wrong_community"});
            default:
                return outcome::refused({http::status::conflict, "closed", "proposal_closed"});
        }
        json v = views::proposal(r.after);
        v.erase("id");
        v.erase("case_id");
        v["passed_now"] = r.passed_now;
        v["project_number"] = r.passed_now ? json(r.project.number) : json(nullptr);
        return outcome::ok(std::move(v));
    });
}

// ---- volunteers

void volunteer(const call_ptr& call, reader&) {
    auto body = object_body(call->req.body());
    if (!body) return call->fail(bad_request("bad_json"));
    body_fields f(*body);
    std::string name, community, skills;
    f.text("name", name, 1, 20, false, "bad_name");
    f.text("skills", skills, 0, 100, false, "bad_skills");
    if (!f.ok()) return call->fail(bad_request(f.problem()));
    if (auto e = read_community(call->gw, f, community, true)) return call->fail(*e);
    change(call, [call, name, community, skills](dialog::unit_of_work& uow, std::int64_t t) {
        auto p = call->gw.service->register_volunteer(uow, call->me, name, community, skills, t);
        return outcome::ok(profile_view(p));
    });
}

// "lat,lng" → a point, or nullopt.
std::optional<dialog::geo_point> parse_near(std::string_view s) {
    auto comma = s.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    auto number = [](std::string_view t) -> std::optional<double> {
        if (t.empty() || t.size() > 32) return std::nullopt;
        std::string copy(t);
        char* end = nullptr;
        double v = std::strtod(copy.c_str(), &end);
        if (end != copy.c_str() + copy.size() || !std::isfinite(v)) return std::nullopt;
        return v;
    };
    auto lat = number(s.substr(0, comma)), lng = number(s.substr(comma + 1));
    if (!lat || !lng || *lat < -90 || *lat > 90 || *lng < -180 || *lng > 180) return std::nullopt;
    return dialog::geo_point{*lat, *lng};
}

void wall(const call_ptr& call, reader& r) {
    const auto& query = call->ctx.query;
    auto get = [&](const char* k) -> std::string {
        auto it = query.find(k);
        return it == query.end() ? "" : trimmed(it->second);
    };
    const std::string community = get("community"), category = get("category");
    const std::string near = get("near"), radius = get("radius_km");
    if (dialog::count_code_points(community) > 30 || !dialog::is_valid_utf8(community) ||
        (!category.empty() &&
         std::find(categories().begin(), categories().end(), category) == categories().end()))
        return call->fail(bad_request("bad_query"));
    std::optional<dialog::geo_point> here;
    double radius_km = default_radius_km;
    if (!near.empty()) {
        here = parse_near(near);
        if (!here) return call->fail(bad_request("bad_near"));
    }
    if (!radius.empty()) {
        char* end = nullptr;
        radius_km = std::strtod(radius.c_str(), &end);
        if (!here || end != radius.c_str() + radius.size() || !(radius_km >= 0.1) || radius_km > 50)
            return call->fail(bad_request("bad_near"));
    }

    // The wall as case_service::wall builds it (accepted wishes in wall modes, oldest first),
    // read on this reader rather than inside a transaction.
    dialog::case_query q;
    q.statuses = {std::string(cases::status::accepted)};
    q.kind = "wish";
    q.handling_modes = {std::string(cases::mode::direct), std::string(cases::mode::station)};
    q.oldest_first = true;
    q.limit = here ? 1000 : 100;
    if (!community.empty()) q.community = community;
    if (!category.empty()) q.category = category;
    auto wishes = r.list_cases(q);

    json arr = json::array();
    if (here) {
        std::vector<std::pair<double, const dialog::case_record*>> near_me;
        for (const auto& c : wishes)
            if (c.location)
                if (double km = cases::distance_km(*here, *c.location); km <= radius_km)
                    near_me.emplace_back(km, &c);
        std::stable_sort(near_me.begin(), near_me.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [km, c] : near_me) {
            json item = views::wall_item(*c);
            item["distance_km"] = std::round(km * 100) / 100;
            arr.push_back(std::move(item));
            if (arr.size() >= 100) break;
        }
    } else {
        // Without a filter, the volunteer's own community first, as in chat.
        std::string mine;
        if (community.empty())
            if (auto p = r.get_person(call->me)) mine = p->community;
        std::stable_partition(wishes.begin(), wishes.end(), [&](const dialog::case_record& c) {
            return !mine.empty() && c.community == mine;
        });
        for (const auto& c : wishes) arr.push_back(views::wall_item(c));
    }
    call->send(http::status::ok, {{"wishes", std::move(arr)}});
}

mp_error claim_refusal(const cases::act_result& r, const dialog::person_ref& me) {
    using cases::refusal;
    const bool mine = r.after.claimer == me.key();
    switch (r.why) {
        case refusal::not_found:
            return {http::status::not_found, "wish_not_found", "wish_not_found"};
        case refusal::not_volunteer:
            return {http::status::forbidden, "not_volunteer", "not_volunteer"};
        case refusal::taken:
            return mine ? mp_error{http::status::conflict, "already_yours", "already_yours"}
                        : mp_error{http::status::conflict, "taken", "taken"};
        case refusal::wrong_status:
            if (mine) return {http::status::conflict, "already_yours", "already_yours"};
            if (!r.after.claimer.empty()) return {http::status::conflict, "taken", "taken"};
            return {http::status::conflict, "not_on_wall", "not_on_wall"};
        default:
            return {http::status::conflict, "not_on_wall", "not_on_wall"};
    }
}

void claim_or_release(const call_ptr& call, reader&, cases::action what) {
    change(call, [call, what](dialog::unit_of_work& uow, std::int64_t t) {
        auto& app = call->gw;
        auto c = uow.find_case(call->route.number);
        if (!c)
            return outcome::refused({http::status::not_found, "wish_not_found", "wish_not_found"});
        auto r = app.service->act(uow, c->id, what, cases::actor::of(call->me), {}, t);
        if (!r.ok()) {
            if (what == cases::action::claim) return outcome::refused(claim_refusal(r, call->me));
            if (r.why == cases::refusal::not_allowed || c->claimer != call->me.key())
                return outcome::refused(
                    {http::status::forbidden, "not_your_claim", "not_your_claim"});
            return outcome::refused({http::status::conflict, "wrong_status", "wrong_status"});
        }
        return outcome::ok(claim_view(*app.templates, r.after, [&](const dialog::person_ref& p) {
            return uow.get_person(p);
        }));
    });
}

void claims(const call_ptr& call, reader& r) {
    dialog::case_query q;
    q.claimer = call->me.key();
    q.statuses = {std::string(cases::status::claimed), std::string(cases::status::in_progress),
                  std::string(cases::status::done)};
    q.limit = 50;
    json arr = json::array();
    for (const auto& c : r.list_cases(q))
        arr.push_back(claim_view(*call->gw.templates, c,
                                 [&](const dialog::person_ref& p) { return r.get_person(p); }));
    call->send(http::status::ok, {{"claims", std::move(arr)}});
}

void points(const call_ptr& call, reader& r) {
    auto p = r.get_person(call->me);
    json visits = json::array();
    for (const auto& v : r.visits_of(call->me, 10))
        visits.push_back(visit_view(*call->gw.service, v));
    call->send(http::status::ok, {{"balance", r.balance("person:" + call->me.key())},
                                  {"volunteer", p && p->volunteer},
                                  {"visits", std::move(visits)}});
}

void ranking(const call_ptr& call, reader& r) {
    std::string community;
    if (auto it = call->ctx.query.find("community"); it != call->ctx.query.end())
        community = trimmed(it->second);
    if (dialog::count_code_points(community) > 30 || !dialog::is_valid_utf8(community))
        return call->fail(bad_request("bad_query"));
    if (community.empty())
        if (auto p = r.get_person(call->me)) community = p->community;
    auto [since, until] = cases::china_month(call->gw.now());
    call->send(http::status::ok,
               {{"community", text_or_null(community)},
                {"since", cases::format_iso8601(since)},
                {"until", cases::format_iso8601(until)},
                {"ranking", views::ranking(r.ranking(community, since, until, 20))}});
}

void stations(const call_ptr& call, reader&) {
    json arr = json::array();
    for (const auto& s : call->gw.service->settings().stations)
        arr.push_back(
            {{"code", s.code},
             {"name", s.name},
             {"community", text_or_null(s.community)},
             {"address", text_or_null(s.address)},
             {"location", s.location ? json{{"lat", s.location->lat}, {"lng", s.location->lng}}
                                     : json(nullptr)}});
    call->send(http::status::ok, {{"stations", std::move(arr)}});
}

void checkin(const call_ptr& call, reader&) {
    auto body = object_body(call->req.body());
    if (!body) return call->fail(bad_request("bad_json"));
    body_fields f(*body);
    std::string station, activity;
    f.text("station", station, 1, 64, true, "bad_station");
    f.text("activity", activity, 0, 50, false, "bad_activity");
    if (!f.ok()) return call->fail(bad_request(f.problem()));
    change(call, [call, station, activity](dialog::unit_of_work& uow, std::int64_t t) {
        auto& app = call->gw;
        auto r = app.service->check_in(uow, call->me, station, activity, t);
        using cases::refusal;
        if (r.why == refusal::not_volunteer)
            return outcome::refused({http::status::forbidden, "not_volunteer", "not_volunteer"});
        if (r.why == refusal::invalid)
            return outcome::refused(
                {http::status::bad_request, "unknown_station", "unknown_station"});
        if (!r.ok())
            return outcome::refused(
                {http::status::conflict, "already_checked_in", "already_checked_in"});
        return outcome::ok(visit_view(*app.service, r.visit));
    });
}

void checkout(const call_ptr& call, reader&) {
    if (!object_body(call->req.body())) return call->fail(bad_request("bad_json"));
    change(call, [call](dialog::unit_of_work& uow, std::int64_t t) {
        auto& app = call->gw;
        auto r = app.service->check_out(uow, call->me, t);
        if (!r.ok())
            return outcome::refused({http::status::conflict, "not_checked_in", "not_checked_in"});
        json v = visit_view(*app.service, r.visit);
        v["balance"] = r.balance;
        return outcome::ok(std::move(v));
    });
}

void serve(const call_ptr& call, reader& r) {
    switch (*call->route.what) {
        case endpoint::file_case:
            return file_case(call, r);
        case endpoint::my_cases:
            return my_cases(call, r);
        case endpoint::my_case:
            return my_case(call, r);
        case endpoint::confirm:
            return feedback(call, r, cases::action::confirm);
        case endpoint::rate:
            return feedback(call, r, cases::action::rate);
        case endpoint::phone:
            return bind_phone(call, r);
        case endpoint::profile_get:
            return profile_get(call, r);
        case endpoint::profile_set:
            return profile_set(call, r);
        case endpoint::proposals:
            return proposals(call, r);
        case endpoint::vote:
            return vote(call, r);
        case endpoint::volunteer:
            return volunteer(call, r);
        case endpoint::wall:
            return wall(call, r);
        case endpoint::claim:
            return claim_or_release(call, r, cases::action::claim);
        case endpoint::release:
            return claim_or_release(call, r, cases::action::release);
        case endpoint::claims:
            return claims(call, r);
        case endpoint::points:
            return points(call, r);
        case endpoint::ranking:
            return ranking(call, r);
        case endpoint::stations:
            return stations(call, r);
        case endpoint::checkin:
            return checkin(call, r);
        case endpoint::checkout:
            return checkout(call, r);
        case endpoint::subscriptions_get:
            return subscriptions_get(call, r);
        case endpoint::subscriptions_add:
            return subscriptions_add(call, r);
        case endpoint::login:
            break;
    }
    call->fail(http::status::not_found, "not_found");
}

void finish_login(const call_ptr& call, mp_state& mp, const std::string& code);

// code2session's outcome as the client sees it.
mp_error login_refusal(const adapters::wechat_api::api_result& r) {
    if (r.errcode == 40029 || r.errcode == 40163)
        return {http::status::unauthorized, "bad_code", "bad_code"};
    if (r.errcode == 45011)
        return {http::status::too_many_requests, "rate_limited", "rate_limited"};
    return {http::status::bad_gateway, "wechat_unavailable", "wechat_unavailable"};
}

void login(const call_ptr& call, mp_state& mp) {
    if (!mp.wechat) return call->fail(http::status::service_unavailable, "not_configured");
    auto body = object_body(call->req.body());
    if (!body) return call->fail(bad_request("bad_json"));
    body_fields f(*body);
    std::string code;
    f.text("code", code, 1, 128, true, "missing_code");
    if (!f.ok() || !ascii_printable(code)) return call->fail(bad_request("missing_code"));
    if (auto d = mp.logins.take(""); !d.allowed)
        return call->fail({http::status::too_many_requests, "rate_limited", "rate_limited"},
                          d.retry_after_seconds);

    boost::asio::post(mp.login_threads, [call, code, &mp] {
        try {
            finish_login(call, mp, code);
        } catch (const std::exception& e) {  // nothing may escape a pool thread
            call->internal(e.what());
        }
    });
}

// On a login thread: code2session, then the session row through the writer.
void finish_login(const call_ptr& call, mp_state& mp, const std::string& code) {
    auto& app = call->gw;
    auto info = mp.wechat->code2session(code);
    if (!info.result.ok) {
        if (app.log->should_log(spdlog::level::warn))
            app.log->warn("{} mp code2session: {}", call->ctx.id,
                          adapters::wechat_api::describe(info.result));
        return call->fail(login_refusal(info.result));
    }
    auto token = adapters::sqlite_store::new_bearer_token();
    if (!token) return call->internal("RAND_bytes failed");
    const std::int64_t t = app.now();
    auto row = std::make_shared<adapters::sqlite_store::mp_session>();
    row->token_hash = adapters::sqlite_store::token_hash(*token);
    row->openid = info.openid;
    row->unionid = info.unionid;
    row->session_key = info.session_key;
    row->created_at = t;
    row->expires_at = t + app.cfg.miniprogram.session_ttl_seconds;
    bool queued = app.write->submit(
        [call, row, token = *token](adapters::sqlite_store::store& store) -> writer::continuation {
            try {
                adapters::sqlite_store::save_mp_session(store, *row,
                                                        row->created_at - keep_expired_seconds);
            } catch (const std::exception& e) {
                std::string what = e.what();
                return [call, what](bool) {
                    boost::asio::post(call->gw.ioc, [call, what] { call->internal(what); });
                };
            }
            return [call, row, token](bool committed) {
                if (!committed)
                    return (void)boost::asio::post(call->gw.ioc,
                                                   [call] { call->internal("the commit failed"); });
                call->send_later(
                    http::status::ok,
                    {{"session", token}, {"expires_at", cases::format_iso8601(row->expires_at)}},
                    call);
            };
        });
    if (!queued) call->fail(http::status::service_unavailable, "shutting_down");
}

}  // namespace

void app::impl::route_mp(request_ctx ctx, http_request&& req,
                         std::function<void(http_response&&)> respond) {
    auto call =
        std::make_shared<mp_call>(*this, std::move(ctx), std::move(req), std::move(respond));
    call->route = match(call->ctx.path, call->req.method());
    if (!call->route.what) return call->fail(http::status::not_found, "not_found");
    if (!call->route.method_ok)
        return call->fail(http::status::method_not_allowed, "method_not_allowed");
    if (*call->route.what == endpoint::login) return login(call, *mp);

    const std::string token = bearer_token(call->req[http::field::authorization]);
    if (token.empty()) return call->fail(http::status::unauthorized, "unauthorized");
    boost::asio::post(read_threads, [call, hash = adapters::sqlite_store::token_hash(token)] {
        auto& gw = call->gw;
        try {
            auto r = gw.readers->acquire();
            auto s = adapters::sqlite_store::find_mp_session(*r, hash);
            const std::int64_t t = gw.now();
            if (!s) {
                gw.readers->release(std::move(r));
                return call->fail(http::status::unauthorized, "unauthorized");
            }
            if (s->expires_at <= t) {
                gw.readers->release(std::move(r));
                return call->fail(http::status::unauthorized, "session_expired");
            }
            if (auto d = gw.mp->requests.take(s->openid); !d.allowed) {
                gw.readers->release(std::move(r));
                return call->fail({http::status::too_many_requests, "rate_limited", "rate_limited"},
                                  d.retry_after_seconds);
            }
            call->me = dialog::person_ref{dialog::channel::miniprogram, s->openid};
            serve(call, *r);
            gw.readers->release(std::move(r));
        } catch (const std::exception& e) {
            call->internal(e.what());
        }
    });
}

}  // namespace minsheng::gateway
