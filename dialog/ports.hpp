#pragma once
// The ports the dialog engine needs from the outside world. Implementations live in adapters/;
// dialog/ never includes them. One unit_of_work is one transaction: everything written through
// it commits together or not at all.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/message.hpp"

namespace minsheng::dialog {

// A person on a channel: a resident, a volunteer or both. `key()` is "channel:user_id", the form
// stored wherever a person is referred to in text columns (claimer, actor, ledger account).
struct person_ref {
    channel from = channel::wechat_oa;
    std::string user_id;

    std::string key() const;  // "wechat_oa:oAbc..."
    // Parses key(); nullopt for anything else.
    static std::optional<person_ref> parse(std::string_view key);
    friend bool operator==(const person_ref&, const person_ref&) = default;
};

// What the program knows about a person. Created on first need (registration, phone binding).
struct person {
    person_ref who;
    std::string name;       // how they asked to be called; "" when not given
    std::string community;  // e.g. "东城社区"; "" when unknown
    std::string phone;      // bound phone, digits; "" when none
    // When `phone` was verified (an SMS code sent back, or WeChat's getPhoneNumber); 0: not
    // verified. Only a verified phone is reached by 12345 and Open311 notices of that number, and
    // one phone is verified by one person at a time.
    std::int64_t phone_verified_at = 0;
    // An approved volunteer: may claim wishes and check in at 驿站 stations. True only while
    // volunteer_status is "approved".
    bool volunteer = false;
    std::string skills;              // free text as given, "" when none
    std::int64_t registered_at = 0;  // when they applied to volunteer; 0 never
    // The volunteer application (docs/security.md, "vetted volunteers"): "" never applied,
    // "applied" (waiting for a community worker), "approved" or "refused"; its number (shown
    // to staff as "ZY<n>"; 0 none), who decided ("operator:<staff id>", "worker:<staff id>", or
    // "migration" for volunteers registered before applications existed) and when.
    std::string volunteer_status;
    std::int64_t volunteer_number = 0;
    std::string volunteer_decided_by;
    std::int64_t volunteer_decided_at = 0;
    // WeChat's unionid (the same human across the official account and the mini program of one
    // open-platform account), as the mini program's login last gave it; "" when none.
    std::string unionid;
    // When `community` was declared (0: unknown, declared before this was recorded). A change of
    // community (not the first declaration) is a move: it gets a number (community_move, never
    // reused; 0 when the person never moved) and counts for votes and proposals only after the
    // cooling period or once a worker of the new community confirms it (docs/security.md, "one
    // person, one vote"). A new move clears the confirmation of the one before.
    std::int64_t community_since = 0;
    std::string community_previous;  // the community before the last move; "" none
    std::int64_t community_move = 0;
    std::string community_confirmed_by;  // "operator:<id>" / "worker:<id>"; "" not confirmed
    std::int64_t community_confirmed_at = 0;
    std::int64_t updated_at = 0;
};

// A point on the map (WGS-84 degrees), as the mini program or an Open311 client sends it.
struct geo_point {
    double lat = 0.0;  // -90..90
    double lng = 0.0;  // -180..180
    friend bool operator==(const geo_point&, const geo_point&) = default;
};

// Case statuses (the `status` column). The lifecycle is in dialog/cases/lifecycle.hpp.
//   received accepted assigned claimed in_progress done confirmed closed cancelled merged

struct case_draft {
    channel from = channel::wechat_oa;
    std::string reporter_id;  // openid, or caller phone for the hotline
    std::string kind;         // "wish" | "project" | "complaint" | "consultation"
    std::string category;     // one of the seven departments, "" when unsure
    double category_confidence = 0.0;
    std::string urgency;          // "urgent" | "normal"
    std::string description;      // as the resident wrote it (stored; masked in views)
    std::string address;          // as extracted, "" when none
    std::string contact_phone;    // digits, "" when none
    std::string source_key;       // dedup key of the message that opened it
    std::int64_t created_at = 0;  // unix seconds
    // Filled by the case service before the store sees the draft:
    std::string community;  // "" when unknown
    std::string
        handling_mode;  // "express" (速递) | "direct" (直达) | "station" (驿站) | "" (workers)
    std::string handling_rule;     // name of the rule that chose the mode (shown to operators)
    std::int64_t deadline_at = 0;  // 0: none
    std::int64_t remind_at = 0;    // 0: none
    std::int64_t proposal_id = 0;  // the 微实事 proposal this project came from; 0 none
    std::string source_ref;        // hotline: "<system>:<call id>"; "" otherwise
    std::string source_span;       // hotline: where in the call, e.g. "turns 2-4"; "" otherwise
    std::optional<geo_point> location;  // where, when the channel sent coordinates
    // A private case (a grid worker's report of a resident in difficulty): handled by workers
    // only, never on the wish wall, Open311 or any public view.
    bool is_private = false;
    // Where, as the duplicate search finds it (duplicate_candidates_query::place): the
    // cases::place_core of its address as the intake understood it, normalised (Simplified);
    // "" none. Stored, never shown.
    std::string place;
};

// One case. Numbers: "WX" + YYYYMMDD + "-NNNN" for wishes (the public wish number), "MS..." for
// every other kind; the store allocates them per prefix and China-time day.
struct case_record {
    std::int64_t id = 0;
    // The store's row version, bumped by every update: update_case of a record succeeds only if
    // the case is still at the version this record was read at (across processes too).
    std::int64_t version = 0;
    std::string number;  // e.g. "MS20261123-0007", "WX20261123-0002"
    channel from = channel::wechat_oa;
    std::string reporter_id;
    std::string kind;
    std::string category;
    double category_confidence = 0.0;
    std::string urgency;
    std::string status;  // see the list above; "received" at opening
    std::string description;
    std::string address;
    std::string contact_phone;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;

