#pragma once
// The stored form of a passive reply: what the store keeps beside a handled message so that a
// retry of the message is answered with the same reply. JSON: {"type":"text","text":...} or a
// news item. Pure functions, thread-safe.

#include <string>
#include <string_view>

#include "dialog/message.hpp"

namespace minsheng::adapters::wechat_oa {

// Serialises once, for storage.
std::string store_reply(const dialog::reply& r);
// The reply back from its stored form; an unreadable one reads as no reply ("success").
dialog::reply load_reply(std::string_view stored);

}  // namespace minsheng::adapters::wechat_oa
