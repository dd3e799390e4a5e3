#include "dialog/nlu/detail/number_scanner.hpp"

#include <cstdint>

#include "dialog/nlu/detail/chinese_number.hpp"
#include "dialog/nlu/detail/civil_days.hpp"
#include "dialog/nlu/detail/pattern_scan.hpp"
#include "dialog/nlu/detail/scan_text.hpp"
#include "dialog/nlu/extractor.hpp"

namespace minsheng::dialog::nlu {

bool valid_id_number(std::string_view id) {
    if (id.size() != 18) return false;
    static constexpr int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static constexpr char check[] = "10X98765432";
    int sum = 0;
    for (std::size_t i = 0; i < 17; ++i) {
        if (!detail::is_digit(id[i])) return false;
        sum += (id[i] - '0') * weights[i];
    }
    char last = id[17] == 'x' ? 'X' : id[17];
    if (last != check[sum % 11]) return false;
    if (id[0] < '1' || id[0] > '8') return false;
    auto num = [&](std::size_t at, std::size_t n) {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (id[i] - '0');
        return v;
    };
    const int year = num(6, 4);
    if (year < 1900 || year > 2099) return false;
    return detail::valid_date(year, static_cast<unsigned>(num(10, 2)),
                              static_cast<unsigned>(num(12, 2)));
}

}  // namespace minsheng::dialog::nlu

namespace minsheng::dialog::nlu::detail {

// clang-format off
// Pieces shared by several patterns (over normalised text: half-width, lower case, Simplified).
#define MS_AREA_CODE "(0(?:[12]\\d|[3-9]\\d{2}))"
#define MS_AMOUNT "(\\d+(?:,\\d{3})*(?:\\.\\d+)?)"
// clang-format on

struct number_scanner::rules {
    RE2 case_number{R"(\b(ms|wx|ys)(\d{8})-?(\d{4})\b)"};
    RE2 id{R"(\b(\d{6})[ -]?(\d{8})[ -]?(\d{3}[0-9x])\b)"};
    RE2 phone{R"((?:(\+86|\b0086|\b86)[ -]?|\b)(1[ -]?[3-9](?:[ -]?\d){9})\b)"};
    RE2 landline{"(?:\\(" MS_AREA_CODE "\\) ?|\\b" MS_AREA_CODE
                 "[ -]?)([1-9]\\d{2,3}[ -]?\\d{4})\\b"};
    RE2 money_symbol{"(?:¥|rmb|人民币) ?" MS_AMOUNT " ?(亿|万|千|百)?(?:元|块钱|块)?"};
    RE2 money_unit{"\\b" MS_AMOUNT " ?(亿|万|千|百)?(?:多|余)?(元|块钱|块|圆|rmb|人民币)"};
    RE2 money_wan{R"(\b(\d+(?:\.\d+)?)(亿|万))"};
    RE2 money_chinese{
        "([零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+)"
        "(?:多|余)?(元|块钱|块|圆)"};
#undef MS_AREA_CODE
#undef MS_AMOUNT

    const std::vector<const RE2*> all{&case_number,  &id,         &phone,     &landline,
                                      &money_symbol, &money_unit, &money_wan, &money_chinese};

    rules() {
        for (const RE2* re : all) require_ok(*re);
    }