    std::string community;
    std::string handling_mode;
    std::string handling_rule;
    std::int64_t deadline_at = 0;
    std::int64_t remind_at = 0;
    std::int64_t reminded_at = 0;   // when the reminder went out; 0 not yet
    std::int64_t escalated_at = 0;  // when the overdue escalation went out; 0 not yet
    std::string assignee;           // case worker id; "" none
    std::string claimer;            // person_ref::key() of the volunteer holding the claim; "" none
    std::int64_t claim_expires_at = 0;  // lease end while claimed; 0 none
    std::int64_t merged_into = 0;       // the case this one was merged into; 0 none
    int rating = 0;                     // 1..5 once rated; 0 not rated
    std::string rating_comment;
    std::int64_t proposal_id = 0;
    std::int64_t closed_at = 0;  // when it reached closed/cancelled/merged; 0 open
    std::string source_ref;      // as in case_draft
    std::string source_span;
    std::optional<geo_point> location;  // as in case_draft (set at opening only)
    std::string public_code;            // 8 random hex digits, set by the store at opening
    // When the resident was told that the case, reported done, will be confirmed automatically
    // unless they answer; 0: not told (or the case left done since). The sweep confirms only
    // cases told long enough ago.
    std::int64_t confirm_notice_at = 0;
    bool is_private = false;  // as in case_draft (set at opening only)
};

// What anyone follows a case by (/public/v1/cases/{ref}): "<number>-<public code>", e.g.
// "WX20261123-0002-3f9a0c1e". The number alone is sequential and can be walked; the code cannot.
inline std::string public_ref(const case_record& c) { return c.number + "-" + c.public_code; }

// One line of a case's audit trail. Never updated or deleted.
struct case_event {
    std::int64_t id = 0;  // assigned by the store
    std::int64_t case_id = 0;
    std::int64_t at = 0;
    std::string actor;   // "system", "operator:<name>", "worker:<id>", or a person_ref::key()
    std::string action;  // "opened", "accept", "claim", "release", "lease_expired", ... (lifecycle)
    std::string from_status;  // "" when none (opening)
    std::string to_status;    // "" when the status did not change (a note, a detail, a reminder)
    std::string note;         // why; free text (masked in views)
};

// Which cases to list. Every set field narrows the result; the result is ordered by id, newest
// first unless oldest_first, at most `limit` rows. A store may return fewer than `limit` (the
// SQLite store at most 1000 per call): to see every match, page on with before_id (newest first)
// or after_id (oldest_first) from the last id returned until a page comes back empty.
struct case_query {
    std::vector<std::string> statuses;  // any of these; empty: any status
    std::optional<std::string> kind;
    std::optional<std::string> category;
    std::optional<std::string> community;
    std::vector<std::string> handling_modes;  // any of these; empty: any mode
    std::optional<person_ref> reporter;
    std::optional<std::string> claimer;            // person_ref::key()
    std::optional<std::int64_t> merged_into;       // cases merged into this id
    std::optional<std::int64_t> remind_due_at;     // remind_at in (0, t] and reminded_at == 0
    std::optional<std::int64_t> overdue_at;        // deadline_at in (0, t) and escalated_at == 0
    std::optional<std::int64_t> claim_expired_at;  // claim_expires_at in (0, t]
    std::optional<std::int64_t> proposal_id;
    std::optional<channel> from;           // the channel the case came in on
    std::vector<std::string> communities;  // community any of these; empty: any community
    std::optional<std::string> assignee;   // assignee == this ("" : unassigned)
    std::optional<std::int64_t> late_at;   // deadline_at in (0, t) and not closed/cancelled/
                                           // merged/done/confirmed: overdue now, escalated or not
    std::optional<std::int64_t> created_since;       // created_at >= this
    std::optional<std::int64_t> created_until;       // created_at < this
    std::optional<std::string> source_ref;           // source_ref == this
    std::vector<std::string> numbers;                // number any of these; empty: any number
    std::optional<std::int64_t> updated_before;      // updated_at < this
    std::optional<bool> confirm_noticed;             // confirm_notice_at > 0 (true) or = 0 (false)
    std::optional<std::int64_t> confirm_noticed_by;  // confirm_notice_at in (0, t]
    std::optional<bool> is_private;                  // private cases only (true) or none (false)
    std::int64_t before_id = 0;                      // paging: only ids below this (<= 0: no bound)
    std::int64_t after_id = 0;                       // paging: only ids above this (<= 0: no bound)
    bool oldest_first = false;
    std::size_t limit = 100;
};

// Points (爱心积分), double entry: every posting's entries sum to zero. Accounts are text:
//   "issued"                     the program's issuance account (goes negative as points go out)
//   "person:<person_ref::key()>" a volunteer's points
struct ledger_entry {
    std::string account;
    std::int64_t amount = 0;  // points; credit > 0, debit < 0
};
struct ledger_posting {
    std::int64_t id = 0;  // assigned by the store
    std::int64_t at = 0;
    std::string reason;           // "wish_confirmed", "service_hours", ...
    std::int64_t case_id = 0;     // 0 when not about a case
    std::string idempotency_key;  // unique; a second posting with the same key is ignored
    std::vector<ledger_entry> entries;
};
struct ranking_row {
    person_ref who;
    std::string name;
    std::int64_t points = 0;
};

// A 微实事 proposal: residents of one community propose a small public project and vote on it.
struct proposal_draft {
    person_ref proposer;
    std::string community;
    std::string title;        // short, as proposed
    std::string description;  // as proposed
    int threshold = 0;        // votes needed to pass
    std::int64_t created_at = 0;
    std::int64_t closes_at = 0;  // voting ends; 0 never
};
struct proposal {
    std::int64_t id = 0;
    std::string number;  // "YS" + YYYYMMDD + "-NNNN"
    person_ref proposer;
    std::string community;
    std::string title;
    std::string description;
    int threshold = 0;
    std::string status;  // "open" | "passed" | "expired" | "withdrawn"
    std::int64_t votes = 0;
    std::int64_t case_id = 0;  // the project case once passed
    std::int64_t created_at = 0;
    std::int64_t closes_at = 0;
    std::int64_t updated_at = 0;
};

// A 驿站 service visit: a volunteer checks in at a station and out again; the hours between are
// credited to the ledger at check-out ("service_hours", once per visit).
struct service_visit {
    std::int64_t id = 0;  // assigned by the store
    person_ref who;
    std::string station;   // station code (program_settings::stations)
    std::string activity;  // what they came to do, free text; "" none
    std::int64_t checkin_at = 0;
    std::int64_t checkout_at = 0;  // 0 while checked in
    std::int64_t minutes = 0;      // credited minutes (set at check-out)
    std::int64_t points = 0;       // points credited (set at check-out)
    // How the volunteer showed they were at the station (docs/security.md, "presence for
    // points"): "scene" (the station's QR code) or "location" (near it); "" for visits from
    // before presence was asked. At check-out also "none": closed without presence, nothing
    // credited. "" while checked in.
    std::string checkin_proof;
    std::string checkout_proof;
    // Minutes credited to the visits this one continues (a check-in soon after a check-out),
    // counted against the longest visit: back-to-back visits do not restart it.
    std::int64_t carried_minutes = 0;
};

// The case a follower's own filing would have opened, as it stood when it joined another case.
struct followed_report {
    case_draft draft;
    std::vector<std::string> attachments;  // "[图片] media:<id>", added as their detail lines
};

// Someone who reported a problem that already had a case and follows that case instead of a
// new one (one problem, one case: dialog/cases/duplicates.hpp): they hear its progress as its
// reporter does and give their own rating. At most one row per case and person.
struct case_follower {
    std::int64_t case_id = 0;
    person_ref who;
    std::int64_t joined_at = 0;
    std::string via;           // how they came: "chat" | "hotline" | "mp" | "open311" | "merge"
    int rating = 0;            // their own rating 1..5 once given; 0 not rated
    std::int64_t left_at = 0;  // when they said it is not the same problem; 0 following
    // What they reported, kept so that their own case can still be opened if it turns out to be
    // another problem (the 12345 centre or a case worker says so: dialog/intake/same_problem.hpp,
    // split_follower): the case draft their filing was about to open and the details they
    // attached. Empty for followers by a merge and rows from before it was kept.
    std::optional<followed_report> report;
};

// Open cases that may be the problem a new appeal reports (dialog/cases/duplicates.hpp decides):
// not done, closed, cancelled or merged, of `kind` and `category`, opened at or after `since`, and
// in `community` or within the box of `radius_m` around `near` (either one when both are set; any
// place when neither is). Newest first, at most `limit` (a store may return fewer).
struct duplicate_candidates_query {
    std::string kind = "complaint";  // a wish or a project is one person's or one vote's
    std::string category;
    std::string community;  // "" : not by community
    std::optional<geo_point> near;
    // "" : not by place. Otherwise the cases opened with this place (case_draft::place, equal),
    // or with place_also ("" none), are candidates too, as well as those by community or near.
    // With none of community, near and place: every place.
    std::string place;
    std::string place_also;
    double radius_m = 250.0;
    std::int64_t since = 0;
    std::size_t limit = 20;
};

// A message to a person or to staff, written in the same transaction as the change that caused
// it; delivered later by the outbox worker (another module). Text is already rendered from
// templates/; `template_key` and `vars` let a channel that needs structured fields (a WeChat
// template message) build them.
struct notification {
    std::int64_t id = 0;           // assigned by the store
    std::string audience;          // "resident" | "volunteer" | "voter" | "worker" | "supervisor"
    std::optional<person_ref> to;  // the person; nullopt for staff (audience + community say who)
    std::string community;         // for staff audiences: whose community; "" all
    std::string template_key;      // e.g. "notify/case_claimed"
    std::string vars_json;         // the template's vars as a JSON object
    std::string text;              // rendered
    std::int64_t case_id = 0;      // 0 when not about a case
    std::string idempotency_key;   // unique; enqueueing the same key twice keeps the first
    std::int64_t created_at = 0;
};

// A one-time code sent by SMS to verify a phone (绑定手机 on the official account). The code is
// only in the SMS; the store keeps its keyed hash (code_book::hash).
struct phone_code {
    std::int64_t id = 0;  // assigned by the store
    person_ref who;
    std::string phone;  // digits
    std::string code_hash;
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;
    int attempts = 0;          // wrong codes sent against it
    std::int64_t used_at = 0;  // 0: not used
};

// Makes one-time codes and keeps them as keyed hashes (the gateway's: OpenSSL randomness and
// HMAC-SHA256 with the server's secret, so a copy of the database cannot be searched for the
// codes). Immutable; thread-safe.
class code_book {
public:
    virtual ~code_book() = default;
    // Six random decimal digits.
    virtual std::string new_code() const = 0;
    // The keyed hash of `code` for `phone` (the phone salts it): lower-case hex.
    virtual std::string hash(std::string_view phone, std::string_view code) const = 0;
};

// Staff binding codes (绑定工号): eight digits, kept as code_book::hash(staff_code_scope, code) so
// that they share the phone codes' secret but never collide with a phone's.
inline constexpr std::size_t staff_code_digits = 8;
inline constexpr std::string_view staff_code_scope = "staff";

// What became of a code sent with "绑定工号": the staff member the user now receives staff
// notifications as, or why not.
struct staff_binding {
    enum class outcome {
        bound,              // staff_name is who
        unknown_code,       // not issued, used already, or expired
        too_many_attempts,  // this user sent too many wrong codes lately; try again tomorrow
    } result = outcome::unknown_code;
    std::string staff_name;
};

// A staff member as the conversation sees them, when their WeChat is bound (绑定工号).
struct bound_staff {
    std::string id;
    std::string name;
    std::string role;       // "worker" | "supervisor" | "admin"
    std::string community;  // workers: their community
    std::string street;     // supervisors: their street (街道)
};

// Writes and reads inside the current transaction. Called from one thread at a time.
// Implementations throw on storage failure; the caller's transaction then rolls back.
// Methods returning bool report a lost race or a uniqueness conflict; they never throw for it.
class unit_of_work {
public:
    virtual ~unit_of_work() = default;

