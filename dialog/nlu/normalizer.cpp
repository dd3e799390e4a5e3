#include "dialog/nlu/normalizer.hpp"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <unordered_map>

#include "dialog/nlu/detail/code_point_table.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::dialog::nlu {
namespace {

using detail::code_point_table;
using dialog::decode_utf8;
using dialog::decoded;

// Table entry layout: action in bits 30-31, "no boundary before" (the character may combine
// with the one before it under NFKC) in bit 29, replacement length in bits 22-28 and its offset
// into the replacement pool in bits 0-21.
enum action : std::uint32_t { keep = 0, drop = 1, separate = 2, replace = 3 };
constexpr std::uint32_t no_boundary_bit = 1u << 29;
constexpr std::uint32_t max_replacement = 127;
constexpr std::uint32_t max_pool = 1u << 22;

constexpr std::uint32_t tag(action a) { return static_cast<std::uint32_t>(a) << 30; }
action action_of(std::uint32_t e) { return static_cast<action>(e >> 30); }
std::uint32_t length_of(std::uint32_t e) { return (e >> 22) & 0x7Fu; }
std::uint32_t offset_of(std::uint32_t e) { return e & (max_pool - 1); }

// The CJK blocks the Traditional → Simplified table covers.
constexpr std::array<std::pair<char32_t, char32_t>, 7> han_ranges = {{
    {0x3400, 0x4DBF},
    {0x4E00, 0x9FFF},
    {0xF900, 0xFAFF},
    {0x20000, 0x2A6DF},
    {0x2A700, 0x2EBEF},
    {0x2F800, 0x2FA1F},
    {0x30000, 0x3134F},
}};

std::u32string to_u32(const icu::UnicodeString& s) {
    std::u32string out;
    for (int32_t i = 0; i < s.length();) {
        UChar32 c = s.char32At(i);
        out.push_back(static_cast<char32_t>(c));
        i += U16_LENGTH(c);
    }
    return out;
}

// Traditional → Simplified for every Han code point that changes. The transliterator runs over
// batches of characters separated by newlines (its rules never cross a newline); a batch whose
// result does not split back into as many pieces is redone one character at a time.
std::unordered_map<char32_t, std::u32string> build_simplified_map() {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> t(icu::Transliterator::createInstance(
        icu::UnicodeString::fromUTF8("Traditional-Simplified"), UTRANS_FORWARD, status));
    if (U_FAILURE(status) || !t)
        throw std::runtime_error(std::string("normalizer: ICU Traditional-Simplified: ") +
                                 u_errorName(status));
    std::unordered_map<char32_t, std::u32string> map;
    auto one = [&](char32_t c) {
        icu::UnicodeString s(static_cast<UChar32>(c));
        t->transliterate(s);
        std::u32string r = to_u32(s);
        if (r.size() != 1 || r[0] != c) map.emplace(c, std::move(r));
    };
    constexpr char32_t batch = 4096;
    for (auto [first, last] : han_ranges) {
        for (char32_t lo = first; lo <= last; lo += batch) {
            char32_t hi = std::min<char32_t>(last, lo + batch - 1);
            icu::UnicodeString s;
            for (char32_t c = lo; c <= hi; ++c) {
                s.append(static_cast<UChar32>(c));
                s.append(static_cast<char16_t>(u'\n'));
            }
            t->transliterate(s);
            std::u32string r = to_u32(s);
            std::vector<std::u32string> pieces(1);
            for (char32_t c : r) {
                if (c == U'\n')
                    pieces.emplace_back();
                else
                    pieces.back().push_back(c);
            }
            if (pieces.size() != static_cast<std::size_t>(hi - lo) + 2) {
                for (char32_t c = lo; c <= hi; ++c) one(c);
                continue;
            }
            for (char32_t c = lo; c <= hi; ++c) {
                std::u32string& p = pieces[c - lo];
                if (p.size() != 1 || p[0] != c) map.emplace(c, std::move(p));
            }
        }
    }
    return map;
}

// One form per punctuation mark (applied after NFKC); empty when the character stays.
std::u32string_view unified_punctuation(char32_t c) {
    switch (c) {
        case 0x3002:
            return U".";  // 。 (｡ and ︒ reach here through NFKC)
        case 0x3001:
            return U",";  // 、
        case 0x201C:
        case 0x201D:
        case 0x201E:
        case 0x201F:
        case 0x300C:
        case 0x300D:
        case 0x300E:
        case 0x300F:
        case 0x301D:
        case 0x301E:
        case 0x301F:
            return U"\"";
        case 0x2018:
        case 0x2019:
        case 0x201A:
        case 0x201B:
            return U"'";
        case 0x3010:
        case 0x3014:
        case 0x3016:
        case 0x3018:
        case 0x301A:
            return U"[";
        case 0x3011:
        case 0x3015:
        case 0x3017:
        case 0x3019:
        case 0x301B:
            return U"]";
        case 0x3008:
            return U"\u300A";
        case 0x3009:
            return U"\u300B";
        case 0x2010:
        case 0x2011:
        case 0x2012:
        case 0x2013:
        case 0x2014:
        case 0x2015:
        case 0x2212:
        case 0xFE58:
        case 0x2E3A:
        case 0x2E3B:
            return U"-";
        case 0x301C:
        case 0x223C:
            return U"~";
        case 0x30FB:
        case 0x2027:
        case 0x2022:
        case 0x2219:
            return U"\u00B7";
        case 0x22EF:
            return U"...";
        default:
            return {};
    }
}

bool is_space(char32_t c) {
    return u_isUWhiteSpace(static_cast<UChar32>(c)) || c == 0x1C || c == 0x1D || c == 0x1E ||
           c == 0x1F;
}

bool is_invisible(char32_t c) {
    auto u = static_cast<UChar32>(c);
    int8_t type = u_charType(u);
    return type == U_CONTROL_CHAR || type == U_FORMAT_CHAR ||
           u_hasBinaryProperty(u, UCHAR_VARIATION_SELECTOR) || c == 0x20E3;
}

bool is_emoji(char32_t c) {
    auto u = static_cast<UChar32>(c);
    return u_hasBinaryProperty(u, UCHAR_EXTENDED_PICTOGRAPHIC) ||
           u_hasBinaryProperty(u, UCHAR_EMOJI_MODIFIER) ||
           u_hasBinaryProperty(u, UCHAR_REGIONAL_INDICATOR) ||
           (c > 0x7F && u_hasBinaryProperty(u, UCHAR_EMOJI_COMPONENT));
}

// Output under construction, with whitespace collapsing and the skipped-bytes record.
struct emitter {
    normalised_text& out;
    std::size_t last_end = 0;       // original offset after the last source that gave output
    bool pending = false;           // a separator waits for the next output
    std::size_t pending_begin = 0;  // its source range in the original
    std::size_t pending_end = 0;

