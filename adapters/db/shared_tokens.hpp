#pragma once
// A credential every gateway on one database uses (the WeChat access token), kept in one row of
// `shared_tokens` so that N gateways fetch it once instead of overwriting each other's tokens:
//
//   - current(): the value while it is valid (expires_at > now).
//   - try_begin_fetch(): a short lease on fetching a new value; one caller across all processes
//     gets it (one statement: an upsert that only takes a lease that has ended, on a value that
//     is not fresh).
//   - publish(): the new value; ends the lease.
//   - expire_if(): compare-and-expire: the row stops being valid only if it still holds the value
//     a call was refused with, so a late failure of an old token never discards a newer one.
//
// Its own connection (opened from a location like db::reader, on either engine), so it never
// waits on the writer's queue; a connection the server broke is opened again by the next call.
// Thread-safe (one mutex around the connection). Times are unix seconds. Throws store_error.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "adapters/db/store.hpp"

namespace minsheng::adapters::db {

struct shared_value {
    std::string value;
    std::int64_t expires_at = 0;
};

class shared_tokens {
public:
    // Opens a connection on an existing database (a store created its schema).
    shared_tokens(const std::string& location, const store_options& options);
    ~shared_tokens();
    shared_tokens(const shared_tokens&) = delete;
    shared_tokens& operator=(const shared_tokens&) = delete;

    // The value of `name` if it is valid at `now`.
    std::optional<shared_value> current(const std::string& name, std::int64_t now);
    // Takes the fetch lease of `name` until now + lease_seconds if nobody holds it (or the
    // holder's lease has ended) and its value expires before `fresh_until` (a value another
    // process published meanwhile is not fetched again); true for exactly one of any number of
    // concurrent callers.
    bool try_begin_fetch(const std::string& name, std::int64_t now, std::int64_t lease_seconds,
                         std::int64_t fresh_until);
    // Ends a lease without a new value (the fetch failed), so another process may try at once.
    void abandon_fetch(const std::string& name);
    // Stores the new value and ends the lease.
    void publish(const std::string& name, const std::string& value, std::int64_t expires_at);
    // Marks the value expired if it is still `value`; returns whether it did.
    bool expire_if(const std::string& name, const std::string& value);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace minsheng::adapters::db
