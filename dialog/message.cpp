#include "dialog/message.hpp"

namespace minsheng::dialog {

std::string_view to_string(channel c) {
    switch (c) {
        case channel::wechat_oa:
            return "wechat_oa";
        case channel::miniprogram:
            return "miniprogram";
        case channel::hotline:
            return "hotline";
    }
    return "unknown";
}

std::optional<channel> channel_from_string(std::string_view name) {
    if (name == "wechat_oa") return channel::wechat_oa;
    if (name == "miniprogram") return channel::miniprogram;
    if (name == "hotline") return channel::hotline;
    return std::nullopt;
}

}  // namespace minsheng::dialog
