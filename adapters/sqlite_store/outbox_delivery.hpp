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
#include <optional>
#include <string>
#include <vector>

#include "adapters/sqlite_store/store.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::sqlite_store {

// A claimed row with what its delivery needs.
struct due_notification {
    dialog::notification n;  // n.to is set: rows for staff (no recipient) are never claimed
    int attempts = 0;        // including this claim
    // The WeChat official-account user to write to: n.to's user for wechat_oa; for hotline (a
    // phone number), the wechat_oa person bound to that phone, if any; else empty (SMS).
    std::string openid;
    // The customer-service window of `openid`: the received_at of their latest message (none:
    // never wrote) and the customer-service messages sent since.
    std::optional<std::int64_t> last_inbound;
    int service_messages_since = 0;
};

class outbox_delivery {
public:
    explicit outbox_delivery(store& s) : store_(s) {}

    // Up to `limit` rows that are pending, due (next_attempt_at <= now) and addressed to a
    // wechat_oa user or a hotline phone, oldest first. In the same transaction each is pushed
    // to next_attempt_at = now + in_flight_seconds with attempts + 1, so a row whose outcome is
    // never recorded (crash, stop) is claimed again after that time: at least once, never lost.
    std::vector<due_notification> claim_due(std::int64_t now, std::size_t limit,
                                            std::int64_t in_flight_seconds);

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

}  // namespace minsheng::adapters::sqlite_store
