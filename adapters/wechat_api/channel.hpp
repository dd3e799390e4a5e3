#pragma once
// Which message kind can reach a user now. A customer-service message is free-form but only
// allowed within 48 hours of the user's last message and at most 5 times in that window
// (CONSTRAINTS.md §3); outside it an official account sends a template message and a mini
// program a subscribe message (which needs the user's subscription credit). Pure functions.

#include <chrono>
#include <optional>

#include "adapters/wechat_api/api_result.hpp"

namespace minsheng::adapters::wechat_api {

enum class account_kind { official_account, mini_program };
enum class channel { customer_service, template_message, subscribe_message };

// What we know of one user on one account.
struct recipient_state {
    account_kind account = account_kind::official_account;
    // When the user last sent us a message (a new message restarts the window); none: never.
    std::optional<std::chrono::system_clock::time_point> last_inbound;
    // Customer-service messages sent to the user since last_inbound.
    int service_messages_since = 0;
};

struct service_window {
    std::chrono::seconds length = std::chrono::hours(48);
    int max_messages = 5;
    // The window is treated as closing this much early (our clock against WeChat's).
    std::chrono::seconds margin = std::chrono::minutes(2);
};

bool inside_service_window(const recipient_state& who, std::chrono::system_clock::time_point now,
                           const service_window& window = {});

// customer_service inside the window, else fallback_channel(who.account).
channel choose_channel(const recipient_state& who, std::chrono::system_clock::time_point now,
                       const service_window& window = {});

// template_message for an official account, subscribe_message for a mini program.
channel fallback_channel(account_kind account);

// A customer-service send that failed because the window is closed (45015) or used up (45047)
// should be sent again on the fallback channel.
bool should_fall_back(const api_result& custom_send);

}  // namespace minsheng::adapters::wechat_api
