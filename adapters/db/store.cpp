#include "adapters/db/store.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "adapters/db/bearer_token.hpp"
#include "adapters/db/detail/case_number.hpp"
#include "adapters/db/detail/case_rows.hpp"
#include "adapters/db/detail/certificate_rows.hpp"
#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/follower_rows.hpp"
#include "adapters/db/detail/ledger_rows.hpp"
#include "adapters/db/detail/outbox_rows.hpp"
#include "adapters/db/detail/people_rows.hpp"
#include "adapters/db/detail/proposal_rows.hpp"
#include "adapters/db/detail/staff_rows.hpp"
#include "adapters/db/detail/statement_cache.hpp"
#include "adapters/db/detail/visit_rows.hpp"

namespace minsheng::adapters::db {

std::string_view to_string(durability d) {
    switch (d) {
        case durability::full:
            return "full";
        case durability::normal:
            return "normal";
    }
    return "full";
}

std::optional<durability> durability_from_string(std::string_view name) {
    if (name == "full") return durability::full;
    if (name == "normal") return durability::normal;
    return std::nullopt;
}

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

// Every statement the writer runs per message, prepared once on the write connection. The rarer
// queries of the unit of work go through the statement cache and the detail/ helpers the reader
// shares.
struct statements {
    explicit statements(sql::connection& db)
        : find_message(
              db.prepare("SELECT reply FROM messages WHERE channel = ?1 AND dedup_key = ?2")),
          // One round trip for the two reads every message starts with: its stored reply (tag
          // 1) and the sender's conversation state (tag 2).
          find_message_and_state(
              db.prepare("SELECT 1, reply FROM messages WHERE channel = ?1 AND dedup_key = ?2 "
                         "UNION ALL "
                         "SELECT 2, state FROM conversations WHERE channel = ?1 AND user_id = ?3")),
          insert_message(
              db.prepare("INSERT INTO messages (channel, dedup_key, user_id, kind, text, "
                         "create_time, received_at, reply) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")),
          insert_case(
              db.prepare("INSERT INTO cases (number, channel, reporter_id, kind, category, "
                         "category_confidence, urgency, status, description, address, "
                         "contact_phone, source_key, created_at, updated_at, community, "
                         "handling_mode, handling_rule, deadline_at, remind_at, proposal_id, "
                         "source_ref, source_span, lat, lng, public_code, is_private, place) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, "
                         "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26) "
                         "RETURNING id")),
          cases_of(db.prepare("SELECT " + std::string(detail::case_columns) +
                              " FROM cases WHERE channel = ?1 AND reporter_id = ?2"
                              " ORDER BY id DESC LIMIT ?3")),
          load_state(
              db.prepare("SELECT state FROM conversations WHERE channel = ?1 AND user_id = ?2")),
          save_state(db.prepare("INSERT INTO conversations (channel, user_id, state, updated_at) "
                                "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (channel, user_id) DO UPDATE "
                                "SET state = excluded.state, updated_at = excluded.updated_at")),
          clear_state(db.prepare("DELETE FROM conversations WHERE channel = ?1 AND user_id = ?2")) {
    }

    std::unique_ptr<sql::statement> find_message;
    std::unique_ptr<sql::statement> find_message_and_state;
    std::unique_ptr<sql::statement> insert_message;
    std::unique_ptr<sql::statement> insert_case;
    std::unique_ptr<sql::statement> cases_of;
    std::unique_ptr<sql::statement> load_state;
    std::unique_ptr<sql::statement> save_state;
    std::unique_ptr<sql::statement> clear_state;
};

// Allocates a number of `prefix` for a record created at `at`, inside `step`; the numbering's
// calendar limits become a store_error naming `operation`.
std::string allocate_number(detail::statement_cache& cache, std::string_view prefix,
                            std::int64_t at, std::string_view operation) {
    try {
        return detail::allocate_number(cache, prefix, at);
    } catch (const std::out_of_range&) {
        throw store_error("store: " + std::string(operation) +
                          " failed: the creation time is out of range");
    }
}

// The unit of work handed to handle_once's and run's callbacks: the writer's statements, inside
// the transaction or savepoint the caller holds. Lives on the caller's stack, so it ends with
// the call.
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
    work(statements& sql, detail::statement_cache& cache, const dialog::clock& clock)
        : sql_(sql), cache_(cache), clock_(clock) {}

