#pragma once
// The program's operations on cases, volunteers, points and proposals, each applied through one
// unit_of_work (one transaction): the lifecycle table (lifecycle.hpp), the handling rules
// (handling.hpp), deadlines on the PRC calendar (deadline.hpp), the audit trail, and every
// notification the change causes, written to the outbox in the same transaction.
//
// Used by the conversation (residents and volunteers by chat), the operator API and the timer
// sweep. Holds only immutable state: share one instance across threads; each call runs inside
// the caller's transaction.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/cases/calendar.hpp"
#include "dialog/cases/deadline.hpp"
#include "dialog/cases/geo.hpp"
#include "dialog/cases/handling.hpp"
#include "dialog/cases/identity.hpp"
#include "dialog/cases/lifecycle.hpp"
#include "dialog/cases/work_orders.hpp"
#include "dialog/cases/working_hours.hpp"
#include "dialog/ports.hpp"
#include "dialog/templates.hpp"

namespace minsheng::dialog::cases {

// A 驿站 (service station) where volunteers check in and out of service activities.
struct station {
    std::string code;       // unique, e.g. "dc-01"; what check-in names
    std::string name;       // e.g. "东城社区党群服务驿站"
    std::string community;  // e.g. "东城社区"
    std::string address;    // a public place; shown as is
    std::optional<geo_point> location;
    // The scene of the station's parametric QR code, posted at the station: scanning it is proof
    // of presence. Not guessable (the gateway derives it from the server secret, or it is
    // configured); "" : the station has no code.
    std::string scene;
};

// What a volunteer shows to prove they are at a station: the scene of the QR code they scanned
// there, and/or where their phone says it is. Either one that fits the station is enough.
struct presence {
    std::string scene;
    std::optional<geo_point> location;
};

struct program_settings {
    deadline_policy deadlines = deadline_policy::defaults();
    handling_rules rules = handling_rules::defaults();
    // A claim (claimed or in progress) with nothing happening for this long returns the wish to
    // the wall.
    std::int64_t claim_lease_seconds = 72 * 3600;
    // Claims cannot be hoarded (docs/security.md, "vetted volunteers"): a volunteer holds at most
    // max_active_claims wishes at a time (claimed or in progress), and one who dropped
    // max_dropped_claims claims (released them, or let their lease run out) within
    // claim_drop_window_seconds claims again only once the oldest of them leaves the window.
    // 0 or less: no limit.
    int max_active_claims = 3;
    int max_dropped_claims = 3;
    std::int64_t claim_drop_window_seconds = 24 * 3600;
    // Points credited to the claimer when the resident confirms a claimed wish done.
    std::int64_t points_per_wish = 10;
    // Votes that pass a 微实事 proposal, and how long it stays open for votes.
    int proposal_threshold = 5;
    std::int64_t proposal_voting_seconds = 30 * 86400;
    // Proposals one person may make per China-time calendar day (00:00–24:00 UTC+8), whatever
    // became of them; more are refused (refusal::daily_limit). 0 or less: no limit.
    int max_proposals_per_day = 5;
    // One person, one vote (docs/security.md): a vote needs the voter's verified phone (so one
    // human is one voter across channels), and a resident who moved to another community votes
    // and proposes there only after this long, or once a worker of the new community confirms
    // the move. The first community a person declares counts at once.
    bool votes_need_verified_phone = true;
    std::int64_t community_cooling_seconds = 30 * 86400;
    // Ratings at or below this reopen the case instead of closing it.
    int low_rating = 2;
    // Done needs the resident: a case reported done whose resident can answer in chat or the
    // mini program (cases::asks_resident) waits for their 确认/评价/未解决. The resident is told
    // confirm_notice_seconds before auto_confirm_seconds have passed that it will be confirmed
    // automatically; it is confirmed (crediting the claimer as their confirmation would) once
    // that notice is confirm_notice_seconds old, never earlier.
    std::int64_t auto_confirm_seconds = 7 * 86400;
    std::int64_t confirm_notice_seconds = 2 * 86400;
    // A case confirmed without a rating, or left done with nobody to ask (hotline, Open311),
    // this long is closed by the system.
    std::int64_t auto_close_seconds = 7 * 86400;
    // 驿站 service: the stations, points credited per hour served (pro rata by the minute), and
    // the longest visit credited (a forgotten check-out does not become a 20-hour shift).
    std::vector<station> stations;
    // The communities the program serves ([[community]]): a new case whose address or
    // description names one belongs to it, before any guess from "…社区" in the address.
    std::vector<std::string> communities;
    // The grids of those communities that have a boundary ([[community.grid]]): a new case with
    // coordinates whose address and description name no community belongs to the community of
    // the first boundary containing them (named before located; located before the reporter's
    // own community).
    std::vector<grid_area> grid_areas;
    // The street (街道) of each of those communities that has one: a supervisor decides on
    // volunteer applications of their street's communities.
    std::map<std::string, std::string, std::less<>> streets;
    std::int64_t points_per_hour = 10;
    std::int64_t max_visit_minutes = 8 * 60;
    // Presence for points (docs/security.md): a location within this many metres of a station
    // with coordinates proves presence (0: only the station's QR code does); the minutes one
    // person is credited per China-time day, across visits (counted on the day of check-in; 0
    // or less: no daily cap); a check-in less than this many minutes after the person's last
    // check-out continues that visit, so max_visit_minutes counts them together.
    double presence_radius_m = 200;
    std::int64_t max_daily_service_minutes = 8 * 60;
    std::int64_t visit_join_minutes = 30;
    // Verifying a phone by SMS (绑定手机): how codes are made and kept (null: phones cannot be
    // verified by SMS, request_phone_code answers unavailable), how long a code lives, how many
    // wrong codes end it, and how many codes one person, or one phone, gets a day.
    std::shared_ptr<const code_book> codes;
    std::int64_t phone_code_seconds = 600;
    int phone_code_tries = 5;
    int phone_codes_per_day = 3;
};

// What became of a request for a phone verification code.
struct phone_request {
    enum class outcome {
        sent,           // a code is on its way by SMS; expires_at says until when it works
        bad_phone,      // not a mainland mobile number
        already_yours,  // the person has verified this phone already
        too_many,       // the person, or the phone, had phone_codes_per_day codes today
        unavailable,    // no code book configured
    } result = outcome::unavailable;
    std::int64_t expires_at = 0;
};

// What became of a code sent back.
struct phone_confirmation {
    enum class outcome {
        bound,       // the phone is the person's, verified
        wrong_code,  // not the code; tries are left
        locked,      // too many wrong codes: this code is void
        expired,     // expired or used already
        no_code,     // no code was asked for
    } result = outcome::no_code;
    std::string phone;  // the phone the code was for ("" for no_code)
};

// Who acts. The service works out the role from the case: the reporter (or a reporter of a case
// merged into it, except to cancel it), the handler (claimer or assignee), a registered
// volunteer.
struct actor {
    enum class kind { person, operator_, system };
    kind is = kind::person;
    std::string id;  // person: person_ref::key(); operator: the operator's name; system: ""

