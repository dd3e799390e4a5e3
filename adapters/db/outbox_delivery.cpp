#include "adapters/db/outbox_delivery.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/outbox_rows.hpp"
#include "adapters/db/detail/raw_access.hpp"
#include "adapters/db/detail/staff_rows.hpp"
#include "adapters/db/detail/statement_cache.hpp"

namespace minsheng::adapters::db {

namespace {

using detail::statement_cache;
using detail::statement_use;

// On PostgreSQL several gateways claim from one outbox: each due row is locked by the worker
// that selects it and skipped by the others (FOR UPDATE SKIP LOCKED), and the claim then moves
// its next_attempt_at past the in-flight lease, so after the commit nobody else sees it as due
// until the lease ends. On SQLite the write lock of the claim's transaction does the same.
std::string claimed(sql::dialect d, std::string select) {
    if (d == sql::dialect::postgres) select += " FOR UPDATE SKIP LOCKED";
    return select;
}

// People reached by the official account or by phone (Open311 reporters are phones too).
const std::string& select_due(sql::dialect d) {
    static const std::string base =
        "SELECT " + std::string(detail::notification_columns) +
        ", attempts FROM outbox "
        "WHERE status = 'pending' AND next_attempt_at <= ?1 "
        "AND to_channel IN ('wechat_oa', 'hotline', 'open311') ORDER BY id LIMIT ?2";
    static const std::string sqlite = claimed(sql::dialect::sqlite, base);
    static const std::string pg = claimed(sql::dialect::postgres, base);
    return d == sql::dialect::postgres ? pg : sqlite;
}

// Mini program users with a credit of the template (?3), the newest row per user and case.
const std::string& select_due_mp(sql::dialect d) {
    static const std::string base =
        "SELECT " + std::string(detail::notification_columns) +
        ", attempts FROM outbox o "
        "WHERE status = 'pending' AND next_attempt_at <= ?1 AND to_channel = 'miniprogram' "
        "AND EXISTS (SELECT 1 FROM mp_subscriptions m WHERE m.openid = o.to_user "
        "AND m.template_id = ?3 AND m.credits > 0) ORDER BY id DESC LIMIT ?2";
    static const std::string sqlite = claimed(sql::dialect::sqlite, base);
    static const std::string pg = claimed(sql::dialect::postgres, base);
    return d == sql::dialect::postgres ? pg : sqlite;
}

// Staff rows are few among many pending person rows: the partial index by channel finds them
// without walking every due row (SQLite's planner, without statistics, would take outbox_due;
// PostgreSQL's has statistics and no INDEXED BY).
const std::string& select_due_staff(sql::dialect d) {
    static const std::string sqlite =
        "SELECT " + std::string(detail::notification_columns) +
        " FROM outbox INDEXED BY outbox_due_by_channel WHERE status = 'pending' "
        "AND to_channel IS NULL AND next_attempt_at <= ?1 ORDER BY id LIMIT ?2";
    static const std::string pg =
        claimed(sql::dialect::postgres,
                "SELECT " + std::string(detail::notification_columns) +
                    " FROM outbox WHERE status = 'pending' "
                    "AND to_channel IS NULL AND next_attempt_at <= ?1 ORDER BY id LIMIT ?2");
    return d == sql::dialect::postgres ? pg : sqlite;
}

// Messages a user typed or sent open the 48-hour window; events (follow, menu, scan) open only
// short ones, which a later delivery cannot rely on.
constexpr std::string_view latest_inbound =
    "SELECT max(received_at) FROM messages WHERE channel = 'wechat_oa' AND user_id = ?1 "
    "AND kind IN ('text', 'image', 'voice', 'video', 'location', 'link', 'file')";

due_notification read_due(sql::statement& row) {
    due_notification d;
    d.n = detail::read_notification(row);  // claimed rows always have a recipient
    d.attempts = row.getColumn(detail::notification_column_count).getInt() + 1;
    return d;
}

// The person of `channel` who verified this phone; "" when none. A phone somebody merely typed
// reaches nobody: it could be anyone's.
std::string person_for_phone(statement_cache& sql, const std::string& phone,
                             const std::string& channel) {
    statement_use s(
        sql.get("SELECT user_id FROM people WHERE phone = ?1 AND phone <> '' AND channel = ?2 "
                "AND phone_verified_at > 0 ORDER BY phone_verified_at DESC LIMIT 1"));
    s->bind(1, phone);
    s->bind(2, channel);
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
    // A phone verification code goes to the phone by SMS only, never to whoever holds it now.
    const auto from = d.n.to->from;
    if (d.n.audience == "phone_code") {
        d.openid.clear();
        return;
    }
    d.openid = from == dialog::channel::hotline || from == dialog::channel::open311
                   ? person_for_phone(sql, d.n.to->user_id, "wechat_oa")
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
                "sends = CASE WHEN service_windows.window_start = excluded.window_start "
                "THEN service_windows.sends + 1 ELSE 1 END, "
                "window_start = excluded.window_start"));
    s->bind(1, openid);
    s->bind(2, *start);
    s->exec();
}