    // ---- cases
    // Opens a case with status "received", allocating its number ("WX…" for kind "wish", else
    // "MS…"), and writes its "opened" event (actor: the reporter's person_ref key). The returned
    // record is what was stored.
    virtual case_record open_case(const case_draft& draft) = 0;
    // The reporter's cases, newest first.
    virtual std::vector<case_record> cases_of(channel from, const std::string& reporter_id,
                                              std::size_t limit) = 0;
    virtual std::optional<case_record> get_case(std::int64_t id) = 0;
    // By its number, case-insensitive ("wx20261123-0001" finds WX20261123-0001); the dash may
    // be missing ("WX202611230001").
    virtual std::optional<case_record> find_case(std::string_view number) = 0;
    virtual std::vector<case_record> list_cases(const case_query& query) = 0;
    // Writes every mutable field of `updated` (status, community, handling_*, deadline/remind,
    // reminded_at, escalated_at, assignee, claimer, claim_expires_at, merged_into, rating,
    // rating_comment, closed_at, updated_at, description, address, contact_phone, category,
    // confirm_notice_at)
    // if the stored case still has status `expected_status` and updated_at `expected_updated_at`
    // (compare-and-set) and the version `updated` was read at (case_record::version). Returns
    // false and writes nothing when any differs.
    virtual bool update_case(const case_record& updated, std::string_view expected_status,
                             std::int64_t expected_updated_at) = 0;
    // Appends the event (at 0: stamped now); returns the id the store gave it.
    virtual std::int64_t add_event(const case_event& event) = 0;
    // Oldest first.
    virtual std::vector<case_event> events_of(std::int64_t case_id) = 0;
    // How many events `actor` wrote with `action` at or after `since`, over every case.
    virtual std::int64_t count_events_by(std::string_view actor, std::string_view action,
                                         std::int64_t since) = 0;

