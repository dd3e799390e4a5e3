// /api/v1/...: the operator API, behind the bearer token. Reads run on the reader pool, writes
// (case actions, the sweep) on the writer; never on an I/O thread. Personal data is masked in
// every field shown.

#include <openssl/crypto.h>
#include <boost/asio/post.hpp>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "dialog/cases/civil_time.hpp"
#include "dialog/cases/iso8601.hpp"
#include "gateway/detail/app_impl.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;
using json = nlohmann::json;

namespace {

using views::error_body;

bool token_matches(std::string_view header, const std::string& token) {
    constexpr std::string_view prefix = "Bearer ";
    if (token.empty() || header.size() != prefix.size() + token.size() ||
        header.substr(0, prefix.size()) != prefix)
        return false;
    return CRYPTO_memcmp(header.data() + prefix.size(), token.data(), token.size()) == 0;
}

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

void app::impl::route_api(request_ctx ctx, http_request&& req,
                          std::function<void(http_response&&)> respond) {
    const std::string path = ctx.path;
    const auto query = ctx.query;
    auto answer = [&](http::status s, const json& body) {
        respond(make_response(req, s, body.dump() + "\n", "application/json; charset=utf-8"));
    };
    auto reject = [&](http::status s, std::string_view reason, std::string_view message) {
        stats.requests_rejected.inc(reason);
        if (log->should_log(spdlog::level::warn)) log->warn("{} api rejected: {}", ctx.id, reason);
        answer(s, error_body(reason, message));
    };
    auto get = [&](const char* k) -> const std::string* {
        auto it = query.find(k);
        return it == query.end() || it->second.empty() ? nullptr : &it->second;
    };
    auto only = [&](http::verb v) {
        if (req.method() == v) return true;
        reject(http::status::method_not_allowed, "method_not_allowed",
               v == http::verb::get ? "only GET is allowed here" : "only POST is allowed here");
        return false;
    };
    auto limit_param = [&](std::size_t& out) {
        if (auto v = get("limit")) {
            auto n = whole_number(*v, 1, 1000);
            if (!n) {
                reject(http::status::bad_request, "bad_parameter",
                       "limit must be a whole number from 1 to 1000");
                return false;
            }
            out = static_cast<std::size_t>(*n);
        }
        return true;
    };

    if (!token_matches(req[http::field::authorization], cfg.operator_token)) {
        http_response res = make_response(
            req, http::status::unauthorized,
            error_body("unauthorized", "a valid operator bearer token is required").dump() + "\n",
            "application/json; charset=utf-8");
        res.set(http::field::www_authenticate, "Bearer realm=\"minsheng\"");
        stats.requests_rejected.inc("unauthorized");
        return respond(std::move(res));
    }

    constexpr std::string_view cases_prefix = "/api/v1/cases/";
    if (path == "/api/v1/cases") {
        if (!only(http::verb::get)) return;
        dialog::case_query q;
        if (auto v = get("status")) q.statuses.push_back(*v);
        if (auto v = get("kind")) q.kind = *v;
        if (auto v = get("category")) q.category = *v;
        if (auto v = get("community")) q.community = *v;
        if (auto v = get("handling_mode")) q.handling_modes.push_back(*v);
        if (auto v = get("channel")) {
            q.from = dialog::channel_from_string(*v);
            if (!q.from)
                return reject(http::status::bad_request, "bad_parameter",
                              "channel must be wechat_oa, miniprogram or hotline");
        }
        if (!limit_param(q.limit)) return;
        if (auto v = get("before_id")) {
            auto n = whole_number(*v, 0, std::numeric_limits<std::int64_t>::max());
            if (!n)
                return reject(http::status::bad_request, "bad_parameter",
                              "before_id must be a positive case id");
            q.before_id = *n;
        }
        return read_json(std::move(ctx), std::move(req), std::move(respond),
                         [q](adapters::sqlite_store::reader& r) {
                             auto cases = r.list_cases(q);
                             json arr = json::array();
                             for (const auto& c : cases) arr.push_back(views::operator_case(c));
                             json body{{"cases", std::move(arr)}};
                             if (!cases.empty() && cases.size() == q.limit)
                                 body["next_before_id"] = cases.back().id;
                             return body;
                         });
    }
    if (path.rfind(cases_prefix, 0) == 0) {
        std::string_view rest = std::string_view(path).substr(cases_prefix.size());
        const bool actions = rest.ends_with("/actions");
        if (actions) rest.remove_suffix(std::string_view("/actions").size());
        auto id = whole_number(rest, 1, std::numeric_limits<std::int64_t>::max());
        if (!id) return reject(http::status::not_found, "not_found", "no such case");
        if (!actions) {
            if (!only(http::verb::get)) return;
            return read_json(std::move(ctx), std::move(req), std::move(respond),
                             [id = *id](adapters::sqlite_store::reader& r) {
                                 auto c = r.get_case(id);
                                 if (!c) return error_body("not_found", "no such case");
                                 json body = views::operator_case(*c);
                                 json events = json::array();
                                 for (const auto& e : r.events_of(id))
                                     events.push_back(views::operator_event(e));
                                 body["events"] = std::move(events);
                                 dialog::case_query merged;
                                 merged.merged_into = id;
                                 json ids = json::array();
                                 for (const auto& m : r.list_cases(merged)) ids.push_back(m.number);
                                 body["merged_cases"] = std::move(ids);
                                 return body;
                             });
        }
        if (!only(http::verb::post)) return;
        std::string error;
        auto parsed = parse_action(req.body(), error);
        if (!parsed) return reject(http::status::bad_request, "bad_request", error);
        return act_on_case(std::move(ctx), std::move(req), std::move(respond), *id,
                           std::move(*parsed));
    }
    if (path == "/api/v1/outbox") {
        if (!only(http::verb::get)) return;
        adapters::sqlite_store::outbox_filter f;
        if (auto v = get("status")) {
            if (*v != "pending" && *v != "delivered" && *v != "dead")
                return reject(http::status::bad_request, "bad_parameter",
                              "status must be pending, delivered or dead");
            f.status = *v;
        }
        if (auto v = get("case_id")) {
            auto n = whole_number(*v, 1, std::numeric_limits<std::int64_t>::max());
            if (!n)
                return reject(http::status::bad_request, "bad_parameter",
                              "case_id must be a case id");
            f.case_id = *n;
        }
        if (!limit_param(f.limit)) return;
        return read_json(std::move(ctx), std::move(req), std::move(respond),
                         [f](adapters::sqlite_store::reader& r) {
                             json arr = json::array();
                             for (const auto& row : r.list_outbox(f))
                                 arr.push_back(views::outbox(row));
                             return json{{"notifications", std::move(arr)},
                                         {"pending", r.count_outbox("pending")},
                                         {"dead", r.count_outbox("dead")}};
                         });
    }
    if (path == "/api/v1/proposals") {
        if (!only(http::verb::get)) return;
        std::string community = get("community") ? *get("community") : "";
        std::size_t limit = 100;
        if (!limit_param(limit)) return;
        return read_json(std::move(ctx), std::move(req), std::move(respond),
                         [community, limit](adapters::sqlite_store::reader& r) {
                             json arr = json::array();
                             for (const auto& p : r.open_proposals(community, limit))
                                 arr.push_back(views::proposal(p));
                             return json{{"proposals", std::move(arr)}};
                         });
    }
    if (path == "/api/v1/ranking") {
        if (!only(http::verb::get)) return;
        std::string community = get("community") ? *get("community") : "";
        std::size_t limit = 20;
        if (!limit_param(limit)) return;
        auto [since, until] = dialog::cases::china_month(now());
        return read_json(
            std::move(ctx), std::move(req), std::move(respond),
            [community, limit, since, until](adapters::sqlite_store::reader& r) {
                return json{{"community", community},
                            {"since", dialog::cases::format_iso8601(since)},
                            {"until", dialog::cases::format_iso8601(until)},
                            {"ranking", views::ranking(r.ranking(community, since, until, limit))}};
            });
    }
    if (path == "/api/v1/sweep") {
        if (!only(http::verb::post)) return;
        auto shared_req = std::make_shared<http_request>(std::move(req));
        auto shared_respond =
            std::make_shared<std::function<void(http_response &&)>>(std::move(respond));
        return run_sweep([this, shared_req,
                          shared_respond](std::optional<dialog::cases::sweep_report> r) {
            boost::asio::post(ioc, [this, r, shared_req, shared_respond] {
                if (!r) {
                    stats.errors.inc("api");
                    return (*shared_respond)(
                        make_response(*shared_req, http::status::internal_server_error,
                                      error_body("internal", "the sweep failed").dump() + "\n",
                                      "application/json; charset=utf-8"));
                }
                json body{{"leases_expired", r->leases_expired},
                          {"reminders", r->reminders},
                          {"escalations", r->escalations},
                          {"auto_closed", r->auto_closed},
                          {"proposals_expired", r->proposals_expired}};
                (*shared_respond)(make_response(*shared_req, http::status::ok, body.dump() + "\n",
                                                "application/json; charset=utf-8"));
            });
        });
    }
    reject(http::status::not_found, "not_found", "no such endpoint");
}

void app::impl::act_on_case(request_ctx ctx, http_request&& req,
                            std::function<void(http_response&&)> respond, std::int64_t case_id,
                            action_request request) {
    auto shared_req = std::make_shared<http_request>(std::move(req));
    auto shared_respond =
        std::make_shared<std::function<void(http_response &&)>>(std::move(respond));
    auto send = [this, shared_req, shared_respond](http::status s, json body) {
        boost::asio::post(ioc, [shared_req, shared_respond, s, body = std::move(body)] {
            (*shared_respond)(make_response(*shared_req, s, body.dump() + "\n",
                                            "application/json; charset=utf-8"));
        });
    };
    auto a = std::make_shared<action_request>(std::move(request));
    bool queued = write->submit([this, ctx, case_id, a, send](
                                    adapters::sqlite_store::store& store) -> writer::continuation {
        dialog::cases::act_result result;
        try {
            const std::int64_t t = now();
            store.run([&](dialog::unit_of_work& uow) {
                if (!a->into_number.empty()) {
                    auto target = uow.find_case(a->into_number);
                    if (!target) {
                        result.why = dialog::cases::refusal::invalid;
                        result.detail = "no case numbered " + a->into_number + " to merge into";
                        return;
                    }
                    a->args.merge_into = target->id;
                }
                result = service->act(uow, case_id, a->what, dialog::cases::actor::op("operator"),
                                      a->args, t);
            });
        } catch (const std::exception& e) {
            std::string what = e.what();
            return [this, ctx, what, send](bool) {
                stats.errors.inc("api");
                log->error("{} case action failed: {}", ctx.id, what);
                send(http::status::internal_server_error,
                     error_body("internal", "the action could not be stored"));
            };
        }
        return [this, ctx, a, result, send](bool committed) {
            if (!committed) {
                stats.errors.inc("api");
                log->error("{} case action failed: the commit failed", ctx.id);
                return send(http::status::internal_server_error,
                            error_body("internal", "the action could not be stored"));
            }
            auto name = dialog::cases::to_string(a->what);
            if (!result.ok()) {
                auto reason = dialog::cases::to_string(result.why);
                stats.requests_rejected.inc(reason);
                if (log->should_log(spdlog::level::info))
                    log->info("{} case action {} refused: {}", ctx.id, name, reason);
                return send(status_of(result.why), error_body(reason, result.detail));
            }
            stats.case_actions.inc(name);
            if (log->should_log(spdlog::level::info))
                log->info("{} case {} {} → {}", ctx.id, result.after.number, name,
                          result.after.status);
            send(http::status::ok, views::operator_case(result.after));
        };
    });
    if (!queued)
        send(http::status::service_unavailable, error_body("shutting_down", "shutting down"));
}

}  // namespace minsheng::gateway
