#pragma once
// The outbox worker's side of the outbox: claiming due rows, recording outcomes, and what a
// delivery needs to know of its recipient (the WeChat person bound to a hotline phone, the
// customer-service window). Each operation is one unit on the store's write connection: its own
// transaction, or a savepoint of the writer's open batch.
//
// Thread-safety: like `store`, single-threaded (the gateway's writer thread). A view over a
// store; it must not outlive it. Storage failures throw store_error.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adapters/db/store.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::db {

// A claimed row with what its delivery needs.
struct due_notification {
    dialog::notification n;  // n.to is set: staff rows are fanned out to people, never claimed
    int attempts = 0;        // including this claim
    // The WeChat user to write to: n.to's user for wechat_oa and miniprogram (the mini program's
    // openid: a subscribe message, one credit of it reserved by the claim); for hotline and
    // Open311 (a phone number), the wechat_oa person bound to that phone, if any; else empty
    // (SMS).
    std::string openid;
    // True when `openid` is a mini program user (a subscribe message, one reserved credit):
    // miniprogram rows, and hotline or Open311 callers who bound their phone only there and
    // hold a credit.
    bool miniprogram = false;
    // The customer-service window of `openid`: the received_at of their latest message (none:
    // never wrote) and the customer-service messages sent since.
    std::optional<std::int64_t> last_inbound;
    int service_messages_since = 0;
};

// What the claim needs beyond the rows: whom staff rows reach, and which mini program rows can
// go out.
struct delivery_routing {
    // [[community]] → its street, so that a supervisor row reaches the street's supervisors
    // (a community without a street, or a row without a community: every supervisor).
    std::map<std::string, std::string, std::less<>> street_of;
    // The mini program's subscribe template; "" : mini program rows stay pending, unclaimed.
    std::string mp_template_id;
};

class outbox_delivery {
public:
    explicit outbox_delivery(store& s) : store_(s) {}

    // Up to `limit` rows that are pending and due (next_attempt_at <= now), oldest first. In the
    // same transaction each is pushed to next_attempt_at = now + in_flight_seconds with
    // attempts + 1, so a row whose outcome is never recorded (crash, stop) is claimed again
    // after that time: at least once, never lost.
    //
    // Before that, due staff rows (audience worker or supervisor, no recipient) are fanned out:
    // one wechat_oa row per active staff member with a bound WeChat (the case's assignee when
    // bound, else the community's workers; the street's supervisors), keyed "<key>/staff:<id>",
    // and the staff row is marked delivered ("staff: <ids>"), or dead when nobody is bound.
    //
    // Mini program rows are claimed only with a subscription credit of
    // routing.mp_template_id, one credit reserved per row; a newer pending row about the same
    // case for the same user supersedes the older ones (marked dead: the user reads the case in
    // the mini program anyway, and a credit is worth the latest news).
    std::vector<due_notification> claim_due(std::int64_t now, std::size_t limit,
                                            std::int64_t in_flight_seconds,
                                            const delivery_routing& routing = {});

    // Gives back a credit reserved by claim_due (the send failed before the platform used it).
    void refund_subscription(const std::string& openid, const std::string& template_id,
                             std::int64_t now);
    // The platform said the user has no subscription left (43101): forget the credits.
    void clear_subscription(const std::string& openid, const std::string& template_id,
                            std::int64_t now);

    // Outcomes; each changes only a row still 'pending' and returns whether it did.
    // `via` says how it went out. A non-empty `service_openid` counts one customer-service
    // message against that user's window in the same transaction.
    bool mark_delivered(std::int64_t id, std::int64_t now, const std::string& via,
                        const std::string& service_openid = "");
    // Stays pending, due again at `next_attempt_at`.
    bool mark_retry(std::int64_t id, std::int64_t now, const std::string& error,
                    std::int64_t next_attempt_at);
    bool mark_dead(std::int64_t id, std::int64_t now, const std::string& error);

    // Rows with status 'pending' (also staff rows and rows in flight).
    std::int64_t pending();

private:
    store& store_;
};

}  // namespace minsheng::adapters::db
