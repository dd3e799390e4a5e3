// The gateway's configuration file (gateway/server/config.hpp load_config): the input is the
// TOML file, written to a temporary file because load_config reads a path.
// Contracts: a bad file throws config_error and nothing else (toml11's own exceptions, overflow
// and type errors included); a config that loads is valid as documented (threads, timeouts,
// body limit, clock skews, secrets, log level, mode with its key and appid) and the
// official-account endpoint it configures can be built.

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "adapters/wechat_oa/oa_endpoint.hpp"
#include "fuzz/fuzz_support.hpp"
#include "gateway/server/config.hpp"

using namespace minsheng::gateway;

namespace {

// One file per process, removed at exit.
struct temp_file {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("minsheng-fuzz-config-" + std::to_string(::getpid()) + ".toml");
    ~temp_file() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

void check(const config& c) {
    using minsheng::adapters::wechat_oa::security_mode;
    FUZZ_CHECK(c.threads >= 1 && c.threads <= 256);
    FUZZ_CHECK(c.body_limit >= 1024);
    FUZZ_CHECK(!c.wechat.token.empty());
    FUZZ_CHECK(c.wechat.max_clock_skew >= 1 && c.hotline.max_clock_skew >= 1);
    for (const auto& [name, secret] : c.hotline.secrets) FUZZ_CHECK(secret.size() >= 16);
    if (c.wechat.mode != security_mode::plain) {
        FUZZ_CHECK(c.wechat.encoding_aes_key.size() == 43);
        FUZZ_CHECK(!c.wechat.appid.empty());
    }
    FUZZ_CHECK(!c.templates_dir.empty() && !c.models_dir.empty());
    FUZZ_CHECK(!c.program.calendar_dir.empty());
    // What the gateway builds from it at start-up.
    const minsheng::adapters::wechat_oa::oa_endpoint endpoint(c.wechat);
    (void)endpoint;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const temp_file file;
    {
        std::ofstream out(file.path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
        FUZZ_CHECK(out.good());
    }
    config c;
    try {
        c = load_config(file.path.string(), {});
    } catch (const config_error&) {
        return 0;
    }
    check(c);
    return 0;
}
