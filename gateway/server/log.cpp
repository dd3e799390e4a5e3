#include "gateway/server/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

namespace minsheng::gateway {

std::shared_ptr<logger> make_logger(const std::string& level) {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto log = std::make_shared<spdlog::logger>("minsheng", sink);
    log->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
    log->set_level(spdlog::level::from_str(level));
    log->flush_on(spdlog::level::warn);
    return log;
}

}  // namespace minsheng::gateway
