#include "adapters/db/shared_tokens.hpp"

#include <algorithm>
#include <mutex>

#include "adapters/db/detail/connection.hpp"

namespace minsheng::adapters::db {

using detail::guarded;
using detail::statement_use;

namespace {

// A write connection (the SQLite reader is read-only) on a database that has the table.
std::unique_ptr<sql::connection> open_shared(const std::string& location,
                                             const store_options& options) {
    auto c = detail::open_writer(location, options);
    const int version = guarded("read schema version", [&] { return detail::applied_version(*c); });
    if (version < 14)
        throw store_error("store: " + c->describe() +
                          " has no shared_tokens table; open it with a store first");
    return c;
}

}  // namespace

struct shared_tokens::impl {
    std::string location;
    store_options options;
    std::mutex mu;
    std::unique_ptr<sql::connection> db;  // guarded by mu; null after a broken connection
    std::unique_ptr<sql::statement> current, begin, abandon, publish, expire;

    void connect() {
        auto c = open_shared(location, options);
        guarded("prepare shared tokens", [&] {
            current = c->prepare(
                "SELECT value, expires_at FROM shared_tokens WHERE name = ?1 AND expires_at > ?2");
            // One statement: inserts the row with the lease, or takes the lease of an existing
            // row only if it has ended. A row comes back only to the caller that got the lease.
            begin = c->prepare(
                "INSERT INTO shared_tokens (name, value, expires_at, fetching_until)"
                " VALUES (?1, '', 0, ?3)"
                " ON CONFLICT (name) DO UPDATE SET fetching_until = excluded.fetching_until"
                " WHERE shared_tokens.fetching_until <= ?2 AND shared_tokens.expires_at < ?4"
                " RETURNING fetching_until");
            abandon = c->prepare("UPDATE shared_tokens SET fetching_until = 0 WHERE name = ?1");
            publish = c->prepare(
                "INSERT INTO shared_tokens (name, value, expires_at, fetching_until)"
                " VALUES (?1, ?2, ?3, 0)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value,"
                " expires_at = excluded.expires_at, fetching_until = 0");
            expire = c->prepare(
                "UPDATE shared_tokens SET expires_at = 0 WHERE name = ?1 AND value = ?2 AND "
                "expires_at > 0");
        });
        db = std::move(c);
    }

    // Runs `f` on the connection, opening it again first if the last one broke (a server
    // restart or an idle connection cut must not disable sharing for the process's lifetime).
    template <class F>
    decltype(auto) run(std::string_view operation, F&& f) {
        std::lock_guard lock(mu);
        if (!db) connect();
        try {
            return f();
        } catch (const sql::error& e) {
            if (e.what_kind == sql::error::kind::connection) {
                current.reset();
                begin.reset();
                abandon.reset();
                publish.reset();
                expire.reset();
                db.reset();
            }
            detail::throw_store_error(operation, e);
        }
    }
};

shared_tokens::shared_tokens(const std::string& location, const store_options& options)
    : impl_(std::make_unique<impl>()) {
    impl_->location = location;
    impl_->options = options;
    impl_->connect();
}

shared_tokens::~shared_tokens() = default;

std::optional<shared_value> shared_tokens::current(const std::string& name, std::int64_t now) {
    return impl_->run("read shared token", [&]() -> std::optional<shared_value> {
        statement_use s(*impl_->current);
        s->bind(1, name);
        s->bind(2, now);
        if (!s->executeStep()) return std::nullopt;
        shared_value v{s->getColumn(0).getString(), s->getColumn(1).getInt64()};
        if (v.value.empty()) return std::nullopt;
        return v;
    });
}

bool shared_tokens::try_begin_fetch(const std::string& name, std::int64_t now,
                                    std::int64_t lease_seconds, std::int64_t fresh_until) {
    return impl_->run("begin shared token fetch", [&] {
        statement_use s(*impl_->begin);
        s->bind(1, name);
        s->bind(2, now);
        s->bind(3, now + std::max<std::int64_t>(lease_seconds, 1));
        s->bind(4, fresh_until);
        const bool got = s->executeStep();
        while (got && s->executeStep()) {
        }
        return got;
    });
}

void shared_tokens::abandon_fetch(const std::string& name) {
    impl_->run("abandon shared token fetch", [&] {
        statement_use s(*impl_->abandon);
        s->bind(1, name);
        s->exec();
    });
}

void shared_tokens::publish(const std::string& name, const std::string& value,
                            std::int64_t expires_at) {
    impl_->run("publish shared token", [&] {
        statement_use s(*impl_->publish);
        s->bind(1, name);
        s->bind(2, value);
        s->bind(3, expires_at);
        s->exec();
    });
}

bool shared_tokens::expire_if(const std::string& name, const std::string& value) {
    return impl_->run("expire shared token", [&] {
        statement_use s(*impl_->expire);
        s->bind(1, name);
        s->bind(2, value);
        return s->exec() > 0;
    });
}

}  // namespace minsheng::adapters::db
