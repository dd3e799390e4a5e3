#pragma once
// Passive replies: the XML an official account answers a push with, and its parser (for the
// client side and tests). Every string goes into CDATA; "]]>" is split as "]]]]><![CDATA[>".
// Output matches the platform's / WxJava's layout byte for byte (no whitespace between
// elements). Pure functions on values, thread-safe.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "dialog/message.hpp"

namespace minsheng::adapters::wechat_oa {

// The platform drops text replies longer than about 2048 bytes of UTF-8 (field measurement).
inline constexpr std::size_t max_text_reply_bytes = 2048;

// Returns `text` cut to at most `max_bytes` bytes without splitting a UTF-8 character, with
// characters XML 1.0 forbids (C0 controls other than tab, LF, CR; U+FFFE/U+FFFF) removed and
// invalid UTF-8 bytes replaced by U+FFFD.
std::string fit_utf8(std::string_view text, std::size_t max_bytes);

// Who the reply is addressed to: to_user is the resident's openid (the push's FromUserName),
// from_user is our account (the push's ToUserName).
struct reply_header {
    std::string to_user;
    std::string from_user;
    std::int64_t create_time = 0;
};

struct news_article {
    std::string title;
    std::string description;
    std::string pic_url;
    std::string url;
};

struct music_reply {
    std::string title;
    std::string description;
    std::string music_url;
    std::string hq_music_url;
    std::string thumb_media_id;
};

// Renders `content` as given (the caller fits it; oa_endpoint::encode does).
std::string render_text_reply(const reply_header& h, std::string_view content);
// The platform allows one article when answering a user's message (more: error 45008);
// render_news_reply renders as many as given so that other scenarios can use it.
std::string render_news_reply(const reply_header& h, std::span<const news_article> articles);
std::string render_image_reply(const reply_header& h, std::string_view media_id);
std::string render_voice_reply(const reply_header& h, std::string_view media_id);
std::string render_video_reply(const reply_header& h, std::string_view media_id,
                               std::string_view title, std::string_view description);
std::string render_music_reply(const reply_header& h, const music_reply& m);
std::string render_transfer_customer_service_reply(const reply_header& h);

// A reply parsed back (by a client or a test). For text and news `reply` holds the content
// (news: the first article); other types leave reply.kind == none and only set msg_type.
struct parsed_reply {
    dialog::reply reply;
    std::string msg_type;  // raw MsgType; empty for "success" / empty acknowledgements
    reply_header header;
    std::size_t article_count = 0;  // news only
};

// Parses a plain reply body: "success" or an empty body -> reply::none; else the reply XML.
// Returns an English error sentence when the body is neither.
std::variant<parsed_reply, std::string> parse_reply_xml(std::string_view body);

}  // namespace minsheng::adapters::wechat_oa
