#include "adapters/wechat_oa/xml_message.hpp"

#include <charconv>

#include "adapters/wechat_oa/detail/xml_text.hpp"

namespace minsheng::adapters::wechat_oa {

namespace {

using dialog::inbound_kind;

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && ws(s.back())) s.remove_suffix(1);
    return s;
}

std::string text_or_empty(pugi::xml_node parent, const char* name) {
    return detail::child_text(parent, name).value_or(std::string{});
}

std::string trimmed_or_empty(pugi::xml_node parent, const char* name) {
    auto t = detail::child_text(parent, name);
    return t ? std::string(trim(*t)) : std::string{};
}

xml_msg_type classify(std::string_view t) {
    if (t == "text") return xml_msg_type::text;
    if (t == "image") return xml_msg_type::image;
    if (t == "voice") return xml_msg_type::voice;
    if (t == "video") return xml_msg_type::video;
    if (t == "shortvideo") return xml_msg_type::shortvideo;
    if (t == "location") return xml_msg_type::location;
    if (t == "link") return xml_msg_type::link;
    if (t == "file") return xml_msg_type::file;
    if (t == "event") return xml_msg_type::event;
    return xml_msg_type::unknown;
}

bool in_range(const std::optional<double>& v, double limit) {
    return v && *v >= -limit && *v <= limit;
}

xml_error missing(std::string_view element) {
    return xml_error{"the message has no valid <" + std::string(element) + "> element"};
}

std::string int_to_string(std::int64_t v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    return std::string(buf, end);
}

}  // namespace

std::variant<oa_xml_message, xml_error> parse_xml_message(std::string_view body) {
    pugi::xml_document doc;
    pugi::xml_node root = detail::load_wechat_xml(doc, body);
    if (!root) return xml_error{"the body is not a well-formed <xml> document"};

    oa_xml_message m;
    m.to_user = trimmed_or_empty(root, "ToUserName");
    if (m.to_user.empty()) return missing("ToUserName");
    m.from_user = trimmed_or_empty(root, "FromUserName");
    if (m.from_user.empty()) return missing("FromUserName");
    auto create_time = detail::child_int(root, "CreateTime");
    if (!create_time) return missing("CreateTime");
    m.create_time = *create_time;
    m.msg_type = trimmed_or_empty(root, "MsgType");
    if (m.msg_type.empty()) return missing("MsgType");
    m.type = classify(m.msg_type);

    m.msg_id = trimmed_or_empty(root, "MsgId");
    if (m.msg_id.empty()) m.msg_id = trimmed_or_empty(root, "MsgID");
    m.agent_id = trimmed_or_empty(root, "AgentID");

    const bool is_message = m.type != xml_msg_type::event && m.type != xml_msg_type::unknown;
    if (is_message && m.msg_id.empty()) return missing("MsgId");

    switch (m.type) {
        case xml_msg_type::text: {
            auto content = detail::child_text(root, "Content");
            if (!content) return missing("Content");
            m.content = std::move(*content);
            break;
        }
        case xml_msg_type::image:
            m.pic_url = trimmed_or_empty(root, "PicUrl");
            m.media_id = trimmed_or_empty(root, "MediaId");
            break;
        case xml_msg_type::voice:
            m.media_id = trimmed_or_empty(root, "MediaId");
            m.format = trimmed_or_empty(root, "Format");
            m.recognition = detail::child_text(root, "Recognition");
            break;
        case xml_msg_type::video:
        case xml_msg_type::shortvideo:
            m.media_id = trimmed_or_empty(root, "MediaId");
            m.thumb_media_id = trimmed_or_empty(root, "ThumbMediaId");
            break;
        case xml_msg_type::location:
            m.location_x = detail::child_double(root, "Location_X");
            if (!in_range(m.location_x, 90)) return missing("Location_X");
            m.location_y = detail::child_double(root, "Location_Y");
            if (!in_range(m.location_y, 180)) return missing("Location_Y");
            m.scale = detail::child_double(root, "Scale");
            m.label = text_or_empty(root, "Label");
            break;
        case xml_msg_type::link:
            m.title = text_or_empty(root, "Title");
            m.description = text_or_empty(root, "Description");
            m.url = trimmed_or_empty(root, "Url");
            break;
        case xml_msg_type::file:
            m.title = text_or_empty(root, "Title");
            m.description = text_or_empty(root, "Description");
            m.file_key = trimmed_or_empty(root, "FileKey");
            m.file_md5 = trimmed_or_empty(root, "FileMd5");
            m.file_total_len = detail::child_int(root, "FileTotalLen");
            break;
        case xml_msg_type::event: {
            m.event = trimmed_or_empty(root, "Event");
            if (m.event.empty()) return missing("Event");
            m.event_key = text_or_empty(root, "EventKey");
            m.ticket = trimmed_or_empty(root, "Ticket");
            m.status = text_or_empty(root, "Status");
            if (iequals(m.event, "LOCATION")) {
                m.latitude = detail::child_double(root, "Latitude");
                if (!in_range(m.latitude, 90)) return missing("Latitude");
                m.longitude = detail::child_double(root, "Longitude");
                if (!in_range(m.longitude, 180)) return missing("Longitude");
                m.precision = detail::child_double(root, "Precision");
            } else if (pugi::xml_node info = root.child("SendLocationInfo")) {
                // location_select: best effort, the event is delivered either way.
                auto x = detail::child_double(info, "Location_X");
                auto y = detail::child_double(info, "Location_Y");
                if (in_range(x, 90) && in_range(y, 180)) {
                    m.latitude = x;
                    m.longitude = y;
                }
                m.scale = detail::child_double(info, "Scale");
                m.label = text_or_empty(info, "Label");
            }
            break;
        }
        case xml_msg_type::unknown:
            break;
    }
    return m;
}