    // ---- cases

    dialog::case_record open_case(const dialog::case_draft& d) override {
        return step("open case", [&] {
            dialog::case_record c;
            c.created_at = d.created_at != 0 ? d.created_at : clock_.now();
            c.number = allocate_number(
                cache_, d.kind == "wish" ? detail::wish_number_prefix : detail::case_number_prefix,
                c.created_at, "open case");
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
            c.community = d.community;
            c.handling_mode = d.handling_mode;
            c.handling_rule = d.handling_rule;
            c.deadline_at = d.deadline_at;
            c.remind_at = d.remind_at;
            c.proposal_id = d.proposal_id;
            c.source_ref = d.source_ref;
            c.source_span = d.source_span;
            c.location = d.location;
            c.is_private = d.is_private;
            auto code = new_hex_code(4);
            if (!code) throw store_error("store: no random public code for a case");
            c.public_code = std::move(*code);
            {
                statement_use s(*sql_.insert_case);
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
                s->bind(14, c.community);
                s->bind(15, c.handling_mode);
                s->bind(16, c.handling_rule);
                s->bind(17, c.deadline_at);
                s->bind(18, c.remind_at);
                s->bind(19, c.proposal_id);
                s->bind(20, c.source_ref);
                s->bind(21, c.source_span);
                if (c.location) {
                    s->bind(22, c.location->lat);
                    s->bind(23, c.location->lng);
                } else {
                    s->bind(22);
                    s->bind(23);
                }
                s->bind(24, c.public_code);
                s->bind(25, std::int64_t{c.is_private ? 1 : 0});
                s->bind(26, d.place);
                if (!s->executeStep()) throw store_error("store: open case failed: no id returned");
                c.id = s->getColumn(0).getInt64();
            }
            detail::add_event_later(
                cache_, {0, c.id, c.created_at, dialog::person_ref{c.from, c.reporter_id}.key(),
                         "opened", "", c.status, ""});
            opened_.push_back(c);
            return c;
        });
    }

    std::vector<dialog::case_record> cases_of(dialog::channel from, const std::string& reporter_id,
                                              std::size_t limit) override {
        return step("list reporter cases", [&] {
            std::vector<dialog::case_record> out;
            if (limit == 0) return out;
            statement_use s(*sql_.cases_of);
            s->bind(1, channel_name(from));
            s->bind(2, reporter_id);
            s->bind(3, clamp_limit(limit));
            while (s->executeStep()) out.push_back(detail::read_case(*s));
            return out;
        });
    }

    std::optional<dialog::case_record> get_case(std::int64_t id) override {
        return step("get case", [&] { return detail::get_case(cache_, id); });
    }

    std::optional<dialog::case_record> find_case(std::string_view number) override {
        return step("find case", [&] { return detail::find_case(cache_, number); });
    }

    std::vector<dialog::case_record> list_cases(const dialog::case_query& query) override {
        return step("list cases", [&] { return detail::list_cases(cache_, query); });
    }

    bool update_case(const dialog::case_record& updated, std::string_view expected_status,
                     std::int64_t expected_updated_at) override {
        return step("update case", [&] {
            return detail::update_case(cache_, updated, expected_status, expected_updated_at);
        });
    }

    std::int64_t add_event(const dialog::case_event& event) override {
        return step("add case event", [&] {
            if (event.at != 0) return detail::add_event(cache_, event);
            auto stamped = event;
            stamped.at = clock_.now();
            return detail::add_event(cache_, stamped);
        });
    }

    std::vector<dialog::case_event> events_of(std::int64_t case_id) override {
        return step("list case events", [&] { return detail::events_of(cache_, case_id); });
    }

