#include "adapters/db/detail/staff_rows.hpp"

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/statement_cache.hpp"

namespace minsheng::adapters::db::detail {

namespace {

constexpr std::int64_t day_seconds = 24 * 3600;

std::string actor_of(const dialog::person_ref& who) { return "wechat:" + who.user_id; }

int refusals_since(statement_cache& sql, const std::string& actor, std::int64_t since) {
    statement_use s(
        sql.get("SELECT COUNT(*) FROM audit_log WHERE actor = ?1 AND action = "
                "'staff_bind_refused' AND at > ?2"));
    s->bind(1, actor);
    s->bind(2, since);
    return s->executeStep() ? s->getColumn(0).getInt() : 0;
}

void audit(statement_cache& sql, std::int64_t at, const std::string& actor, std::string_view action,
           std::string_view target) {
    statement_use s(
        sql.get("INSERT INTO audit_log (at, actor, action, target) VALUES (?1, ?2, ?3, ?4)"));
    s->bind(1, at);
    s->bind(2, actor);
    s->bind(3, std::string(action));
    s->bind(4, std::string(target));
    s->exec();
}

std::vector<staff_recipient> recipients(statement_use& s) {
    std::vector<staff_recipient> out;
    while (s->executeStep())
        out.push_back({s->getColumn(0).getString(), s->getColumn(1).getString()});
    return out;
}

}  // namespace

dialog::staff_binding bind_staff(statement_cache& sql, std::string_view code_hash,
                                 const dialog::person_ref& who, std::int64_t now) {
    using outcome = dialog::staff_binding::outcome;
    dialog::staff_binding out;
    // Staff notifications go out on the official account only.
    if (who.from != dialog::channel::wechat_oa || who.user_id.empty()) return out;
    const std::string actor = actor_of(who);
    if (refusals_since(sql, actor, now - day_seconds) >= bind_attempts_per_day) {
        out.result = outcome::too_many_attempts;
        return out;
    }
    std::string staff_id;
    if (!code_hash.empty()) {
        statement_use s(sql.get(
            "SELECT c.staff_id, s.name FROM staff_bind_codes c JOIN staff s ON s.id = c.staff_id "
            "WHERE c.code_hash = ?1 AND c.used_at = 0 AND c.expires_at > ?2 AND s.active = 1"));
        s->bind(1, std::string(code_hash));
        s->bind(2, now);
        if (s->executeStep()) {
            staff_id = s->getColumn(0).getString();
            out.staff_name = s->getColumn(1).getString();
        }
    }
    if (staff_id.empty()) {
        audit(sql, now, actor, "staff_bind_refused", "");
        return out;
    }
    {
        statement_use used(
            sql.get("UPDATE staff_bind_codes SET used_at = ?2 WHERE code_hash = ?1"));
        used->bind(1, std::string(code_hash));
        used->bind(2, now);
        used->exec();
    }
    {
        // One WeChat user speaks for one staff member: a re-bind moves it.
        statement_use others(sql.get(
            "UPDATE staff SET openid = '', updated_at = ?3 WHERE openid = ?1 AND id <> ?2"));
        others->bind(1, who.user_id);
        others->bind(2, staff_id);
        others->bind(3, now);
        others->exec();
    }
    {
        statement_use bind(sql.get("UPDATE staff SET openid = ?2, updated_at = ?3 WHERE id = ?1"));
        bind->bind(1, staff_id);
        bind->bind(2, who.user_id);
        bind->bind(3, now);
        bind->exec();
    }
    audit(sql, now, actor, "staff_wechat_bound", staff_id);
    out.result = outcome::bound;
    return out;
}

std::vector<staff_recipient> bound_staff(statement_cache& sql, std::string_view role,
                                         std::string_view community, std::string_view street) {
    statement_use s(
        sql.get("SELECT id, openid FROM staff WHERE active = 1 AND openid <> '' AND role = ?1 AND "
                "(?1 <> 'worker' OR ?2 = '' OR community = ?2) AND "
                "(?1 <> 'supervisor' OR ?3 = '' OR street = ?3) ORDER BY id"));
    s->bind(1, std::string(role));
    s->bind(2, std::string(community));
    s->bind(3, std::string(street));
    return recipients(s);
}

std::vector<staff_recipient> bound_staff_member(statement_cache& sql, std::string_view id) {
    statement_use s(
        sql.get("SELECT id, openid FROM staff WHERE id = ?1 AND active = 1 AND openid <> ''"));
    s->bind(1, std::string(id));
    return recipients(s);
}

std::optional<dialog::bound_staff> staff_of(statement_cache& sql, const dialog::person_ref& who) {
    // Staff bind their WeChat on the official account only.
    if (who.from != dialog::channel::wechat_oa || who.user_id.empty()) return std::nullopt;
    statement_use s(
        sql.get("SELECT id, name, role, community, street FROM staff WHERE active = 1 AND "
                "openid <> '' AND openid = ?1 ORDER BY id LIMIT 1"));
    s->bind(1, who.user_id);
    if (!s->executeStep()) return std::nullopt;
    return dialog::bound_staff{s->getColumn(0).getString(), s->getColumn(1).getString(),
                               s->getColumn(2).getString(), s->getColumn(3).getString(),
                               s->getColumn(4).getString()};
}

}  // namespace minsheng::adapters::db::detail
