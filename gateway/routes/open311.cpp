// /open311/v2/...: Open311 GeoReport v2 (docs/open311.md), so civic-reporting clients and 12345
// platforms can file cases and follow them. The wire format is adapters/open311/; this file is
// HTTP only.
//   GET services, GET services/{code}: from a catalogue rendered at start-up (no storage).
//   POST requests: api key, body and NLU on the I/O thread; the case is filed on the writer
//     (dialog::intake::file) and the client is answered only after the commit.
//   GET requests, requests/{id}, tokens/{token}: on the reader pool, personal data masked.
// Every answer is in the format the resource's extension names; errors in the standard's error
// document with the HTTP status as its code.

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "adapters/open311/catalogue.hpp"
#include "adapters/open311/document.hpp"
#include "adapters/open311/post_request.hpp"
#include "adapters/open311/records.hpp"
#include "adapters/open311/request_filter.hpp"
#include "dialog/intake/filing.hpp"
#include "dialog/nlu/recipes.hpp"
#include "dialog/values/geo.hpp"
#include "gateway/routes/routes.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;
namespace o311 = adapters::open311;

// Immutable after construction: share freely.
struct open311_state {
    std::string services_xml;   // GET services, rendered once: the catalogue and its texts are
    std::string services_json;  // fixed while the program runs
};

namespace {

using o311::format;

constexpr std::string_view prefix = "/open311/v2/";

// The client whose key this is, or "" when it is nobody's. Compares every key in constant time.
std::string client_of(const open311_config& cfg, std::string_view key) {
    std::string found;
    for (const auto& [name, k] : cfg.api_keys)
        if (!key.empty() && key.size() == k.size() &&
            CRYPTO_memcmp(key.data(), k.data(), k.size()) == 0)
            found = name;
    return found;
}

// 128 random bits as hex: the opaque token a client may follow a request by. Throws
// std::runtime_error when OpenSSL has no randomness to give.
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
    constexpr double within_km = 3.0;
    std::string best;
    double best_km = within_km;
    for (const auto& c : communities) {
        if (!c.location) continue;
        const double km = dialog::distance_km(p, *c.location);
        if (km <= best_km) {
            best_km = km;
            best = c.name;
        }
    }
    return best;
}

// The first photo the reporter sent with the case (its media_url detail line), or "".
std::string media_of(adapters::sqlite_store::reader& r, const dialog::case_record& c) {
    for (const auto& e : r.events_of(c.id))
        if (e.action == "detail")
            if (auto url = o311::media_url_of(e.note)) return std::move(*url);
    return "";
}

// One case as GET requests shows it; nullopt for cases outside Open311 (微实事 projects).
std::optional<o311::record> view_of(adapters::sqlite_store::reader& r,
                                    const dialog::template_set& texts,
                                    const dialog::case_record& c) {
    const auto* s = o311::service_of(c);
    if (!s) return std::nullopt;
    return o311::request_record(c, *s, texts, media_of(r, c));
}

http::status http_status_of(const o311::problem& p) { return static_cast<http::status>(p.status); }

void answer_list(exchange& x, format f, const std::vector<o311::record>& items) {
    x.answer(http::status::ok, o311::render_list(f, "service_requests", "request", items),
             o311::content_type(f));
}

// Errors as the standard's error document in `f`; a 405 says what is allowed; a failure of ours
// says what could not be done (the log has the reason).
exchange::error_format error_format_of(format f, bool requests, bool post) {
    return [f, requests, post](const http_request& req, http::status s, std::string_view code,
                               std::string_view message) {
        if (code == "internal")
            message = post ? "the service request could not be stored"
                           : "the case store could not be read";
        auto res = make_response(req, s, o311::render_error(f, static_cast<int>(s), message),
                                 o311::content_type(f));
        if (s == http::status::method_not_allowed)
            res.set(http::field::allow, requests ? "GET, POST" : "GET");
        return res;
    };
}

