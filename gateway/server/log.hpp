#pragma once
// Logging for the gateway (the only module that logs): one line per event, prefixed with the
// request id; the level is checked before anything is formatted. Thread-safe.
// Never pass secrets, signatures or unmasked personal data.

#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace minsheng::gateway {

using logger = spdlog::logger;

// A logger writing to stderr at `level` ("trace" ... "off").
std::shared_ptr<logger> make_logger(const std::string& level);

}  // namespace minsheng::gateway