    static actor of(const person_ref& p) { return {kind::person, p.key()}; }
    static actor op(std::string name) { return {kind::operator_, std::move(name)}; }
    static actor sys() { return {kind::system, ""}; }
    // As written in case_events.actor: the person key, "operator:<name>" or "system".
    std::string key() const;
};

enum class refusal {
    none,             // done
    not_found,        // no such case / proposal
    not_allowed,      // this actor may not do this (not the reporter, not the claimer, ...)
    wrong_status,     // the lifecycle does not allow it from the current status
    taken,            // claim: someone else holds the wish
    not_volunteer,    // claim: the person has not registered as a volunteer
    not_on_wall,      // claim: the case is not a wish published for claiming
    invalid,          // bad argument: rating outside 1..5, merge into itself or a closed case, ...
    already_voted,    // vote: one vote per person per proposal
    wrong_community,  // vote: the voter is not of the proposal's community (or has none)
    closed,           // vote: the proposal no longer takes votes
    daily_limit,      // propose: the person made max_proposals_per_day today already
    phone_required,   // vote: the voter has no verified phone (votes_need_verified_phone)
    // vote, propose: the person moved to this community lately; the move is neither cooled
    // down nor confirmed by a worker
    community_cooling,
    claim_limit,     // claim: the volunteer holds max_active_claims wishes already
    claim_cooldown,  // claim: the volunteer dropped max_dropped_claims claims lately
    no_presence,     // check-in/out: neither the station's scene nor a location near it
};
std::string_view to_string(refusal r);  // "not_found", ...

// Who decides on volunteer applications and confirms community moves: a staff member and the
// communities they decide for.
struct volunteer_decider {
    std::string actor;                     // written as volunteer_decided_by: "operator:<id>"
    bool all = false;                      // an admin: every community
    std::vector<std::string> communities;  // otherwise: these only
    bool may_decide(std::string_view community) const;
};

// Whether the reporter of a case can be asked to confirm it done: they answer in our channels
// (official account, mini program). Hotline and Open311 callers hear of it but cannot answer
// here.
bool asks_resident(const case_record& c);

// What became of a volunteer application, or of a decision on one.
struct volunteer_result {
    refusal why = refusal::none;  // decide: not_found (no application with that number),
                                  // not_allowed (outside the decider's communities),
                                  // wrong_status (already decided so)
    person after;                 // the person after the call (as found when refused)
    bool ok() const { return why == refusal::none; }
};

// The resident's contact as the volunteer holding their wish reads it; "" for what is unknown.
struct wish_contact {
    std::string phone;
    std::string address;
};

struct act_args {
    std::string note;             // why; written to the audit trail
    std::string assignee;         // assign: the case worker id
    std::int64_t merge_into = 0;  // merge: the case id that absorbs this one
    int rating = 0;               // rate: 1..5
    std::string comment;          // rate: optional comment
    std::string result;           // report_done: what the resident reads was done ("" none)
};

struct act_result {
    refusal why = refusal::none;
    case_record after;   // the case after the action; as found when refused (id 0 if not found)
    std::string detail;  // English reason for logs and the API when refused
    std::vector<std::string> held;  // claim_limit: the numbers of the wishes the volunteer holds
    std::int64_t retry_at = 0;      // claim_cooldown: from when the volunteer may claim again
    bool ok() const { return why == refusal::none; }
};

struct vote_result {
    refusal why = refusal::none;
    proposal after;           // the proposal after the vote (as found when refused)
    bool passed_now = false;  // this vote reached the threshold
    case_record project;      // the project case opened when passed_now
    // community_cooling: when the voter's community counts for votes.
    std::int64_t counts_from = 0;
    bool ok() const { return why == refusal::none; }
};

struct propose_result {
    refusal why = refusal::none;  // daily_limit, community_cooling
    proposal after;               // the new proposal; empty (id 0) when refused
    // community_cooling: when the proposer's community counts for proposals.
    std::int64_t counts_from = 0;
    bool ok() const { return why == refusal::none; }
};

// What became of a worker's confirmation of a community move.
struct move_result {
    refusal why = refusal::none;  // not_found (no move with that number, or a later move
                                  // replaced it), not_allowed (the new community is outside the
                                  // decider's), wrong_status (confirmed already)
    person after;                 // the person after the call (as found when refused)
    bool ok() const { return why == refusal::none; }
};

struct visit_result {
    refusal why = refusal::none;      // not_volunteer, invalid (unknown station), no_presence,
                                      // wrong_status (already checked in / not checked in)
    service_visit visit;              // the visit after the call (the open one when refused)
    std::int64_t balance = 0;         // check-out: the volunteer's points after the credit
    std::int64_t served_minutes = 0;  // check-out: the minutes between check-in and check-out;
                                      // more than visit.minutes when a cap held
    bool ok() const { return why == refusal::none; }
};

// A wish on the wall and how far it is from the person asking: nullopt when the wish was filed
// without coordinates.
struct near_wish {
    case_record wish;
    std::optional<double> distance_km;
};

struct sweep_report {
    int leases_expired = 0;
    int reminders = 0;
    int escalations = 0;
    int confirm_notices = 0;
    int auto_confirmed = 0;
    int auto_closed = 0;
    int proposals_expired = 0;
};

class case_service {
public:
    case_service(std::shared_ptr<const template_set> templates,
                 std::shared_ptr<const working_calendar> calendar, working_hours hours,
                 program_settings settings);

