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

// 3: what the case service, volunteers, points, 微实事 proposals and notifications need. Every new
// cases column has a default that means "none" (0 or ''), so cases opened before keep working.
// From this version on, case_events.actor holds a person's "channel:user_id" where step 2 wrote
// "reporter"; old rows are left as they are.
constexpr std::string_view service = R"sql(
ALTER TABLE cases ADD COLUMN community        TEXT    NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN handling_mode    TEXT    NOT NULL DEFAULT '';  -- express|direct|station|''
ALTER TABLE cases ADD COLUMN handling_rule    TEXT    NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN deadline_at      INTEGER NOT NULL DEFAULT 0;   -- 0: none
ALTER TABLE cases ADD COLUMN remind_at        INTEGER NOT NULL DEFAULT 0;   -- 0: none
ALTER TABLE cases ADD COLUMN reminded_at      INTEGER NOT NULL DEFAULT 0;   -- 0: not yet
ALTER TABLE cases ADD COLUMN escalated_at     INTEGER NOT NULL DEFAULT 0;   -- 0: not yet
ALTER TABLE cases ADD COLUMN assignee         TEXT    NOT NULL DEFAULT '';  -- case worker id
ALTER TABLE cases ADD COLUMN claimer          TEXT    NOT NULL DEFAULT '';  -- "channel:user_id"
ALTER TABLE cases ADD COLUMN claim_expires_at INTEGER NOT NULL DEFAULT 0;   -- 0: no lease
ALTER TABLE cases ADD COLUMN merged_into      INTEGER NOT NULL DEFAULT 0;   -- a case id; 0: none
ALTER TABLE cases ADD COLUMN rating           INTEGER NOT NULL DEFAULT 0
    CHECK (rating BETWEEN 0 AND 5);                                         -- 0: not rated
ALTER TABLE cases ADD COLUMN rating_comment   TEXT    NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN proposal_id      INTEGER NOT NULL DEFAULT 0;   -- a proposal id; 0: none
ALTER TABLE cases ADD COLUMN closed_at        INTEGER NOT NULL DEFAULT 0;   -- 0: open

-- (status, kind) serves the status lists and the wish wall; it makes cases_by_status redundant.
DROP INDEX cases_by_status;
CREATE INDEX cases_by_status_kind ON cases (status, kind);
CREATE INDEX cases_by_community   ON cases (community);
CREATE INDEX cases_by_claimer     ON cases (claimer);
CREATE INDEX cases_by_merged_into ON cases (merged_into);
CREATE INDEX cases_by_proposal    ON cases (proposal_id);
-- The timers' sweeps; a query uses one of these only if it repeats the index's WHERE terms.
CREATE INDEX cases_remind_due ON cases (remind_at)        WHERE remind_at > 0 AND reminded_at = 0;
CREATE INDEX cases_overdue    ON cases (deadline_at)      WHERE deadline_at > 0 AND escalated_at = 0;
CREATE INDEX cases_claim_due  ON cases (claim_expires_at) WHERE claim_expires_at > 0;