    void numbers(const live_set& live, std::string_view text, std::vector<candidate>& out) const;
    void money(const live_set& live, std::string_view text, std::vector<candidate>& out) const;
};

number_scanner::number_scanner() : rules_(std::make_unique<const rules>()) {}
number_scanner::~number_scanner() = default;

std::vector<std::string> number_scanner::patterns() const {
    std::vector<std::string> out;
    for (const RE2* re : rules_->all) out.push_back(re->pattern());
    return out;
}

void number_scanner::scan(std::string_view text, const std::vector<bool>& live,
                          std::vector<candidate>& out) const {
    const live_set patterns{rules_->all, live};
    rules_->numbers(patterns, text, out);
    rules_->money(patterns, text, out);
}

namespace {

// Byte ranges of the ASCII digits and letters in [b, e).
std::vector<byte_range> alnum_positions(std::string_view text, std::size_t b, std::size_t e) {
    std::vector<byte_range> out;
    for (std::size_t i = b; i < e; ++i)
        if (is_digit(text[i]) || (text[i] >= 'a' && text[i] <= 'z')) out.emplace_back(i, i + 1);
    return out;
}

std::string digits_of(std::string_view s) {
    std::string d;
    for (char c : s)
        if (is_digit(c)) d.push_back(c);
    return d;
}

}  // namespace

void number_scanner::rules::numbers(const live_set& live, std::string_view text,
                                    std::vector<candidate>& out) const {
    for_each_match(live, case_number, text, [&](const auto& g, std::size_t b, std::size_t e) {
        const auto prefix = view(g[1]);
        const char* type = prefix == "ms"   ? "case_number"
                           : prefix == "wx" ? "wish_number"
                                            : "proposal_number";
        candidate c{b, e, rank_case, type, {}, {}};
        c.value = std::string(view(g[1])) + std::string(view(g[2])) + "-" + std::string(view(g[3]));
        for (auto& ch : c.value)
            if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        out.push_back(std::move(c));
    });
    for_each_match(live, id, text, [&](const auto& g, std::size_t b, std::size_t e) {
        std::string v = std::string(view(g[1])) + std::string(view(g[2])) + std::string(view(g[3]));
        if (v.back() == 'x') v.back() = 'X';
        if (!nlu::valid_id_number(v)) return;
        candidate c{b, e, rank_id, "id_number", v, {}};
        auto chars = alnum_positions(text, b, e);
        for (std::size_t i = 3; i + 4 < chars.size(); ++i) c.secret.push_back(chars[i]);
        out.push_back(std::move(c));
    });
    for_each_match(live, phone, text, [&](const auto& g, std::size_t b, std::size_t e) {
        const std::size_t nb = offset_in(text, g[2]);
        candidate c{b, e, rank_phone, "phone", digits_of(view(g[2])), {}};
        auto digits = alnum_positions(text, nb, e);
        for (std::size_t i = 3; i < 7; ++i) c.secret.push_back(digits[i]);
        out.push_back(std::move(c));
    });
    for_each_match(live, landline, text, [&](const auto& g, std::size_t b, std::size_t e) {
        std::string_view area = matched(g[1]) ? view(g[1]) : view(g[2]);
        const std::size_t lb = offset_in(text, g[3]);
        candidate c{b, e, rank_landline, "landline", std::string(area) + digits_of(view(g[3])), {}};
        auto digits = alnum_positions(text, lb, e);
        for (std::size_t i = 0; i + 2 < digits.size(); ++i) c.secret.push_back(digits[i]);
        out.push_back(std::move(c));
    });
}

namespace {

int unit_power(std::string_view unit) {
    if (unit == "亿") return 8;
    if (unit == "万") return 4;
    if (unit == "千") return 3;
    if (unit == "百") return 2;
    return 0;
}

// 块 counts pieces as often as yuan: 一块地, 三块砖.
bool block_not_money(std::string_view text, std::size_t end, std::string_view yuan) {
    if (yuan != "块") return false;
    return in(U"地砖板石玻肉布糕表牌钢铁木瓦田空区面头墙玉冰皮疤油斑瓷料土草菜饼糖状儿",
              char_at(text, end));
}

}  // namespace

void number_scanner::rules::money(const live_set& live, std::string_view text,
                                  std::vector<candidate>& out) const {
    auto add = [&](std::size_t b, std::size_t e, std::string_view number, int power) {
        auto d = parse_decimal(number);
        if (!d) return;
        auto v = format_decimal(*d, power);
        if (!v) return;
        out.push_back(candidate{b, e, rank_money, "money", *v, {}});
    };
    for_each_match(live, money_symbol, text, [&](const auto& g, std::size_t b, std::size_t e) {
        add(b, e, view(g[1]), matched(g[2]) ? unit_power(view(g[2])) : 0);
    });
    for_each_match(live, money_unit, text, [&](const auto& g, std::size_t b, std::size_t e) {
        if (block_not_money(text, e, view(g[3]))) return;
        add(b, e, view(g[1]), matched(g[2]) ? unit_power(view(g[2])) : 0);
    });
    for_each_match(live, money_wan, text, [&](const auto& g, std::size_t b, std::size_t e) {
        // 1.5万 alone is money; 1.5万人, 3万平 are not.
        if (in(U"人户名个次平米公吨斤件台辆份册字步只头株棵套间栋亩张条多余倍km", char_at(text, e)))
            return;
        add(b, e, view(g[1]), unit_power(view(g[2])));
    });
    for_each_match(live, money_chinese, text, [&](const auto& g, std::size_t b, std::size_t e) {
        if (block_not_money(text, e, view(g[2]))) return;
        // 一块 is "together" (一块去) as often as one yuan.
        if (view(g[2]) == "块" && view(g[1]) == "一") return;
        add(b, e, view(g[1]), 0);
    });
}

}  // namespace minsheng::dialog::nlu::detail