    // Every template key the service may render (checked at start-up by the caller).
    static const std::vector<std::string>& required_templates();

    const program_settings& settings() const { return settings_; }
    const working_calendar& calendar() const { return *calendar_; }
    const working_hours& hours() const { return hours_; }

    // Opens a case: community (the draft's; else the reporter's profile; else "…社区"/"…村" in the
    // address), the first matching handling rule (mode + rule name), deadline_at and remind_at
    // from the kind's deadline rule (none for an unknown kind). Wall modes (direct, station) are
    // accepted at once by the system, the event's note naming the rule; express cases notify the
    // community's workers. `normalised_description` is the Simplified text rules match on.
    case_record open(unit_of_work& uow, case_draft draft, std::string_view normalised_description,
                     std::int64_t now) const;

    // Applies one lifecycle action: checks the actor's role and the lifecycle table, writes the
    // case (compare-and-set), one case_event, and the notifications it causes:
    //   the reporter (and reporters of cases merged into it) on every status change;
    //   the claimer on release by operator, lease expiry, confirmation (with points), reopening;
    //   the community's workers on an urgent case, reopening, cancellation of an assigned case;
    //   voters of the proposal a project came from on every status change.
    // claim: accepted wish on the wall, by a registered volunteer; sets claimer and the lease.
    //   Refused with claim_limit (held: the wishes held) when the volunteer holds
    //   max_active_claims, with claim_cooldown (retry_at) after max_dropped_claims dropped claims
    //   in the window; nothing is written then.
    // release / lease_expired: clears claimer and lease. Any claimer action renews the lease,
    //   and a wish coming back to its claimer (reopened) gets a fresh one.
    // confirm by the system (the sweep) is the resident's confirmation by silence.
    // confirm of a claimed wish (and rate from done, which implies confirm) credits the claimer
    //   points_per_wish points (idempotent per case).
    // rate at or below low_rating (or not_solved) reopens; above closes, storing the rating.
    // merge: into an open case other than itself, neither of them private (refusal::invalid);
    //   the merged case's reporter, the reporters merged into it and its followers become
    //   followers of the target (via "merge"), each told once (notify/case_merged) and kept
    //   informed of the target as its followers are.
    act_result act(unit_of_work& uow, std::int64_t case_id, action a, const actor& who,
                   const act_args& args, std::int64_t now) const;

