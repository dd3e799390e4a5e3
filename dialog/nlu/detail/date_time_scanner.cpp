#include "dialog/nlu/detail/date_time_scanner.hpp"

#include <cstdio>
#include <optional>
#include <utility>

#include "dialog/nlu/detail/chinese_number.hpp"
#include "dialog/nlu/detail/civil_days.hpp"
#include "dialog/nlu/detail/pattern_scan.hpp"
#include "dialog/nlu/detail/scan_text.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::dialog::nlu::detail {

// clang-format off
// The period of the day before a time (over normalised text: half-width, Simplified).
#define MS_PERIOD                                                         \
    "(凌晨|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|晚间|夜里|夜间|" \
    "半夜|深夜|今早|今晚|今夜|明早|明晚|昨晚|昨夜|早|晚)?"
// clang-format on

struct date_time_scanner::rules {
    RE2 date_full{
        "((?:\\d{4}|[零〇一二三四五六七八九]{4})年|去年|今年|明年|前年|后年)?"
        "(\\d{1,2}|[一二三四五六七八九十]{1,2})月(\\d{1,2}|[一二三四五六七八九十]{1,3})(日|号)?"};
    RE2 date_iso{R"(\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b)"};
    RE2 date_short{R"(\b(\d{1,2})[./](\d{1,2})\b)"};
    RE2 date_day{R"((\d{1,2}|[一二三四五六七八九十]{1,3})(日|号))"};
    RE2 date_word{
        "大前天|前天|昨天|昨日|昨儿|昨晚|昨夜|今天|今日|今儿|今早|今晚|今夜|"
        "明天|明日|明儿|明早|明晚|大后天|后天"};
    RE2 date_ago{
        "(\\d{1,3}|[一二两三四五六七八九十]{1,3}|半)(个)?(天|日|周|星期|礼拜|月|年)"
        "(以前|之前|前|以后|之后|后)"};
    RE2 date_week{R"((上上|下下|上|下|这|本)?(个)?(星期|礼拜|周)([一二三四五六日天1-7])?)"};
    RE2 date_month{"上上个月|上个月|上月|这个月|本月|下个月|下月|前年|去年|今年|明年|后年"};
    RE2 time_colon{MS_PERIOD "\\b(\\d{1,2}):(\\d{2})\\b"};
    RE2 time_clock{
        MS_PERIOD
        "(\\d{1,2}|[零一二两三四五六七八九十]{1,3})(?:点|时)(钟)?"
        "(?:(\\d{2})分?|(\\d{1,2})分|([零一二三四五六七八九十]{1,3})分|(半)|(一刻)|(三刻))?"};
#undef MS_PERIOD

    const std::vector<const RE2*> all{&date_full,  &date_iso,  &date_short, &date_day,
                                      &date_word,  &date_ago,  &date_week,  &date_month,
                                      &time_colon, &time_clock};

    rules() {
        for (const RE2* re : all) require_ok(*re);
    }

    void dates(const live_set& live, std::string_view text, std::int64_t today,
               std::vector<candidate>& out) const;
    void times(const live_set& live, std::string_view text, std::vector<candidate>& out) const;
};

date_time_scanner::date_time_scanner() : rules_(std::make_unique<const rules>()) {}
date_time_scanner::~date_time_scanner() = default;

std::vector<std::string> date_time_scanner::patterns() const {
    std::vector<std::string> out;
    for (const RE2* re : rules_->all) out.push_back(re->pattern());
    return out;
}

void date_time_scanner::scan(std::string_view text, const std::vector<bool>& live, std::int64_t now,
                             std::vector<candidate>& out) const {
    const live_set patterns{rules_->all, live};
    rules_->dates(patterns, text, china_day(now), out);
    rules_->times(patterns, text, out);
}