-- Residents and volunteers, one row per (channel, user_id).
CREATE TABLE people (
    channel       TEXT    NOT NULL,
    user_id       TEXT    NOT NULL,
    name          TEXT    NOT NULL DEFAULT '',
    community     TEXT    NOT NULL DEFAULT '',
    phone         TEXT    NOT NULL DEFAULT '',  -- digits; '' when none
    volunteer     INTEGER NOT NULL DEFAULT 0 CHECK (volunteer IN (0, 1)),
    skills        TEXT    NOT NULL DEFAULT '',
    registered_at INTEGER NOT NULL DEFAULT 0,   -- 0: never registered as a volunteer
    updated_at    INTEGER NOT NULL,
    -- The person's points account in the ledger, for joining ledger rows to people.
    account       TEXT    GENERATED ALWAYS AS ('person:' || channel || ':' || user_id) VIRTUAL,
    PRIMARY KEY (channel, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX people_by_phone   ON people (phone, updated_at) WHERE phone <> '';
CREATE INDEX people_by_account ON people (account);

-- Points, double entry. A posting's `lines` entries (0 .. lines-1) sum to zero; the triggers
-- below refuse a posting that does not balance once its last line is written, and make the
-- ledger append-only.
CREATE TABLE ledger_postings (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    reason          TEXT    NOT NULL,
    case_id         INTEGER NOT NULL DEFAULT 0,  -- 0: not about a case
    idempotency_key TEXT    NOT NULL UNIQUE,
    lines           INTEGER NOT NULL CHECK (lines >= 2)
) STRICT;

CREATE INDEX ledger_postings_by_at ON ledger_postings (at);

CREATE TABLE ledger_entries (
    posting_id INTEGER NOT NULL REFERENCES ledger_postings (id),
    line       INTEGER NOT NULL CHECK (line >= 0),
    account    TEXT    NOT NULL CHECK (account <> ''),  -- "issued", "person:<channel>:<user_id>"
    amount     INTEGER NOT NULL,                        -- credit > 0, debit < 0
    PRIMARY KEY (posting_id, line)
) STRICT, WITHOUT ROWID;

-- Balance per account (covering), and the ranking's scan of the person accounts.
CREATE INDEX ledger_entries_by_account ON ledger_entries (account, amount);

CREATE TRIGGER ledger_entries_line_in_range BEFORE INSERT ON ledger_entries
WHEN NEW.line >= (SELECT lines FROM ledger_postings WHERE id = NEW.posting_id)
BEGIN
    SELECT RAISE(ABORT, 'ledger entry line beyond its posting');
END;

CREATE TRIGGER ledger_entries_balance AFTER INSERT ON ledger_entries
WHEN NEW.line + 1 = (SELECT lines FROM ledger_postings WHERE id = NEW.posting_id)
BEGIN
    SELECT RAISE(ABORT, 'ledger posting does not balance')
    WHERE (SELECT count(*) FROM ledger_entries WHERE posting_id = NEW.posting_id) <> NEW.line + 1
       OR (SELECT sum(amount) FROM ledger_entries WHERE posting_id = NEW.posting_id) <> 0;
END;

CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE ON ledger_postings
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER ledger_postings_no_delete BEFORE DELETE ON ledger_postings
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;

-- 微实事 proposals; numbers "YS" + YYYYMMDD + "-NNNN" come from case_numbers (prefix 'YS').
CREATE TABLE proposals (
    id          INTEGER PRIMARY KEY,
    number      TEXT    NOT NULL UNIQUE,
    channel     TEXT    NOT NULL,             -- the proposer
    user_id     TEXT    NOT NULL,
    community   TEXT    NOT NULL DEFAULT '',
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    threshold   INTEGER NOT NULL CHECK (threshold >= 0),
    status      TEXT    NOT NULL,             -- open | passed | expired | withdrawn
    votes       INTEGER NOT NULL DEFAULT 0,   -- kept equal to the proposal's rows in votes
    case_id     INTEGER NOT NULL DEFAULT 0,   -- the project case once passed; 0: none
    created_at  INTEGER NOT NULL,
    closes_at   INTEGER NOT NULL DEFAULT 0,   -- 0: never
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX proposals_by_status ON proposals (status, community);

CREATE TABLE votes (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    channel     TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    UNIQUE (proposal_id, channel, user_id)
) STRICT;

CREATE TRIGGER votes_count AFTER INSERT ON votes
BEGIN
    UPDATE proposals SET votes = votes + 1 WHERE id = NEW.proposal_id;
END;

-- Notifications written with the change that caused them; the outbox worker delivers them.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    audience        TEXT    NOT NULL,             -- resident|volunteer|voter|worker|supervisor
    to_channel      TEXT,                         -- NULL for staff audiences
    to_user         TEXT,                         -- NULL for staff audiences
    community       TEXT    NOT NULL DEFAULT '',
    template_key    TEXT    NOT NULL DEFAULT '',
    vars_json       TEXT    NOT NULL DEFAULT '{}',
    text            TEXT    NOT NULL,
    case_id         INTEGER NOT NULL DEFAULT 0,   -- 0: not about a case
    idempotency_key TEXT    NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    -- Delivery, owned by the outbox worker.
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    delivered_at    INTEGER NOT NULL DEFAULT 0,   -- 0: not delivered
    updated_at      INTEGER NOT NULL,
    CHECK ((to_channel IS NULL) = (to_user IS NULL))
) STRICT;

CREATE INDEX outbox_due     ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_case ON outbox (case_id);
)sql";

// 4: where a hotline case came from: the call ("<system>:<call id>") and the caller turns.
constexpr std::string_view case_sources = R"sql(
ALTER TABLE cases ADD COLUMN source_ref  TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN source_span TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_by_source_ref ON cases (source_ref) WHERE source_ref <> '';
)sql";

