#pragma once
// The one entry of every request: names its route from the path (the metrics label), decodes the
// query strictly, wraps the request in an exchange that times it, adds X-Request-Id and writes
// one log line when it is answered, and hands it to the route. /healthz and /metrics are answered
// here. Called on the connection's strand; thread-safe.

#include "gateway/server/app_state.hpp"

namespace minsheng::gateway {

void dispatch(const app_ptr& app, http_request&& req, respond_fn respond);

}  // namespace minsheng::gateway
