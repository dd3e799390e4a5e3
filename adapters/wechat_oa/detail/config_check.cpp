#include "adapters/wechat_oa/detail/config_check.hpp"

#include <stdexcept>

namespace minsheng::adapters::wechat_oa::detail {

std::optional<msg_cipher> checked_cipher(const oa_config& config) {
    if (config.token.empty()) throw std::invalid_argument("the WeChat token must not be empty");
    if (config.mode == security_mode::plain) return std::nullopt;
    if (!decode_encoding_aes_key(config.encoding_aes_key))
        throw std::invalid_argument("compat and safe mode need the 43-character EncodingAESKey");
    if (config.appid.empty()) throw std::invalid_argument("compat and safe mode need the appid");
    return std::optional<msg_cipher>(std::in_place, config.encoding_aes_key);
}

}  // namespace minsheng::adapters::wechat_oa::detail