    std::int64_t count_events_by(std::string_view actor, std::string_view action,
                                 std::int64_t since) override {
        return step("count case events",
                    [&] { return detail::count_events_by(cache_, actor, action, since); });
    }

    std::int64_t count_held_claims(std::string_view claimer) override {
        return step("count held claims",
                    [&] { return detail::count_held_claims(cache_, claimer); });
    }

    std::vector<std::int64_t> dropped_claims(std::string_view claimer,
                                             std::int64_t since) override {
        return step("list dropped claims",
                    [&] { return detail::dropped_claims(cache_, claimer, since); });
    }

    // ---- people

    std::optional<dialog::person> get_person(const dialog::person_ref& who) override {
        return step("get person", [&] { return detail::get_person(cache_, who); });
    }

    void save_person(const dialog::person& p) override {
        step("save person", [&] {
            if (p.updated_at != 0) return detail::save_person(cache_, p);
            auto stamped = p;
            stamped.updated_at = clock_.now();
            detail::save_person(cache_, stamped);
        });
    }

    std::int64_t next_volunteer_number() override {
        return step("number volunteer", [&] { return detail::next_volunteer_number(cache_); });
    }

    std::optional<dialog::person> find_volunteer(std::int64_t number) override {
        return step("find volunteer", [&] { return detail::find_volunteer(cache_, number); });
    }

    std::vector<dialog::person> list_volunteers(std::string_view status,
                                                const std::vector<std::string>& communities,
                                                std::size_t limit) override {
        return step("list volunteers",
                    [&] { return detail::list_volunteers(cache_, status, communities, limit); });
    }

    std::int64_t next_community_move() override {
        return step("number community move", [&] { return detail::next_community_move(cache_); });
    }

    std::optional<dialog::person> find_community_move(std::int64_t number) override {
        return step("find community move",
                    [&] { return detail::find_community_move(cache_, number); });
    }

    std::optional<dialog::person> find_person_by_phone(std::string_view phone) override {
        return step("find person by phone",
                    [&] { return detail::find_person_by_phone(cache_, phone); });
    }

    // ---- phone verification

    std::int64_t add_phone_code(const dialog::phone_code& code) override {
        return step("add phone code", [&] { return detail::add_phone_code(cache_, code); });
    }

    std::optional<dialog::phone_code> latest_phone_code(const dialog::person_ref& who) override {
        return step("latest phone code", [&] { return detail::latest_phone_code(cache_, who); });
    }

    void update_phone_code(const dialog::phone_code& code) override {
        step("update phone code", [&] { detail::update_phone_code(cache_, code); });
    }

    std::int64_t count_phone_codes_to(std::string_view phone, std::int64_t since) override {
        return step("count phone codes",
                    [&] { return detail::count_phone_codes_to(cache_, phone, since); });
    }

    std::int64_t count_phone_codes_for(const dialog::person_ref& who, std::int64_t since) override {
        return step("count phone codes",
                    [&] { return detail::count_phone_codes_for(cache_, who, since); });
    }

    // ---- staff

    dialog::staff_binding bind_staff(std::string_view code_hash, const dialog::person_ref& who,
                                     std::int64_t now) override {
        return step("bind staff", [&] { return detail::bind_staff(cache_, code_hash, who, now); });
    }

    std::optional<dialog::bound_staff> staff_of(const dialog::person_ref& who) override {
        return step("find bound staff", [&] { return detail::staff_of(cache_, who); });
    }

    // ---- points ledger

    bool post(const dialog::ledger_posting& posting) override {
        detail::check_posting(posting);  // std::invalid_argument before anything is written
        return step("post to ledger", [&] {
            if (posting.at != 0) return detail::post(cache_, posting);
            auto stamped = posting;
            stamped.at = clock_.now();
            return detail::post(cache_, stamped);
        });
    }

    std::int64_t balance(std::string_view account) override {
        return step("read balance", [&] { return detail::balance(cache_, account); });
    }

