#pragma once
// The engine's view of one inbound message, whatever channel it came from, and of the reply.
// Plain values: copy and share freely.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::dialog {

// Where a case or message came from. open311: a GeoReport v2 client (another civic-reporting
// system or a 12345 platform) posting on a resident's behalf. grid: a grid worker's patrol report
// (巡查上报), the reporter being the worker's official-account openid.
enum class channel { wechat_oa, miniprogram, hotline, open311, grid };

std::string_view to_string(channel c);
// Returns nullopt for an unknown name.
std::optional<channel> channel_from_string(std::string_view name);

enum class inbound_kind {
    text,  // text; also voice with a recognition result (text holds it)
    image,
    voice,  // voice without recognition
    video,
    location,
    link,
    file,
    subscribe,  // follow; event_key holds the scene without "qrscene_" when scanned
    unsubscribe,
    scan,  // already following, scanned a code; event_key holds the scene
    report_location,
    menu_click,   // CLICK; event_key holds the key
    menu_view,    // VIEW and view_miniprogram; event_key holds the URL/page
    other_event,  // any other event: delivery reports, popups, ...
};

struct inbound_message {
    channel from = channel::wechat_oa;
    std::string user_id;    // openid for WeChat; caller phone for the hotline
    std::string dedup_key;  // channel-unique: MsgId, or FromUserName+CreateTime+Event+EventKey
    std::int64_t create_time = 0;  // unix seconds as the platform said
    inbound_kind kind = inbound_kind::text;
    std::string text;   // text content, voice recognition, link title+description
    std::string event;  // raw event name for events
    std::string event_key;
    std::string media_id;  // image/voice/video/file
    std::string url;       // link url, image PicUrl
    std::optional<double> latitude;
    std::optional<double> longitude;
    std::string label;  // location label
};

// What the engine answers. Text is already rendered from templates/.
struct reply {
    enum class type { none, text, news };
    type kind = type::none;
    std::string text;  // type::text
    // type::news (one article, as the platform allows when answering a user's message)
    std::string title;
    std::string description;
    std::string pic_url;
    std::string url;

    static reply none() { return {}; }
    static reply of_text(std::string t) {
        reply r;
        r.kind = type::text;
        r.text = std::move(t);
        return r;
    }
};

}  // namespace minsheng::dialog