    // How many wishes `claimer` (person_ref::key()) holds: claimed or in progress.
    virtual std::int64_t count_held_claims(std::string_view claimer) = 0;
    // When claims of `claimer` ended without being done, at or after `since`, oldest first: their
    // own releases, and the expiries of their leases (the system's lease_expired right after
    // their claim). A release by an operator is not theirs.
    virtual std::vector<std::int64_t> dropped_claims(std::string_view claimer,
                                                     std::int64_t since) = 0;

    // ---- people
    virtual std::optional<person> get_person(const person_ref& who) = 0;
    // Insert or replace by `who`.
    virtual void save_person(const person& p) = 0;
    // The person who verified this phone (digits), if any; the most recently verified when
    // several (the service keeps it to one).
    virtual std::optional<person> find_person_by_phone(std::string_view phone) = 0;

    // ---- volunteer applications
    // The number the next volunteer application gets (one more than the highest given).
    virtual std::int64_t next_volunteer_number() = 0;
    // The person whose volunteer application has this number.
    virtual std::optional<person> find_volunteer(std::int64_t number) = 0;
    // People whose volunteer_status is `status` ("" any application), of any of `communities`
    // (empty: any), oldest application first, at most `limit` (a store may return fewer).
    virtual std::vector<person> list_volunteers(std::string_view status,
                                                const std::vector<std::string>& communities,
                                                std::size_t limit) = 0;