// GET requests: the filtered list, on a reader.
void list_requests(const exchange_ptr& x, format f) {
    auto parsed = o311::parse_filter(x->ctx().query, x->app().now());
    if (auto* p = std::get_if<o311::problem>(&parsed))
        return x->refuse(http_status_of(*p), "bad_parameter", p->description);
    auto filter = std::make_shared<const o311::request_filter>(
        std::move(std::get<o311::request_filter>(parsed)));
    x->on_reader([filter, f](exchange& ex, adapters::sqlite_store::reader& r) {
        const auto& texts = *ex.app().templates;
        std::vector<o311::record> out;
        if (!filter->numbers.empty()) {
            for (const auto& n : filter->numbers)
                if (auto c = r.get_case_by_number(n))
                    if (auto v = view_of(r, texts, *c)) out.push_back(std::move(*v));
        } else {
            for (const auto& c : r.list_cases(filter->query)) {
                if (filter->only && o311::service_of(c) != filter->only) continue;
                if (auto v = view_of(r, texts, c)) out.push_back(std::move(*v));
            }
        }
        answer_list(ex, f, out);
    });
}

// GET requests/{number}, on a reader.
void get_request(const exchange_ptr& x, format f, std::string number) {
    if (number.empty() || number.size() > o311::max_number_bytes)
        return x->refuse(http::status::not_found, "not_found", "no such service request");
    x->on_reader([number = std::move(number), f](exchange& ex, adapters::sqlite_store::reader& r) {
        std::optional<o311::record> v;
        if (auto c = r.get_case_by_number(number)) v = view_of(r, *ex.app().templates, *c);
        if (!v) return ex.refuse(http::status::not_found, "not_found", "no such service request");
        answer_list(ex, f, {std::move(*v)});
    });
}

// GET tokens/{token}: the case a POST's token became, on a reader.
void get_token(const exchange_ptr& x, format f, std::string token) {
    if (!is_token(token)) return x->refuse(http::status::not_found, "not_found", "no such token");
    x->on_reader([token = std::move(token), f](exchange& ex, adapters::sqlite_store::reader& r) {
        dialog::case_query q;
        q.source_ref = o311::source_ref_of(token);
        q.limit = 1;
        auto found = r.list_cases(q);
        if (found.empty()) return ex.refuse(http::status::not_found, "not_found", "no such token");
        answer_list(ex, f, {o311::token_record(found.front().number, token)});
    });
}

// POST requests: checked and understood here, filed on the writer, answered after the commit.
void post_request(const exchange_ptr& x, format f) {
    auto& app = x->app();
    const auto& req = x->req();
    auto parsed = o311::parse_post(req[http::field::content_type], req.body());
    if (auto* p = std::get_if<o311::problem>(&parsed))
        return x->refuse(http_status_of(*p), "bad_request", p->description);
    const auto& in = std::get<o311::post_request>(parsed);
    const std::string client = client_of(app.cfg.open311, in.api_key);
    if (client.empty())
        return x->refuse(http::status::forbidden, "bad_api_key",
                         "a valid api_key is required to create a service request");
    if (!in.jurisdiction_id.empty() && in.jurisdiction_id != app.cfg.open311.jurisdiction_id)
        return x->refuse(http::status::not_found, "bad_jurisdiction",
                         "this server does not serve that jurisdiction_id");
    const auto* svc = o311::find_service(in.service_code);
    if (!svc)
        return x->refuse(http::status::not_found, "not_found", "no service with this service_code");

    // Understanding on this I/O thread, outside the transaction (fast, like chat messages).
    auto understood =
        std::make_shared<const dialog::nlu::understanding>(app.nlu->understand(in.description));
    const std::int64_t t = app.now();
    const std::string token = new_token();
    auto report = o311::report_of(in, *svc, client, token);
    if (in.location && in.address_string.empty())
        report.community = community_near(app.cfg.communities, *in.location);

    x->on_writer<dialog::case_record>(
        [service = app.service, report = std::move(report), understood,
         t](adapters::sqlite_store::store& s) {
            dialog::case_record rec;
            s.run([&](dialog::unit_of_work& uow) {
                rec = dialog::intake::file(*service, uow, report, understood.get(),
                                           understood->normalised, t);
            });
            return rec;
        },
        [f, token, account = in.account_id](exchange& ex, dialog::case_record& rec) {
            auto& a = ex.app();
            a.stats.cases_opened.inc("open311");
            if (a.log->should_log(spdlog::level::info))
                a.log->info("{} open311 case {} opened", ex.ctx().id, rec.number);
            answer_list(ex, f, {o311::posted_record(rec, token, account, *a.templates)});
        });
}