// 5: delivery state of the outbox worker. A customer-service message may reach a WeChat user
// only within 48 h of their last message and 5 times per such window (CONSTRAINTS.md §3): the
// last message comes from `messages`, the sends since it are counted here (a count belongs to
// the window that started at window_start; a newer message starts a new count).
constexpr std::string_view outbox_delivery = R"sql(
CREATE TABLE service_windows (
    channel      TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    window_start INTEGER NOT NULL,  -- received_at of the user's message that opened the window
    sends        INTEGER NOT NULL,  -- customer-service messages sent since window_start
    PRIMARY KEY (channel, user_id)
) STRICT, WITHOUT ROWID;

-- The user's latest message, for the window.
CREATE INDEX messages_by_user ON messages (channel, user_id, received_at);

-- How a delivered row went out ("customer_service", "template msgid=...", "sms").
ALTER TABLE outbox ADD COLUMN delivered_via TEXT NOT NULL DEFAULT '';
)sql";

// 6: the mini program, the case workers' console and Open311 (docs/miniprogram.md,
// docs/operator-api.md, docs/open311.md): where a case is, staff and their tokens, mini
// program sessions, the staff audit trail, and 驿站 service visits.
constexpr std::string_view console_and_miniprogram = R"sql(
ALTER TABLE cases ADD COLUMN lat REAL;  -- NULL: no coordinates
ALTER TABLE cases ADD COLUMN lng REAL;
CREATE INDEX cases_by_created  ON cases (created_at);
CREATE INDEX cases_by_assignee ON cases (assignee, status) WHERE assignee <> '';
-- Statistics count events by action in a window (claims, confirmations).
CREATE INDEX case_events_by_action ON case_events (action, at);

-- Case workers (a community, optionally a grid), supervisors (a street) and admins.
CREATE TABLE staff (
    id         TEXT    PRIMARY KEY,                 -- e.g. "w-dongcheng-01"
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('worker', 'supervisor', 'admin')),
    community  TEXT    NOT NULL DEFAULT '',         -- workers: their community
    grid       TEXT    NOT NULL DEFAULT '',         -- workers: their grid within it; '' whole
    street     TEXT    NOT NULL DEFAULT '',         -- supervisors: their street (街道)
    active     INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Bearer tokens, stored as the hex SHA-256 of the token: the token itself is shown once.
CREATE TABLE staff_tokens (
    token_hash TEXT    PRIMARY KEY,
    staff_id   TEXT    NOT NULL REFERENCES staff (id),
    label      TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,                    -- 0: never
    revoked_at INTEGER NOT NULL DEFAULT 0           -- 0: valid
) STRICT, WITHOUT ROWID;
CREATE INDEX staff_tokens_by_staff ON staff_tokens (staff_id);

