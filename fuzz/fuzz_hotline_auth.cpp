// The hotline's request authentication (adapters/hotline/auth.hpp verify, sign_v2, sign_legacy)
// with the X-Minsheng-Timestamp and X-Minsheng-Signature headers and the signed request parts
// taken from the input.
//
// Input: one field per line — the timestamp header, the signature header, the method, the target
// ("/hotline/transcripts?call_id=..."), the Content-Type — then the body (the rest).
// Contracts: nothing throws; a request is let in only with a whole-number timestamp inside the
// window and the signature sign_v2() computes, or, only where the system may use it, the one
// sign_legacy() computes (upper-case hex accepted), and then the verdict's MAC is that
// signature's in lower case; a legacy signature where it is not allowed is legacy_refused;
// without a secret nobody gets in; the same request signed properly is let in, and with one hex
// digit, the content type or a query value changed is not; the client's sign_v2 over the target
// and the gateway's over the decoded parts agree, and the canonical query decodes back to the
// parameters it was built from.

#include <cstdint>
#include <string>

#include "adapters/hotline/auth.hpp"
#include "adapters/http/query_string.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace minsheng::adapters::hotline;
namespace http = minsheng::adapters::http;

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

std::string upper_hex(std::string s) {
    for (std::size_t i = s.find('=') + 1; i < s.size(); ++i)
        if (s[i] >= 'a' && s[i] <= 'f') s[i] = static_cast<char>(s[i] - 32);
    return s;
}

std::string one_digit_changed(std::string s) {
    s.back() = s.back() == '0' ? '1' : '0';
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in = minsheng::fuzz::as_view(data, size);
    const std::string_view timestamp = minsheng::fuzz::take_line(in);
    const std::string_view signature = minsheng::fuzz::take_line(in);
    const std::string_view method = minsheng::fuzz::take_line(in);
    const std::string_view target = minsheng::fuzz::take_line(in);
    const std::string_view content_type = minsheng::fuzz::take_line(in);
    const std::string_view body = in;

    // The gateway decodes the query before any route runs and refuses what does not decode;
    // such a request is checked here with no parameters.
    auto [path, query] = http::split_target(target);
    const bool query_ok = query.has_value();
    const request_parts r{method, path, query_ok ? std::move(*query) : http::query_params{},
                          content_type, body};

    const std::string good = sign_v2(secret, r, timestamp);
    FUZZ_CHECK(good.size() == 3 + 64 && good.starts_with("v2="));
    const std::string old = sign_legacy(secret, timestamp, body);
    FUZZ_CHECK(old.size() == 7 + 64 && old.starts_with("sha256="));
    if (query_ok) {
        FUZZ_CHECK(sign_v2(secret, method, target, content_type, timestamp, body) == good);
        const auto again = http::decode_query(http::encode_query(r.query));
        FUZZ_CHECK(again && *again == r.query);
    }

    for (const bool legacy_allowed : {false, true}) {
        const auto v = verify(secret, timestamp, signature, r, now, skew, legacy_allowed);
        FUZZ_CHECK(!to_string(v.failure).empty());
        if (v.failure == auth_failure::none) {
            FUZZ_CHECK(whole_number_in_window(timestamp));
            if (signature.starts_with("v2=")) {
                FUZZ_CHECK(v.form == signature_form::v2);
                FUZZ_CHECK(lower(signature.substr(3)) == good.substr(3));
                FUZZ_CHECK(v.mac == good.substr(3));
            } else {
                FUZZ_CHECK(legacy_allowed && signature.starts_with("sha256="));
                FUZZ_CHECK(v.form == signature_form::legacy);
                FUZZ_CHECK(lower(signature.substr(7)) == old.substr(7));
                FUZZ_CHECK(v.mac == old.substr(7));
            }
        } else {
            FUZZ_CHECK(v.mac.empty());
        }
        if (!legacy_allowed && signature.starts_with("sha256=") &&
            whole_number_in_window(timestamp))
            FUZZ_CHECK(v.failure == auth_failure::legacy_refused);
        FUZZ_CHECK(verify("", timestamp, signature, r, now, skew, legacy_allowed).failure !=
                   auth_failure::none);
    }

    // Only the timestamp decides between the window checks and the signature check.
    const auto signed_v2 = verify(secret, timestamp, good, r, now, skew, false);
    const auto signed_old = verify(secret, timestamp, old, r, now, skew, true);
    if (whole_number_in_window(timestamp)) {
        FUZZ_CHECK(signed_v2.failure == auth_failure::none);
        FUZZ_CHECK(signed_old.failure == auth_failure::none);
        FUZZ_CHECK(verify(secret, timestamp, upper_hex(good), r, now, skew, false).mac ==
                   good.substr(3));
        FUZZ_CHECK(verify(secret, timestamp, upper_hex(old), r, now, skew, true).failure ==
                   auth_failure::none);
        FUZZ_CHECK(
            verify(secret, timestamp, one_digit_changed(good), r, now, skew, false).failure ==
            auth_failure::bad_signature);
        FUZZ_CHECK(verify(secret, timestamp, one_digit_changed(old), r, now, skew, true).failure ==
                   auth_failure::bad_signature);
        FUZZ_CHECK(verify(secret, timestamp, old, r, now, skew, false).failure ==
                   auth_failure::legacy_refused);
        // The v2 signature covers the content type and every query value; the legacy one not.
        auto other = r;
        const std::string other_type = std::string(content_type) + "x";
        other.content_type = other_type;
        FUZZ_CHECK(verify(secret, timestamp, good, other, now, skew, false).failure ==
                   auth_failure::bad_signature);
        FUZZ_CHECK(verify(secret, timestamp, old, other, now, skew, true).failure ==
                   auth_failure::none);
        other = r;
        other.query["caller_phone"] += "0";
        FUZZ_CHECK(verify(secret, timestamp, good, other, now, skew, false).failure ==
                   auth_failure::bad_signature);
    } else {
        FUZZ_CHECK(signed_v2.failure != auth_failure::none);
        FUZZ_CHECK(signed_old.failure != auth_failure::none);
    }
    return 0;
}