    // ---- community moves
    // The number the next move gets (one more than the highest given).
    virtual std::int64_t next_community_move() = 0;
    // The person whose last move has this number, confirmed or not.
    virtual std::optional<person> find_community_move(std::int64_t number) = 0;

    // ---- phone verification
    // Records a code sent; returns the id the store gave it.
    virtual std::int64_t add_phone_code(const phone_code& code) = 0;
    // The newest code sent for `who`, used or not, if any.
    virtual std::optional<phone_code> latest_phone_code(const person_ref& who) = 0;
    // Writes attempts and used_at of the code `code.id`.
    virtual void update_phone_code(const phone_code& code) = 0;
    // Codes sent to `phone` / for `who` at or after `since`.
    virtual std::int64_t count_phone_codes_to(std::string_view phone, std::int64_t since) = 0;
    virtual std::int64_t count_phone_codes_for(const person_ref& who, std::int64_t since) = 0;

    // ---- staff
    // Binds the official-account user `who` to the active staff member holding the one-time
    // code whose keyed hash is `code_hash` (case_service::staff_code_hash; "" for a code that is
    // not even well formed) if it is unused and unexpired at `now`; the code is then used up. A
    // wrong code counts against `who` (a few a day are allowed).
    virtual staff_binding bind_staff(std::string_view code_hash, const person_ref& who,
                                     std::int64_t now) = 0;
    // The active staff member whose WeChat `who` is (bound with 绑定工号), if any.
    virtual std::optional<bound_staff> staff_of(const person_ref& who) = 0;

