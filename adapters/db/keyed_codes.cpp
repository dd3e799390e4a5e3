#include "adapters/db/keyed_codes.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "adapters/db/bearer_token.hpp"

namespace minsheng::adapters::db {

keyed_code_book::keyed_code_book(std::string secret) : secret_(std::move(secret)) {
    if (secret_.size() < 16)
        throw std::invalid_argument("the secret that keys one-time codes is too short");
}

std::string keyed_code_book::new_code() const {
    auto code = new_numeric_code(6);
    if (!code) throw std::runtime_error("no randomness for a one-time code");
    return *code;
}

namespace {

// HMAC-SHA256 of `message` under `secret`, as lower-case hex.
std::string hmac_hex(std::string_view secret, std::string_view message) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
              reinterpret_cast<const unsigned char*>(message.data()), message.size(), md.data(),
              &len))
        throw std::runtime_error("HMAC-SHA256 failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 0xf];
    }
    return out;
}

}  // namespace

std::string keyed_code_book::hash(std::string_view phone, std::string_view code) const {
    return hmac_hex(secret_, std::string(phone) + ":" + std::string(code));
}

std::string station_scene(std::string_view secret, std::string_view code) {
    if (secret.size() < 16)
        throw std::invalid_argument("the secret that keys station scenes is too short");
    // Phone code hashes under the same key are of "<digits>:<digits>"; a message starting with
    // letters is never one of them.
    return "st:" + std::string(code) + ":" +
           hmac_hex(secret, "station:" + std::string(code)).substr(0, station_tag_chars);
}

std::string server_secret(const std::string& db_path) {
    auto fresh = [] {
        auto s = new_hex_code(32);
        if (!s) throw std::runtime_error("no randomness for the server secret");
        return *s;
    };
    if (db_path == ":memory:") return fresh();
    const std::string path = db_path + ".secret";
    {
        std::ifstream in(path, std::ios::binary);
        if (in) {
            std::string s((std::istreambuf_iterator<char>(in)), {});
            while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
                s.pop_back();
            if (s.size() < 32)
                throw std::runtime_error(path +
                                         " holds too short a secret (at least 32 characters)");
            return s;
        }
    }
    const std::string s = fresh();
    // O_EXCL: two gateways starting at once on one file do not overwrite each other's secret.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return server_secret(db_path);
        throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    }
    const std::string line = s + "\n";
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                    ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot write " + path);
    return s;
}

}  // namespace minsheng::adapters::db