    std::vector<dialog::ranking_row> ranking(std::string_view community, std::int64_t since,
                                             std::int64_t until, std::size_t limit) override {
        return step("rank volunteers",
                    [&] { return detail::ranking(cache_, community, since, until, limit); });
    }

    // ---- proposals and votes

    dialog::proposal create_proposal(const dialog::proposal_draft& draft) override {
        return step("create proposal", [&] {
            auto d = draft;
            if (d.created_at == 0) d.created_at = clock_.now();
            auto number = allocate_number(cache_, detail::proposal_number_prefix, d.created_at,
                                          "create proposal");
            return detail::create_proposal(cache_, d, std::move(number));
        });
    }

    std::optional<dialog::proposal> get_proposal(std::int64_t id) override {
        return step("get proposal", [&] { return detail::get_proposal(cache_, id); });
    }

    std::optional<dialog::proposal> find_proposal(std::string_view number) override {
        return step("find proposal", [&] { return detail::find_proposal(cache_, number); });
    }

    std::vector<dialog::proposal> open_proposals(std::string_view community,
                                                 std::size_t limit) override {
        return step("list open proposals",
                    [&] { return detail::open_proposals(cache_, community, limit); });
    }

    std::vector<dialog::proposal> proposals_to_expire(std::int64_t at, std::int64_t after_id,
                                                      std::size_t limit) override {
        return step("list proposals to expire",
                    [&] { return detail::proposals_to_expire(cache_, at, after_id, limit); });
    }

    std::int64_t count_proposals(const dialog::person_ref& proposer, std::int64_t since) override {
        return step("count proposals",
                    [&] { return detail::count_proposals(cache_, proposer, since); });
    }

    bool update_proposal(const dialog::proposal& updated,
                         std::string_view expected_status) override {
        return step("update proposal",
                    [&] { return detail::update_proposal(cache_, updated, expected_status); });
    }

    bool add_vote(std::int64_t proposal_id, const dialog::person_ref& voter,
                  const std::vector<std::string>& keys, std::int64_t at) override {
        return step("add vote", [&] {
            return detail::add_vote(cache_, proposal_id, voter, keys, at != 0 ? at : clock_.now());
        });
    }

    std::vector<dialog::person_ref> voters(std::int64_t proposal_id) override {
        return step("list voters", [&] { return detail::voters(cache_, proposal_id); });
    }

    // ---- outbox

    // ---- 驿站 service visits

    std::optional<dialog::service_visit> open_visit(const dialog::person_ref& who) override {
        return step("find open visit", [&] { return detail::open_visit(cache_, who); });
    }

    dialog::service_visit start_visit(const dialog::service_visit& v) override {
        return step("check in", [&] { return detail::start_visit(cache_, v); });
    }

    bool finish_visit(const dialog::service_visit& closed) override {
        return step("check out", [&] { return detail::finish_visit(cache_, closed); });
    }

    std::vector<dialog::service_visit> visits_of(const dialog::person_ref& who,
                                                 std::size_t limit) override {
        return step("list visits", [&] { return detail::visits_of(cache_, who, limit); });
    }

    std::int64_t credited_minutes(const dialog::person_ref& who, std::int64_t since,
                                  std::int64_t until) override {
        return step("sum credited minutes",
                    [&] { return detail::credited_minutes(cache_, who, since, until); });
    }

    void count_certificate_answer(std::string_view item, dialog::channel from,
                                  std::string_view source_key, std::int64_t at) override {
        step("count certificate answer", [&] {
            // The message's sender, whose community the row keeps (handle_once).
            const std::string user =
                prefetched_ && prefetched_->from == from ? prefetched_->user_id : std::string();
            detail::count_certificate_answer(cache_, item, from, user, source_key, at);
        });
    }

    void certificate_answer_escalated(std::string_view source_key) override {
        step("mark certificate answer escalated",
             [&] { detail::certificate_answer_escalated(cache_, source_key); });
    }

    // ---- followers (one problem, one case)

    bool add_follower(const dialog::case_follower& f) override {
        return step("add follower", [&] { return detail::add_follower(cache_, f); });
    }