std::int64_t clamp_limit(std::size_t limit) {
    return static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, 1000));
}

void finish_row(statement_cache& sql, std::int64_t id, std::int64_t now, std::string_view status,
                const std::string& detail) {
    statement_use s(sql.get(
        "UPDATE outbox SET status = ?3, delivered_at = CASE WHEN ?3 = 'delivered' THEN ?2 ELSE "
        "0 END, delivered_via = CASE WHEN ?3 = 'delivered' THEN ?4 ELSE '' END, last_error = "
        "CASE WHEN ?3 = 'dead' THEN ?4 ELSE '' END, updated_at = ?2 WHERE id = ?1 AND status = "
        "'pending'"));
    s->bind(1, id);
    s->bind(2, now);
    s->bind(3, std::string(status));
    s->bind(4, detail);
    s->exec();
}

std::string assignee_of(statement_cache& sql, std::int64_t case_id) {
    if (case_id == 0) return {};
    statement_use s(sql.get("SELECT assignee FROM cases WHERE id = ?1"));
    s->bind(1, case_id);
    return s->executeStep() ? s->getColumn(0).getString() : std::string();
}

std::vector<detail::staff_recipient> staff_for(statement_cache& sql, const dialog::notification& n,
                                               const delivery_routing& routing) {
    if (n.audience == "supervisor") {
        const auto street = routing.street_of.find(n.community);
        return detail::bound_staff(sql, "supervisor", "",
                                   street == routing.street_of.end() ? "" : street->second);
    }
    if (n.audience != "worker") return {};
    if (const auto assignee = assignee_of(sql, n.case_id); !assignee.empty()) {
        auto one = detail::bound_staff_member(sql, assignee);
        if (!one.empty()) return one;
    }
    return detail::bound_staff(sql, "worker", n.community, "");
}

// One wechat_oa row per bound staff member; the staff row itself is then finished.
void fan_out_staff_rows(statement_cache& sql, std::int64_t now, std::int64_t limit,
                        const delivery_routing& routing) {
    std::vector<dialog::notification> rows;
    {
        statement_use s(sql.get(select_due_staff(sql.dialect())));
        s->bind(1, now);
        s->bind(2, limit);
        while (s->executeStep()) rows.push_back(detail::read_notification(*s));
    }
    for (const auto& n : rows) {
        const auto people = staff_for(sql, n, routing);
        std::string ids;
        for (const auto& p : people) {
            dialog::notification child = n;
            child.id = 0;
            child.to = dialog::person_ref{dialog::channel::wechat_oa, p.openid};
            child.idempotency_key = n.idempotency_key + "/staff:" + p.id;
            child.created_at = now;  // due now
            detail::enqueue(sql, child, now);
            ids += (ids.empty() ? "" : ",") + p.id;
        }
        if (people.empty())
            finish_row(sql, n.id, now, "dead",
                       "no active " + n.audience +
                           " has bound WeChat (minsheng-admin staff bind-code, then 绑定工号)");
        else
            finish_row(sql, n.id, now, "delivered", "staff: " + ids);
    }
}

bool reserve_credit(statement_cache& sql, const std::string& openid, const std::string& template_id,
                    std::int64_t now) {
    statement_use s(
        sql.get("UPDATE mp_subscriptions SET credits = credits - 1, updated_at = ?3 "
                "WHERE openid = ?1 AND template_id = ?2 AND credits > 0"));
    s->bind(1, openid);
    s->bind(2, template_id);
    s->bind(3, now);
    return s->exec() == 1;
}