    // ---- points ledger
    // Throws std::invalid_argument if the entries do not sum to zero, are fewer than two, or an
    // account is empty. Returns false (and writes nothing) if the idempotency key was used.
    virtual bool post(const ledger_posting& posting) = 0;
    virtual std::int64_t balance(std::string_view account) = 0;
    // Volunteers of `community` ("" = everyone) by points credited in [since, until), highest
    // first, then by the earliest credit; at most limit rows. Only "person:" accounts count.
    virtual std::vector<ranking_row> ranking(std::string_view community, std::int64_t since,
                                             std::int64_t until, std::size_t limit) = 0;

    // ---- 微实事 proposals and votes
    virtual proposal create_proposal(const proposal_draft& draft) = 0;  // status "open"
    virtual std::optional<proposal> get_proposal(std::int64_t id) = 0;
    virtual std::optional<proposal> find_proposal(std::string_view number) = 0;  // like find_case
    // Open proposals of a community ("" = all), newest first.
    virtual std::vector<proposal> open_proposals(std::string_view community, std::size_t limit) = 0;
    // Open proposals whose voting time is over (closes_at in (0, at]) with ids above after_id,
    // lowest id first, at most `limit` (a store may return fewer, as list_cases): page on from
    // the last id returned until a page comes back empty.
    virtual std::vector<proposal> proposals_to_expire(std::int64_t at, std::int64_t after_id,
                                                      std::size_t limit) = 0;
    // How many proposals `proposer` made at or after `since`, whatever became of them.
    virtual std::int64_t count_proposals(const person_ref& proposer, std::int64_t since) = 0;
    // Writes status, case_id and updated_at if the stored status is still expected_status.
    virtual bool update_proposal(const proposal& updated, std::string_view expected_status) = 0;
    // Records one vote with every identity key of the voter (voter.key() among them, see
    // cases/identity.hpp), each unique per proposal; false, nothing written, if any of the keys
    // voted on the proposal already. Updates `votes`.
    virtual bool add_vote(std::int64_t proposal_id, const person_ref& voter,
                          const std::vector<std::string>& keys, std::int64_t at) = 0;
    virtual std::vector<person_ref> voters(std::int64_t proposal_id) = 0;