    std::vector<dialog::case_follower> followers_of(std::int64_t case_id) override {
        return step("list followers", [&] { return detail::followers_of(cache_, case_id); });
    }

    bool leave_case(std::int64_t case_id, const dialog::person_ref& who, std::int64_t at) override {
        return step("leave case", [&] { return detail::leave_case(cache_, case_id, who, at); });
    }

    bool rate_followed(std::int64_t case_id, const dialog::person_ref& who, int rating) override {
        return step("rate followed case",
                    [&] { return detail::rate_followed(cache_, case_id, who, rating); });
    }

    std::vector<dialog::case_follower> followed_by(const dialog::person_ref& who,
                                                   std::size_t limit) override {
        return step("list followed cases", [&] { return detail::followed_by(cache_, who, limit); });
    }

    std::vector<dialog::case_record> duplicate_candidates(
        const dialog::duplicate_candidates_query& query) override {
        return step("find duplicate candidates",
                    [&] { return detail::duplicate_candidates(cache_, query); });
    }

    bool enqueue(const dialog::notification& n) override {
        if (n.idempotency_key.empty())
            throw std::invalid_argument("store: a notification needs an idempotency key");
        return step("enqueue notification", [&] {
            const std::int64_t now = clock_.now();
            if (n.created_at != 0) return detail::enqueue(cache_, n, now);
            auto stamped = n;
            stamped.created_at = now;
            return detail::enqueue(cache_, stamped, now);
        });
    }

    // ---- conversation state

    // The sender's state as read with the message's dedup key (handle_once), kept up to date by
    // save_state, so that load_state needs no second read.
    void prefetched_state(dialog::channel from, const std::string& user_id, std::string state) {
        prefetched_ = prefetched{from, user_id, std::move(state)};
    }

    std::string load_state(dialog::channel from, const std::string& user_id) override {
        if (prefetched_ && prefetched_->from == from && prefetched_->user_id == user_id)
            return prefetched_->state;
        return step("load conversation state", [&] {
            statement_use s(*sql_.load_state);
            s->bind(1, channel_name(from));
            s->bind(2, user_id);
            return s->executeStep() ? s->getColumn(0).getString() : std::string();
        });
    }

    void save_state(dialog::channel from, const std::string& user_id,
                    const std::string& state) override {
        step("save conversation state", [&] {
            if (state.empty()) {
                statement_use s(*sql_.clear_state);
                s->bind(1, channel_name(from));
                s->bind(2, user_id);
                s->exec_later();
                return;
            }
            statement_use s(*sql_.save_state);
            s->bind(1, channel_name(from));
            s->bind(2, user_id);
            s->bind(3, state);
            s->bind(4, clock_.now());
            s->exec_later();
        });
        if (prefetched_ && prefetched_->from == from && prefetched_->user_id == user_id)
            prefetched_->state = state;
    }

    bool failed() const { return failed_; }
    std::vector<dialog::case_record> take_opened() { return std::move(opened_); }

private:
    statements& sql_;
    detail::statement_cache& cache_;
    const dialog::clock& clock_;
    std::vector<dialog::case_record> opened_;
    bool failed_ = false;
    struct prefetched {
        dialog::channel from;
        std::string user_id;
        std::string state;
    };
    std::optional<prefetched> prefetched_;
};

}  // namespace

struct store::impl {
    impl(const std::string& p, store_options options)
        : path(p),
          clock(options.clock ? std::move(options.clock) : std::make_shared<wall_clock>()),
          db(detail::open_writer(p, options)),
          sync_mode(
              guarded("read synchronous mode", [&] { return detail::synchronous_mode(*db); })),
          version(detail::migrate(*db, clock->now())),
          sql(guarded("prepare statements", [&] { return statements(*db); })),
          cache(*db) {}

    std::string path;
    std::shared_ptr<const dialog::clock> clock;
    std::unique_ptr<sql::connection> db;
    std::string sync_mode;
    int version;
    statements sql;
    detail::statement_cache cache;
    bool in_transaction = false;
    bool in_batch = false;
};

