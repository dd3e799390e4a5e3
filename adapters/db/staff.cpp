#include "adapters/db/staff.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/raw_access.hpp"
#include "adapters/db/detail/staff_rows.hpp"
#include "adapters/db/detail/statement_cache.hpp"

namespace minsheng::adapters::db {

namespace {

using detail::guarded;
using detail::raw_access;
using detail::statement_cache;
using detail::statement_use;

constexpr std::string_view staff_columns =
    "id, name, role, community, grid, street, active, created_at, updated_at, openid";

staff_member staff_from(sql::statement& s) {
    staff_member m;
    m.id = s.getColumn(0).getString();
    m.name = s.getColumn(1).getString();
    m.role = s.getColumn(2).getString();
    m.community = s.getColumn(3).getString();
    m.grid = s.getColumn(4).getString();
    m.street = s.getColumn(5).getString();
    m.active = s.getColumn(6).getInt64() != 0;
    m.created_at = s.getColumn(7).getInt64();
    m.updated_at = s.getColumn(8).getInt64();
    m.openid = s.getColumn(9).getString();
    return m;
}

std::optional<staff_member> find_staff(statement_cache& c, const std::string& id) {
    statement_use s(c.get("SELECT " + std::string(staff_columns) + " FROM staff WHERE id = ?1"));
    s->bind(1, id);
    if (!s->executeStep()) return std::nullopt;
    return staff_from(*s);
}

std::vector<staff_member> all_staff(statement_cache& c) {
    statement_use s(c.get("SELECT " + std::string(staff_columns) + " FROM staff ORDER BY id"));
    std::vector<staff_member> out;
    while (s->executeStep()) out.push_back(staff_from(*s));
    return out;
}

std::map<std::string, std::int64_t> open_counts(statement_cache& c) {
    // Uses the partial index cases_by_assignee (assignee, status) WHERE assignee <> ''.
    statement_use s(c.get(
        "SELECT assignee, COUNT(*) FROM cases WHERE assignee <> '' AND status NOT IN ('done', "
        "'confirmed', 'closed', 'cancelled', 'merged') GROUP BY assignee"));
    std::map<std::string, std::int64_t> out;
    while (s->executeStep()) out[s->getColumn(0).getString()] = s->getColumn(1).getInt64();
    return out;
}

bool is_hash(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char ch) {
               return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
           });
}

void check(const staff_member& m) {
    if (m.id.empty()) throw std::invalid_argument("a staff member needs an id");
    if (m.name.empty()) throw std::invalid_argument("a staff member needs a name");
    if (!valid_role(m.role))
        throw std::invalid_argument("role must be worker, supervisor or admin");
    if (m.role == "worker" && m.community.empty())
        throw std::invalid_argument("a worker needs a community");
    if (m.role == "supervisor" && m.street.empty())
        throw std::invalid_argument("a supervisor needs a street");
}

}  // namespace

bool valid_role(std::string_view role) {
    return role == "worker" || role == "supervisor" || role == "admin";
}

void save_staff(store& s, const staff_member& m, std::int64_t now) {
    check(m);
    raw_access::transact(s, "save staff", [&](statement_cache& c) {
        statement_use st(c.get(
            "INSERT INTO staff (id, name, role, community, grid, street, active, created_at, "
            "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) ON CONFLICT (id) DO UPDATE "
            "SET name = ?2, role = ?3, community = ?4, grid = ?5, street = ?6, active = ?7, "
            "updated_at = ?8"));
        st->bind(1, m.id);
        st->bind(2, m.name);
        st->bind(3, m.role);
        st->bind(4, m.community);
        st->bind(5, m.grid);
        st->bind(6, m.street);
        st->bind(7, m.active ? 1 : 0);
        st->bind(8, now);
        st->exec();
    });
}

bool deactivate_staff(store& s, const std::string& id, std::int64_t now) {
    bool changed = false;
    raw_access::transact(s, "deactivate staff", [&](statement_cache& c) {
        statement_use st(c.get("UPDATE staff SET active = 0, updated_at = ?2 WHERE id = ?1"));
        st->bind(1, id);
        st->bind(2, now);
        changed = st->exec() > 0;
    });
    return changed;
}

issued_token issue_token(store& s, const std::string& staff_id, std::int64_t expires_at,
                         const std::string& label, std::int64_t now) {
    auto token = new_bearer_token();
    if (!token) throw std::runtime_error("no randomness available for a token");
    issued_token t;
    t.token = std::move(*token);
    t.hash = token_hash(t.token);
    t.expires_at = expires_at;
    raw_access::transact(s, "issue token", [&](statement_cache& c) {
        auto m = find_staff(c, staff_id);
        if (!m || !m->active)
            throw std::invalid_argument("no active staff member \"" + staff_id + "\"");
        statement_use st(
            c.get("INSERT INTO staff_tokens (token_hash, staff_id, label, created_at, expires_at) "
                  "VALUES (?1, ?2, ?3, ?4, ?5)"));
        st->bind(1, t.hash);
        st->bind(2, staff_id);
        st->bind(3, label);
        st->bind(4, now);
        st->bind(5, expires_at);
        st->exec();
    });
    return t;
}

