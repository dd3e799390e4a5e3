#include "adapters/wechat_oa/stored_reply.hpp"

#include <nlohmann/json.hpp>

namespace minsheng::adapters::wechat_oa {

using json = nlohmann::json;

std::string store_reply(const dialog::reply& r) {
    json j;
    switch (r.kind) {
        case dialog::reply::type::none:
            j["type"] = "none";
            break;
        case dialog::reply::type::text:
            j["type"] = "text";
            j["text"] = r.text;
            break;
        case dialog::reply::type::news:
            j = {{"type", "news"},
                 {"title", r.title},
                 {"description", r.description},
                 {"pic_url", r.pic_url},
                 {"url", r.url}};
            break;
    }
    return j.dump();
}

dialog::reply load_reply(std::string_view stored) {
    dialog::reply r;
    json j = json::parse(stored, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return r;
    auto type = j.value("type", "none");
    if (type == "text") {
        r.kind = dialog::reply::type::text;
        r.text = j.value("text", "");
    } else if (type == "news") {
        r.kind = dialog::reply::type::news;
        r.title = j.value("title", "");
        r.description = j.value("description", "");
        r.pic_url = j.value("pic_url", "");
        r.url = j.value("url", "");
    }
    return r;
}

}  // namespace minsheng::adapters::wechat_oa
