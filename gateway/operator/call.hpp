#pragma once
// One authenticated call of the operator API, and what every endpoint shares: the query
// parameters, the JSON body, JSON answers, the API's error format and the one map from a
// case refusal to an HTTP status.
//
// A call lives on the reader thread that authenticated it (router.cpp), for the synchronous part
// of one endpoint: it reads with that reader, then answers, refuses, or hands work to the writer
// through the exchange (x.on_writer), capturing what that work needs by value (the identity, an
// app_ptr), never the call. Every refusal and answer goes through the exchange, so each call
// answers exactly once. Nothing here throws except what nlohmann::json and the reader throw,
// which the exchange turns into a 500.

#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "dialog/cases/service.hpp"
#include "gateway/exchange.hpp"
#include "gateway/operator/staff_auth.hpp"

namespace minsheng::gateway::operator_api {

using json = nlohmann::json;
namespace http = boost::beast::http;

inline constexpr std::string_view json_type = "application/json; charset=utf-8";
// The message of a 403 for a case outside the caller's scope.
inline constexpr std::string_view outside_scope = "this case is outside the cases you may see";

// The operator API's errors: {"error": {"code", "message"}} as JSON; a 401 also says how to
// authenticate (WWW-Authenticate: Bearer realm="minsheng"). A non-empty `internal_message`
// replaces the message of a 500 (the statistics say it from their templates).
exchange::error_format error_format(std::string internal_message = "");

// The status of a case service refusal: not_found 404, not_allowed 403, invalid 400, any
// other (wrong_status, taken, ...) 409.
http::status status_of(dialog::cases::refusal r);

struct call {
    exchange& x;
    adapters::db::reader& r;  // leased to this call by the exchange
    operator_identity who;

    app_state& app() const { return x.app(); }
    // The decoded query parameter; nullptr when absent or empty.
    const std::string* param(std::string_view key) const;

    // Answers the body as JSON.
    void answer(http::status status, const json& body) const;
    void refuse(http::status status, std::string_view code, std::string_view message) const {
        x.refuse(status, code, message);
    }

    // Each of these refuses and returns false when the request is not what the endpoint takes:
    // only(v) 405 for another method; limit(out) 400 for a `limit` outside 1..1000 (leaves
    // `out` alone when absent). Roles are checked by router.cpp; bodies are read by bodies.hpp.
    bool only(http::verb v) const;
    bool limit(std::size_t& out) const;
};

// What a writer task decided: an answer, or a refusal in the API's error format. deliver()
// answers it once the commit is durable (the `then` of x.on_writer<outcome>).
struct outcome {
    http::status status = http::status::ok;
    json body;            // the answer, when not refused
    std::string refused;  // the error code when refused; "" answered
    std::string message;  // the refusal's message
    std::string counted;  // the minsheng_case_actions_total label to bump when answered; "" none

    static outcome answer(http::status status, json body, std::string counted = "");
    static outcome refusal(http::status status, std::string code, std::string message);
    // 404 not_found "no such case".
    static outcome no_such_case();
    // 403 forbidden: the case is outside the caller's scope.
    static outcome forbidden();
};
void deliver(exchange& x, outcome& o);

}  // namespace minsheng::gateway::operator_api
