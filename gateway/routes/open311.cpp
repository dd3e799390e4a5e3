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
#include <algorithm>

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
#include "dialog/intake/same_problem.hpp"
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
std::string media_in(const std::vector<std::string>* details) {
    if (details)
        for (const auto& note : *details)
            if (auto url = o311::media_url_of(note)) return std::move(*url);
    return "";
}

// The cases as GET requests shows them, leaving out cases outside Open311 (微实事 projects):
// their photos come from one query for the whole page, never one per case.
std::vector<o311::record> views_of(adapters::db::reader& r, const dialog::template_set& texts,
                                   const std::vector<dialog::case_record>& cases,
                                   const o311::service* only) {
    std::vector<const dialog::case_record*> shown;
    std::vector<std::int64_t> ids;
    for (const auto& c : cases) {
        const auto* s = o311::service_of(c);
        if (!s || (only && s != only)) continue;
        shown.push_back(&c);
        ids.push_back(c.id);
    }
    const auto details = r.details_of(ids);
    std::vector<o311::record> out;
    for (const auto* c : shown) {
        auto it = details.find(c->id);
        out.push_back(o311::request_record(*c, *o311::service_of(*c), texts,
                                           media_in(it == details.end() ? nullptr : &it->second)));
    }
    return out;
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
    const auto page = static_cast<std::size_t>(x->app().cfg.limits.open311_page);
    auto parsed = o311::parse_filter(x->ctx().query, x->app().now(), page);
    if (auto* p = std::get_if<o311::problem>(&parsed))
        return x->refuse(http_status_of(*p), "bad_parameter", p->description);
    auto filter = std::make_shared<const o311::request_filter>(
        std::move(std::get<o311::request_filter>(parsed)));
    x->on_reader([filter, f, page](exchange& ex, adapters::db::reader& r) {
        const auto& texts = *ex.app().templates;
        std::vector<dialog::case_record> cases;
        if (!filter->numbers.empty()) {
            dialog::case_query q;
            q.numbers = filter->numbers;
            q.is_private = false;
            q.oldest_first = true;
            q.limit = page;
            cases = r.list_cases(q);
            // In the order they were asked for.
            auto rank = [&](const dialog::case_record& c) {
                return std::find(filter->numbers.begin(), filter->numbers.end(), c.number) -
                       filter->numbers.begin();
            };
            std::stable_sort(cases.begin(), cases.end(),
                             [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
        } else {
            auto q = filter->query;
            q.is_private = false;  // private cases are never listed
            cases = r.list_cases(q);
        }
        answer_list(ex, f, views_of(r, texts, cases, filter->only));
    });
}

// GET requests/{number}, on a reader.
void get_request(const exchange_ptr& x, format f, std::string number) {
    if (number.empty() || number.size() > o311::max_number_bytes)
        return x->refuse(http::status::not_found, "not_found", "no such service request");
    x->on_reader([number = std::move(number), f](exchange& ex, adapters::db::reader& r) {
        std::vector<dialog::case_record> found;
        if (auto c = r.get_case_by_number(number); c && !c->is_private)
            found.push_back(std::move(*c));
        auto v = views_of(r, *ex.app().templates, found, nullptr);
        if (v.empty())
            return ex.refuse(http::status::not_found, "not_found", "no such service request");
        answer_list(ex, f, v);
    });
}

// GET tokens/{token}: the case a POST's token became, on a reader.
void get_token(const exchange_ptr& x, format f, std::string token) {
    if (!is_token(token)) return x->refuse(http::status::not_found, "not_found", "no such token");
    x->on_reader([token = std::move(token), f](exchange& ex, adapters::db::reader& r) {
        dialog::case_query q;
        q.source_ref = o311::source_ref_of(token);
        q.limit = 1;
        auto found = r.list_cases(q);
        if (found.empty()) return ex.refuse(http::status::not_found, "not_found", "no such token");
        answer_list(ex, f, {o311::token_record(found.front().number, token)});
    });
}

// A POSTed request as filed: its own new case, or the open case of the same problem it joined.
struct posted {
    dialog::case_record rec;
    bool joined = false;
};

// POST requests: checked and understood here, filed on the writer, answered after the commit.
// The same problem as someone's open case (one problem, one case) opens nothing: the client's
// account follows that case, and the answer gives its service_request_id with a notice saying so.
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
    report.place =
        dialog::intake::place_of(*app.nlu, in.description, report.address, understood.get());

    x->on_writer<posted>(
        [service = app.service, engine = app.nlu, sketches = app.sketches,
         report = std::move(report), understood, t](adapters::db::store& s) {
            posted out;
            s.run([&](dialog::unit_of_work& uow) {
                const auto draft = dialog::intake::draft_of(report, understood.get(), t);
                if (auto same = dialog::intake::same_problem(
                        *engine, uow, dialog::cases::duplicate_policy{}, draft, t, sketches.get(),
                        understood.get());
                    same &&
                    dialog::intake::follow(uow, *same, {report.from, report.reporter_id}, "open311",
                                           t, dialog::followed_report{draft, report.attachments})) {
                    out.rec = std::move(*same);
                    out.joined = true;
                    return;
                }
                out.rec = dialog::intake::file(*service, uow, report, understood.get(),
                                               understood->normalised, t);
            });
            return out;
        },
        [f, token, account = in.account_id](exchange& ex, posted& p) {
            auto& a = ex.app();
            const auto& rec = p.rec;
            auto record = o311::posted_record(rec, token, account, *a.templates);
            if (p.joined) {
                if (a.log->should_log(spdlog::level::info))
                    a.log->info("{} open311 request joined case {}", ex.ctx().id, rec.number);
                for (auto& field : record)
                    if (field.name == "service_notice")
                        field.value = a.templates->render(
                            "open311/service_notice_joined",
                            {{"number", rec.number},
                             {"status",
                              dialog::cases::case_service::status_label(*a.templates, rec)}});
                return answer_list(ex, f, {std::move(record)});
            }
            a.stats.cases_opened.inc("open311");
            if (a.log->should_log(spdlog::level::info))
                a.log->info("{} open311 case {} opened", ex.ctx().id, rec.number);
            answer_list(ex, f, {std::move(record)});
        });
}

// What a path names: "requests/MS20260213-0001.json" → resource "requests/MS20260213-0001" in
// JSON. Without a known extension there is no such resource (fmt empty); errors are then written
// in XML, the standard's required format.
struct target {
    std::optional<format> fmt;
    format f = format::xml;
    std::string resource;
};

target target_of(std::string_view path) {
    const std::string_view rest = path.substr(prefix.size());
    const auto dot = rest.rfind('.');
    const bool has_ext = dot != std::string_view::npos && rest.find('/', dot) == rest.npos;
    target t;
    t.fmt = has_ext ? o311::format_from_extension(rest.substr(dot + 1)) : std::nullopt;
    t.f = t.fmt.value_or(format::xml);
    t.resource = std::string(has_ext ? rest.substr(0, dot) : rest);
    return t;
}

void serve(const exchange_ptr& x) {
    const auto [fmt, f, resource] = target_of(x->ctx().path);
    const bool get = x->req().method() == http::verb::get;
    const bool post = x->req().method() == http::verb::post;

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
    app.templates->require({"open311/service_notice_joined"});  // post_request, one problem
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

exchange::error_format open311_error_format(const exchange& x) {
    const auto t = target_of(x.ctx().path);
    return error_format_of(t.f, t.resource == "requests", x.req().method() == http::verb::post);
}

}  // namespace minsheng::gateway
