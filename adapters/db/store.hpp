#pragma once
// SQLite persistence on SQLiteCpp: WAL mode, versioned migrations (migrations.hpp), one writer
// connection and any number of read-only reader connections on the same file.
//
// Thread-safety: a `store` is the single writer; call its methods from one thread at a time
// (the gateway's writer executor). A `reader` owns its own read-only connection; use one reader
// per thread at a time. Storage failures throw store_error, whose message names the operation
// and SQLite's reason, never row data.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/message.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::db {

namespace detail {
class statement_cache;
struct raw_access;
}  // namespace detail
class outbox_delivery;

struct store_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The outcome of handling one inbound message exactly once.
struct handled {
    std::string reply;       // the stored reply payload (opaque to the store)
    bool duplicate = false;  // true: the message was seen before; nothing new was written
    std::vector<dialog::case_record> opened;  // cases opened by this message (empty if duplicate)
};

// How hard a commit reaches the disk (SQLite's synchronous setting on the writer).
enum class durability {
    // synchronous=FULL: the -wal file is fsynced at every commit, so a committed (and then
    // acknowledged) message survives a power loss or OS crash. One fsync per commit (or batch).
    full,
    // synchronous=NORMAL: fsync at checkpoints only. A process crash loses nothing committed and
    // nothing is ever corrupted, but a power loss or OS crash can roll back the transactions
    // committed since the last checkpoint: messages already answered, which WeChat and the
    // hotline do not resend.
    normal,
};
// "full" | "normal", as a config file writes them.
std::string_view to_string(durability d);
// Parses to_string's names (exactly, lower case); nullopt for anything else.
std::optional<durability> durability_from_string(std::string_view name);

struct store_options {
    // How long a statement waits for a lock held by another connection (another process, or
    // a checkpoint) before failing with "database is locked". SQLite only.
    int busy_timeout_ms = 5000;
    // Full unless the operator chose otherwise: an acknowledged message must be on disk. On
    // PostgreSQL, normal turns synchronous_commit off for this store's transactions (the same
    // trade: a server crash can lose the last acknowledged commits, never corrupt anything).
    durability sync = durability::full;
    // PostgreSQL only: statement_timeout (0: the server's), and libpq's sslmode ("" : as the
    // URL says).
    int statement_timeout_ms = 0;
    std::string pg_sslmode;
    // Source of received_at / updated_at / applied_at, and of created_at for a case drafted
    // with created_at == 0. Null: the system clock.
    std::shared_ptr<const dialog::clock> clock;
};

class store {
public:
    // Opens or creates the database at `path` (":memory:" allowed), sets WAL, synchronous (from
    // options.sync), busy timeout and foreign keys, and applies pending migrations, each in its
    // own transaction. A database file the store creates is mode 0600 whatever the umask, and so
    // are its -wal and -shm files (an existing file keeps its mode; SQLite gives -wal and -shm
    // the database file's). Throws store_error, also when the database's schema is newer than
    // this build.
    explicit store(const std::string& path);
    store(const std::string& path, store_options options);
    ~store();
    store(const store&) = delete;
    store& operator=(const store&) = delete;

    // Schema version after migrations (number of migrations applied in total); equals
    // latest_schema_version().
    int schema_version() const;

    // The writer's synchronous setting as SQLite reports it (PRAGMA synchronous, read back once
    // at open): "full" or "normal" as configured ("off" or "extra" only if something else set
    // them). Fixed for the store's life: safe to call from any thread.
    const std::string& synchronous_mode() const;

