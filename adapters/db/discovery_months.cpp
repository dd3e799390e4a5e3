#include "adapters/db/discovery_months.hpp"

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/discovery_gather.hpp"
#include "adapters/db/detail/outbox_rows.hpp"
#include "adapters/db/detail/raw_access.hpp"
#include "adapters/db/detail/statement_cache.hpp"

namespace minsheng::adapters::db {

namespace dd = dialog::discovery;
using detail::guarded;
using detail::raw_access;
using detail::statement_cache;
using detail::statement_use;

std::optional<std::vector<dd::ranked>> keep_monthly_discovery(
    store& s, const discovery_keys& keys, const std::string& month, const dd::policy& policy,
    std::int64_t now,
    const std::function<std::vector<dialog::notification>(const std::vector<dd::ranked>&)>&
        notices) {
    std::optional<std::vector<dd::ranked>> out;
    raw_access::transact(s, "keep the monthly discovery list", [&](statement_cache& c) {
        {
            // The month's key first: another gateway's list of the same month makes this insert
            // wait for its commit and then do nothing.
            statement_use st(c.get(
                "INSERT INTO discovery_snapshots (month, computed_at, households) VALUES (?1, ?2, "
                "0) ON CONFLICT (month) DO NOTHING RETURNING month"));
            st->bind(1, month);
            st->bind(2, now);
            if (!st->executeStep()) return;  // kept before
        }
        auto ranked = dd::rank(detail::gather_discovery(c, keys, now - policy.window_seconds,
                                                        policy.repeated_wishes_from),
                               policy, now);
        for (std::size_t i = 0; i < ranked.size(); ++i) {
            const auto& r = ranked[i];
            statement_use st(
                c.get("INSERT INTO discovery_snapshot_rows (month, household, position, "
                      "community, overlap, weight) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
            st->bind(1, month);
            st->bind(2, r.key);
            st->bind(3, static_cast<std::int64_t>(i + 1));
            st->bind(4, r.community);
            st->bind(5, static_cast<std::int64_t>(r.overlap));
            st->bind(6, r.weight);
            st->exec();
        }
        {
            statement_use st(
                c.get("UPDATE discovery_snapshots SET households = ?2 WHERE month = ?1"));
            st->bind(1, month);
            st->bind(2, static_cast<std::int64_t>(ranked.size()));
            st->exec();
        }
        for (const auto& n : notices(ranked)) detail::enqueue(c, n, now);
        out = std::move(ranked);
    });
    return out;
}

std::optional<discovery_month> monthly_discovery(reader& r, const std::string& month) {
    return guarded("read the monthly discovery list", [&]() -> std::optional<discovery_month> {
        auto& c = raw_access::statements(r);
        discovery_month m;
        {
            statement_use st(c.get("SELECT computed_at FROM discovery_snapshots WHERE month = ?1"));
            st->bind(1, month);
            if (!st->executeStep()) return std::nullopt;
            m.month = month;
            m.computed_at = st->getColumn(0).getInt64();
        }
        statement_use st(
            c.get("SELECT household, position, community, overlap, weight FROM "
                  "discovery_snapshot_rows WHERE month = ?1 ORDER BY position"));
        st->bind(1, month);
        while (st->executeStep())
            m.entries.push_back({st->getColumn(0).getString(), st->getColumn(1).getInt64(),
                                 st->getColumn(2).getString(), st->getColumn(3).getInt64(),
                                 st->getColumn(4).getDouble()});
        return m;
    });
}

}  // namespace minsheng::adapters::db
