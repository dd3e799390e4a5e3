// The hotline's request authentication (adapters/hotline/auth.hpp verify) with the
// X-Minsheng-Timestamp and X-Minsheng-Signature headers taken from the input.
//
// Input: the timestamp header up to the first '\n', the signature header up to the next '\n',
// then the body.
// Contracts: nothing throws; a request is let in only with a whole-number timestamp inside the
// window and the signature sign() computes (upper-case hex accepted); without a secret nobody
// gets in; the same request signed properly is let in, and with one hex digit changed is not.

#include <cstdint>
#include <string>

#include "adapters/hotline/auth.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace minsheng::adapters::hotline;

namespace {

constexpr std::string_view secret = "hotline-secret-0123456789";
constexpr std::int64_t now = 1795395660;
constexpr std::int64_t skew = 300;

bool whole_number_in_window(std::string_view ts) {
    if (ts.empty()) return false;
    std::size_t i = ts.front() == '-' ? 1 : 0;
    if (i == ts.size()) return false;
    while (i + 1 < ts.size() && ts[i] == '0') ++i;  // leading zeros
    if (ts.size() - i > 18) return false;           // 18 digits cannot overflow
    std::int64_t v = 0;
    for (; i < ts.size(); ++i) {
        if (ts[i] < '0' || ts[i] > '9') return false;
        v = v * 10 + (ts[i] - '0');
    }
    if (ts.front() == '-') v = -v;
    return v >= now - skew && v <= now + skew;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in = minsheng::fuzz::as_view(data, size);
    const std::string_view timestamp = minsheng::fuzz::take_line(in);
    const std::string_view signature = minsheng::fuzz::take_line(in);
    const std::string_view body = in;

    const auto result = verify(secret, timestamp, signature, body, now, skew);
    FUZZ_CHECK(!to_string(result).empty());
    const std::string good = sign(secret, timestamp, body);
    FUZZ_CHECK(good.size() == 7 + 64 && good.starts_with("sha256="));
    if (result == auth_failure::none) {
        FUZZ_CHECK(whole_number_in_window(timestamp));
        FUZZ_CHECK(signature.starts_with("sha256="));
        FUZZ_CHECK(lower(signature.substr(7)) == good.substr(7));
    }
    FUZZ_CHECK(verify("", timestamp, signature, body, now, skew) != auth_failure::none);

    // Only the timestamp decides between the window checks and the signature check.
    const auto signed_result = verify(secret, timestamp, good, body, now, skew);
    if (whole_number_in_window(timestamp)) {
        FUZZ_CHECK(signed_result == auth_failure::none);
        std::string upper = good;
        for (std::size_t i = 7; i < upper.size(); ++i)
            if (upper[i] >= 'a' && upper[i] <= 'f') upper[i] = static_cast<char>(upper[i] - 32);
        FUZZ_CHECK(verify(secret, timestamp, upper, body, now, skew) == auth_failure::none);
        std::string wrong = good;
        wrong.back() = wrong.back() == '0' ? '1' : '0';
        FUZZ_CHECK(verify(secret, timestamp, wrong, body, now, skew) ==
                   auth_failure::bad_signature);
    } else {
        FUZZ_CHECK(signed_result != auth_failure::none);
    }
    return 0;
}