    // Exactly-once handling of the message keyed (channel, dedup_key), in one transaction:
    // if the key was recorded before, returns its stored reply with duplicate=true and calls
    // nothing; otherwise calls `fn` with a unit_of_work, records the key, the message summary
    // and the payload `fn` returned, and commits. If `fn` or the store throws, nothing is kept
    // and the exception propagates (storage failures as store_error). The key is (`from`,
    // `dedup_key`); `message` supplies the summary stored with it (user, kind, text, time).
    //
    // Throws std::invalid_argument for an empty dedup_key (it would make unrelated messages
    // duplicates of each other).
    //
    // The unit_of_work is valid only during `fn`. Its methods throw store_error; if one fails
    // and `fn` swallows the error, handle_once still rolls back and throws store_error. Its
    // save_state with "" removes the user's state. Calling handle_once from inside `fn` throws
    // store_error.
    handled handle_once(dialog::channel from, const std::string& dedup_key,
                        const dialog::inbound_message& message,
                        const std::function<std::string(dialog::unit_of_work&)>& fn);

    // A unit of work that is not an inbound message (an operator action, the timer sweep): runs
    // `fn` in its own transaction, or as a savepoint of the open batch, and commits (releases)
    // it. If `fn` or the store throws, nothing is kept and the exception propagates. Calling it
    // from inside another unit of work throws store_error.
    void run(const std::function<void(dialog::unit_of_work&)>& fn);

    // run() for work one process at a time may do (the timer's sweep): on PostgreSQL the unit
    // first takes the transaction-scoped advisory lock named `name`; when another process holds
    // it, returns false at once and calls nothing. On SQLite the unit's write lock already keeps
    // other processes out; returns true once `fn` committed.
    bool run_alone(std::string_view name, const std::function<void(dialog::unit_of_work&)>& fn);

    // Group commit: between begin_batch() and commit_batch(), every handle_once runs as a
    // savepoint of one transaction, so many messages share one commit. A message whose fn
    // throws rolls back only itself. Nothing of the batch is durable until commit_batch()
    // returns: answer no message of the batch before then. commit_batch() throws store_error
    // (and rolls the whole batch back) if the commit fails; rollback_batch() discards it.
    void begin_batch();
    void commit_batch();
    void rollback_batch() noexcept;

    const std::string& path() const;

private:
    friend class outbox_delivery;
    friend struct detail::raw_access;
    // For the store's own operation files (outbox_delivery.cpp): runs `fn` with the write
    // connection's statements as one unit (its own transaction, or a savepoint of the open batch)
    // and commits it. If `fn` throws, nothing is kept; SQLite failures become store_error naming
    // `operation`. Refuses to nest inside another unit (store_error).
    void transact(const std::string& operation,
                  const std::function<void(detail::statement_cache&)>& fn);

    struct impl;
    std::unique_ptr<impl> impl_;
};

struct case_filter {
    std::optional<std::string> status;
    std::optional<std::string> kind;
    std::optional<std::string> category;
    std::optional<dialog::channel> from;
    std::size_t limit = 100;     // clamped to 1..1000
    std::int64_t before_id = 0;  // paging: only ids below this (<= 0: from the newest)
};

struct outbox_filter {
    std::optional<std::string> status;  // "pending" | "delivered" | "dead"
    std::optional<std::int64_t> case_id;
    std::size_t limit = 100;  // clamped to 1..1000; newest first
};

// An outbox row as the operator API shows it (delivery columns belong to the outbox worker).
struct outbox_row {
    dialog::notification n;
    std::string status;  // "pending" (also while being sent), "delivered", "dead"
    int attempts = 0;
    std::int64_t next_attempt_at = 0;
    std::string last_error;
    std::int64_t delivered_at = 0;
};

// Read side for the operator API; its own connection (read-only, WAL readers never block the
// writer and see each committed transaction whole). Not thread-safe: one reader per thread at a
// time; a reader may move between threads between calls.
class reader {
public:
    // Opens the existing database at `path` read-only; never creates it. Throws store_error if
    // the file is missing, has no schema yet (open a store on it first) or a newer schema.
    explicit reader(const std::string& path, int busy_timeout_ms = 5000);
    // The same on `location` (a file path or a PostgreSQL URL) with a store's connection options
    // (busy timeout; on PostgreSQL statement timeout and sslmode; the clock is not used).
    reader(const std::string& location, const store_options& options);
    ~reader();
    reader(const reader&) = delete;
    reader& operator=(const reader&) = delete;

