#pragma once
// SQLite persistence on SQLiteCpp: WAL mode, versioned migrations, one writer connection.
//
// Thread-safety: a `store` is the single writer; call its methods from one thread at a time
// (the gateway's writer executor). A `reader` owns its own read-only connection; use one reader
// per thread. Storage failures throw store_error (message says what failed, never row data).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dialog/message.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::sqlite_store {

struct store_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The outcome of handling one inbound message exactly once.
struct handled {
    std::string reply;       // the stored reply payload (opaque to the store)
    bool duplicate = false;  // true: the message was seen before; nothing new was written
    std::vector<dialog::case_record> opened;  // cases opened by this message (empty if duplicate)
};

class store {
public:
    // Opens or creates the database at `path` (":memory:" allowed), sets WAL, busy timeout and
    // foreign keys, and applies pending migrations. Throws store_error.
    explicit store(const std::string& path);
    ~store();
    store(const store&) = delete;
    store& operator=(const store&) = delete;

    // Schema version after migrations (number of migrations applied in total).
    int schema_version() const;

    // Exactly-once handling of the message keyed (channel, dedup_key), in one transaction:
    // if the key was recorded before, returns its stored reply with duplicate=true and calls
    // nothing; otherwise calls `fn` with a unit_of_work, records the key, the message summary
    // and the payload `fn` returned, and commits. If `fn` or the store throws, nothing is kept.
    handled handle_once(dialog::channel from, const std::string& dedup_key,
                        const dialog::inbound_message& message,
                        const std::function<std::string(dialog::unit_of_work&)>& fn);

    const std::string& path() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

struct case_filter {
    std::optional<std::string> status;
    std::optional<std::string> kind;
    std::optional<std::string> category;
    std::optional<dialog::channel> from;
    std::size_t limit = 100;   // at most 1000
    std::int64_t before_id = 0;  // paging: only ids below this (0 = from the newest)
};

// Read side for the operator API; its own connection (read-only, WAL readers never block the
// writer). Not thread-safe: one reader per thread.
class reader {
public:
    explicit reader(const std::string& path);
    ~reader();
    reader(const reader&) = delete;
    reader& operator=(const reader&) = delete;

    std::vector<dialog::case_record> list_cases(const case_filter& filter);
    std::optional<dialog::case_record> get_case(std::int64_t id);
    std::optional<dialog::case_record> get_case_by_number(const std::string& number);
    std::int64_t count_cases();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace minsheng::adapters::sqlite_store