dialog::inbound_message to_inbound(const oa_xml_message& m) {
    dialog::inbound_message out;
    out.from = dialog::channel::wechat_oa;
    out.user_id = m.from_user;
    out.create_time = m.create_time;

    auto event_dedup_key = [&](std::string_view event) {
        std::string key = m.from_user;
        key += '#';
        key += int_to_string(m.create_time);
        key += '#';
        key += event;
        key += '#';
        key += m.event_key;
        return key;
    };

    switch (m.type) {
        case xml_msg_type::text:
            out.kind = inbound_kind::text;
            out.text = m.content;
            break;
        case xml_msg_type::image:
            out.kind = inbound_kind::image;
            out.url = m.pic_url;
            out.media_id = m.media_id;
            break;
        case xml_msg_type::voice:
            out.media_id = m.media_id;
            if (m.recognition && !trim(*m.recognition).empty()) {
                out.kind = inbound_kind::text;
                out.text = *m.recognition;
            } else {
                out.kind = inbound_kind::voice;
            }
            break;
        case xml_msg_type::video:
        case xml_msg_type::shortvideo:
            out.kind = inbound_kind::video;
            out.media_id = m.media_id;
            break;
        case xml_msg_type::location:
            out.kind = inbound_kind::location;
            out.latitude = m.location_x;
            out.longitude = m.location_y;
            out.label = m.label;
            break;
        case xml_msg_type::link:
            out.kind = inbound_kind::link;
            out.text = m.title;
            if (!m.description.empty()) {
                if (!out.text.empty()) out.text += '\n';
                out.text += m.description;
            }
            out.url = m.url;
            break;
        case xml_msg_type::file:
            out.kind = inbound_kind::file;
            out.text = m.title;
            out.media_id = m.file_key;
            break;
        case xml_msg_type::event: {
            out.event = m.event;
            out.dedup_key = event_dedup_key(m.event);
            const std::string_view e = m.event;
            if (iequals(e, "subscribe")) {
                out.kind = inbound_kind::subscribe;
                constexpr std::string_view prefix = "qrscene_";
                if (std::string_view(m.event_key).starts_with(prefix))
                    out.event_key = m.event_key.substr(prefix.size());
            } else if (iequals(e, "unsubscribe")) {
                out.kind = inbound_kind::unsubscribe;
            } else if (iequals(e, "SCAN")) {
                out.kind = inbound_kind::scan;
                out.event_key = m.event_key;
            } else if (iequals(e, "LOCATION")) {
                out.kind = inbound_kind::report_location;
                out.latitude = m.latitude;
                out.longitude = m.longitude;
            } else if (iequals(e, "CLICK")) {
                out.kind = inbound_kind::menu_click;
                out.event_key = m.event_key;
            } else if (iequals(e, "VIEW") || iequals(e, "view_miniprogram")) {
                out.kind = inbound_kind::menu_view;
                out.event_key = m.event_key;
            } else {
                out.kind = inbound_kind::other_event;
                out.event_key = m.event_key;
                out.latitude = m.latitude;
                out.longitude = m.longitude;
                out.label = m.label;
            }
            return out;
        }
        case xml_msg_type::unknown:
            out.kind = inbound_kind::other_event;
            out.event = "msgtype:" + m.msg_type;
            out.dedup_key = m.msg_id.empty() ? event_dedup_key(out.event) : m.msg_id;
            return out;
    }
    out.dedup_key = m.msg_id;
    return out;
}

std::variant<std::optional<std::string>, xml_error> find_encrypt(std::string_view body) {
    pugi::xml_document doc;
    pugi::xml_node root = detail::load_wechat_xml(doc, body);
    if (!root) return xml_error{"the body is not a well-formed <xml> document"};
    auto text = detail::child_text(root, "Encrypt");
    if (!text) return std::optional<std::string>{};
    return std::optional<std::string>{std::string(trim(*text))};
}

}  // namespace minsheng::adapters::wechat_oa