namespace {

std::optional<std::int64_t> small_number(std::string_view s) {
    auto v = parse_integer(s);
    if (!v || *v < 0 || *v > 9999) return std::nullopt;
    return v;
}

int weekday_of(std::string_view s) {
    static constexpr std::pair<std::string_view, int> days[] = {
        {"一", 1}, {"二", 2}, {"三", 3}, {"四", 4}, {"五", 5}, {"六", 6}, {"日", 7}, {"天", 7},
        {"1", 1},  {"2", 2},  {"3", 3},  {"4", 4},  {"5", 5},  {"6", 6},  {"7", 7}};
    for (auto [name, d] : days)
        if (s == name) return d;
    return 0;
}

std::int64_t relative_week(std::string_view prefix) {
    if (prefix == "上上") return -2;
    if (prefix == "上") return -1;
    if (prefix == "下") return 1;
    if (prefix == "下下") return 2;
    return 0;
}

// today shifted by whole months, clamped to the month's last day.
std::pair<std::int64_t, unsigned> shift_month(std::int64_t today, std::int64_t months) {
    auto c = civil_from_days(today);
    std::int64_t m = c.year * 12 + (c.month - 1) + months;
    std::int64_t y = m >= 0 ? m / 12 : (m - 11) / 12;
    return {y, static_cast<unsigned>(m - y * 12) + 1};
}

}  // namespace