// Claims mini program rows, newest first so that the newest row of a case supersedes the older.
void claim_mp_rows(statement_cache& sql, std::int64_t now, std::int64_t limit,
                   const std::string& template_id, std::vector<due_notification>& out) {
    std::vector<due_notification> candidates;
    {
        statement_use s(sql.get(select_due_mp(sql.dialect())));
        s->bind(1, now);
        s->bind(2, limit);
        s->bind(3, template_id);
        while (s->executeStep()) candidates.push_back(read_due(*s));
    }
    std::set<std::pair<std::string, std::int64_t>> superseded;  // (user, case) claimed newer
    for (auto& d : candidates) {
        // Candidates come newest first: an older row of a (user, case) claimed in this round
        // was just marked dead below.
        if (d.n.case_id != 0 && superseded.count({d.n.to->user_id, d.n.case_id})) continue;
        if (!reserve_credit(sql, d.n.to->user_id, template_id, now)) continue;
        if (d.n.case_id != 0) superseded.insert({d.n.to->user_id, d.n.case_id});
        if (d.n.case_id != 0) {
            statement_use older(
                sql.get("UPDATE outbox SET status = 'dead', last_error = ?4, updated_at = ?3 WHERE "
                        "status = 'pending' AND to_channel = 'miniprogram' AND to_user = ?1 AND "
                        "case_id = ?2 AND id < ?5"));
            older->bind(1, d.n.to->user_id);
            older->bind(2, d.n.case_id);
            older->bind(3, now);
            older->bind(
                4, "superseded by notification " + std::to_string(d.n.id) + " about the same case");
            older->bind(5, d.n.id);
            older->exec();
        }
        d.openid = d.n.to->user_id;
        d.miniprogram = true;
        out.push_back(std::move(d));
    }
}

void change_credits(store& st, const std::string& openid, const std::string& template_id,
                    std::int64_t now, bool refund) {
    detail::raw_access::transact(
        st, refund ? "refund subscription" : "clear subscription", [&](statement_cache& sql) {
            statement_use s(sql.get(
                refund ? "UPDATE mp_subscriptions SET credits = credits + 1, updated_at = ?3 WHERE "
                         "openid = ?1 AND template_id = ?2"
                       : "UPDATE mp_subscriptions SET credits = 0, updated_at = ?3 WHERE "
                         "openid = ?1 AND template_id = ?2"));
            s->bind(1, openid);
            s->bind(2, template_id);
            s->bind(3, now);
            s->exec();
        });
}

}  // namespace

std::vector<due_notification> outbox_delivery::claim_due(std::int64_t now, std::size_t limit,
                                                         std::int64_t in_flight_seconds,
                                                         const delivery_routing& routing) {
    std::vector<due_notification> out;
    store_.transact("claim due notifications", [&](statement_cache& sql) {
        const auto max = clamp_limit(limit);
        fan_out_staff_rows(sql, now, max, routing);
        if (!routing.mp_template_id.empty())
            claim_mp_rows(sql, now, max, routing.mp_template_id, out);
        const auto mp = static_cast<std::int64_t>(out.size());
        if (mp < max) {
            statement_use s(sql.get(select_due(sql.dialect())));
            s->bind(1, now);
            s->bind(2, max - mp);
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
            if (d.n.to->from == dialog::channel::miniprogram) continue;  // resolved above
            resolve_recipient(sql, d);
            // A caller who bound the phone in the mini program only: a subscribe message when
            // they hold a credit, else the SMS.
            if (d.openid.empty() && d.n.audience != "phone_code" &&
                !routing.mp_template_id.empty()) {
                const auto bound = person_for_phone(sql, d.n.to->user_id, "miniprogram");
                if (!bound.empty() && reserve_credit(sql, bound, routing.mp_template_id, now)) {
                    d.openid = bound;
                    d.miniprogram = true;
                }
            }
        }
    });
    return out;
}

void outbox_delivery::refund_subscription(const std::string& openid, const std::string& template_id,
                                          std::int64_t now) {
    change_credits(store_, openid, template_id, now, true);
}

void outbox_delivery::clear_subscription(const std::string& openid, const std::string& template_id,
                                         std::int64_t now) {
    change_credits(store_, openid, template_id, now, false);
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

}  // namespace minsheng::adapters::db
