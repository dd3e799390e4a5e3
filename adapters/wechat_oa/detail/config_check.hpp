#pragma once
// Private: the configuration checks shared by both ends of the callback protocol.

#include <optional>

#include "adapters/wechat_oa/msg_crypto.hpp"
#include "adapters/wechat_oa/oa_endpoint.hpp"

namespace minsheng::adapters::wechat_oa::detail {

// Validates `config` and returns the cipher its mode needs (none in plain mode). Throws
// std::invalid_argument for an empty token, or a bad key or missing appid in compat/safe mode.
std::optional<msg_cipher> checked_cipher(const oa_config& config);

}  // namespace minsheng::adapters::wechat_oa::detail