void date_time_scanner::rules::dates(const live_set& live, std::string_view text,
                                     std::int64_t today, std::vector<candidate>& out) const {
    const auto now = civil_from_days(today);
    auto add = [&](std::size_t b, std::size_t e, std::string value) {
        out.push_back(candidate{b, e, rank_date, "date", std::move(value), {}});
    };
    auto add_day = [&](std::size_t b, std::size_t e, std::int64_t y, std::int64_t m,
                       std::int64_t d) {
        if (m < 1 || m > 12 || d < 1 ||
            !valid_date(y, static_cast<unsigned>(m), static_cast<unsigned>(d)))
            return;
        add(b, e, iso_date(days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d))));
    };

    for_each_match(live, date_full, text, [&](const auto& g, std::size_t b, std::size_t e) {
        std::int64_t y = now.year;
        if (matched(g[1])) {
            std::string_view w = view(g[1]);
            if (w == "去年")
                y -= 1;
            else if (w == "明年")
                y += 1;
            else if (w == "前年")
                y -= 2;
            else if (w == "后年")
                y += 2;
            else if (w != "今年") {
                auto v = parse_integer(w.substr(0, w.size() - std::string_view("年").size()));
                if (!v) return;
                y = *v;
            }
        }
        auto m = small_number(view(g[2]));
        auto d = small_number(view(g[3]));
        if (!m || !d) return;
        if (!matched(g[4]) && is_digit(e < text.size() ? text[e] : ' ')) return;
        // 6月一直 is no date: a day in Chinese numerals needs its 日 or 号.
        if (!matched(g[4]) && !is_digit(view(g[3])[0])) return;
        add_day(b, e, y, *m, *d);
    });
    for_each_match(live, date_iso, text, [&](const auto& g, std::size_t b, std::size_t e) {
        auto y = small_number(view(g[1]));
        auto m = small_number(view(g[2]));
        auto d = small_number(view(g[3]));
        if (y && m && d) add_day(b, e, *y, *m, *d);
    });
    for_each_match(live, date_short, text, [&](const auto& g, std::size_t b, std::size_t e) {
        char32_t before = char_before(text, b);
        char32_t after = char_at(text, e);
        if (in(U"./¥:-", before) || in(U"./%:-", after)) return;
        if (in(U"万千百亿元块米斤克吨倍个分秒度岁级折寸尺公升毫厘平", after)) return;
        auto m = small_number(view(g[1]));
        auto d = small_number(view(g[2]));
        if (m && d) add_day(b, e, now.year, *m, *d);
    });
    for_each_match(live, date_day, text, [&](const auto& g, std::size_t b, std::size_t e) {
        std::string_view n = view(g[1]);
        const bool chinese = !is_digit(n[0]);
        char32_t before = char_before(text, b);
        char32_t after = char_at(text, e);
        if (before && (is_ascii_alnum(before) || (chinese && in(cn_numerals, before)))) return;
        if (in(U"第路街巷弄道村区楼栋幢元院座期排组月年每几]〕)", before)) return;
        if (in(U"楼院栋幢房室门线床铺馆仓库机车位台桌座箱柜窗口店码子文令", after)) return;
        if (chinese && view(g[2]) == "日" && dialog::count_code_points(n) < 2) return;
        auto d = small_number(n);
        if (d) add_day(b, e, now.year, now.month, *d);
    });
    for_each_match(live, date_word, text, [&](const auto& g, std::size_t b, std::size_t e) {
        std::string_view w = view(g[0]);
        std::int64_t shift = 0;
        if (w == "大前天")
            shift = -3;
        else if (w == "前天")
            shift = -2;
        else if (w.starts_with("昨"))
            shift = -1;
        else if (w == "大后天")
            shift = 3;
        else if (w == "后天")
            shift = 2;
        else if (w.starts_with("明"))
            shift = 1;
        add(b, e, iso_date(today + shift));
    });
    for_each_match(live, date_ago, text, [&](const auto& g, std::size_t b, std::size_t e) {
        std::string_view n = view(g[1]);
        std::string_view unit = view(g[3]);
        const bool half = n == "半";
        std::int64_t count = 0;
        if (!half) {
            auto v = small_number(n);
            if (!v) return;
            count = *v;
        }
        if (unit == "月" && !matched(g[2])) return;  // 3月前 is "before March"
        if (matched(g[2]) && (unit == "天" || unit == "日" || unit == "年")) return;
        if (half && unit != "月" && unit != "年") return;
        const std::int64_t sign = view(g[4]).find("前") != std::string_view::npos ? -1 : 1;
        if (unit == "天" || unit == "日") {
            add(b, e, iso_date(today + sign * count));
        } else if (unit == "月") {
            if (half) {
                add(b, e, iso_date(today + sign * 15));
            } else {
                auto [y, m] = shift_month(today, sign * count);
                add(b, e, iso_month(y, m));
            }
        } else if (unit == "年") {
            if (half) {
                auto [y, m] = shift_month(today, sign * 6);
                add(b, e, iso_month(y, m));
            } else {
                add(b, e, std::to_string(now.year + sign * count));
            }
        } else {
            add(b, e, iso_week(today + sign * 7 * count));
        }
    });
    for_each_match(live, date_week, text, [&](const auto& g, std::size_t b, std::size_t e) {
        const bool prefix = matched(g[1]);
        const int weekday = matched(g[4]) ? weekday_of(view(g[4])) : 0;
        if (!prefix && (weekday == 0 || matched(g[2]))) return;
        if (!prefix && in(U"每逢一两三四五六七八九十几个", char_before(text, b))) return;
        if (!weekday && in(U"围边年岁期长转刊", char_at(text, e))) return;
        if (prefix && matched(g[2]) && view(g[1]) != "上" && view(g[1]) != "下" &&
            view(g[1]) != "这")
            return;
        const std::int64_t monday =
            today - (iso_weekday(today) - 1) + 7 * relative_week(view(g[1]));
        if (weekday)
            add(b, e, iso_date(monday + weekday - 1));
        else
            add(b, e, iso_week(monday));
    });
    for_each_match(live, date_month, text, [&](const auto& g, std::size_t b, std::size_t e) {
        std::string_view w = view(g[0]);
        if (w.ends_with("年")) {
            std::int64_t y = now.year;
            if (w == "前年")
                y -= 2;
            else if (w == "去年")
                y -= 1;
            else if (w == "明年")
                y += 1;
            else if (w == "后年")
                y += 2;
            add(b, e, std::to_string(y));
            return;
        }
        std::int64_t shift = 0;
        if (w == "上上个月")
            shift = -2;
        else if (w.starts_with("上"))
            shift = -1;
        else if (w.starts_with("下"))
            shift = 1;
        auto [y, m] = shift_month(today, shift);
        add(b, e, iso_month(y, m));
    });
}