    void separator(std::size_t begin, std::size_t end) {
        if (pending || out.text.empty()) return;
        pending = true;
        pending_begin = begin;
        pending_end = end;
    }
    void note_gap(std::size_t begin) {
        if (begin > last_end && !out.text.empty())
            out.skipped.emplace_back(out.text.size(), last_end);
    }
    // Starts output for the source [begin, end): flushes a pending separator first.
    void open(std::size_t begin, std::size_t end) {
        if (pending) {
            pending = false;
            note_gap(pending_begin);
            out.text.push_back(' ');
            out.origin.push_back(pending_begin);
            last_end = pending_end;
        }
        note_gap(begin);
        last_end = end;
    }
    void bytes(std::string_view b, std::size_t origin) {
        out.text.append(b);
        out.origin.insert(out.origin.end(), b.size(), origin);
    }
    void finish(std::size_t size) {
        note_gap(size);
        out.origin.push_back(size);
    }
};

}  // namespace

struct normalizer::impl {
    const icu::Normalizer2* nfkc = nullptr;
    code_point_table table;  // normalise(): per code point, an action and replacement
    std::string pool;        // replacement bytes for `table`
    std::array<std::int16_t, 128> ascii{};  // >= 0: output byte; -1 drop; -2 separator
    code_point_table simplified;  // to_simplified(): 0 or a replacement in `simplified_pool`
    std::string simplified_pool;

    // What a code point becomes after NFKC: its post-processing (simplification, punctuation,
    // case, separators, dropping), appended to `out`. Returns false when it is a separator.
    void post_process(char32_t c, const std::unordered_map<char32_t, std::u32string>& s2,
                      std::u32string& out) const;
    static std::uint32_t pool_entry(std::string& pool, std::string_view bytes, action a);

    void emit_mapped(char32_t cp, std::string_view source, std::size_t at, emitter& em) const;
};

