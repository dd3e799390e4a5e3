// /open311/v2/...: Open311 GeoReport v2 (docs/open311.md), so civic-reporting clients and 12345
// platforms can file cases and follow them.
//   GET services, GET services/{code}: from a catalogue rendered at start-up (no storage).
//   POST requests: api key, body and NLU on the I/O thread; the case is opened on the writer
//     and the client is answered only after the commit.
//   GET requests, requests/{id}, tokens/{token}: on the reader pool, personal data masked.
// Every answer is in the format the resource's extension names; errors in the standard's error
// document with the HTTP status as its code.

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <algorithm>
#include <boost/asio/post.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "dialog/cases/service.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/nlu/recipes.hpp"
#include "gateway/detail/app_impl.hpp"
#include "gateway/open311_format.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;

// Immutable after construction: share freely.
struct open311_state {
    std::string services_xml;   // GET services, rendered once: the catalogue and its texts are
    std::string services_json;  // fixed while the program runs
};

namespace {

using open311::format;

constexpr std::string_view prefix = "/open311/v2/";
constexpr std::int64_t default_window = 90 * 86400;  // GET requests without dates: 90 days
constexpr std::size_t max_results = 1000;
constexpr std::string_view media_prefix = "[图片] ";

struct reply {
    http::status status = http::status::ok;
    std::string body;
};

reply error_reply(format f, http::status s, std::string_view description) {
    return {s, open311::render_error(f, static_cast<int>(s), description)};
}

// The client whose key this is, or "" when it is nobody's. Compares every key in constant time.
std::string client_of(const open311_config& cfg, std::string_view key) {
    std::string found;
    for (const auto& [name, k] : cfg.api_keys)
        if (!key.empty() && key.size() == k.size() &&
            CRYPTO_memcmp(key.data(), k.data(), k.size()) == 0)
            found = name;
    return found;
}

// 128 random bits as hex: the opaque token a client may follow a request by.
std::string new_token() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out.push_back(hex[b >> 4]);
        out.push_back(hex[b & 15]);
    }
    return out;
}

