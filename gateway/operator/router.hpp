#pragma once
// The operator API's routes (docs/operator-api.md): every method and path that router.cpp
// serves, the roles that may call it and what it shows a caller whose scope is narrower than an
// admin's. router.cpp dispatches from this table alone, so no route exists without its scope
// rule; tests/gateway/e2e_scope_test.cpp walks every entry as a worker of another community and
// a supervisor of another street. Immutable: share freely.

#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <string_view>
#include <vector>

#include "gateway/operator/call.hpp"

namespace minsheng::gateway::operator_api {

// What a route shows a supervisor or a worker (an admin sees everything).
enum class scope_rule {
    own,         // the caller's own record only (who they are, their WeChat binding code)
    shared,      // nothing of any community (the canned replies' texts)
    filtered,    // silently narrowed to the caller's communities; naming another one is 403
    per_case,    // one case: 403 when it (or a merge target) is outside their communities
    admin_only,  // 403 for anyone but an admin
};
std::string_view to_string(scope_rule rule);

// Which roles may call a route, as bits.
enum role_bits : unsigned { admins = 1u, supervisors = 2u, workers = 4u };
inline constexpr unsigned every_role = admins | supervisors | workers;

struct route_spec {
    http::verb method;
    std::string_view path;  // "{id}": a whole number from 1 (a case id, an application's or a
                            // community move's number)
    unsigned roles;         // role_bits; admins always among them
    scope_rule scope;
    // Serves the call once the method and the role are checked; case_id is the {id} (0 when the
    // path has none).
    void (*serve)(const call& c, std::int64_t case_id);
};

// Every route of /api/v1, in the order router.cpp matches them.
const std::vector<route_spec>& routes();

// Whether `path` is the route's path; sets case_id to its {id} (0 when the path has none).
bool matches(const route_spec& route, std::string_view path, std::int64_t& case_id);

}  // namespace minsheng::gateway::operator_api