std::uint32_t normalizer::impl::pool_entry(std::string& pool, std::string_view bytes, action a) {
    if (bytes.size() > max_replacement || pool.size() + bytes.size() >= max_pool)
        throw std::runtime_error("normalizer: replacement table overflow");
    auto at = static_cast<std::uint32_t>(pool.size());
    pool.append(bytes);
    return (static_cast<std::uint32_t>(a) << 30) |
           (static_cast<std::uint32_t>(bytes.size()) << 22) | at;
}

void normalizer::impl::post_process(char32_t c,
                                    const std::unordered_map<char32_t, std::u32string>& s2,
                                    std::u32string& out) const {
    if (is_space(c)) {
        out.push_back(U' ');
        return;
    }
    if (is_invisible(c)) return;
    if (is_emoji(c)) {
        out.push_back(U' ');
        return;
    }
    if (auto p = unified_punctuation(c); !p.empty()) {
        out.append(p);
        return;
    }
    if (c >= U'A' && c <= U'Z') {
        out.push_back(c - U'A' + U'a');
        return;
    }
    if (auto it = s2.find(c); it != s2.end()) {
        out.append(it->second);
        return;
    }
    out.push_back(c);
}

std::shared_ptr<const normalizer> normalizer::create() {
    auto p = std::make_unique<impl>();
    UErrorCode status = U_ZERO_ERROR;
    p->nfkc = icu::Normalizer2::getNFKCInstance(status);
    if (U_FAILURE(status) || !p->nfkc)
        throw std::runtime_error(std::string("normalizer: ICU NFKC: ") + u_errorName(status));
    const auto s2 = build_simplified_map();

    std::vector<std::uint32_t> flat(code_point_table::max_code_point + 1, 0);
    std::vector<std::uint32_t> flat_simplified(code_point_table::max_code_point + 1, 0);
    std::u32string mapped;
    std::string bytes;
    for (char32_t c = 0; c <= code_point_table::max_code_point; ++c) {
        if (c >= 0xD800 && c <= 0xDFFF) continue;
        auto u = static_cast<UChar32>(c);
        std::uint32_t entry = tag(keep);
        mapped.clear();
        if (is_space(c)) {
            entry = tag(separate);
        } else if (is_invisible(c)) {
            entry = tag(drop);
        } else if (is_emoji(c)) {
            entry = tag(separate);
        } else {
            if (p->nfkc->isInert(u)) {
                p->post_process(c, s2, mapped);
            } else {
                icu::UnicodeString n;
                p->nfkc->normalize(icu::UnicodeString(u), n, status);
                if (U_FAILURE(status))
                    throw std::runtime_error(std::string("normalizer: ICU: ") +
                                             u_errorName(status));
                for (char32_t x : to_u32(n)) p->post_process(x, s2, mapped);
            }
            // A replacement made of several characters keeps no inner separators.
            if (mapped.size() > 1) std::erase(mapped, U' ');
            if (mapped.empty()) {
                entry = tag(drop);
            } else if (mapped == U" ") {
                entry = tag(separate);
            } else if (!(mapped.size() == 1 && mapped[0] == c)) {
                bytes.clear();
                for (char32_t x : mapped) dialog::append_utf8(bytes, x);
                entry = impl::pool_entry(p->pool, bytes, replace);
            }
        }
        if (!p->nfkc->hasBoundaryBefore(u)) entry |= no_boundary_bit;
        flat[c] = entry;
        if (auto it = s2.find(c); it != s2.end()) {
            bytes.clear();
            for (char32_t x : it->second) dialog::append_utf8(bytes, x);
            flat_simplified[c] = impl::pool_entry(p->simplified_pool, bytes, replace);
        }
    }
    for (char32_t c = 0; c < 128; ++c) {
        std::uint32_t e = flat[c];
        switch (action_of(e)) {
            case keep:
                p->ascii[c] = static_cast<std::int16_t>(c);
                break;
            case drop:
                p->ascii[c] = -1;
                break;
            case separate:
                p->ascii[c] = -2;
                break;
            case replace:
                if (length_of(e) != 1)
                    throw std::runtime_error("normalizer: ASCII maps to more than one byte");
                p->ascii[c] =
                    static_cast<std::int16_t>(static_cast<unsigned char>(p->pool[offset_of(e)]));
                break;
        }
    }
    p->table = code_point_table(flat);
    p->simplified = code_point_table(flat_simplified);
    p->pool.shrink_to_fit();
    p->simplified_pool.shrink_to_fit();
    return std::shared_ptr<const normalizer>(new normalizer(std::move(p)));
}