    // ---- 驿站 service visits
    // The person's visit that is checked in and not yet out, if any (at most one).
    virtual std::optional<service_visit> open_visit(const person_ref& who) = 0;
    // Records a check-in (checkout_at 0) and returns it with its id; false-free: the caller
    // checks open_visit first (the store refuses a second open visit with store_error).
    virtual service_visit start_visit(const service_visit& v) = 0;
    // Records the check-out of visit `closed.id` (checkout_at, minutes, points, checkout_proof)
    // if it is still open; false (nothing written) if not.
    virtual bool finish_visit(const service_visit& closed) = 0;
    // The person's visits, newest first.
    virtual std::vector<service_visit> visits_of(const person_ref& who, std::size_t limit) = 0;
    // The minutes credited to the person's checked-out visits that checked in within
    // [since, until): what a day's cap on service minutes counts.
    virtual std::int64_t credited_minutes(const person_ref& who, std::int64_t since,
                                          std::int64_t until) = 0;

    // ---- followers (one problem, one case)
    // Records `f` (joined_at, via; rating and left_at as given); false, nothing written, when
    // the person already has a row on the case (following or left).
    virtual bool add_follower(const case_follower& f) = 0;
    // The case's followers, left or not, in the order they joined.
    virtual std::vector<case_follower> followers_of(std::int64_t case_id) = 0;
    // Stamps left_at if the person follows the case; false otherwise (nothing written).
    virtual bool leave_case(std::int64_t case_id, const person_ref& who, std::int64_t at) = 0;
    // Records a follower's own rating (1..5) if they follow the case and have not rated it;
    // false otherwise (nothing written).
    virtual bool rate_followed(std::int64_t case_id, const person_ref& who, int rating) = 0;
    // The rows of the cases `who` follows or followed, newest joined first, at most `limit`.
    virtual std::vector<case_follower> followed_by(const person_ref& who, std::size_t limit) = 0;
    // Open cases that may be the same problem as a new appeal (duplicate_candidates_query).
    virtual std::vector<case_record> duplicate_candidates(
        const duplicate_candidates_query& query) = 0;

    // ---- outbox
    // Returns false (keeping the first) when the idempotency key was enqueued before.
    virtual bool enqueue(const notification& n) = 0;

    // ---- certificates answered from the city's list (statistics: requests answered without a
    // case, per item and month). A store without them counts nothing.
    // One answer to the message `source_key` about item `item`; a retried message counts once.
    virtual void count_certificate_answer(std::string_view /*item*/, channel /*from*/,
                                          std::string_view /*source_key*/, std::int64_t /*at*/) {}
    // The resident still needed the community's help after that answer: it opened a case.
    virtual void certificate_answer_escalated(std::string_view /*source_key*/) {}

    // ---- conversation state
    // Per-user conversation state, opaque to the store ("" when none).
    virtual std::string load_state(channel from, const std::string& user_id) = 0;
    virtual void save_state(channel from, const std::string& user_id, const std::string& state) = 0;
};

// Time source, so tests can fix the clock.
class clock {
public:
    virtual ~clock() = default;
    virtual std::int64_t now() const = 0;  // unix seconds
};

}  // namespace minsheng::dialog
