#pragma once
// Inbound official-account XML (plain body, or the decrypted payload of compat/safe mode):
// parsed into a typed oa_xml_message, then mapped to the engine's dialog::inbound_message.
// Pure functions on values, thread-safe.
//
// Mapping to dialog::inbound_kind (to_inbound):
//   text                          -> text (Content)
//   image                         -> image (PicUrl -> url, MediaId)
//   voice with a Recognition      -> text (the recognition); empty/absent -> voice (MediaId)
//   video, shortvideo             -> video (MediaId)
//   location                      -> location (Location_X/Y -> latitude/longitude, Label)
//   link                          -> link (text = Title, plus "\n" + Description if any; Url)
//   file                          -> file (text = Title, the file name; media_id = FileKey)
//   event subscribe               -> subscribe; event_key = scene of "qrscene_<scene>", else ""
//   event unsubscribe / SCAN      -> unsubscribe / scan (event_key = scene)
//   event LOCATION                -> report_location (Latitude/Longitude)
//   event CLICK                   -> menu_click; VIEW, view_miniprogram -> menu_view
//   any other event               -> other_event, event = the raw name
//   unknown MsgType               -> other_event, event = "msgtype:" + MsgType
// Event names are matched case-insensitively; `event` always keeps the raw name.
// dedup_key: MsgId for messages; FromUserName#CreateTime#Event#EventKey for events (raw
// EventKey, like WxJava); an unknown MsgType without MsgId uses
// FromUserName#CreateTime#msgtype:<type>#.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "dialog/message.hpp"

namespace minsheng::adapters::wechat_oa {

enum class xml_msg_type {
    text,
    image,
    voice,
    video,
    shortvideo,
    location,
    link,
    file,
    event,
    unknown
};

// Every field the platform sends for the message and event types we use; absent elements stay
// empty / nullopt. Raw values: no scene stripping or recognition fallback here.
struct oa_xml_message {
    // common
    std::string to_user;    // ToUserName: our account (gh_...) or corp id
    std::string from_user;  // FromUserName: the user's openid
    std::int64_t create_time = 0;
    std::string msg_type;  // raw MsgType
    xml_msg_type type = xml_msg_type::unknown;
    std::string msg_id;  // MsgId (messages) or MsgID (delivery reports); empty if absent

    // messages
    std::string content;                         // text
    std::string pic_url;                         // image
    std::string media_id;                        // image, voice, video, shortvideo
    std::string format;                          // voice
    std::optional<std::string> recognition;      // voice, when the element is present
    std::string thumb_media_id;                  // video, shortvideo
    std::optional<double> location_x;            // location: latitude
    std::optional<double> location_y;            // location: longitude
    std::optional<double> scale;                 // location
    std::string label;                           // location, location_select
    std::string title;                           // link, file
    std::string description;                     // link, file
    std::string url;                             // link
    std::string file_key;                        // file
    std::string file_md5;                        // file
    std::optional<std::int64_t> file_total_len;  // file

    // events
    std::string event;                // raw Event
    std::string event_key;            // raw EventKey ("qrscene_..." kept)
    std::string ticket;               // subscribe by QR code, SCAN
    std::optional<double> latitude;   // LOCATION; location_select (SendLocationInfo)
    std::optional<double> longitude;  // LOCATION; location_select (SendLocationInfo)
    std::optional<double> precision;  // LOCATION
    std::string status;               // TEMPLATESENDJOBFINISH, MASSSENDJOBFINISH
    std::string agent_id;             // WeCom AgentID
};

struct xml_error {
    std::string detail;  // names the problem and the element, never echoes content
};

// Parses one message. Rejects invalid UTF-8, XML that is not well-formed or truncated, text
// outside the root, a root other than
// <xml>, a missing/empty ToUserName, FromUserName or MsgType, a CreateTime that is not an
// integer; a message without MsgId; text without Content; location without numeric
// Location_X/Location_Y in range; an event without Event; LOCATION without numeric
// Latitude/Longitude in range.
std::variant<oa_xml_message, xml_error> parse_xml_message(std::string_view body);

// Maps a parsed message to the engine's type (channel wechat_oa). See the table above.
dialog::inbound_message to_inbound(const oa_xml_message& m);

// Looks for an <Encrypt> element in a compat/safe-mode body. Returns its text (trimmed of
// surrounding whitespace), nullopt when the body is well-formed but has no Encrypt, or
// xml_error when the body is not a well-formed <xml> document.
std::variant<std::optional<std::string>, xml_error> find_encrypt(std::string_view body);

}  // namespace minsheng::adapters::wechat_oa
