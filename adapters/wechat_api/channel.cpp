#include "adapters/wechat_api/channel.hpp"

namespace minsheng::adapters::wechat_api {

bool inside_service_window(const recipient_state& who, std::chrono::system_clock::time_point now,
                           const service_window& window) {
    if (!who.last_inbound) return false;
    if (who.service_messages_since < 0 || who.service_messages_since >= window.max_messages)
        return false;
    return now - *who.last_inbound < window.length - window.margin;
}

channel choose_channel(const recipient_state& who, std::chrono::system_clock::time_point now,
                       const service_window& window) {
    return inside_service_window(who, now, window) ? channel::customer_service
                                                   : fallback_channel(who.account);
}

channel fallback_channel(account_kind account) {
    return account == account_kind::mini_program ? channel::subscribe_message
                                                 : channel::template_message;
}

bool should_fall_back(const api_result& custom_send) {
    return !custom_send.ok && custom_send.kind == failure::platform &&
           is_window_closed(custom_send.errcode);
}

}  // namespace minsheng::adapters::wechat_api