namespace {

// The transaction of one unit of work (handle_once, run): inside a batch, a savepoint of the
// batch's transaction; alone, its own transaction. IMMEDIATE takes the write lock up front, so a
// second writer (the admin tool, another process) waits for busy_timeout instead of failing on
// lock upgrade. Rolls back unless commit() succeeded; refuses to nest (store_error).
class unit_transaction {
public:
    unit_transaction(sql::connection& db, bool in_batch, bool& in_transaction,
                     std::string_view operation)
        : db_(db), in_transaction_(in_transaction), operation_(operation) {
        if (in_transaction_)
            throw store_error("store: " + operation_ +
                              " failed: called from inside a unit of work");
        if (in_batch) {
            guarded(operation_ + ": savepoint", [&] { db_.exec("SAVEPOINT minsheng_unit"); });
            savepoint_ = true;
        } else {
            guarded(operation_ + ": begin", [&] { db_.begin_write(); });
            transaction_ = true;
        }
        in_transaction_ = true;
    }

    ~unit_transaction() {
        in_transaction_ = false;
        if (transaction_) {
            try {
                db_.exec("ROLLBACK");
            } catch (...) {
                // The engine rolled back already, or the connection is gone.
            }
            return;
        }
        if (!savepoint_ || released_) return;
        try {
            db_.exec("ROLLBACK TO SAVEPOINT minsheng_unit");
            db_.exec("RELEASE SAVEPOINT minsheng_unit");
        } catch (...) {
            // The batch's own rollback cleans up what this could not.
        }
    }

    unit_transaction(const unit_transaction&) = delete;
    unit_transaction& operator=(const unit_transaction&) = delete;

    // Throws store_error when a step of `w` failed (even if the callback swallowed it), so the
    // unit rolls back as a whole.
    void check(const work& w) const {
        if (w.failed())
            throw store_error("store: " + operation_ +
                              " failed: a storage step inside the unit of work failed");
    }

    void commit() {
        if (transaction_) {
            guarded(operation_ + ": commit", [&] { db_.exec("COMMIT"); });
            transaction_ = false;
        } else {
            guarded(operation_ + ": release", [&] { db_.exec("RELEASE SAVEPOINT minsheng_unit"); });
            released_ = true;
        }
    }

private:
    sql::connection& db_;
    bool& in_transaction_;
    std::string operation_;
    bool transaction_ = false;
    bool savepoint_ = false;
    bool released_ = false;
};

}  // namespace

store::store(const std::string& path) : store(path, store_options{}) {}

store::store(const std::string& path, store_options options)
    : impl_(std::make_unique<impl>(path, std::move(options))) {}

store::~store() = default;

int store::schema_version() const { return impl_->version; }

const std::string& store::synchronous_mode() const { return impl_->sync_mode; }

const std::string& store::path() const { return impl_->path; }

namespace {

// Another process recorded the same message key first (PostgreSQL, several gateways): this
// unit rolls back and the winner's reply is answered.
struct lost_race {};

}  // namespace

