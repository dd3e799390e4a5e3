#pragma once
// Every route the dispatcher (gateway/server/dispatch.cpp) hands requests to, and the
// per-feature state each builds at start-up. A route is thin: it parses what the request says,
// calls dialog or the store through its exchange (gateway/exchange.hpp), and renders the answer.
// Each is called on an I/O thread and answers exactly once through the exchange.

#include <memory>
#include <string>

#include "gateway/exchange.hpp"

namespace minsheng::gateway {

// POST/GET /wechat/oa: the official-account callback (gateway/routes/wechat_oa.cpp).
void serve_wechat_oa(const exchange_ptr& x);
// POST /hotline/transcripts: 12345 call transcripts, POST /hotline/feedback: the centre's return
// visits, and POST /hotline/not-same: a joined caller's other problem (gateway/routes/hotline.cpp,
// hotline_feedback.cpp, hotline_not_same.cpp); all signed alike.
void serve_hotline(const exchange_ptr& x);
// POST /hotline/feedback once the signature of hotline system `system` is checked.
void serve_hotline_feedback(const exchange_ptr& x, const std::string& system);
// POST /hotline/not-same (a caller joined to a case says it is another problem), likewise.
void serve_hotline_not_same(const exchange_ptr& x, const std::string& system);
// /open311/v2/...: GeoReport v2 (gateway/routes/open311.cpp).
void serve_open311(const exchange_ptr& x);
// /public/v1/...: what anyone may read (gateway/routes/public.cpp).
void serve_public(const exchange_ptr& x);
// / and /console/...: the web console's static files (gateway/routes/console.cpp).
void serve_console(const exchange_ptr& x);
// /mp/v1/...: the mini program API (gateway/mp/router.cpp).
void serve_mp(const exchange_ptr& x);
// /api/v1/...: the operator API (gateway/operator/router.cpp).
void serve_operator(const exchange_ptr& x);

// Each route's error format. The dispatcher sets it before anything can be refused, so that its
// own refusals (a query that is not UTF-8, a rate limit) reach the client in the format the route
// speaks: JSON for the APIs, the standard's XML or JSON document for Open311, text elsewhere.
exchange::error_format json_error_format();                       // public, hotline
exchange::error_format mp_error_format(const exchange& x);        // gateway/mp/refusals.cpp
exchange::error_format operator_error_format(const exchange& x);  // gateway/operator/router.cpp
exchange::error_format open311_error_format(const exchange& x);   // gateway/routes/open311.cpp

// Built once in app's constructor, after the writer, readers and service exist. Each throws
// std::runtime_error naming what is missing (a template, a model label, a file), so start-up
// fails loudly.
std::shared_ptr<mp_state> make_mp_state(app_state& app);
std::shared_ptr<open311_state> make_open311_state(app_state& app);
std::shared_ptr<console_state> make_console_state(app_state& app);
std::shared_ptr<staff_state> make_staff_state(app_state& app);

}  // namespace minsheng::gateway