    // Matching cases, newest (highest id) first, at most clamp(limit, 1, 1000) of them, ids
    // below before_id when it is positive. Throws store_error.
    std::vector<dialog::case_record> list_cases(const case_filter& filter);
    // nullopt when there is no such case. Throws store_error.
    std::optional<dialog::case_record> get_case(std::int64_t id);
    // By number as unit_of_work::find_case takes it: case-insensitive, dash optional.
    std::optional<dialog::case_record> get_case_by_number(const std::string& number);
    // All cases; or those matching the filter's status/kind/category/from (limit and before_id
    // are ignored). Throws store_error.
    std::int64_t count_cases();
    std::int64_t count_cases(const case_filter& filter);

    // The same queries the unit of work answers (dialog/ports.hpp), read-only, with the same
    // code. Throws store_error.
    std::vector<dialog::case_record> list_cases(const dialog::case_query& query);
    std::vector<dialog::case_event> events_of(std::int64_t case_id);
    std::vector<dialog::case_follower> followers_of(std::int64_t case_id);
    // The open cases that may be one problem with another (as unit_of_work's). Throws store_error.
    std::vector<dialog::case_record> duplicate_candidates(
        const dialog::duplicate_candidates_query& query);
    // The "detail" notes (what the reporter added: photos, words) of each case, oldest first, in
    // one query for a page of cases (at most 1000 ids). Throws store_error.
    std::map<std::int64_t, std::vector<std::string>> details_of(
        const std::vector<std::int64_t>& case_ids);
    std::optional<dialog::person> get_person(const dialog::person_ref& who);
    std::vector<dialog::person> list_volunteers(std::string_view status,
                                                const std::vector<std::string>& communities,
                                                std::size_t limit);
    // People whose last community move is unconfirmed and was made after `since` (still
    // cooling), of any of `communities` (empty: any), oldest move first, at most
    // clamp(limit, 0, 1000).
    std::vector<dialog::person> pending_community_moves(const std::vector<std::string>& communities,
                                                        std::int64_t since, std::size_t limit);
    std::vector<dialog::ranking_row> ranking(std::string_view community, std::int64_t since,
                                             std::int64_t until, std::size_t limit);
    std::int64_t balance(std::string_view account);
    std::optional<dialog::proposal> get_proposal(std::int64_t id);
    std::vector<dialog::proposal> open_proposals(std::string_view community, std::size_t limit);
    // Newest first, at most clamp(limit, 1, 1000) rows.
    std::vector<outbox_row> list_outbox(const outbox_filter& filter);
    // Rows with this status; every row for "".
    std::int64_t count_outbox(std::string_view status);

    // The same reads narrowed to a caller's communities (the operator API's scope); an empty
    // list gives nothing. The ranking counts the people of those communities; the proposals are
    // theirs. An outbox row is about the community of its case (as the case is now) or, when it
    // is about no case, the staff community it names; a person's notification about no case (a
    // proposal that expired) is about none. Throws store_error.
    std::vector<dialog::ranking_row> ranking_in(const std::vector<std::string>& communities,
                                                std::int64_t since, std::int64_t until,
                                                std::size_t limit);
    std::vector<dialog::proposal> open_proposals_in(const std::vector<std::string>& communities,
                                                    std::size_t limit);
    std::vector<outbox_row> list_outbox_in(const outbox_filter& filter,
                                           const std::vector<std::string>& communities);
    std::int64_t count_outbox_in(std::string_view status,
                                 const std::vector<std::string>& communities);
    // The person's 驿站 visits, newest first.
    std::vector<dialog::service_visit> visits_of(const dialog::person_ref& who, std::size_t limit);

private:
    friend struct detail::raw_access;
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace minsheng::adapters::db
