#pragma once
// The gateway's configuration: one struct from a TOML file plus MINSHENG_* environment
// overrides, validated once at start-up and then passed by const&.

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "adapters/wechat_oa/oa_endpoint.hpp"

namespace minsheng::gateway {

struct config {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 picks a free port
    int threads = 2;            // I/O threads
    std::string db_path = "minsheng.db";
    std::string templates_dir;           // default: <data_dir>/templates
    std::string models_dir;              // default: <data_dir>/models
    std::size_t body_limit = 64 * 1024;  // bytes per request body
    int read_timeout_ms = 10000;         // per request read, and keep-alive idle
    std::string log_level = "info";      // trace, debug, info, warn, error, off
    std::string operator_token;          // bearer token of the bootstrap operator; "" disables
    adapters::wechat_oa::oa_config wechat;
    bool using_dev_credentials = false;  // true when the built-in demo token/key are in use
};

struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Builds the config: embedded defaults, then `file` (TOML, when given), then the environment
// (`env`, normally the process environment). Throws config_error naming the bad setting.
config load_config(const std::optional<std::string>& file,
                   const std::map<std::string, std::string>& env);

// The process environment's MINSHENG_* variables.
std::map<std::string, std::string> minsheng_environment();

// Parses "host:port" (IPv6 as "[::1]:8080"). Throws config_error.
std::pair<std::string, std::uint16_t> parse_listen(const std::string& s);

}  // namespace minsheng::gateway