    // The reporter adds a detail (text, "[图片] <url>", "[位置] <label>") to an open case: one
    // "detail" event, the handler notified. Renews a claim's lease. Refuses other people.
    act_result add_detail(unit_of_work& uow, std::int64_t case_id, const actor& who,
                          std::string_view detail, std::int64_t now) const;

    // Least contact (docs/security.md): the resident's phone (the case's contact, else the
    // reporter's bound phone, else a hotline caller's number) and address, for `who` only while
    // they hold the claim on c (claimed or in progress). Each reveal writes one "contact_shown"
    // event (actor `who`, no status change, note `where`, e.g. "claim reply"), which operators
    // read in the case's events and the resident in its history. nullopt, nothing written, for
    // anyone else and for a wish no longer held.
    std::optional<wish_contact> reveal_contact(unit_of_work& uow, const case_record& c,
                                               const person_ref& who, std::string_view where,
                                               std::int64_t now) const;

    // An operator's reply to the reporter of a case (a canned reply or their own words, rendered
    // by the caller): one "reply" event by `who` with the text as its note, and the text to the
    // reporter through the outbox (audience "resident", `template_key` as given, idempotency key
    // "reply:<case id>:<event id>"). nullopt, nothing written: no such case, or an empty text.
    std::optional<notification> reply_to_reporter(unit_of_work& uow, std::int64_t case_id,
                                                  const actor& who, std::string template_key,
                                                  std::string text, std::int64_t now) const;

    // Vetted volunteers (docs/security.md): registering is an application that a community
    // worker approves or refuses; only approved volunteers (person::volunteer) claim wishes and
    // check in at stations.
    //
    // Applies to volunteer, or updates an application: name, community, skills (empty ones keep
    // what is stored); keeps other profile fields. A first application gets status "applied",
    // the next application number, and one notice to the workers of its community
    // (notify/worker_volunteer_applied). An applied or approved person keeps their status; a
    // refused one stays refused (only a worker's decision changes it).
    person register_volunteer(unit_of_work& uow, const person_ref& who, std::string name,
                              std::string community, std::string skills, std::int64_t now) const;
    // A staff member approves (or refuses) application `number`: the person's status,
    // volunteer flag, decided_by and decided_at change, and the applicant is told
    // (notify/volunteer_approved or notify/volunteer_refused). An approved volunteer may be
    // refused later (their approval is withdrawn; wishes they hold stay theirs until released or
    // expired), a refused applicant approved later. Nothing is written when refused.
    volunteer_result decide_volunteer(unit_of_work& uow, std::int64_t number, bool approve,
                                      const volunteer_decider& by, std::int64_t now) const;
    // What a staff member bound on the official account decides for: a worker their community,
    // a supervisor the communities of their street (settings().streets), an admin all.
    volunteer_decider decider_of(const bound_staff& staff) const;

