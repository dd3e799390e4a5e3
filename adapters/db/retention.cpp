#include "adapters/db/retention.hpp"

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/raw_access.hpp"
#include "adapters/db/detail/statement_cache.hpp"

namespace minsheng::adapters::db {

using detail::statement_use;

retention_report purge_expired(store& s, std::int64_t now, std::int64_t messages_before) {
    retention_report r;
    detail::raw_access::transact(s, "purge expired data", [&](detail::statement_cache& sql) {
        {
            statement_use q(sql.get(
                "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE received_at < ?1 "
                "ORDER BY received_at LIMIT ?2)"));
            q->bind(1, messages_before);
            q->bind(2, max_messages_per_purge);
            r.messages = q->exec();
        }
        {
            statement_use q(sql.get("DELETE FROM mp_sessions WHERE expires_at < ?1"));
            q->bind(1, now);
            r.sessions = q->exec();
        }
        {
            statement_use q(sql.get("DELETE FROM staff_bind_codes WHERE expires_at < ?1"));
            q->bind(1, now);
            r.bind_codes = q->exec();
        }
        {
            statement_use q(sql.get("DELETE FROM phone_codes WHERE created_at < ?1"));
            q->bind(1, now - phone_code_keep_seconds);
            r.phone_codes = q->exec();
        }
        {
            // Verification SMS once sent (or given up): the code in them is nobody's business.
            statement_use q(sql.get(
                "UPDATE outbox SET text = '', vars_json = '{}' WHERE audience = 'phone_code' "
                "AND text <> '' AND status <> 'pending'"));
            r.phone_code_texts = q->exec();
        }
        {
            // What a follower reported is kept to open their own case if it proves another
            // problem; once the case was closed before the retention period, nobody will.
            statement_use q(
                sql.get("UPDATE case_followers SET report = '' WHERE report <> '' AND case_id IN "
                        "(SELECT id FROM cases WHERE closed_at <> 0 AND closed_at < ?1)"));
            q->bind(1, messages_before);
            r.follower_reports = q->exec();
        }
    });
    return r;
}

}  // namespace minsheng::adapters::db