-- What staff did that is not a case event (exports, token and staff changes, auto-assignment
-- runs). Case actions are in case_events. Append-only.
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    actor  TEXT    NOT NULL,                        -- "operator:<staff id>", "admin-cli", ...
    action TEXT    NOT NULL,
    target TEXT    NOT NULL DEFAULT '',
    detail TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Mini program sessions: the client holds an opaque token, the server keeps its SHA-256 and
-- the session_key code2session gave (never sent to the client).
CREATE TABLE mp_sessions (
    token_hash  TEXT    PRIMARY KEY,
    openid      TEXT    NOT NULL,
    unionid     TEXT    NOT NULL DEFAULT '',
    session_key TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX mp_sessions_by_openid  ON mp_sessions (openid);
CREATE INDEX mp_sessions_by_expiry  ON mp_sessions (expires_at);

-- 驿站 service visits: check-in, check-out, the minutes and points credited at check-out.
CREATE TABLE service_visits (
    id          INTEGER PRIMARY KEY,
    person      TEXT    NOT NULL,                   -- person_ref key
    station     TEXT    NOT NULL,
    activity    TEXT    NOT NULL DEFAULT '',
    checkin_at  INTEGER NOT NULL,
    checkout_at INTEGER NOT NULL DEFAULT 0,         -- 0: still checked in
    minutes     INTEGER NOT NULL DEFAULT 0,
    points      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX service_visits_one_open ON service_visits (person) WHERE checkout_at = 0;
CREATE INDEX service_visits_by_person ON service_visits (person, id);
CREATE INDEX service_visits_by_station ON service_visits (station, checkin_at);
)sql";

// 7: notifications for staff and mini program users (docs/notifications.md): the official-account
// user a staff member bound by chat (绑定工号), the one-time codes that bind them, and the mini
// program users' subscription credits (one accepted wx.requestSubscribeMessage, one message).
constexpr std::string_view staff_and_subscriptions = R"sql(
ALTER TABLE staff ADD COLUMN openid TEXT NOT NULL DEFAULT '';  -- '' : not bound
CREATE INDEX staff_by_openid ON staff (openid) WHERE openid <> '';

-- One-time binding codes, stored as the hex SHA-256 of the code: the code itself is shown once.
CREATE TABLE staff_bind_codes (
    code_hash  TEXT    PRIMARY KEY,
    staff_id   TEXT    NOT NULL REFERENCES staff (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER NOT NULL DEFAULT 0           -- 0: not used
) STRICT, WITHOUT ROWID;

CREATE TABLE mp_subscriptions (
    openid      TEXT    NOT NULL,
    template_id TEXT    NOT NULL,
    credits     INTEGER NOT NULL CHECK (credits >= 0),
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (openid, template_id)
) STRICT, WITHOUT ROWID;

-- The outbox worker picks staff rows (no recipient yet) and mini program rows by channel.
CREATE INDEX outbox_due_by_channel ON outbox (to_channel, next_attempt_at) WHERE status = 'pending';
)sql";

// 8: the timers' sweeps page through every due row (case_query::updated_before with after_id,
// unit_of_work::proposals_to_expire), and the per-person daily cap on proposals counts a
// proposer's proposals since the start of the day.
constexpr std::string_view sweeps_and_proposal_cap = R"sql(
-- Cases left done/confirmed since before a time (the auto-close sweep).
CREATE INDEX cases_by_status_updated ON cases (status, updated_at);
-- Open proposals past their closing time (the expiry sweep).
CREATE INDEX proposals_by_status_closes ON proposals (status, closes_at);
-- A proposer's proposals since a time (the daily cap).
CREATE INDEX proposals_by_proposer ON proposals (channel, user_id, created_at);
)sql";