bool is_token(std::string_view t) {
    return t.size() == 32 && t.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The community whose configured location is nearest to `p`, within 3 km; "" when none.
std::string community_near(const std::vector<community_config>& communities, dialog::geo_point p) {
    constexpr double radius_km = 6371.0;
    constexpr double within_km = 3.0;
    constexpr double rad = 3.14159265358979323846 / 180.0;
    std::string best;
    double best_km = within_km;
    for (const auto& c : communities) {
        if (!c.location) continue;
        const double dlat = (c.location->lat - p.lat) * rad;
        const double dlng = (c.location->lng - p.lng) * rad;
        const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                         std::cos(p.lat * rad) * std::cos(c.location->lat * rad) *
                             std::sin(dlng / 2) * std::sin(dlng / 2);
        const double km = 2 * radius_km * std::asin(std::min(1.0, std::sqrt(a)));
        if (km <= best_km) {
            best_km = km;
            best = c.name;
        }
    }
    return best;
}

// The first photo the reporter sent with the case ("[图片] <url>" detail), or "".
std::string media_of(adapters::sqlite_store::reader& r, const dialog::case_record& c) {
    for (const auto& e : r.events_of(c.id))
        if (e.action == "detail" && e.note.starts_with(media_prefix))
            return e.note.substr(media_prefix.size());
    return "";
}

std::vector<std::string> split_commas(std::string_view s) {
    std::vector<std::string> out;
    while (true) {
        auto comma = s.find(',');
        auto part = s.substr(0, comma);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        if (!part.empty()) out.emplace_back(part);
        if (comma == std::string_view::npos) return out;
        s.remove_prefix(comma + 1);
    }
}

// GET requests' filters, checked on the I/O thread.
struct request_filter {
    std::vector<std::string> numbers;  // service_request_id given: only these, nothing else
    dialog::case_query query;
    const open311::service* only = nullptr;  // service_code given
};

std::variant<request_filter, reply> parse_filter(format f,
                                                 const adapters::wechat_oa::query_params& q,
                                                 std::int64_t now) {
    auto get = [&](const char* k) {
        auto it = q.find(k);
        return it == q.end() ? std::string() : it->second;
    };
    auto bad = [&](std::string_view why) -> reply {
        return error_reply(f, http::status::bad_request, why);
    };
    request_filter out;
    if (auto ids = get("service_request_id"); !ids.empty()) {
        // The standard: with service_request_id, every other filter is ignored.
        out.numbers = split_commas(ids);
        if (out.numbers.size() > max_results)
            return bad("at most 1000 service_request_id values at a time");
        for (const auto& n : out.numbers)
            if (n.size() > 32) return bad("service_request_id must be case numbers");
        return out;
    }
    auto& query = out.query;
    query.limit = max_results;
    if (auto code = get("service_code"); !code.empty()) {
        out.only = open311::find_service(code);
        if (!out.only)
            return error_reply(f, http::status::not_found, "no service with this service_code");
        query.kind = std::string(out.only->kind);
        if (!out.only->category.empty()) query.category = std::string(out.only->category);
    }
    std::optional<std::int64_t> start;
    std::optional<std::int64_t> end;
    if (auto v = get("start_date"); !v.empty()) {
        start = open311::parse_datetime(v);
        if (!start)
            return bad(
                "start_date must be a W3C datetime with an offset, e.g. "
                "2026-02-13T08:00:00+08:00");
    }
    if (auto v = get("end_date"); !v.empty()) {
        end = open311::parse_datetime(v);
        if (!end)
            return bad(
                "end_date must be a W3C datetime with an offset, e.g. "
                "2026-02-13T18:00:00+08:00");
    }
    if (start && end && *end < *start) return bad("end_date is before start_date");
    if (!start) start = (end ? *end : now) - default_window;
    query.created_since = *start;
    if (end && *end < std::numeric_limits<std::int64_t>::max()) query.created_until = *end + 1;
    if (auto v = get("status"); !v.empty()) {
        bool open = false;
        bool closed = false;
        for (const auto& s : split_commas(v)) {
            if (s == "open")
                open = true;
            else if (s == "closed")
                closed = true;
            else
                return bad("status must be open or closed");
        }
        if (open != closed)
            for (auto s : dialog::cases::all_statuses())
                if (dialog::cases::is_terminal(s) == closed) query.statuses.emplace_back(s);
    }
    return out;
}

// The case a POSTed request opens: reporter, kind and category from the service (or the
// classifier when the service leaves it open), urgency from the classifier, the location.
dialog::case_draft draft_of(const open311::post_request& in, const open311::service& svc,
                            const dialog::nlu::understanding& u, const std::string& client,
                            const std::string& token, std::int64_t t,
                            const std::vector<community_config>& communities) {
    dialog::case_draft d;
    d.from = dialog::channel::open311;
    const std::string who = !in.account_id.empty()  ? in.account_id
                            : !in.device_id.empty() ? in.device_id
                            : !in.email.empty()     ? in.email
                                                    : token;
    d.reporter_id = !in.phone.empty() ? in.phone : client + ":" + who;
    d.kind = std::string(svc.kind);
    d.category = std::string(svc.category);
    d.category_confidence = 1.0;
    if (d.category.empty() && svc.kind != "consultation" && !u.category.unsure) {
        d.category = u.category.name;
        d.category_confidence = u.category.confidence;
    } else if (d.category.empty()) {
        d.category_confidence = 0.0;
    }
    d.urgency = u.urgency.name == "urgent" ? "urgent" : "normal";
    d.description = in.description;
    d.address = !in.address_string.empty() ? in.address_string : in.address_id;
    d.contact_phone = in.phone;
    d.source_key = "open311:" + token;
    d.source_ref = "open311:" + token;
    d.created_at = t;
    d.location = in.location;
    if (in.location && in.address_string.empty())
        d.community = community_near(communities, *in.location);
    return d;
}

}  // namespace

std::shared_ptr<open311_state> make_open311_state(app::impl& app) {
    app.templates->require(open311::required_templates());
    // The catalogue must cover every category the classifier can give a case.
    for (const auto& label : dialog::nlu::recipe_for("category").options.labels) {
        bool covered = false;
        for (const auto& s : open311::catalogue()) covered = covered || s.category == label;
        if (!covered) throw std::runtime_error("open311: no service for the category " + label);
    }
    auto s = std::make_shared<open311_state>();
    std::vector<open311::record> services;
    for (const auto& svc : open311::catalogue())
        services.push_back(open311::service_record(svc, *app.templates));
    s->services_xml = open311::render_list(format::xml, "services", "service", services);
    s->services_json = open311::render_list(format::json, "services", "service", services);
    return s;
}

