#pragma once
// Who is calling the operator API: the bearer token's staff member and what they may see.
//
//   worker      a case worker of one community (and optionally one grid in it): that
//               community's cases
//   supervisor  a street (街道): the cases of every community of that street ([[community]])
//   admin       everything, and staff administration
//
// The bootstrap `operator_token` of the config is an admin named "operator". Staff tokens are
// issued by `minsheng-admin token issue` and stored hashed (adapters/db/staff.hpp).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/cases/assignment.hpp"
#include "dialog/ports.hpp"
#include "gateway/server/auth_throttle.hpp"

namespace minsheng::adapters::db {
class reader;
}

namespace minsheng::gateway {

struct config;

struct operator_identity {
    std::string id;    // staff id; "operator" for the bootstrap token
    std::string name;  // display name
    std::string role;  // "worker" | "supervisor" | "admin"
    std::string community;
    std::string grid;
    std::string street;
    // The communities whose cases they see; empty with role admin: all. A worker: their
    // community; a supervisor: the configured communities of their street.
    std::vector<std::string> communities;
    bool staff = false;         // a staff member of the store (not the bootstrap token)
    bool wechat_bound = false;  // their staff notifications reach a WeChat user (绑定工号)

    bool sees_all() const { return role == "admin"; }
    // Whether the community `which` is in their scope (admin: every one; others: one of theirs).
    bool sees_community(std::string_view which) const;
    // Whether the case is in their scope (admin: always; others: its community is theirs).
    bool may_see(const dialog::case_record& c) const;
    // Whether they see a staff member of `of_community` / `of_street` in the staff list: an
    // admin everyone, others the staff of their communities, a supervisor also their street's.
    bool may_see_staff(const std::string& of_community, const std::string& of_street) const;
    // Narrows a query to their scope: sets query.communities (intersected with a community the
    // query already asks for). Returns false when the intersection is empty (they asked for a
    // community outside their scope): answer nothing.
    bool scope(dialog::case_query& query) const;
};

// The operator API's shared state (staff_auth.cpp, built once by make_staff_state): the canned
// replies of templates/canned/ and the assignment rule over the configured communities' grids,
// immutable after construction; and the throttle of failed authentications, thread-safe. Share
// freely.
struct canned_reply {
    std::string key;    // file name without .txt
    std::string title;  // the file's first line
    std::string text;   // the rest, with {{number}}, {{status}}, ... placeholders
};
struct staff_state {
    staff_state(std::vector<canned_reply> canned_replies, dialog::cases::assignment rule,
                int auth_failures_per_minute, std::function<std::int64_t()> now);

    std::vector<canned_reply> canned;  // by key
    dialog::cases::assignment assignment_rule;
    auth_throttle auth_failures;  // per client address ([limits] auth_failures_per_minute)
    const canned_reply* find_canned(std::string_view key) const;
};

// The bootstrap operator ("operator", admin) when the header carries cfg.operator_token
// (constant-time comparison); nullopt otherwise. Reads nothing.
std::optional<operator_identity> bootstrap_operator(const config& cfg,
                                                    std::string_view authorization);

// The identity of a staff member: a worker sees their community, a supervisor the communities
// of cfg.communities whose street is theirs, an admin everything.
operator_identity identity_of(const config& cfg, std::string id, std::string name, std::string role,
                              std::string community, std::string grid, std::string street);

// Authenticates an Authorization header ("Bearer <token>") against the bootstrap operator
// token and the staff tokens (unexpired, unrevoked, active staff). Reads the database: call on
// a read thread. nullopt: not authenticated. Nothing is cached: a revoked or expired token, or a
// disabled staff member, is refused from the next request on.
std::optional<operator_identity> authenticate_operator(const config& cfg, adapters::db::reader& r,
                                                       std::string_view authorization,
                                                       std::int64_t now);

}  // namespace minsheng::gateway
