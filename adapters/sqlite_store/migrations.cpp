#include "adapters/sqlite_store/migrations.hpp"

#include <array>

namespace minsheng::adapters::sqlite_store {

namespace {

// Conventions for every step:
// - STRICT tables (SQLite >= 3.37), so a column holds the type it says.
// - Times are unix seconds (INTEGER). Channels are the names from dialog::to_string(channel).
// - Free text is stored as given; masking happens in views and logs, never here.
// - Ids are INTEGER PRIMARY KEY (the rowid); nothing is deleted from cases or case_events, so
//   ids are never reused.

// 1: the inbound message log, which doubles as the exactly-once ledger, and per-user dialog state.
constexpr std::string_view messages_and_conversations = R"sql(
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    channel     TEXT    NOT NULL,
    dedup_key   TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    text        TEXT    NOT NULL DEFAULT '',
    create_time INTEGER NOT NULL,  -- as the platform said
    received_at INTEGER NOT NULL,  -- when the store recorded it
    reply       TEXT    NOT NULL,  -- the payload answered, opaque; replayed to duplicates
    UNIQUE (channel, dedup_key)
) STRICT;

CREATE TABLE conversations (
    channel    TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    state      TEXT    NOT NULL,   -- opaque to the store; no row means no state
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (channel, user_id)
) STRICT, WITHOUT ROWID;
)sql";

// 2: cases, their audit trail, and the per-day number counters.
constexpr std::string_view cases = R"sql(
CREATE TABLE cases (
    id                  INTEGER PRIMARY KEY,
    number              TEXT    NOT NULL UNIQUE,  -- e.g. MS20261123-0007
    channel             TEXT    NOT NULL,
    reporter_id         TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    category            TEXT    NOT NULL DEFAULT '',
    category_confidence REAL    NOT NULL DEFAULT 0,
    urgency             TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    address             TEXT    NOT NULL DEFAULT '',
    contact_phone       TEXT    NOT NULL DEFAULT '',
    source_key          TEXT    NOT NULL DEFAULT '',  -- dedup key of the opening message
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
) STRICT;

-- Each index also orders by id (the rowid is the last key), which serves "newest first".
CREATE INDEX cases_by_reporter ON cases (channel, reporter_id);
CREATE INDEX cases_by_status   ON cases (status);
CREATE INDEX cases_by_kind     ON cases (kind);
CREATE INDEX cases_by_category ON cases (category);
CREATE INDEX cases_by_channel  ON cases (channel);

CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,  -- "reporter", "worker:<id>", "system", ...
    action      TEXT    NOT NULL,  -- "opened", ...
    from_status TEXT,              -- NULL when the case had no status yet
    to_status   TEXT,              -- NULL when the status did not change
    note        TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX case_events_by_case ON case_events (case_id, id);

-- The last sequence number (seq) handed out per number prefix and China-time day (YYYYMMDD).
CREATE TABLE case_numbers (
    prefix TEXT    NOT NULL,
    day    TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (prefix, day)
) STRICT, WITHOUT ROWID;
)sql";

constexpr std::array<migration, 2> steps{{
    {1, "messages_and_conversations", messages_and_conversations},
    {2, "cases", cases},
}};

}  // namespace

std::span<const migration> migrations() { return steps; }

int latest_schema_version() { return static_cast<int>(steps.size()); }

}  // namespace minsheng::adapters::sqlite_store
