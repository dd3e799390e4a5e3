#include "dialog/message.hpp"

#include "dialog/ports.hpp"

namespace minsheng::dialog {

std::string_view to_string(channel c) {
    switch (c) {
        case channel::wechat_oa:
            return "wechat_oa";
        case channel::miniprogram:
            return "miniprogram";
        case channel::hotline:
            return "hotline";
        case channel::open311:
            return "open311";
        case channel::grid:
            return "grid";
    }
    return "unknown";
}

std::optional<channel> channel_from_string(std::string_view name) {
    if (name == "wechat_oa") return channel::wechat_oa;
    if (name == "miniprogram") return channel::miniprogram;
    if (name == "hotline") return channel::hotline;
    if (name == "open311") return channel::open311;
    if (name == "grid") return channel::grid;
    return std::nullopt;
}

std::string person_ref::key() const {
    std::string k(to_string(from));
    k += ':';
    k += user_id;
    return k;
}

std::optional<person_ref> person_ref::parse(std::string_view key) {
    auto colon = key.find(':');
    if (colon == std::string_view::npos || colon + 1 == key.size()) return std::nullopt;
    auto ch = channel_from_string(key.substr(0, colon));
    if (!ch) return std::nullopt;
    return person_ref{*ch, std::string(key.substr(colon + 1))};
}

}  // namespace minsheng::dialog
