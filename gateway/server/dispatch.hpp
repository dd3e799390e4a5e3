#pragma once
// The one entry of every request: names its route from the path (the metrics label), decodes the
// query strictly, wraps the request in an exchange that times it, adds X-Request-Id and writes
// one log line when it is answered, and hands it to the route. /healthz and /metrics are answered
// here. Called on the connection's strand; thread-safe.

#include "gateway/server/app_state.hpp"

namespace minsheng::gateway {

// `peer` is the client's address as the connection shows it.
void dispatch(const app_ptr& app, http_request&& req, const std::string& peer, respond_fn respond);

// The route a path belongs to ("wechat_oa", "hotline", "mp", "api", "open311", "public",
// "console", "healthz", "metrics", "unknown"): the metrics label and the key of the per-route
// body limit.
std::string_view route_of(std::string_view path);

}  // namespace minsheng::gateway