bool revoke_token(store& s, std::string_view token_or_hash, std::int64_t now) {
    // A 64-digit lower-case hex string is taken as a hash; issued tokens are base64url of 32
    // bytes (43 characters), so the two never collide.
    const std::string hash =
        is_hash(token_or_hash) ? std::string(token_or_hash) : token_hash(token_or_hash);
    bool changed = false;
    raw_access::transact(s, "revoke token", [&](statement_cache& c) {
        statement_use st(c.get(
            "UPDATE staff_tokens SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at = 0"));
        st->bind(1, hash);
        st->bind(2, now);
        changed = st->exec() > 0;
    });
    return changed;
}

bind_code issue_bind_code(store& s, const dialog::code_book& book, const std::string& staff_id,
                          std::int64_t expires_at, std::int64_t now) {
    auto code = new_numeric_code(dialog::staff_code_digits);
    if (!code) throw std::runtime_error("no randomness available for a code");
    bind_code out{std::move(*code), expires_at};
    raw_access::transact(s, "issue bind code", [&](statement_cache& c) {
        auto m = find_staff(c, staff_id);
        if (!m || !m->active)
            throw std::invalid_argument("no active staff member \"" + staff_id + "\"");
        statement_use old(
            c.get("UPDATE staff_bind_codes SET used_at = ?2 WHERE staff_id = ?1 AND used_at = 0"));
        old->bind(1, staff_id);
        old->bind(2, now);
        old->exec();
        statement_use st(
            c.get("INSERT INTO staff_bind_codes (code_hash, staff_id, created_at, expires_at) "
                  "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (code_hash) DO UPDATE SET staff_id = ?2, "
                  "created_at = ?3, expires_at = ?4, used_at = 0"));
        st->bind(1, book.hash(dialog::staff_code_scope, out.code));
        st->bind(2, staff_id);
        st->bind(3, now);
        st->bind(4, expires_at);
        st->exec();
    });
    return out;
}

bool unbind_staff_wechat(store& s, const std::string& id, std::int64_t now) {
    bool changed = false;
    raw_access::transact(s, "unbind staff wechat", [&](statement_cache& c) {
        statement_use st(
            c.get("UPDATE staff SET openid = '', updated_at = ?2 WHERE id = ?1 AND openid <> ''"));
        st->bind(1, id);
        st->bind(2, now);
        changed = st->exec() > 0;
    });
    return changed;
}

std::int64_t append_audit(store& s, const audit_entry& e) {
    std::int64_t id = 0;
    raw_access::transact(s, "append audit entry", [&](statement_cache& c) {
        statement_use st(c.get(
            "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?1, ?2, ?3, ?4, "
            "?5) RETURNING id"));
        st->bind(1, e.at);
        st->bind(2, e.actor);
        st->bind(3, e.action);
        st->bind(4, e.target);
        st->bind(5, e.detail);
        if (st->executeStep()) id = st->getColumn(0).getInt64();
    });
    return id;
}

std::optional<staff_member> get_staff(reader& r, const std::string& id) {
    return guarded("get staff", [&] { return find_staff(raw_access::statements(r), id); });
}

std::vector<staff_member> list_staff(reader& r) {
    return guarded("list staff", [&] { return all_staff(raw_access::statements(r)); });
}

std::vector<staff_member> list_staff(store& s) {
    std::vector<staff_member> out;
    raw_access::transact(s, "list staff", [&](statement_cache& c) { out = all_staff(c); });
    return out;
}

std::optional<staff_member> staff_by_token(reader& r, std::string_view token, std::int64_t now) {
    if (token.empty()) return std::nullopt;
    const std::string hash = token_hash(token);
    return guarded("find token", [&]() -> std::optional<staff_member> {
        auto& c = raw_access::statements(r);
        statement_use st(
            c.get("SELECT s.id, s.name, s.role, s.community, s.grid, s.street, s.active, "
                  "s.created_at, s.updated_at, s.openid FROM staff_tokens t JOIN staff s ON s.id = "
                  "t.staff_id WHERE t.token_hash = ?1 AND t.revoked_at = 0 AND (t.expires_at = "
                  "0 OR t.expires_at > ?2) AND s.active = 1"));
        st->bind(1, hash);
        st->bind(2, now);
        if (!st->executeStep()) return std::nullopt;
        return staff_from(*st);
    });
}

std::vector<audit_entry> list_audit(reader& r, std::size_t limit) {
    const auto n = static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, 1000));
    return guarded("list audit", [&] {
        auto& c = raw_access::statements(r);
        statement_use st(
            c.get("SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC "
                  "LIMIT ?1"));
        st->bind(1, n);
        std::vector<audit_entry> out;
        while (st->executeStep())
            out.push_back({st->getColumn(0).getInt64(), st->getColumn(1).getInt64(),
                           st->getColumn(2).getString(), st->getColumn(3).getString(),
                           st->getColumn(4).getString(), st->getColumn(5).getString()});
        return out;
    });
}

std::map<std::string, std::int64_t> open_cases_by_assignee(reader& r) {
    return guarded("count open cases", [&] { return open_counts(raw_access::statements(r)); });
}

std::map<std::string, std::int64_t> open_cases_by_assignee(store& s) {
    std::map<std::string, std::int64_t> out;
    raw_access::transact(s, "count open cases", [&](statement_cache& c) { out = open_counts(c); });
    return out;
}

}  // namespace minsheng::adapters::db
