// Regression tests for what fuzz/fuzz_config.cpp found in load_config (docs/fuzzing.md): each
// input is the fuzzer's, minimised. A config file is read once at start-up, so every one of them
// must be a config_error naming the setting, never undefined behaviour, an out-of-bounds read,
// a silently changed value, or a later exception from the endpoint the config builds.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "gateway/server/config.hpp"

using namespace minsheng::gateway;

namespace {

// Writes `text` byte for byte to a fresh temporary file, removed at scope exit.
class config_file {
public:
    explicit config_file(const std::string& text) {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() /
                ("minsheng-config-regress-" + std::to_string(rd()) + ".toml");
        std::ofstream(path_, std::ios::binary) << text;
    }
    ~config_file() {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
    config_file(const config_file&) = delete;
    config_file& operator=(const config_file&) = delete;
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

config load(const std::string& text) {
    const config_file f(text);
    return load_config(f.path(), {});
}

}  // namespace

TEST_CASE("an AES key of 43 characters that is not base64 is refused when the config loads",
          "[gateway]") {
    // Found by fuzz_config: load_config checked only the length, and the gateway then failed in
    // oa_endpoint's constructor with std::invalid_argument.
    const std::string text =
        "[wechat]\ntoken = \"t\"\naes_key = \"MinshengDevelopmentKeyDoNo?UseInProduction0\"\n"
        "appid = \"wx1\"\nmode = \"safe\"\n";
    CHECK_THROWS_AS(load(text), config_error);
}

TEST_CASE("a config file that is not UTF-8 is refused before the TOML parser reads it",
          "[gateway]") {
    // Found by fuzz_config: toml11 3.7.1 (Debian 12) reads past its buffer on an invalid UTF-8
    // byte inside a literal string (toml11 issue #199, fixed upstream in 3.8.0).
    CHECK_THROWS_AS(load("'\xE0'"), config_error);
    CHECK_THROWS_AS(load("name = '\xE0'\n"), config_error);
    CHECK_THROWS_AS(load("name = '''\xE0'''\n"), config_error);
}

TEST_CASE("day and hour counts too large to hold in seconds are refused", "[gateway]") {
    // Found by fuzz_config: signed overflow (undefined behaviour) multiplying by 3600 or 86400.
    CHECK_THROWS_AS(load("[program]\nclaim_lease_hours = 9223372036854775807\n"), config_error);
    CHECK_THROWS_AS(load("[program]\nproposal_voting_days = 4611686018427387904\n"), config_error);
    CHECK_THROWS_AS(load("[program]\nauto_close_days = 4611686018427387904\n"), config_error);
    CHECK_THROWS_AS(load("[program]\nmax_visit_hours = 4611686018427387904\n"), config_error);
}

TEST_CASE("numbers that do not fit their setting are refused rather than truncated", "[gateway]") {
    // Seen while fuzzing: toml::find_or<int> / <std::size_t> convert with a plain cast, so
    // threads = 2^32 + 2 loaded as 2 threads and body_limit = -1 as no limit at all.
    CHECK_THROWS_AS(load("threads = 4294967298\n"), config_error);
    CHECK_THROWS_AS(load("body_limit = -1\n"), config_error);
}