    // Records the community a resident says they live in (for 微实事 votes and the wish wall);
    // keeps every other profile field. An empty or unchanged community changes nothing. The
    // first community counts at once; a change is a move (community_move numbered, the workers
    // of the new community told) that counts for votes and proposals from community_counts_from.
    // register_volunteer records a changed community the same way.
    person set_community(unit_of_work& uow, const person_ref& who, std::string community,
                         std::int64_t now) const;
    // When p's community counts for votes and proposals: 0 when it does now (a first
    // declaration, a confirmed move), else the end of the move's cooling period.
    std::int64_t community_counts_from(const person& p) const;
    // A worker of the new community confirms move `number`: it counts at once, and the resident
    // is told (notify/community_move_confirmed). Nothing is written when refused.
    move_result confirm_move(unit_of_work& uow, std::int64_t number, const volunteer_decider& by,
                             std::int64_t now) const;
    // Keeps the unionid WeChat gave the mini program's login on the person (an identity key of
    // their votes); "" or unchanged writes nothing.
    void record_unionid(unit_of_work& uow, const person_ref& who, const std::string& unionid,
                        std::int64_t now) const;

    // Verifying a phone (docs/security.md, "verified phones"): a phone reaches its holder with
    // 12345 and Open311 notices of that number only once verified, and one person holds a
    // verified phone at a time.
    //
    // Sends a one-time code to `phone` (digits) by SMS for `who`: the code's keyed hash is
    // stored with its expiry, the SMS goes through the outbox (audience "phone_code", which the
    // outbox worker sends by SMS only, never to a WeChat account).
    phone_request request_phone_code(unit_of_work& uow, const person_ref& who,
                                     std::string_view phone, std::int64_t now) const;
    // Checks the code `who` sent back against their newest code; on a match the phone becomes
    // theirs, verified (bind_verified_phone).
    phone_confirmation confirm_phone_code(unit_of_work& uow, const person_ref& who,
                                          std::string_view code, std::int64_t now) const;
    // Makes `phone` the person's verified phone (a code came back, or WeChat verified it in the
    // mini program). A previous holder loses it and is told so (notify/phone_moved). Keeps the
    // person's other fields.
    person bind_verified_phone(unit_of_work& uow, const person_ref& who, std::string phone,
                               std::int64_t now) const;

    // The keyed hash under which a staff binding code (绑定工号) is stored and looked up:
    // code_book::hash(staff_code_scope, code); "" when `code` is not staff_code_digits digits or
    // no code book is configured (nothing then matches).
    std::string staff_code_hash(std::string_view code) const;

    // The wish wall: accepted wishes in wall modes, the given community's first (oldest first
    // within each group), then others; at most limit.
    std::vector<case_record> wall(unit_of_work& uow, std::string_view community,
                                  std::size_t limit) const;
    // The wish wall seen from `here`: the wall's wishes that have coordinates, nearest first
    // (equal distances in the wall's order), each with its distance; then those without
    // coordinates in the wall's order (`community`'s first); at most limit. Looks through the
    // first near_scan_limit wishes of the wall.
    std::vector<near_wish> wall_near(unit_of_work& uow, geo_point here, std::string_view community,
                                     std::size_t limit) const;
    static constexpr std::size_t near_scan_limit = 1000;
    // A case's status as residents read it ("办理中"; an accepted wish on the wall reads
    // "已发布到心愿墙，等待认领"), from templates/status/. The one place status names come from:
    // replies and notifications say the same thing.
    static std::string status_label(const template_set& texts, const case_record& c);

    // What the public may read of a wish: its description with personal data masked (line
    // breaks as spaces); when longer than max_chars code points, its first max_chars followed
    // by "…".
    static std::string public_summary(const case_record& c, std::size_t max_chars = 60);

    // Points: a person's balance, the ranking of a community in [since, until), and the stars
    // of the China-time calendar month containing `now` (top `count`).
    std::int64_t points_of(unit_of_work& uow, const person_ref& who) const;
    std::vector<ranking_row> stars_of_month(unit_of_work& uow, std::string_view community,
                                            std::int64_t now, std::size_t count) const;

