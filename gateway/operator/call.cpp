#include "gateway/operator/call.hpp"

#include <utility>

#include "adapters/http/query_string.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::operator_api {

exchange::error_format error_format(std::string internal_message) {
    return [internal_message = std::move(internal_message)](
               const http_request& req, http::status status, std::string_view code,
               std::string_view message) {
        if (status == http::status::internal_server_error && !internal_message.empty())
            message = internal_message;
        http_response res = make_response(
            req, status, views::json_text(views::error_body(code, message)), json_type);
        if (status == http::status::unauthorized)
            res.set(http::field::www_authenticate, "Bearer realm=\"minsheng\"");
        return res;
    };
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

const std::string* call::param(std::string_view key) const {
    const std::string* v = x.param(key);
    return v && !v->empty() ? v : nullptr;
}

void call::answer(http::status status, const json& body) const {
    x.answer(status, views::json_text(body), json_type);
}

bool call::only(http::verb v) const {
    if (x.req().method() == v) return true;
    refuse(http::status::method_not_allowed, "method_not_allowed",
           v == http::verb::get ? "only GET is allowed here" : "only POST is allowed here");
    return false;
}

bool call::limit(std::size_t& out) const {
    if (auto v = param("limit")) {
        auto n = adapters::http::whole_number(*v, 1, 1000);
        if (!n) {
            refuse(http::status::bad_request, "bad_parameter",
                   "limit must be a whole number from 1 to 1000");
            return false;
        }
        out = static_cast<std::size_t>(*n);
    }
    return true;
}

outcome outcome::answer(http::status status, json body, std::string counted) {
    outcome o;
    o.status = status;
    o.body = std::move(body);
    o.counted = std::move(counted);
    return o;
}

outcome outcome::refusal(http::status status, std::string code, std::string message) {
    outcome o;
    o.status = status;
    o.refused = std::move(code);
    o.message = std::move(message);
    return o;
}

outcome outcome::no_such_case() {
    return refusal(http::status::not_found, "not_found", "no such case");
}

outcome outcome::forbidden() {
    return refusal(http::status::forbidden, "forbidden", std::string(outside_scope));
}

void deliver(exchange& x, outcome& o) {
    if (!o.refused.empty()) return x.refuse(o.status, o.refused, o.message);
    if (!o.counted.empty()) x.app().stats.case_actions.inc(o.counted);
    x.answer(o.status, views::json_text(o.body), json_type);
}

}  // namespace minsheng::gateway::operator_api
