#include "adapters/sqlite_store/store.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "adapters/sqlite_store/detail/case_number.hpp"
#include "adapters/sqlite_store/detail/case_rows.hpp"
#include "adapters/sqlite_store/detail/connection.hpp"

namespace minsheng::adapters::sqlite_store {

namespace {

using detail::guarded;
using detail::statement_use;

constexpr const char* opened_status = "received";

class wall_clock final : public dialog::clock {
public:
    std::int64_t now() const override {
        using namespace std::chrono;
        return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    }
};

std::string channel_name(dialog::channel c) { return std::string(dialog::to_string(c)); }

const char* kind_name(dialog::inbound_kind k) {
    using dialog::inbound_kind;
    switch (k) {
        case inbound_kind::text:
            return "text";
        case inbound_kind::image:
            return "image";
        case inbound_kind::voice:
            return "voice";
        case inbound_kind::video:
            return "video";
        case inbound_kind::location:
            return "location";
        case inbound_kind::link:
            return "link";
        case inbound_kind::file:
            return "file";
        case inbound_kind::subscribe:
            return "subscribe";
        case inbound_kind::unsubscribe:
            return "unsubscribe";
        case inbound_kind::scan:
            return "scan";
        case inbound_kind::report_location:
            return "report_location";
        case inbound_kind::menu_click:
            return "menu_click";
        case inbound_kind::menu_view:
            return "menu_view";
        case inbound_kind::other_event:
            return "other_event";
    }
    return "other_event";
}

std::int64_t clamp_limit(std::size_t limit) {
    constexpr auto max = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(std::min(limit, max));
}

// Every statement the writer runs per message, prepared once on the write connection.
struct statements {
    explicit statements(SQLite::Database& db)
        : find_message(db, "SELECT reply FROM messages WHERE channel = ?1 AND dedup_key = ?2"),
          insert_message(db,
                         "INSERT INTO messages (channel, dedup_key, user_id, kind, text, "
                         "create_time, received_at, reply) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
          next_number(db,
                      "INSERT INTO case_numbers (prefix, day, seq) VALUES (?1, ?2, 1) "
                      "ON CONFLICT (prefix, day) DO UPDATE SET seq = seq + 1 RETURNING seq"),
          insert_case(db,
                      "INSERT INTO cases (number, channel, reporter_id, kind, category, "
                      "category_confidence, urgency, status, description, address, "
                      "contact_phone, source_key, created_at, updated_at) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13) "
                      "RETURNING id"),
          insert_event(db,
                       "INSERT INTO case_events (case_id, at, actor, action, from_status, "
                       "to_status, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
          cases_of(db, "SELECT " + std::string(detail::case_columns) +
                           " FROM cases WHERE channel = ?1 AND reporter_id = ?2"
                           " ORDER BY id DESC LIMIT ?3"),
          load_state(db, "SELECT state FROM conversations WHERE channel = ?1 AND user_id = ?2"),
          save_state(db,
                     "INSERT INTO conversations (channel, user_id, state, updated_at) "
                     "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (channel, user_id) DO UPDATE "
                     "SET state = excluded.state, updated_at = excluded.updated_at"),
          clear_state(db, "DELETE FROM conversations WHERE channel = ?1 AND user_id = ?2") {}

    SQLite::Statement find_message;
    SQLite::Statement insert_message;
    SQLite::Statement next_number;
    SQLite::Statement insert_case;
    SQLite::Statement insert_event;
    SQLite::Statement cases_of;
    SQLite::Statement load_state;
    SQLite::Statement save_state;
    SQLite::Statement clear_state;
};

// The unit of work handed to handle_once's callback: the writer's cached statements, inside the
// transaction handle_once holds. Lives on handle_once's stack, so it ends with the call.
class work final : public dialog::unit_of_work {
    // Runs one storage step as `operation`; any failure marks the whole unit of work failed.
    // (Defined before its uses so that its return type is deduced by then.)
    template <class F>
    decltype(auto) step(std::string_view operation, F&& f) {
        try {
            return guarded(operation, std::forward<F>(f));
        } catch (...) {
            failed_ = true;
            throw;
        }
    }

public:
    work(statements& sql, const dialog::clock& clock) : sql_(sql), clock_(clock) {}

    dialog::case_record open_case(const dialog::case_draft& d) override {
        return step("open case", [&] {
            dialog::case_record c;
            c.created_at = d.created_at != 0 ? d.created_at : clock_.now();
            std::string day;
            try {
                day = detail::china_day(c.created_at);
            } catch (const std::out_of_range&) {
                throw store_error("sqlite_store: open case failed: created_at is out of range");
            }
            std::int64_t sequence = 0;
            {
                statement_use s(sql_.next_number);
                s->bind(1, std::string(detail::case_number_prefix));
                s->bind(2, day);
                if (!s->executeStep())
                    throw store_error("sqlite_store: open case failed: no number allocated");
                sequence = s->getColumn(0).getInt64();
            }
            c.number = detail::case_number(day, sequence);
            c.from = d.from;
            c.reporter_id = d.reporter_id;
            c.kind = d.kind;
            c.category = d.category;
            c.category_confidence = d.category_confidence;
            c.urgency = d.urgency;
            c.status = opened_status;
            c.description = d.description;
            c.address = d.address;
            c.contact_phone = d.contact_phone;
            c.updated_at = c.created_at;
            {
                statement_use s(sql_.insert_case);
                s->bind(1, c.number);
                s->bind(2, channel_name(c.from));
                s->bind(3, c.reporter_id);
                s->bind(4, c.kind);
                s->bind(5, c.category);
                s->bind(6, c.category_confidence);
                s->bind(7, c.urgency);
                s->bind(8, c.status);
                s->bind(9, c.description);
                s->bind(10, c.address);
                s->bind(11, c.contact_phone);
                s->bind(12, d.source_key);
                s->bind(13, c.created_at);
                if (!s->executeStep())
                    throw store_error("sqlite_store: open case failed: no id returned");
                c.id = s->getColumn(0).getInt64();
            }
            {
                statement_use s(sql_.insert_event);
                s->bind(1, c.id);
                s->bind(2, c.created_at);
                s->bind(3, "reporter");
                s->bind(4, "opened");
                s->bind(5);  // no status before opening
                s->bind(6, c.status);
                s->bind(7, "");
                s->exec();
            }
            opened_.push_back(c);
            return c;
        });
    }

    std::vector<dialog::case_record> cases_of(dialog::channel from, const std::string& reporter_id,
                                              std::size_t limit) override {
        return step("list reporter cases", [&] {
            std::vector<dialog::case_record> out;
            if (limit == 0) return out;
            statement_use s(sql_.cases_of);
            s->bind(1, channel_name(from));
            s->bind(2, reporter_id);
            s->bind(3, clamp_limit(limit));
            while (s->executeStep()) out.push_back(detail::read_case(*s));
            return out;
        });
    }

    std::string load_state(dialog::channel from, const std::string& user_id) override {
        return step("load conversation state", [&] {
            statement_use s(sql_.load_state);
            s->bind(1, channel_name(from));
            s->bind(2, user_id);
            return s->executeStep() ? s->getColumn(0).getString() : std::string();
        });
    }

    void save_state(dialog::channel from, const std::string& user_id,
                    const std::string& state) override {
        step("save conversation state", [&] {
            if (state.empty()) {
                statement_use s(sql_.clear_state);
                s->bind(1, channel_name(from));
                s->bind(2, user_id);
                s->exec();
                return;
            }
            statement_use s(sql_.save_state);
            s->bind(1, channel_name(from));
            s->bind(2, user_id);
            s->bind(3, state);
            s->bind(4, clock_.now());
            s->exec();
        });
    }

    bool failed() const { return failed_; }
    std::vector<dialog::case_record> take_opened() { return std::move(opened_); }

private:
    statements& sql_;
    const dialog::clock& clock_;
    std::vector<dialog::case_record> opened_;
    bool failed_ = false;
};

}  // namespace

struct store::impl {
    impl(const std::string& p, store_options options)
        : path(p),
          clock(options.clock ? std::move(options.clock) : std::make_shared<wall_clock>()),
          db(detail::open_writer(p, options.busy_timeout_ms, options.full_sync)),
          version(detail::migrate(db, clock->now())),
          sql(guarded("prepare statements", [&] { return statements(db); })) {}