    // 微实事: a resident of `community` proposes; threshold and closing time from the settings.
    // Refused with daily_limit, nothing written, when `who` already made max_proposals_per_day
    // proposals since 00:00 China time of `now`'s day; with community_cooling while `who`
    // moved to `community` lately (community_counts_from).
    propose_result propose(unit_of_work& uow, const person_ref& who, std::string community,
                           std::string title, std::string description, std::int64_t now) const;
    // One vote per human per proposal, voters of the proposal's community only: refused with
    // phone_required without a verified phone (votes_need_verified_phone), community_cooling
    // while the voter's move there cools down, already_voted when any of the voter's identity
    // keys (identity_keys) voted on it, whichever channel. The vote that reaches the threshold
    // passes the proposal and opens its project case (kind "project", 6-month deadline),
    // notifying the proposer and every voter.
    vote_result vote(unit_of_work& uow, std::string_view proposal_number, const person_ref& voter,
                     std::int64_t now) const;

    // 驿站 service: an approved volunteer checks in at a known station (one open visit at a
    // time) and checks out, each time showing presence at the station (docs/security.md,
    // "presence for points"): the station's scene, or a location within presence_radius_m of a
    // station with coordinates. At check-out the minutes between are credited, capped three
    // ways: max_visit_minutes for the visit together with the visits it continues (a check-in
    // within visit_join_minutes of the last check-out), and max_daily_service_minutes for all
    // visits checked in on the same China-time day. The credited minutes are stored on the
    // visit and points_per_hour pro rata posted to the ledger ("service_hours", idempotent per
    // visit). Hours are only ever credited from such a pair. Refused calls write nothing.
    const station* find_station(std::string_view code) const;
    // The station whose scene this is (compared in constant time), or nullptr.
    const station* station_of_scene(std::string_view scene) const;
    visit_result check_in(unit_of_work& uow, const person_ref& who, std::string_view station_code,
                          std::string activity, const presence& shown, std::int64_t now) const;
    // Checks out of the open visit, with presence at its station (else no_presence).
    visit_result check_out(unit_of_work& uow, const person_ref& who, const presence& shown,
                           std::int64_t now) const;
    // Closes the open visit without presence (a volunteer who left without checking out, so
    // that they can check in again): nothing is credited; checkout_proof "none".
    visit_result close_visit(unit_of_work& uow, const person_ref& who, std::int64_t now) const;

    // Timers, run every minute or so: expired claim leases, claimed or in progress (any time);
    // reminders before the deadline and escalations to the supervisor after it (only in working
    // hours, once each, for cases not yet reported done); the notice that a case left done will
    // be confirmed, and its confirmation once the notice is old enough (asks_resident cases);
    // auto-close of cases left confirmed, or done with nobody to ask; proposals past their
    // closing time expire.
    // Each step pages through its due rows by id, so it reaches every one however many there
    // are; a second sweep at the same instant changes nothing.
    sweep_report sweep(unit_of_work& uow, std::int64_t now) const;

    // Work orders of grid workers (work_orders.hpp; work_orders.cpp). `staff` is the worker as
    // bound on the official account. The worker's open orders (assigned or in progress), the
    // soonest due first (without a deadline last); at most `limit`.
    std::vector<case_record> orders_of(unit_of_work& uow, const bound_staff& staff,
                                       std::size_t limit) const;
    // One step on the order numbered `number` (see order_step): `text` the note, result, reason
    // or photo; `where` the worker's location (arrive). Refused, nothing written, unless staff is
    // a worker and the order's assignee, and the step fits the order's status.
    order_result order_act(unit_of_work& uow, const bound_staff& staff, std::string_view number,
                           order_step step, std::string_view text, std::optional<geo_point> where,
                           std::int64_t now) const;

private:
    std::string known_community(const case_draft& draft) const;
    // Sets p's community (changed, not empty), numbering a move when p had another one.
    void declare_community(unit_of_work& uow, person& p, std::string community,
                           std::int64_t now) const;
    // The sweep's two steps of "done needs the resident": each returns how many cases it moved.
    int send_confirm_notices(unit_of_work& uow, std::int64_t now) const;
    int confirm_noticed(unit_of_work& uow, std::int64_t now) const;

    std::shared_ptr<const template_set> templates_;
    std::shared_ptr<const working_calendar> calendar_;
    working_hours hours_;
    program_settings settings_;
};

}  // namespace minsheng::dialog::cases