namespace {

// 24-hour clock for an hour said with a period of the day.
std::optional<int> clock_hour(std::string_view period, std::int64_t h) {
    if (h < 0 || h > 24) return std::nullopt;
    int hour = static_cast<int>(h);
    if (period.empty()) return hour % 24;
    if (period == "下午" || period == "傍晚") {
        if (hour < 12) hour += 12;
    } else if (period == "中午") {
        if (hour < 6) hour += 12;
    } else if (period.find("晚") != std::string_view::npos ||
               period.find("夜") != std::string_view::npos) {
        if (period == "半夜" || period == "深夜" || period == "夜里" || period == "夜间") {
            if (hour >= 6 && hour < 12) hour += 12;
        } else if (hour == 12) {
            hour = 0;
        } else if (hour >= 5 && hour < 12) {
            hour += 12;
        }
    } else if (hour > 12) {
        return std::nullopt;  // 早上15点
    }
    return hour % 24;
}

// Periods that are also dates: the date entity takes them, the time starts after them.
bool period_is_date(std::string_view period) {
    return period == "今早" || period == "今晚" || period == "今夜" || period == "明早" ||
           period == "明晚" || period == "昨晚" || period == "昨夜";
}

std::string hh_mm(int h, std::int64_t m) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02lld", h, static_cast<long long>(m));
    return buf;
}

}  // namespace

void date_time_scanner::rules::times(const live_set& live, std::string_view text,
                                     std::vector<candidate>& out) const {
    auto add = [&](const piece& period, std::size_t b, std::size_t e, std::int64_t h,
                   std::int64_t m) {
        std::string_view p = matched(period) ? view(period) : std::string_view{};
        if (m < 0 || m > 59) return;
        auto hour = clock_hour(p, h);
        if (!hour) return;
        if (period_is_date(p)) b += p.size();
        out.push_back(candidate{b, e, rank_time, "time", hh_mm(*hour, m), {}});
    };
    for_each_match(live, time_colon, text, [&](const auto& g, std::size_t b, std::size_t e) {
        auto h = small_number(view(g[2]));
        auto m = small_number(view(g[3]));
        if (h && m) add(g[1], b, e, *h, *m);
    });
    for_each_match(live, time_clock, text, [&](const auto& g, std::size_t b, std::size_t e) {
        std::string_view hour = view(g[2]);
        const bool chinese = !is_digit(hour[0]);
        const bool minutes = matched(g[4]) || matched(g[5]) || matched(g[6]) || matched(g[7]) ||
                             matched(g[8]) || matched(g[9]);
        // 一点, 两点 alone mean "a little" and "two points" as often as a time.
        if (chinese && !matched(g[1]) && !matched(g[3]) && !minutes) return;
        char32_t before = char_before(text, matched(g[1]) ? offset_in(text, g[1]) : b);
        if (!matched(g[1]) &&
            (is_ascii_alnum(before) || in(U"第差有快慢早晚好多少大小高低", before)))
            return;
        auto h = small_number(hour);
        if (!h) return;
        std::int64_t m = 0;
        if (matched(g[4]))
            m = small_number(view(g[4])).value_or(99);
        else if (matched(g[5]))
            m = small_number(view(g[5])).value_or(99);
        else if (matched(g[6]))
            m = small_number(view(g[6])).value_or(99);
        else if (matched(g[7]))
            m = 30;
        else if (matched(g[8]))
            m = 15;
        else if (matched(g[9]))
            m = 45;
        add(g[1], b, e, *h, m);
    });
}

}  // namespace minsheng::dialog::nlu::detail