// 9: least data and verified phones (docs/security.md). A case's public code makes its public
// reference (number-code) unguessable; raw messages are purged by received_at after the
// retention period; the mini program's session_key, never used, is no longer kept. A phone
// reaches its holder only once verified (by an SMS code, kept as a keyed hash, or by WeChat):
// phones bound before are kept as the person's own contact but verified by nobody.
constexpr std::string_view least_data = R"sql(
ALTER TABLE cases ADD COLUMN public_code TEXT NOT NULL DEFAULT '';
UPDATE cases SET public_code = lower(hex(randomblob(4)));
CREATE INDEX messages_by_time ON messages (received_at);
ALTER TABLE mp_sessions DROP COLUMN session_key;
CREATE INDEX staff_bind_codes_by_expiry ON staff_bind_codes (expires_at);

ALTER TABLE people ADD COLUMN phone_verified_at INTEGER NOT NULL DEFAULT 0;  -- 0: not verified
CREATE TABLE phone_codes (
    id         INTEGER PRIMARY KEY,
    channel    TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    phone      TEXT    NOT NULL,
    code_hash  TEXT    NOT NULL,                    -- keyed hash; the code is only in the SMS
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used_at    INTEGER NOT NULL DEFAULT 0           -- 0: not used
) STRICT;
CREATE INDEX phone_codes_by_person ON phone_codes (channel, user_id, id);
CREATE INDEX phone_codes_by_phone ON phone_codes (phone, created_at);
CREATE INDEX phone_codes_by_time ON phone_codes (created_at);
-- Verification SMS still holding their code (the retention sweep blanks them once sent).
CREATE INDEX outbox_phone_code_texts ON outbox (id) WHERE audience = 'phone_code' AND text <> '';
)sql";

// 10: vetted volunteers (docs/security.md). Registering is an application a community worker
// approves or refuses; only approved volunteers claim wishes and check in at stations. People
// who were volunteers before this step stay approved ("migration" decided): the friendly
// choice, listed in docs/security.md as a known risk with how to review them. A volunteer's
// releases and reveals are counted from case_events by actor and action.
constexpr std::string_view vetted_volunteers = R"sql(
ALTER TABLE people ADD COLUMN volunteer_status TEXT NOT NULL DEFAULT ''
    CHECK (volunteer_status IN ('', 'applied', 'approved', 'refused'));
ALTER TABLE people ADD COLUMN volunteer_number INTEGER NOT NULL DEFAULT 0;  -- "ZY<n>"; 0 none
ALTER TABLE people ADD COLUMN volunteer_decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN volunteer_decided_at INTEGER NOT NULL DEFAULT 0;
UPDATE people SET volunteer_status = 'approved', volunteer_decided_by = 'migration',
    volunteer_decided_at = registered_at
    WHERE volunteer = 1;
UPDATE people SET volunteer_number = (
    SELECT count(*) FROM people p2 WHERE p2.volunteer = 1 AND
        (p2.registered_at < people.registered_at OR (p2.registered_at = people.registered_at AND
         (p2.channel || ':' || p2.user_id) <= (people.channel || ':' || people.user_id))))
    WHERE volunteer = 1;
CREATE UNIQUE INDEX people_by_volunteer_number ON people (volunteer_number)
    WHERE volunteer_number > 0;
CREATE INDEX people_by_volunteer_status ON people (volunteer_status, volunteer_number)
    WHERE volunteer_number > 0;
CREATE INDEX case_events_by_actor ON case_events (actor, action, at);
)sql";

// 11: claims that cannot be hoarded, and done that needs the resident (docs/cases.md). The
// wishes a volunteer holds are counted by claimer; a case reported done records when its
// resident was told it will be confirmed automatically. The lease now covers in_progress too:
// wishes held in progress when this step runs get a fresh lease of the default 72 hours, so
// none goes back to the wall at the first sweep for a lease that never applied to it before.
constexpr std::string_view claims_and_confirmation = R"sql(
CREATE INDEX cases_held ON cases (claimer, status) WHERE claimer <> '';
ALTER TABLE cases ADD COLUMN confirm_notice_at INTEGER NOT NULL DEFAULT 0;  -- 0: not told
UPDATE cases SET claim_expires_at = max(claim_expires_at,
        CAST(strftime('%s', 'now') AS INTEGER) + 72 * 3600)
    WHERE status = 'in_progress' AND claimer <> '';
)sql";

