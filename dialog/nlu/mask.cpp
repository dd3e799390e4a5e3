// Personal-data masking: mask_phone, mask_id_number and mask_personal_data (declared in
// dialog/nlu/nlu.hpp).
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/nlu/extractor.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/nlu/normalizer.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::dialog::nlu {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The normaliser and extractor mask_personal_data() works with: built on first use (thread-safe
// static initialisation), immutable afterwards and shared by every caller.
struct masking_tools {
    std::shared_ptr<const normalizer> norm = normalizer::create();
    std::shared_ptr<const extractor> extract = extractor::create();
};

const masking_tools& tools() {
    static const masking_tools t;
    return t;
}

}  // namespace

std::string mask_phone(std::string_view digits) {
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < digits.size(); ++i)
        if (is_digit(digits[i])) at.push_back(i);
    const std::size_t n = at.size();
    std::size_t from = 0;  // digit indices [from, to) are masked
    std::size_t to = 0;
    const char first = n ? digits[at[0]] : '\0';
    const bool mobile = (n == 11 && first == '1') ||
                        (n == 13 && first == '8' && digits[at[1]] == '6' && digits[at[2]] == '1');
    if (mobile) {
        from = n - 8;
        to = n - 4;
    } else if (first == '0' && n >= 9) {
        const char second = digits[at[1]];
        from = second == '1' || second == '2' ? 3 : 4;
        to = n - 2;
    } else if (n >= 8) {
        from = 3;
        to = n - 4;
    } else if (n > 2) {
        to = n - 2;
    } else {
        to = n;
    }
    std::string out(digits);
    for (std::size_t k = from; k < to; ++k) out[at[k]] = '*';
    return out;
}

std::string mask_id_number(std::string_view id) {
    // By characters, so that stray multi-byte input never splits.
    std::vector<std::string_view> chars;
    for (std::size_t i = 0; i < id.size();) {
        auto d = dialog::decode_utf8(id, i);
        chars.push_back(id.substr(i, d.len));
        i += d.len;
    }
    const std::size_t n = chars.size();
    const std::size_t keep_front = n > 7 ? 3 : 0;
    const std::size_t keep_back = n > 7 ? 4 : 0;
    std::string out;
    out.reserve(n);
    for (std::size_t k = 0; k < n; ++k) {
        if (k < keep_front || k >= n - keep_back)
            out.append(chars[k]);
        else
            out.push_back('*');
    }
    return out;
}

std::string mask_personal_data(std::string_view text) {
    const auto& t = tools();
    const normalised_text normal = t.norm->normalise(text);
    std::vector<span> hide = t.extract->personal_characters(normal, text);
    if (hide.empty()) return std::string(text);
    std::sort(hide.begin(), hide.end(),
              [](const span& a, const span& b) { return a.begin < b.begin; });
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    for (const span& s : hide) {
        if (s.begin < at || s.end > text.size()) continue;
        out.append(text.substr(at, s.begin - at));
        out.push_back('*');
        at = s.end;
    }
    out.append(text.substr(at));
    return out;
}

}  // namespace minsheng::dialog::nlu