void app::impl::route_open311(request_ctx ctx, http_request&& req,
                              std::function<void(http_response&&)> respond) {
    // "requests/MS20260213-0001.json" → resource "requests/MS20260213-0001", extension "json".
    std::string_view rest = std::string_view(ctx.path).substr(prefix.size());
    const auto dot = rest.rfind('.');
    const bool has_ext = dot != std::string_view::npos && rest.find('/', dot) == rest.npos;
    const auto fmt = has_ext ? open311::format_from_extension(rest.substr(dot + 1)) : std::nullopt;
    // Without a known extension there is no such resource; XML is the standard's required format.
    const format f = fmt.value_or(format::xml);
    const std::string resource(has_ext ? rest.substr(0, dot) : rest);

    auto send = [&](reply r) {
        auto res = make_response(req, r.status, std::move(r.body), open311::content_type(f));
        if (r.status == http::status::method_not_allowed)
            res.set(http::field::allow, resource == "requests" ? "GET, POST" : "GET");
        respond(std::move(res));
    };
    auto reject = [&](http::status s, std::string_view reason, std::string_view description) {
        stats.requests_rejected.inc(reason);
        if (log->should_log(spdlog::level::warn))
            log->warn("{} open311 rejected: {}", ctx.id, reason);
        send(error_reply(f, s, description));
    };
    if (!fmt)
        return reject(http::status::not_found, "not_found",
                      "no such resource: name it with .xml or .json");

    const bool get = req.method() == http::verb::get;
    const bool post = req.method() == http::verb::post;
    if (!get && !(post && resource == "requests"))
        return reject(http::status::method_not_allowed, "method_not_allowed",
                      resource == "requests" ? "only GET and POST are allowed here"
                                             : "only GET is allowed here");
    if (get) {
        auto j = ctx.query.find("jurisdiction_id");
        if (j != ctx.query.end() && !j->second.empty() && j->second != cfg.open311.jurisdiction_id)
            return reject(http::status::not_found, "bad_jurisdiction",
                          "this server does not serve that jurisdiction_id");
    }

    // Runs `read` on the reader pool and answers what it returns.
    auto read = [&](std::function<reply(adapters::sqlite_store::reader&)> fn) {
        auto shared_req = std::make_shared<http_request>(std::move(req));
        auto shared_respond =
            std::make_shared<std::function<void(http_response &&)>>(std::move(respond));
        boost::asio::post(
            read_threads, [this, ctx, f, fn = std::move(fn), shared_req, shared_respond] {
                reply r;
                try {
                    auto rd = readers->acquire();
                    r = fn(*rd);
                    readers->release(std::move(rd));
                } catch (const std::exception& e) {
                    stats.errors.inc("open311");
                    log->error("{} open311 read failure: {}", ctx.id, e.what());
                    r = error_reply(f, http::status::internal_server_error,
                                    "the case store could not be read");
                }
                if (r.status != http::status::ok)
                    stats.requests_rejected.inc(
                        r.status == http::status::not_found ? "not_found" : "bad_request");
                (*shared_respond)(make_response(*shared_req, r.status, std::move(r.body),
                                                open311::content_type(f)));
            });
    };
    // One case as GET requests shows it; nullopt for cases outside Open311 (微实事 projects).
    auto view = [this](adapters::sqlite_store::reader& r,
                       const dialog::case_record& c) -> std::optional<open311::record> {
        const auto* s = open311::service_of(c);
        if (!s) return std::nullopt;
        return open311::request_record(c, *s, *templates, media_of(r, c));
    };

    if (resource == "services")
        return send(
            {http::status::ok, f == format::xml ? open311->services_xml : open311->services_json});
    constexpr std::string_view services_prefix = "services/";
    if (resource.starts_with(services_prefix)) {
        const auto* s = open311::find_service(resource.substr(services_prefix.size()));
        if (!s)
            return reject(http::status::not_found, "not_found",
                          "no service with this service_code");
        return send({http::status::ok, open311::render_definition(f, s->code)});
    }
    if (resource == "requests" && get) {
        auto parsed = parse_filter(f, ctx.query, now());
        if (auto* r = std::get_if<reply>(&parsed)) {
            stats.requests_rejected.inc("bad_parameter");
            return send(std::move(*r));
        }
        auto filter = std::make_shared<request_filter>(std::move(std::get<request_filter>(parsed)));
        return read([filter, view, f](adapters::sqlite_store::reader& r) {
            std::vector<open311::record> out;
            if (!filter->numbers.empty()) {
                for (const auto& n : filter->numbers)
                    if (auto c = r.get_case_by_number(n))
                        if (auto v = view(r, *c)) out.push_back(std::move(*v));
            } else {
                for (const auto& c : r.list_cases(filter->query)) {
                    if (filter->only && open311::service_of(c) != filter->only) continue;
                    if (auto v = view(r, c)) out.push_back(std::move(*v));
                }
            }
            return reply{http::status::ok,
                         open311::render_list(f, "service_requests", "request", out)};
        });
    }
    constexpr std::string_view requests_prefix = "requests/";
    if (resource.starts_with(requests_prefix)) {
        std::string number = resource.substr(requests_prefix.size());
        if (number.empty() || number.size() > 32)
            return reject(http::status::not_found, "not_found", "no such service request");
        return read([number, view, f](adapters::sqlite_store::reader& r) {
            auto c = r.get_case_by_number(number);
            std::optional<open311::record> v;
            if (c) v = view(r, *c);
            if (!v) return error_reply(f, http::status::not_found, "no such service request");
            return reply{http::status::ok,
                         open311::render_list(f, "service_requests", "request", {*v})};
        });
    }
    constexpr std::string_view tokens_prefix = "tokens/";
    if (resource.starts_with(tokens_prefix)) {
        std::string token = resource.substr(tokens_prefix.size());
        if (!is_token(token)) return reject(http::status::not_found, "not_found", "no such token");
        return read([token, f](adapters::sqlite_store::reader& r) {
            dialog::case_query q;
            q.source_ref = "open311:" + token;
            q.limit = 1;
            auto found = r.list_cases(q);
            if (found.empty()) return error_reply(f, http::status::not_found, "no such token");
            return reply{http::status::ok,
                         open311::render_list(
                             f, "service_requests", "request",
                             {{{"service_request_id", found.front().number}, {"token", token}}})};
        });
    }
    if (resource != "requests")
        return reject(http::status::not_found, "not_found", "no such resource");

    // ---- POST requests
    auto parsed = open311::parse_post(req[http::field::content_type], req.body());
    if (auto* p = std::get_if<open311::problem>(&parsed))
        return reject(http::status::bad_request, "bad_request", p->description);
    auto in = std::get<open311::post_request>(std::move(parsed));
    const std::string client = client_of(cfg.open311, in.api_key);
    if (client.empty())
        return reject(http::status::forbidden, "bad_api_key",
                      "a valid api_key is required to create a service request");
    if (!in.jurisdiction_id.empty() && in.jurisdiction_id != cfg.open311.jurisdiction_id)
        return reject(http::status::not_found, "bad_jurisdiction",
                      "this server does not serve that jurisdiction_id");
    const auto* svc = open311::find_service(in.service_code);
    if (!svc)
        return reject(http::status::not_found, "not_found", "no service with this service_code");

    // Understanding on this I/O thread, outside the transaction (fast, like chat messages).
    const auto u = nlu->understand(in.description);
    const std::int64_t t = now();
    std::string token;
    try {
        token = new_token();
    } catch (const std::exception& e) {
        stats.errors.inc("open311");
        log->error("{} open311: {}", ctx.id, e.what());
        return send(error_reply(f, http::status::internal_server_error,
                                "the service request could not be stored"));
    }
    dialog::case_draft d = draft_of(in, *svc, u, client, token, t, cfg.communities);

    auto shared_req = std::make_shared<http_request>(std::move(req));
    auto shared_respond =
        std::make_shared<std::function<void(http_response &&)>>(std::move(respond));
    auto answer = [this, shared_req, shared_respond, f](reply r) {
        boost::asio::post(ioc, [shared_req, shared_respond, f, r = std::move(r)]() mutable {
            (*shared_respond)(
                make_response(*shared_req, r.status, std::move(r.body), open311::content_type(f)));
        });
    };
    auto draft = std::make_shared<dialog::case_draft>(std::move(d));
    auto normalised = std::make_shared<std::string>(u.normalised);
    const std::string media = in.media_url;
    const std::string account = in.account_id;
    bool queued = write->submit([this, ctx, f, t, token, draft, normalised, media, account, answer](
                                    adapters::sqlite_store::store& store) -> writer::continuation {
        auto fail = [this, ctx, f, answer](const std::string& why) {
            stats.errors.inc("open311");
            log->error("{} open311 request not stored: {}", ctx.id, why);
            answer(error_reply(f, http::status::internal_server_error,
                               "the service request could not be stored"));
        };
        dialog::case_record rec;
        try {
            store.run([&](dialog::unit_of_work& uow) {
                rec = service->open(uow, *draft, *normalised, t);
                if (media.empty()) return;
                const dialog::person_ref reporter{dialog::channel::open311, draft->reporter_id};
                auto r = service->add_detail(uow, rec.id, dialog::cases::actor::of(reporter),
                                             std::string(media_prefix) + media, t);
                if (r.ok()) rec = r.after;
            });
        } catch (const std::exception& e) {
            return [fail, what = std::string(e.what())](bool) { fail(what); };
        }
        return [this, ctx, f, token, account, rec, answer, fail](bool committed) {
            if (!committed) return fail("the commit failed");
            stats.cases_opened.inc("open311");
            if (log->should_log(spdlog::level::info))
                log->info("{} open311 case {} opened", ctx.id, rec.number);
            open311::record r = {{"service_request_id", rec.number},
                                 {"token", token},
                                 {"service_notice", open311::service_notice(rec, *templates)},
                                 {"account_id", account.empty() ? nlohmann::json(nullptr)
                                                                : nlohmann::json(account)}};
            answer({http::status::ok, open311::render_list(f, "service_requests", "request", {r})});
        };
    });
    if (!queued) answer(error_reply(f, http::status::service_unavailable, "shutting down"));
}

}  // namespace minsheng::gateway