// 12: one person, one vote (docs/security.md). A vote records every identity key of the voter
// (their "channel:user_id", "phone:<digits>" of their verified phone, "union:<unionid>"), each
// unique per proposal, so one human votes once whichever channel or account they use. Votes
// stored before keep counting and get the keys their voters have now. The mini program's
// unionid is kept on the person; a change of community is a move that cools down (or a worker
// confirms it) before it counts for votes; communities declared before count as settled.
constexpr std::string_view one_person_one_vote = R"sql(
ALTER TABLE people ADD COLUMN unionid TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN community_since INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN community_previous TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN community_move INTEGER NOT NULL DEFAULT 0;  -- 0: never moved
ALTER TABLE people ADD COLUMN community_confirmed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN community_confirmed_at INTEGER NOT NULL DEFAULT 0;
UPDATE people SET community_since = updated_at WHERE community <> '';
CREATE UNIQUE INDEX people_by_community_move ON people (community_move) WHERE community_move > 0;

CREATE TABLE vote_keys (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    key         TEXT    NOT NULL,  -- "wechat_oa:o…", "phone:139…", "union:o…"
    vote_id     INTEGER NOT NULL REFERENCES votes (id),
    PRIMARY KEY (proposal_id, key)
) STRICT, WITHOUT ROWID;
INSERT INTO vote_keys (proposal_id, key, vote_id)
    SELECT proposal_id, channel || ':' || user_id, id FROM votes;
-- Two votes by one verified phone before this step both stay; the phone's key goes to the first.
INSERT OR IGNORE INTO vote_keys (proposal_id, key, vote_id)
    SELECT v.proposal_id, 'phone:' || p.phone, v.id FROM votes v
    JOIN people p ON p.channel = v.channel AND p.user_id = v.user_id
    WHERE p.phone <> '' AND p.phone_verified_at > 0 ORDER BY v.id;
)sql";

// 13: presence for points (docs/security.md): how a volunteer proved being at the station at
// check-in and check-out, the minutes credited earlier in a run of back-to-back visits, and the
// index the day's cap on service minutes sums by. Visits from before this step keep '' proofs.
constexpr std::string_view station_presence = R"sql(
ALTER TABLE service_visits ADD COLUMN checkin_proof TEXT NOT NULL DEFAULT ''
    CHECK (checkin_proof IN ('', 'scene', 'location'));
ALTER TABLE service_visits ADD COLUMN checkout_proof TEXT NOT NULL DEFAULT ''
    CHECK (checkout_proof IN ('', 'scene', 'location', 'none'));
ALTER TABLE service_visits ADD COLUMN carried_minutes INTEGER NOT NULL DEFAULT 0;
CREATE INDEX service_visits_by_person_day ON service_visits (person, checkin_at);
)sql";

// 14: what several processes sharing one database need (issue 15, PostgreSQL; the same step is
// in the PostgreSQL baseline). `leases`: a named lease (a timer's sweep, the outbox worker) that
// one process holds until expires_at; another takes it over only once it has expired.
// `shared_tokens`: a credential every gateway uses (the WeChat access token), fetched by one of
// them: the one that sets fetching_until (a short lease) fetches, the others wait for the new
// value. Cases get a version for compare-and-set.
constexpr std::string_view leases_and_shared_tokens = R"sql(
CREATE TABLE leases (
    name       TEXT    PRIMARY KEY,  -- e.g. "sweep", "outbox"
    holder     TEXT    NOT NULL,     -- the process holding it (host:pid or a random id)
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE shared_tokens (
    name           TEXT    PRIMARY KEY,          -- e.g. "wechat_oa:<appid>"
    value          TEXT    NOT NULL,
    expires_at     INTEGER NOT NULL,
    fetching_until INTEGER NOT NULL DEFAULT 0    -- 0: nobody is fetching a new value
) STRICT, WITHOUT ROWID;

-- Bumped by every update of a case; an update names the version it read (compare-and-set
-- that holds across processes, unlike updated_at seconds).
ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
)sql";