void serve(const exchange_ptr& x) {
    // "requests/MS20260213-0001.json" → resource "requests/MS20260213-0001", extension "json".
    const std::string_view rest = std::string_view(x->ctx().path).substr(prefix.size());
    const auto dot = rest.rfind('.');
    const bool has_ext = dot != std::string_view::npos && rest.find('/', dot) == rest.npos;
    const auto fmt = has_ext ? o311::format_from_extension(rest.substr(dot + 1)) : std::nullopt;
    // Without a known extension there is no such resource; XML is the standard's required format.
    const format f = fmt.value_or(format::xml);
    const std::string resource(has_ext ? rest.substr(0, dot) : rest);
    const bool get = x->req().method() == http::verb::get;
    const bool post = x->req().method() == http::verb::post;
    x->set_error_format(error_format_of(f, resource == "requests", post));

    if (!fmt)
        return x->refuse(http::status::not_found, "not_found",
                         "no such resource: name it with .xml or .json");
    if (!get && !(post && resource == "requests"))
        return x->refuse(http::status::method_not_allowed, "method_not_allowed",
                         resource == "requests" ? "only GET and POST are allowed here"
                                                : "only GET is allowed here");
    if (const auto* j = x->param("jurisdiction_id");
        get && j && !j->empty() && *j != x->app().cfg.open311.jurisdiction_id)
        return x->refuse(http::status::not_found, "bad_jurisdiction",
                         "this server does not serve that jurisdiction_id");

    constexpr std::string_view services_prefix = "services/";
    constexpr std::string_view requests_prefix = "requests/";
    constexpr std::string_view tokens_prefix = "tokens/";
    if (resource == "services") {
        const auto& s = *x->app().open311;
        return x->answer(http::status::ok, f == format::xml ? s.services_xml : s.services_json,
                         o311::content_type(f));
    }
    if (resource.starts_with(services_prefix)) {
        const auto* s =
            o311::find_service(std::string_view(resource).substr(services_prefix.size()));
        if (!s)
            return x->refuse(http::status::not_found, "not_found",
                             "no service with this service_code");
        return x->answer(http::status::ok, o311::render_definition(f, s->code),
                         o311::content_type(f));
    }
    if (resource == "requests") return get ? list_requests(x, f) : post_request(x, f);
    if (resource.starts_with(requests_prefix))
        return get_request(x, f, resource.substr(requests_prefix.size()));
    if (resource.starts_with(tokens_prefix))
        return get_token(x, f, resource.substr(tokens_prefix.size()));
    x->refuse(http::status::not_found, "not_found", "no such resource");
}

}  // namespace

std::shared_ptr<open311_state> make_open311_state(app_state& app) {
    app.templates->require(o311::required_templates());
    // The catalogue must cover every category the classifier can give a case.
    for (const auto& label : dialog::nlu::recipe_for("category").options.labels)
        if (!o311::service_for_category(label))
            throw std::runtime_error("open311: no service for the category " + label);
    auto s = std::make_shared<open311_state>();
    std::vector<o311::record> services;
    for (const auto& svc : o311::catalogue())
        services.push_back(o311::service_record(svc, *app.templates));
    s->services_xml = o311::render_list(format::xml, "services", "service", services);
    s->services_json = o311::render_list(format::json, "services", "service", services);
    return s;
}

void serve_open311(const exchange_ptr& x) {
    // The work on this I/O thread (parsing, understanding, the token) is inside the same error
    // boundary as the work the exchange runs elsewhere.
    try {
        serve(x);
    } catch (const std::exception& e) {
        x->internal(e.what());
    }
}

}  // namespace minsheng::gateway
