#pragma once
// Shared by the harnesses: a contract check that stops the run with a message (libFuzzer then
// saves the input as crash-*), splitting an input into newline-separated fields, and the end-of-
// line normalisation that XML applies to every text it parses.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace minsheng::fuzz {

[[noreturn]] inline void contract_broken(const char* what, const char* file, int line) {
    std::fprintf(stderr, "\n== contract broken at %s:%d: %s\n", file, line, what);
    std::abort();
}

// Takes the bytes up to the first '\n' (or all of them) off the front of `in`.
inline std::string_view take_line(std::string_view& in) {
    const auto nl = in.find('\n');
    const std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
    return line;
}

// XML 1.0 §2.11: a parser turns "\r\n" and a lone "\r" into "\n", also inside CDATA. A value that
// held "\r" (from "&#13;") cannot come back through CDATA byte for byte; round trips compare
// after this.
inline std::string xml_eol(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out += '\n';
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

inline std::string_view as_view(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace minsheng::fuzz

// Checks a contract of the code under test; on failure prints it and aborts.
#define FUZZ_CHECK(cond) \
    ((cond) ? (void)0 : ::minsheng::fuzz::contract_broken(#cond, __FILE__, __LINE__))
