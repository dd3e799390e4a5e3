#pragma once
// The WeChat access token shared by the gateways on one PostgreSQL database: the shared_tokens
// row "wechat:<appid>" (adapters/db/shared_tokens.hpp) as the token_share of an api_client
// (adapters/wechat_api/shared_token.hpp). On SQLite there is one gateway and no sharing.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "adapters/db/shared_tokens.hpp"
#include "adapters/wechat_api/shared_token.hpp"
#include "gateway/server/config.hpp"

namespace minsheng::gateway {

// The shared row's connection when cfg.db_path is a PostgreSQL URL; null otherwise. Throws
// store_error.
std::shared_ptr<adapters::db::shared_tokens> open_shared_tokens(const config& cfg);

// The token_share of `appid` over `rows`; null when rows is null.
std::shared_ptr<adapters::wechat_api::token_share> token_share_of(
    std::shared_ptr<adapters::db::shared_tokens> rows, const std::string& appid);

}  // namespace minsheng::gateway
