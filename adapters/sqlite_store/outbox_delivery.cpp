#include "adapters/sqlite_store/outbox_delivery.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <limits>

#include "adapters/sqlite_store/detail/connection.hpp"
#include "adapters/sqlite_store/detail/outbox_rows.hpp"
#include "adapters/sqlite_store/detail/statement_cache.hpp"

namespace minsheng::adapters::sqlite_store {

namespace {

using detail::statement_cache;
using detail::statement_use;

// Only these recipients have a delivery path today; staff rows (NULL to_channel) go to staff
// consoles and mini-program rows need subscribe credits: both stay pending, unclaimed.
const std::string& select_due() {
    static const std::string sql =
        "SELECT " + std::string(detail::notification_columns) +
        ", attempts FROM outbox "
        "WHERE status = 'pending' AND next_attempt_at <= ?1 "
        "AND to_channel IN ('wechat_oa', 'hotline') ORDER BY id LIMIT ?2";
    return sql;
}

// Messages a user typed or sent open the 48-hour window; events (follow, menu, scan) open only
// short ones, which a later delivery cannot rely on.
constexpr std::string_view latest_inbound =
    "SELECT max(received_at) FROM messages WHERE channel = 'wechat_oa' AND user_id = ?1 "
    "AND kind IN ('text', 'image', 'voice', 'video', 'location', 'link', 'file')";

due_notification read_due(SQLite::Statement& row) {
    due_notification d;
    d.n = detail::read_notification(row);  // claimed rows always have a recipient
    d.attempts = row.getColumn(detail::notification_column_count).getInt() + 1;
    return d;
}

// The wechat_oa person most recently bound to this phone; "" when none.
std::string openid_for_phone(statement_cache& sql, const std::string& phone) {
    statement_use s(sql.get(
        "SELECT user_id FROM people WHERE phone = ?1 AND phone <> '' AND channel = 'wechat_oa' "
        "ORDER BY updated_at DESC LIMIT 1"));
    s->bind(1, phone);
    return s->executeStep() ? s->getColumn(0).getString() : std::string();
}

std::optional<std::int64_t> last_inbound_of(statement_cache& sql, const std::string& openid) {
    statement_use s(sql.get(latest_inbound));
    s->bind(1, openid);
    if (!s->executeStep() || s->getColumn(0).isNull()) return std::nullopt;
    return s->getColumn(0).getInt64();
}

int sends_since(statement_cache& sql, const std::string& openid, std::int64_t window_start) {
    statement_use s(
        sql.get("SELECT sends FROM service_windows WHERE channel = 'wechat_oa' AND user_id = ?1 "
                "AND window_start = ?2"));
    s->bind(1, openid);
    s->bind(2, window_start);
    return s->executeStep() ? s->getColumn(0).getInt() : 0;
}

void resolve_recipient(statement_cache& sql, due_notification& d) {
    // Hotline and Open311 reporters are known by phone: a phone bound in chat reaches them on
    // WeChat, otherwise they get an SMS (or, with no phone, nothing: Open311 clients poll).
    const auto from = d.n.to->from;
    d.openid = from == dialog::channel::hotline || from == dialog::channel::open311
                   ? openid_for_phone(sql, d.n.to->user_id)
                   : d.n.to->user_id;
    if (d.openid.empty()) return;
    d.last_inbound = last_inbound_of(sql, d.openid);
    if (d.last_inbound) d.service_messages_since = sends_since(sql, d.openid, *d.last_inbound);
}

void count_service_send(statement_cache& sql, const std::string& openid) {
    const auto start = last_inbound_of(sql, openid);
    if (!start) return;  // no window to count against (the send was a fallback's business)
    statement_use s(
        sql.get("INSERT INTO service_windows (channel, user_id, window_start, sends) "
                "VALUES ('wechat_oa', ?1, ?2, 1) ON CONFLICT (channel, user_id) DO UPDATE SET "
                "sends = CASE WHEN window_start = excluded.window_start THEN sends + 1 ELSE 1 END, "
                "window_start = excluded.window_start"));
    s->bind(1, openid);
    s->bind(2, *start);
    s->exec();
}

std::int64_t clamp_limit(std::size_t limit) {
    return static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, 1000));
}

}  // namespace

std::vector<due_notification> outbox_delivery::claim_due(std::int64_t now, std::size_t limit,
                                                         std::int64_t in_flight_seconds) {
    std::vector<due_notification> out;
    store_.transact("claim due notifications", [&](statement_cache& sql) {
        {
            statement_use s(sql.get(select_due()));
            s->bind(1, now);
            s->bind(2, clamp_limit(limit));
            while (s->executeStep()) out.push_back(read_due(*s));
        }
        statement_use claim(sql.get(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, updated_at = ?3 "
            "WHERE id = ?1"));
        for (auto& d : out) {
            claim->bind(1, d.n.id);
            claim->bind(2, now + in_flight_seconds);
            claim->bind(3, now);
            claim->exec();
            claim->reset();
            resolve_recipient(sql, d);
        }
    });
    return out;
}

bool outbox_delivery::mark_delivered(std::int64_t id, std::int64_t now, const std::string& via,
                                     const std::string& service_openid) {
    bool changed = false;
    store_.transact("mark notification delivered", [&](statement_cache& sql) {
        statement_use s(sql.get(
            "UPDATE outbox SET status = 'delivered', delivered_at = ?2, delivered_via = ?3, "
            "last_error = '', updated_at = ?2 WHERE id = ?1 AND status = 'pending'"));
        s->bind(1, id);
        s->bind(2, now);
        s->bind(3, via);
        changed = s->exec() == 1;
        if (changed && !service_openid.empty()) count_service_send(sql, service_openid);
    });
    return changed;
}

bool outbox_delivery::mark_retry(std::int64_t id, std::int64_t now, const std::string& error,
                                 std::int64_t next_attempt_at) {
    bool changed = false;
    store_.transact("mark notification for retry", [&](statement_cache& sql) {
        statement_use s(
            sql.get("UPDATE outbox SET last_error = ?3, next_attempt_at = ?4, updated_at = ?2 "
                    "WHERE id = ?1 AND status = 'pending'"));
        s->bind(1, id);
        s->bind(2, now);
        s->bind(3, error);
        s->bind(4, next_attempt_at);
        changed = s->exec() == 1;
    });
    return changed;
}

bool outbox_delivery::mark_dead(std::int64_t id, std::int64_t now, const std::string& error) {
    bool changed = false;
    store_.transact("mark notification dead", [&](statement_cache& sql) {
        statement_use s(
            sql.get("UPDATE outbox SET status = 'dead', last_error = ?3, updated_at = ?2 "
                    "WHERE id = ?1 AND status = 'pending'"));
        s->bind(1, id);
        s->bind(2, now);
        s->bind(3, error);
        changed = s->exec() == 1;
    });
    return changed;
}

std::int64_t outbox_delivery::pending() {
    std::int64_t n = 0;
    store_.transact("count pending notifications", [&](statement_cache& sql) {
        statement_use s(sql.get("SELECT count(*) FROM outbox WHERE status = 'pending'"));
        s->executeStep();
        n = s->getColumn(0).getInt64();
    });
    return n;
}

}  // namespace minsheng::adapters::sqlite_store
