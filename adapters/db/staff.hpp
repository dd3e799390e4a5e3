#pragma once
// Staff of the operator API (case workers, supervisors, admins), their bearer tokens and the
// staff audit trail (migration 6: tables staff, staff_tokens, audit_log).
//
// Tokens are 32 random bytes from OpenSSL, base64url without padding (43 characters); only the
// hex SHA-256 of a token is stored, so a copy of the database does not let anyone in.
//
// Writes take the store (call them on the writer thread, like every store method); reads take a
// reader (one per thread at a time) or, where the writer needs them inside its own task, the
// store. Storage failures throw store_error; bad arguments throw std::invalid_argument.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/db/bearer_token.hpp"
#include "adapters/db/store.hpp"

namespace minsheng::adapters::db {

struct staff_member {
    std::string id;         // e.g. "w-dongcheng-01"
    std::string name;       // display name
    std::string role;       // "worker" | "supervisor" | "admin"
    std::string community;  // workers: their community
    std::string grid;       // workers: their grid within it; "" the whole community
    std::string street;     // supervisors: their street (街道)
    bool active = true;
    // The official-account user who bound this member by sending "绑定工号 <code>" (migration 7);
    // staff notifications reach them there. "" none. save_staff keeps it; bind and unbind set it.
    std::string openid;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
};

struct audit_entry {
    std::int64_t id = 0;  // assigned by the store
    std::int64_t at = 0;
    std::string actor;   // "operator:<staff id>", "admin-cli", ...
    std::string action;  // "export", "token_issue", "token_revoke", "staff_add", ...
    std::string target;  // what it was about (a staff id, a token's hash prefix, a filter)
    std::string detail;  // free text, no personal data
};

// A one-time code for binding a staff member's WeChat (shown once; only its keyed hash is
// stored).
struct bind_code {
    std::string code;  // 8 digits
    std::int64_t expires_at = 0;
};

struct issued_token {
    std::string token;            // shown once; never stored
    std::string hash;             // hex SHA-256 of token, the stored key
    std::int64_t expires_at = 0;  // 0: never
};

// Whether `role` is one of worker, supervisor, admin.
bool valid_role(std::string_view role);

// ---- writes

// Inserts the staff member or updates every field of the one with this id (keeping its
// created_at); `now` stamps created_at/updated_at. Throws std::invalid_argument for an empty id
// or name, an unknown role, a worker without community or a supervisor without street.
void save_staff(store& s, const staff_member& m, std::int64_t now);
// Marks the staff member inactive (their tokens stop working). False: no such staff member.
bool deactivate_staff(store& s, const std::string& id, std::int64_t now);
// Issues a token for an active staff member, valid until expires_at (0: never). Throws
// std::invalid_argument when there is no such active staff member; std::runtime_error when
// OpenSSL has no randomness.
issued_token issue_token(store& s, const std::string& staff_id, std::int64_t expires_at,
                         const std::string& label, std::int64_t now);
// Revokes the token given as the token itself or as its hash. False: no such unrevoked token.
bool revoke_token(store& s, std::string_view token_or_hash, std::int64_t now);
// Issues a one-time code: the official-account user who sends "绑定工号 <code>" before
// expires_at becomes this active staff member's WeChat (unit_of_work::bind_staff). Only its
// keyed hash under `book` is stored (the gateway's code book: keyed_code_book with the same
// secret, or the code never matches). Codes issued earlier to the member and not used stop
// working. Throws like issue_token.
bind_code issue_bind_code(store& s, const dialog::code_book& book, const std::string& staff_id,
                          std::int64_t expires_at, std::int64_t now);
// Forgets the member's bound WeChat user. False: no such member, or none was bound.
bool unbind_staff_wechat(store& s, const std::string& id, std::int64_t now);
// Appends an audit entry; returns its id.
std::int64_t append_audit(store& s, const audit_entry& e);

// ---- reads

std::optional<staff_member> get_staff(reader& r, const std::string& id);
// Every staff member, ordered by id.
std::vector<staff_member> list_staff(reader& r);
std::vector<staff_member> list_staff(store& s);
// The active staff member holding this token, if the token is known, unrevoked and unexpired
// at `now`.
std::optional<staff_member> staff_by_token(reader& r, std::string_view token, std::int64_t now);
// Newest first, at most clamp(limit, 1, 1000) entries.
std::vector<audit_entry> list_audit(reader& r, std::size_t limit);
// Open cases per assignee: cases with an assignee that are not done, confirmed, closed,
// cancelled or merged (the worker still has to act on them). Assignees without any are absent.
std::map<std::string, std::int64_t> open_cases_by_assignee(reader& r);
std::map<std::string, std::int64_t> open_cases_by_assignee(store& s);

}  // namespace minsheng::adapters::db
