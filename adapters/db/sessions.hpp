#pragma once
// Mini program sessions (table mp_sessions): what a login through code2session leaves behind.
// Only the SHA-256 of a session token is stored, so a copy of the database opens no session.
// WeChat's session_key is not kept at all: nothing uses it (the verified phone comes from
// getuserphonenumber, which needs no session_key), and what is not kept cannot leak.
//
// Thread-safety: the store functions run on the single writer (like every store method); the
// reader function on the reader's thread. Storage failures throw store_error.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/db/store.hpp"

namespace minsheng::adapters::db {

struct mp_session {
    std::string token_hash;  // lowercase hex SHA-256 of the token the client holds
    std::string openid;
    std::string unionid;  // "" when the app has no open-platform binding
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;
};

// Records a new session as one unit (a savepoint of the writer's open batch, committed with it),
// and deletes sessions that expired before `purge_before` (they only served to tell "expired"
// from "unknown"). Throws store_error, also for a token_hash already stored.
void save_mp_session(store& s, const mp_session& session, std::int64_t purge_before);

// The session whose token hashes to `token_hash`, expired or not (the caller compares
// expires_at with its clock); nullopt when there is none.
std::optional<mp_session> find_mp_session(reader& r, std::string_view token_hash);

// Sessions stored, expired or not (tests and the operator's curiosity).
std::int64_t count_mp_sessions(reader& r);

// Most credits one user may hold per template: one accepted wx.requestSubscribeMessage is one
// message, and a client that asks in a loop should not bank more than a case's worth.
inline constexpr int max_subscription_credits = 20;

// Adds one credit of `template_id` for the mini program user (they accepted the subscription
// once), at most max_subscription_credits; returns the credits now held.
int add_subscription_credit(store& s, const std::string& openid, const std::string& template_id,
                            std::int64_t now);
// The credits the user holds for `template_id` (0 when none).
int subscription_credits(reader& r, const std::string& openid, const std::string& template_id);

}  // namespace minsheng::adapters::db
