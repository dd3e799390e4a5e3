#include "adapters/http/query_string.hpp"

#include <charconv>

namespace minsheng::adapters::http {

namespace {

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

void append_encoded(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (unreserved(c)) {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0x0f];
        }
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> decode_component(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%') {
            if (s.size() - i < 3) return std::nullopt;
            const int hi = hex_value(s[i + 1]);
            const int lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

std::string encode_query(const query_params& q) {
    std::string out;
    for (const auto& [k, v] : q) {
        if (!out.empty()) out += '&';
        append_encoded(out, k);
        out += '=';
        append_encoded(out, v);
    }
    return out;
}

std::optional<query_params> decode_query(std::string_view query) {
    query_params out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        auto key = decode_component(pair.substr(0, eq));
        auto value = decode_component(eq == std::string_view::npos ? std::string_view{}
                                                                   : pair.substr(eq + 1));
        if (!key || !value) return std::nullopt;
        if (!out.emplace(std::move(*key), std::move(*value)).second) return std::nullopt;
    }
    return out;
}

std::pair<std::string, std::optional<query_params>> split_target(std::string_view target) {
    auto qm = target.find('?');
    std::string path(target.substr(0, qm));
    if (qm == std::string_view::npos) return {path, query_params{}};
    return {path, decode_query(target.substr(qm + 1))};
}

std::optional<std::int64_t> whole_number(std::string_view text, std::int64_t lo, std::int64_t hi) {
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || p != text.data() + text.size() || n < lo || n > hi)
        return std::nullopt;
    return n;
}

}  // namespace minsheng::adapters::http