normalizer::normalizer(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
normalizer::~normalizer() = default;

std::size_t normalizer::memory_bytes() const {
    return impl_->table.memory_bytes() + impl_->pool.capacity() + impl_->simplified.memory_bytes() +
           impl_->simplified_pool.capacity();
}

void normalizer::impl::emit_mapped(char32_t cp, std::string_view source, std::size_t at,
                                   emitter& em) const {
    std::uint32_t e = table[cp];
    switch (action_of(e)) {
        case keep: {
            em.open(at, at + source.size());
            std::string b;
            dialog::append_utf8(b, cp);
            em.bytes(b, at);
            break;
        }
        case drop:
            break;
        case separate:
            em.separator(at, at + source.size());
            break;
        case replace:
            em.open(at, at + source.size());
            em.bytes(std::string_view(pool).substr(offset_of(e), length_of(e)), at);
            break;
    }
}

normalised_text normalizer::normalise(std::string_view s) const {
    const impl& m = *impl_;
    normalised_text out;
    out.text.reserve(s.size() + 8);
    out.origin.reserve(s.size() + 9);
    emitter em{out};
    const auto* bytes = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();

    auto decode = [&](std::size_t i) -> decoded {
        if (bytes[i] < 0x80) return {bytes[i], 1, true};
        return decode_utf8(s, i);
    };
    auto no_boundary = [&](const decoded& d) {
        return d.valid && d.cp >= 0x300 && (m.table[d.cp] & no_boundary_bit) != 0;
    };

    std::size_t i = 0;
    decoded cur = n ? decode(0) : decoded{};
    while (i < n) {
        const std::size_t j = i + cur.len;
        decoded next = j < n ? decode(j) : decoded{};
        if (cur.valid && j < n && no_boundary(next)) {
            // A combining sequence: NFKC over the whole run, then the table for each result.
            std::size_t k = j;
            while (k < n) {
                decoded d = decode(k);
                if (!no_boundary(d)) break;
                k += d.len;
            }
            icu::UnicodeString run = icu::UnicodeString::fromUTF8(
                icu::StringPiece(s.data() + i, static_cast<int32_t>(k - i)));
            icu::UnicodeString normal;
            UErrorCode status = U_ZERO_ERROR;
            m.nfkc->normalize(run, normal, status);
            if (U_FAILURE(status)) normal = run;
            for (char32_t x : to_u32(normal)) m.emit_mapped(x, s.substr(i, k - i), i, em);
            i = k;
            if (i < n) cur = decode(i);
            continue;
        }
        if (!cur.valid) {
            em.open(i, j);
            em.bytes("\xEF\xBF\xBD", i);
        } else if (cur.cp < 0x80) {
            std::int16_t a = m.ascii[cur.cp];
            if (a >= 0) {
                em.open(i, j);
                out.text.push_back(static_cast<char>(a));
                out.origin.push_back(i);
            } else if (a == -2) {
                em.separator(i, j);
            }
        } else {
            std::uint32_t e = m.table[cur.cp];
            switch (action_of(e)) {
                case keep:
                    em.open(i, j);
                    em.bytes(s.substr(i, cur.len), i);
                    break;
                case drop:
                    break;
                case separate:
                    em.separator(i, j);
                    break;
                case replace:
                    em.open(i, j);
                    em.bytes(std::string_view(m.pool).substr(offset_of(e), length_of(e)), i);
                    break;
            }
        }
        i = j;
        cur = next;
    }
    em.finish(n);
    return out;
}

std::string normalizer::to_simplified(std::string_view s) const {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        decoded d = decode_utf8(s, i);
        std::uint32_t e = d.valid ? impl_->simplified[d.cp] : 0;
        if (e == 0)
            out.append(s.substr(i, d.len));
        else
            out.append(std::string_view(impl_->simplified_pool).substr(offset_of(e), length_of(e)));
        i += d.len;
    }
    return out;
}

std::pair<std::size_t, std::size_t> normalised_text::to_original(std::size_t begin,
                                                                 std::size_t end) const {
    if (origin.empty()) return {0, 0};
    const std::size_t size = origin.size() - 1;
    begin = std::min(begin, size);
    end = std::clamp(end, begin, size);
    std::size_t b = origin[begin];
    if (end == begin) return {b, b};
    std::size_t e = origin[end];
    auto it = std::lower_bound(skipped.begin(), skipped.end(), end,
                               [](const auto& gap, std::size_t pos) { return gap.first < pos; });
    if (it != skipped.end() && it->first == end) e = it->second;
    return {b, std::max(b, e)};
}

}  // namespace minsheng::dialog::nlu