    std::string path;
    std::shared_ptr<const dialog::clock> clock;
    SQLite::Database db;
    int version;
    statements sql;
    bool in_transaction = false;
    bool in_batch = false;
};

store::store(const std::string& path) : store(path, store_options{}) {}

store::store(const std::string& path, store_options options)
    : impl_(std::make_unique<impl>(path, std::move(options))) {}

store::~store() = default;

int store::schema_version() const { return impl_->version; }

const std::string& store::path() const { return impl_->path; }

handled store::handle_once(dialog::channel from, const std::string& dedup_key,
                           const dialog::inbound_message& message,
                           const std::function<std::string(dialog::unit_of_work&)>& fn) {
    impl& m = *impl_;
    if (dedup_key.empty())
        throw std::invalid_argument("sqlite_store: handle_once needs a non-empty dedup key");
    if (m.in_transaction)
        throw store_error("sqlite_store: handle_once called from inside a unit of work");
    m.in_transaction = true;
    struct leave {
        bool& flag;
        ~leave() { flag = false; }
    } leave_transaction{m.in_transaction};

    const std::string ch = channel_name(from);
    // Inside a batch, each message is a savepoint of the batch's transaction; alone, it is its
    // own transaction. IMMEDIATE takes the write lock up front, so a second writer (the admin
    // tool, another process) waits for busy_timeout instead of failing on lock upgrade.
    std::optional<SQLite::Transaction> tx;
    struct savepoint {
        SQLite::Database* db = nullptr;
        bool released = false;
        ~savepoint() {
            if (!db || released) return;
            try {
                db->exec("ROLLBACK TO minsheng_message");
                db->exec("RELEASE minsheng_message");
            } catch (...) {
                // The batch's own rollback cleans up what this could not.
            }
        }
    } sp;
    if (m.in_batch) {
        guarded("handle message: savepoint", [&] { m.db.exec("SAVEPOINT minsheng_message"); });
        sp.db = &m.db;
    } else {
        guarded("handle message: begin",
                [&] { tx.emplace(m.db, SQLite::TransactionBehavior::IMMEDIATE); });
    }

    auto previous =
        guarded("handle message: look up dedup key", [&]() -> std::optional<std::string> {
            statement_use s(m.sql.find_message);
            s->bind(1, ch);
            s->bind(2, dedup_key);
            if (!s->executeStep()) return std::nullopt;
            return s->getColumn(0).getString();
        });
    if (previous) return handled{std::move(*previous), true, {}};  // tx rolls back: no writes

    work w(m.sql, *m.clock);
    std::string reply = fn(w);  // if it throws, tx rolls back
    if (w.failed())
        throw store_error(
            "sqlite_store: handle message failed: a storage step inside the unit of work failed");

    guarded("handle message: record message", [&] {
        statement_use s(m.sql.insert_message);
        s->bind(1, ch);
        s->bind(2, dedup_key);
        s->bind(3, message.user_id);
        s->bind(4, kind_name(message.kind));
        s->bind(5, message.text);
        s->bind(6, message.create_time);
        s->bind(7, m.clock->now());
        s->bind(8, reply);
        s->exec();
    });
    if (tx) {
        guarded("handle message: commit", [&] { tx->commit(); });
    } else {
        guarded("handle message: release", [&] { m.db.exec("RELEASE minsheng_message"); });
        sp.released = true;
    }
    return handled{std::move(reply), false, w.take_opened()};
}

void store::begin_batch() {
    impl& m = *impl_;
    if (m.in_batch || m.in_transaction)
        throw store_error("sqlite_store: begin batch failed: a batch or message is open");
    guarded("begin batch", [&] { m.db.exec("BEGIN IMMEDIATE"); });
    m.in_batch = true;
}

void store::commit_batch() {
    impl& m = *impl_;
    if (!m.in_batch) throw store_error("sqlite_store: commit batch failed: no batch is open");
    m.in_batch = false;
    try {
        guarded("commit batch", [&] { m.db.exec("COMMIT"); });
    } catch (...) {
        try {
            m.db.exec("ROLLBACK");
        } catch (...) {
            // Already rolled back by SQLite.
        }
        throw;
    }
}

void store::rollback_batch() noexcept {
    impl& m = *impl_;
    if (!m.in_batch) return;
    m.in_batch = false;
    try {
        m.db.exec("ROLLBACK");
    } catch (...) {
        // Nothing more to undo.
    }
}

}  // namespace minsheng::adapters::sqlite_store
