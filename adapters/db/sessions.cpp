#include "adapters/db/sessions.hpp"

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/raw_access.hpp"
#include "adapters/db/detail/statement_cache.hpp"

namespace minsheng::adapters::db {

using detail::statement_use;

void save_mp_session(store& s, const mp_session& session, std::int64_t purge_before) {
    detail::raw_access::transact(s, "save mp session", [&](detail::statement_cache& sql) {
        {
            statement_use purge(sql.get("DELETE FROM mp_sessions WHERE expires_at < ?1"));
            purge->bind(1, purge_before);
            purge->exec();
        }
        statement_use ins(
            sql.get("INSERT INTO mp_sessions (token_hash, openid, unionid, created_at, "
                    "expires_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
        ins->bind(1, session.token_hash);
        ins->bind(2, session.openid);
        ins->bind(3, session.unionid);
        ins->bind(4, session.created_at);
        ins->bind(5, session.expires_at);
        ins->exec();
    });
}

std::optional<mp_session> find_mp_session(reader& r, std::string_view token_hash) {
    return detail::guarded("find mp session", [&]() -> std::optional<mp_session> {
        statement_use q(detail::raw_access::statements(r).get(
            "SELECT token_hash, openid, unionid, created_at, expires_at "
            "FROM mp_sessions WHERE token_hash = ?1"));
        q->bind(1, std::string(token_hash));
        if (!q->executeStep()) return std::nullopt;
        mp_session s;
        s.token_hash = q->getColumn(0).getString();
        s.openid = q->getColumn(1).getString();
        s.unionid = q->getColumn(2).getString();
        s.created_at = q->getColumn(3).getInt64();
        s.expires_at = q->getColumn(4).getInt64();
        return s;
    });
}

std::int64_t count_mp_sessions(reader& r) {
    return detail::guarded("count mp sessions", [&] {
        statement_use q(detail::raw_access::statements(r).get("SELECT count(*) FROM mp_sessions"));
        q->executeStep();
        return q->getColumn(0).getInt64();
    });
}

int add_subscription_credit(store& s, const std::string& openid, const std::string& template_id,
                            std::int64_t now) {
    int credits = 0;
    detail::raw_access::transact(s, "add subscription credit", [&](detail::statement_cache& sql) {
        statement_use q(
            sql.get("INSERT INTO mp_subscriptions (openid, template_id, credits, updated_at) "
                    "VALUES (?1, ?2, 1, ?3) ON CONFLICT (openid, template_id) DO UPDATE SET "
                    "credits = least(mp_subscriptions.credits + 1, ?4), updated_at = ?3 RETURNING "
                    "credits"));
        q->bind(1, openid);
        q->bind(2, template_id);
        q->bind(3, now);
        q->bind(4, max_subscription_credits);
        if (q->executeStep()) credits = q->getColumn(0).getInt();
    });
    return credits;
}

int subscription_credits(reader& r, const std::string& openid, const std::string& template_id) {
    return detail::guarded("read subscription credits", [&] {
        statement_use q(detail::raw_access::statements(r).get(
            "SELECT credits FROM mp_subscriptions WHERE openid = ?1 AND template_id = ?2"));
        q->bind(1, openid);
        q->bind(2, template_id);
        return q->executeStep() ? q->getColumn(0).getInt() : 0;
    });
}

}  // namespace minsheng::adapters::db