handled store::handle_once(dialog::channel from, const std::string& dedup_key,
                           const dialog::inbound_message& message,
                           const std::function<std::string(dialog::unit_of_work&)>& fn) {
    impl& m = *impl_;
    if (dedup_key.empty())
        throw std::invalid_argument("store: handle_once needs a non-empty dedup key");
    const std::string ch = channel_name(from);
    const auto stored_reply = [&]() -> std::optional<std::string> {
        statement_use s(*m.sql.find_message);
        s->bind(1, ch);
        s->bind(2, dedup_key);
        if (!s->executeStep()) return std::nullopt;
        return s->getColumn(0).getString();
    };
    try {
        unit_transaction tx(*m.db, m.in_batch, m.in_transaction, "handle message");
        std::optional<std::string> previous;
        std::string state;
        guarded("handle message: look up dedup key", [&] {
            statement_use s(*m.sql.find_message_and_state);
            s->bind(1, ch);
            s->bind(2, dedup_key);
            s->bind(3, message.user_id);
            while (s->executeStep()) {
                if (s->getColumn(0).getInt64() == 1)
                    previous = s->getColumn(1).getString();
                else
                    state = s->getColumn(1).getString();
            }
        });
        if (previous) return handled{std::move(*previous), true, {}};  // tx rolls back: no writes

        work w(m.sql, m.cache, *m.clock);
        w.prefetched_state(from, message.user_id, std::move(state));
        std::string reply = fn(w);  // if it throws, tx rolls back
        tx.check(w);

        guarded("handle message: record message", [&] {
            statement_use s(*m.sql.insert_message);
            s->bind(1, ch);
            s->bind(2, dedup_key);
            s->bind(3, message.user_id);
            s->bind(4, kind_name(message.kind));
            s->bind(5, message.text);
            s->bind(6, message.create_time);
            s->bind(7, m.clock->now());
            s->bind(8, reply);
            try {
                s->exec();
            } catch (const sql::error& e) {
                // The key's unique index made this insert wait for the other process's
                // transaction, which committed the same key: its reply is the answer.
                if (e.what_kind == sql::error::kind::unique_violation) throw lost_race{};
                throw;
            }
        });
        tx.commit();
        return handled{std::move(reply), false, w.take_opened()};
    } catch (const lost_race&) {
        // The unit is rolled back (a savepoint of the batch, or its own transaction); the
        // winner's row is committed, so a new statement sees it.
        auto winner = guarded("handle message: read the stored reply", stored_reply);
        if (!winner)
            throw store_error(
                "store: handle message failed: the message was recorded by "
                "another process but its reply cannot be read");
        return handled{std::move(*winner), true, {}};
    }
}

void store::run(const std::function<void(dialog::unit_of_work&)>& fn) {
    impl& m = *impl_;
    unit_transaction tx(*m.db, m.in_batch, m.in_transaction, "run unit of work");
    work w(m.sql, m.cache, *m.clock);
    fn(w);  // if it throws, tx rolls back
    tx.check(w);
    tx.commit();
}

bool store::run_alone(std::string_view name, const std::function<void(dialog::unit_of_work&)>& fn) {
    impl& m = *impl_;
    unit_transaction tx(*m.db, m.in_batch, m.in_transaction, "run unit of work alone");
    if (m.db->dialect() == sql::dialect::postgres) {
        const bool got = guarded("take the lock of " + std::string(name), [&] {
            // The first key sets minsheng's locks apart from any other application's.
            statement_use s(m.cache.get("SELECT pg_try_advisory_xact_lock(7346002, hashtext(?1))"));
            s->bind(1, name);
            return s->executeStep() && s->getColumn(0).getInt() == 1;
        });
        if (!got) return false;  // tx rolls back: nothing was written
    }
    work w(m.sql, m.cache, *m.clock);
    fn(w);  // if it throws, tx rolls back
    tx.check(w);
    tx.commit();
    return true;
}

void store::transact(const std::string& operation,
                     const std::function<void(detail::statement_cache&)>& fn) {
    impl& m = *impl_;
    unit_transaction tx(*m.db, m.in_batch, m.in_transaction, operation);
    guarded(operation, [&] { fn(m.cache); });
    tx.commit();
}

void store::begin_batch() {
    impl& m = *impl_;
    if (m.in_batch || m.in_transaction)
        throw store_error("store: begin batch failed: a batch or message is open");
    guarded("begin batch", [&] { m.db->begin_write(); });
    m.in_batch = true;
}

void store::commit_batch() {
    impl& m = *impl_;
    if (!m.in_batch) throw store_error("store: commit batch failed: no batch is open");
    m.in_batch = false;
    try {
        guarded("commit batch", [&] { m.db->exec("COMMIT"); });
    } catch (...) {
        try {
            m.db->exec("ROLLBACK");
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
        m.db->exec("ROLLBACK");
    } catch (...) {
        // Nothing more to undo.
    }
}

}  // namespace minsheng::adapters::db
