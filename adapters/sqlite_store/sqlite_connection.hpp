#pragma once
// The SQLite driver: sql::connection on SQLiteCpp, and how the store opens a SQLite file (WAL,
// synchronous FULL or NORMAL, foreign keys, private file modes).
//
// Thread-safety: as sql::connection (one thread at a time per connection).

#include <memory>
#include <string>

#include "adapters/sql/connection.hpp"

namespace minsheng::adapters::sqlite_store {

// Opens (creating if needed) the write connection on `path` (":memory:" allowed): WAL,
// synchronous FULL (`full_sync`) or NORMAL, foreign keys on, busy timeout, greatest()/least().
// A database file it creates is mode 0600 whatever the umask, and so are its -wal and -shm.
// Throws sql::error.
std::unique_ptr<sql::connection> open_writer(const std::string& path, int busy_timeout_ms,
                                             bool full_sync);

// Opens an existing file read-only (never creates it), with a busy timeout. Throws sql::error.
std::unique_ptr<sql::connection> open_reader(const std::string& path, int busy_timeout_ms);

// The connection's synchronous setting: "off", "normal", "full" or "extra". Throws sql::error.
std::string synchronous_mode(sql::connection& c);

// True when `location` names a SQLite database (anything but a postgres:// or postgresql:// URL).
bool is_sqlite_location(const std::string& location);

}  // namespace minsheng::adapters::sqlite_store