// 16: grid workers (issue 16). A grid worker's patrol report of a resident in difficulty is a
// private case: workers handle it, and no wall, Open311 answer or public view shows it.
constexpr std::string_view grid_patrol = R"sql(
ALTER TABLE cases ADD COLUMN is_private INTEGER NOT NULL DEFAULT 0 CHECK (is_private IN (0, 1));
)sql";

// 18: 主动发现 (docs/discovery.md). Department files' rows keyed by the household's keyed hash
// ("id:<hmac hex>", never an ID number), links from a phone's keyed hash to the household, and
// the visits (入户核查) with their outcome. A row is imported once per (household, source,
// indicator, day): importing a file again changes nothing.
constexpr std::string_view discovery = R"sql(
CREATE TABLE discovery_records (
    id           INTEGER PRIMARY KEY,
    household    TEXT    NOT NULL,             -- "id:<hex HMAC-SHA256 of the ID number>"
    source       TEXT    NOT NULL,             -- the department, e.g. 医保
    indicator    TEXT    NOT NULL,
    day          TEXT    NOT NULL DEFAULT '',  -- YYYY-MM-DD; '' none
    amount_fen   INTEGER NOT NULL DEFAULT 0,
    community    TEXT    NOT NULL DEFAULT '',
    phone_masked TEXT    NOT NULL DEFAULT '',  -- 138****1234; never the number
    imported_at  INTEGER NOT NULL,
    UNIQUE (household, source, indicator, day)
) STRICT;

CREATE TABLE discovery_phone_links (
    phone_key TEXT    PRIMARY KEY,  -- "phone:<hex HMAC-SHA256 of the digits>"
    household TEXT    NOT NULL,
    source    TEXT    NOT NULL,     -- the department whose file linked them
    linked_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE discovery_visits (
    id        INTEGER PRIMARY KEY,
    household TEXT    NOT NULL,
    outcome   TEXT    NOT NULL CHECK (outcome IN ('granted', 'referred', 'not_needed')),
    staff_id  TEXT    NOT NULL,
    at        INTEGER NOT NULL
) STRICT;
CREATE INDEX discovery_visits_by_household ON discovery_visits (household, at);
)sql";

// 17: certificate requests answered from the city's list without a case (docs/certificates.md):
// one row per answered message, counted per item and China-time month ('YYYY-MM') in the
// statistics; escalated = 1 when the resident then still asked for the community's help and a
// case opened. A retried message (same source_key) is counted once.
constexpr std::string_view certificate_answers = R"sql(
CREATE TABLE certificate_answers (
    id          INTEGER PRIMARY KEY,
    source_key  TEXT    NOT NULL,   -- the answered message's dedup key ('' when it had none)
    item        TEXT    NOT NULL,   -- the list's item id ("residence")
    channel     TEXT    NOT NULL,
    month       TEXT    NOT NULL,   -- 'YYYY-MM', China time
    answered_at INTEGER NOT NULL,
    escalated   INTEGER NOT NULL DEFAULT 0 CHECK (escalated IN (0, 1))
) STRICT;
CREATE UNIQUE INDEX certificate_answers_once ON certificate_answers (source_key)
    WHERE source_key <> '';
CREATE INDEX certificate_answers_by_month ON certificate_answers (month, item);
)sql";

// 15: one problem, one case (issue 16): people who reported a problem that already had a case
// follow that case instead of opening another (dialog::case_follower): how they came, their own
// rating, and when they said it was not the same problem after all. The partial index serves
// the search for open cases a new appeal may duplicate (same kind and category, recent).
constexpr std::string_view case_followers = R"sql(
CREATE TABLE case_followers (
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    channel   TEXT    NOT NULL,
    user_id   TEXT    NOT NULL,
    joined_at INTEGER NOT NULL,
    via       TEXT    NOT NULL CHECK (via IN ('chat', 'hotline', 'mp', 'open311', 'merge')),
    rating    INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),  -- 0: not rated
    left_at   INTEGER NOT NULL DEFAULT 0,                                 -- 0: following
    PRIMARY KEY (case_id, channel, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX case_followers_by_person ON case_followers (channel, user_id, joined_at);
CREATE INDEX cases_open_by_category ON cases (kind, category, created_at) WHERE closed_at = 0;
)sql";

