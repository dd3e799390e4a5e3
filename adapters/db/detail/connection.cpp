#include "adapters/db/detail/connection.hpp"

#include <span>
#include <vector>

#include "adapters/pg_store/pg_connection.hpp"
#include "adapters/pg_store/schema.hpp"
#include "adapters/sqlite_store/migrations.hpp"
#include "adapters/sqlite_store/sqlite_connection.hpp"

namespace minsheng::adapters::db::detail {

namespace {

std::string quoted(const std::string& path) { return "'" + path + "'"; }

// One schema step as both engines' lists give it.
struct step {
    int version;
    std::string_view name;
    std::string_view sql;
};

std::vector<step> steps_of(sql::dialect d) {
    std::vector<step> out;
    if (d == sql::dialect::sqlite) {
        for (const auto& m : sqlite_store::migrations()) out.push_back({m.version, m.name, m.sql});
    } else {
        for (const auto& m : pg_store::migrations()) out.push_back({m.version, m.name, m.sql});
    }
    return out;
}

int latest_of(const std::vector<step>& steps) { return steps.empty() ? 0 : steps.back().version; }

[[noreturn]] void throw_newer(int found, int latest) {
    throw store_error("store: the database has schema version " + std::to_string(found) +
                      ", newer than this build understands (" + std::to_string(latest) +
                      "); run a newer minsheng or use another database");
}

// Checks the recorded steps against the known ones and returns how many are applied.
int checked_version(sql::connection& c) {
    if (applied_version(c) == 0) return 0;
    const auto steps = steps_of(c.dialect());
    const int latest = latest_of(steps);
    // The recorded steps are the first of the known steps, in order (versions may skip a number
    // while branches that each add a step are merged).
    auto rows = c.prepare("SELECT version, name FROM schema_migrations ORDER BY version");
    std::size_t applied = 0;
    while (rows->executeStep()) {
        const int version = rows->getColumn(0).getInt();
        if (version > latest) throw_newer(version, latest);
        if (applied >= steps.size())
            throw store_error("store: schema_migrations records more steps than this build knows");
        const auto& known = steps[applied];
        if (version > known.version)
            throw store_error("store: schema_migrations is missing version " +
                              std::to_string(known.version));
        if (version != known.version)
            throw store_error("store: schema version " + std::to_string(version) +
                              " in the database is unknown to this build; the database comes "
                              "from another branch");
        if (rows->getColumn(1).getString() != known.name)
            throw store_error("store: schema version " + std::to_string(version) +
                              " in the database is not '" + std::string(known.name) +
                              "' as this build knows it; the database comes from another branch");
        ++applied;
    }
    return applied == 0 ? 0 : steps[applied - 1].version;
}

// Rolls back an open transaction unless it was committed.
class write_transaction {
public:
    explicit write_transaction(sql::connection& c) : c_(c) { c_.begin_write(); }
    ~write_transaction() {
        if (open_) {
            try {
                c_.exec("ROLLBACK");
            } catch (...) {
                // The connection is gone or the engine rolled back already.
            }
        }
    }
    write_transaction(const write_transaction&) = delete;
    write_transaction& operator=(const write_transaction&) = delete;
    void commit() {
        c_.exec("COMMIT");
        open_ = false;
    }

private:
    sql::connection& c_;
    bool open_ = true;
};

}  // namespace

void throw_store_error(std::string_view operation, const sql::error& e) {
    std::string message = "store: ";
    message += operation;
    message += " failed: ";
    message += e.what();
    throw store_error(message);
}

bool is_postgres(const std::string& location) { return pg_store::is_postgres_url(location); }

std::unique_ptr<sql::connection> open_pg(const std::string& location,
                                         const store_options& options) {
    pg_store::pg_options o;
    o.url = location;
    o.statement_timeout_ms = options.statement_timeout_ms;
    o.sslmode = options.pg_sslmode;
    auto c = guarded("open database " + pg_store::describe_url(location),
                     [&] { return pg_store::connect(o); });
    if (options.sync == durability::normal)
        guarded("configure database", [&] { c->exec("SET synchronous_commit = off"); });
    return c;
}

std::unique_ptr<sql::connection> open_writer(const std::string& location,
                                             const store_options& options) {
    if (is_postgres(location)) return open_pg(location, options);
    return guarded("open database " + quoted(location), [&] {
        return sqlite_store::open_writer(location, options.busy_timeout_ms,
                                         options.sync == durability::full);
    });
}

std::string synchronous_mode(sql::connection& c) {
    if (c.dialect() == sql::dialect::sqlite) return sqlite_store::synchronous_mode(c);
    // PostgreSQL's synchronous_commit, named as the store's durability: "on" (and the remote
    // levels, which wait for at least the local flush) is full, "off" is normal; "local" too
    // flushes locally before answering.
    auto s = c.prepare("SELECT current_setting('synchronous_commit')");
    const std::string mode = s->executeStep() ? s->getColumn(0).getString() : "unknown";
    if (mode == "off") return "normal";
    if (mode == "on" || mode == "local" || mode == "remote_write" || mode == "remote_apply")
        return "full";
    return mode;
}

std::unique_ptr<sql::connection> open_reader(const std::string& location,
                                             const store_options& options) {
    std::unique_ptr<sql::connection> c;
    if (is_postgres(location)) {
        c = open_pg(location, options);
    } else {
        c = guarded("open reader on " + quoted(location),
                    [&] { return sqlite_store::open_reader(location, options.busy_timeout_ms); });
    }
    const int version = guarded("read schema version of " + quoted(c->describe()),
                                [&] { return checked_version(*c); });
    if (version == 0)
        throw store_error("store: " + quoted(c->describe()) +
                          " has no schema; open it with a store first");
    return c;
}

int applied_version(sql::connection& c) {
    const bool exists =
        c.dialect() == sql::dialect::sqlite
            ? sql::query_int64(c,
                               "SELECT count(*) FROM sqlite_master "
                               "WHERE type = 'table' AND name = 'schema_migrations'") > 0
            : sql::query_int64(c,
                               "SELECT count(*) FROM pg_catalog.pg_tables "
                               "WHERE schemaname = current_schema() "
                               "AND tablename = 'schema_migrations'") > 0;
    if (!exists) return 0;
    return static_cast<int>(
        sql::query_int64(c, "SELECT coalesce(max(version), 0) FROM schema_migrations"));
}

int migrate(sql::connection& c, std::int64_t now) {
    int version = guarded("read schema version", [&] { return checked_version(c); });
    const bool sqlite = c.dialect() == sql::dialect::sqlite;
    for (const auto& known : steps_of(c.dialect())) {
        if (known.version <= version) continue;
        const std::string operation =
            "migration " + std::to_string(known.version) + " (" + std::string(known.name) + ")";
        version = guarded(operation, [&] {
            write_transaction tx(c);
            // SQLite's BEGIN IMMEDIATE holds the write lock; on PostgreSQL a transaction-scoped
            // advisory lock makes gateways starting together migrate one after the other.
            if (!sqlite) c.exec("SELECT pg_advisory_xact_lock(7346001)");
            // Another process may have migrated between our check and taking the lock.
            const int current = checked_version(c);
            if (current >= known.version) return current;
            c.exec(sqlite ? "CREATE TABLE IF NOT EXISTS schema_migrations ("
                            " version INTEGER PRIMARY KEY,"
                            " name TEXT NOT NULL,"
                            " applied_at INTEGER NOT NULL) STRICT"
                          : "CREATE TABLE IF NOT EXISTS schema_migrations ("
                            " version BIGINT PRIMARY KEY,"
                            " name TEXT NOT NULL,"
                            " applied_at BIGINT NOT NULL)");
            c.exec(known.sql);
            auto record = c.prepare(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
            record->bind(1, known.version);
            record->bind(2, known.name);
            record->bind(3, now);
            record->exec();
            tx.commit();
            return known.version;
        });
    }
    return version;
}

}  // namespace minsheng::adapters::db::detail