// 19: a certificate answer's community (the resident's, when known), so the statistics scope
// certificate figures like every other; and the monthly 主动发现 list (docs/discovery.md): the
// ranked households of each China-time month as the sweep computed them on its first working
// day, once (the month is the key), so supervisors see this month's list and how a household
// moved since the last.
constexpr std::string_view monthly_discovery = R"sql(
ALTER TABLE certificate_answers ADD COLUMN community TEXT NOT NULL DEFAULT '';
CREATE TABLE discovery_snapshots (
    month       TEXT    PRIMARY KEY,  -- 'YYYY-MM', China time
    computed_at INTEGER NOT NULL,
    households  INTEGER NOT NULL      -- rows kept in discovery_snapshot_rows
) STRICT;
CREATE TABLE discovery_snapshot_rows (
    month     TEXT    NOT NULL REFERENCES discovery_snapshots (month),
    household TEXT    NOT NULL,             -- the household's opaque key
    position  INTEGER NOT NULL,             -- 1: first in the month's list
    community TEXT    NOT NULL DEFAULT '',
    overlap   INTEGER NOT NULL,
    weight    REAL    NOT NULL,
    PRIMARY KEY (month, household)
) STRICT, WITHOUT ROWID;
)sql";

// 20: what a follower reported (dialog::followed_report as JSON, '' none), so that their own case
// can still be opened when the 12345 centre or a case worker says it is another problem; blanked
// when they leave the case and, by the retention sweep, once the case is closed.
constexpr std::string_view follower_reports = R"sql(
ALTER TABLE case_followers ADD COLUMN report TEXT NOT NULL DEFAULT '';
)sql";

// 21: where a case is, as the duplicate search finds it (dialog::case_draft::place: the core of
// its address, normalised), so that a report naming only its street finds that street's open
// case among any number of others by an index rather than by reading them all. Cases opened
// before have none (''): they are still found by community, coordinates or as the newest.
constexpr std::string_view case_places = R"sql(
ALTER TABLE cases ADD COLUMN place TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_open_by_place ON cases (place, kind, category, created_at)
    WHERE closed_at = 0 AND place <> '';
)sql";

constexpr std::array<migration, 21> steps{{
    {1, "messages_and_conversations", messages_and_conversations},
    {2, "cases", cases},
    {3, "service", service},
    {4, "case_sources", case_sources},
    {5, "outbox_delivery", outbox_delivery},
    {6, "console_and_miniprogram", console_and_miniprogram},
    {7, "staff_and_subscriptions", staff_and_subscriptions},
    {8, "sweeps_and_proposal_cap", sweeps_and_proposal_cap},
    {9, "least_data", least_data},
    {10, "vetted_volunteers", vetted_volunteers},
    {11, "claims_and_confirmation", claims_and_confirmation},
    {12, "one_person_one_vote", one_person_one_vote},
    {13, "station_presence", station_presence},
    {14, "leases_and_shared_tokens", leases_and_shared_tokens},
    {15, "case_followers", case_followers},
    {16, "grid_patrol", grid_patrol},
    {17, "certificate_answers", certificate_answers},
    {18, "discovery", discovery},
    {19, "monthly_discovery", monthly_discovery},
    {20, "follower_reports", follower_reports},
    {21, "case_places", case_places},
}};

}  // namespace

std::span<const migration> migrations() { return steps; }

int latest_schema_version() { return steps.back().version; }

}  // namespace minsheng::adapters::sqlite_store
