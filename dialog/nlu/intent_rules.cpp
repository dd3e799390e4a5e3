#include "dialog/nlu/intent_rules.hpp"

#include <array>
#include <cstddef>

namespace minsheng::dialog::nlu {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

// A wish number as the program prints it: WX, 8 digits, '-', 4 digits (any letter case).
bool has_wish_number(std::string_view t) {
    for (std::size_t i = 0; i + 15 <= t.size(); ++i) {
        if ((t[i] != 'W' && t[i] != 'w') || (t[i + 1] != 'X' && t[i + 1] != 'x')) continue;
        bool ok = t[i + 10] == '-';
        for (std::size_t k = 2; ok && k < 10; ++k) ok = is_digit(t[i + k]);
        for (std::size_t k = 11; ok && k < 15; ++k) ok = is_digit(t[i + k]);
        if (ok) return true;
    }
    return false;
}

// Drops ASCII spaces and common punctuation at both ends and inside (the text is short).
std::string_view trim(std::string_view t) {
    static constexpr std::array<std::string_view, 8> marks = {" ",  "!",  ".",  "~",
                                                              "。", "！", "，", ","};
    bool changed = true;
    while (changed && !t.empty()) {
        changed = false;
        for (auto m : marks) {
            if (t.starts_with(m)) {
                t.remove_prefix(m.size());
                changed = true;
            }
            if (t.ends_with(m)) {
                t.remove_suffix(m.size());
                changed = true;
            }
        }
    }
    return t;
}

bool consume(std::string_view& t, std::string_view part) {
    if (!t.starts_with(part)) return false;
    t.remove_prefix(part.size());
    while (t.starts_with(" ")) t.remove_prefix(1);
    return true;
}

// "5分", "打4分", "给五星", "评5颗星", "五星好评": a score from 1 to 5 and a unit, nothing else.
bool is_score(std::string_view t) {
    t = trim(t);
    for (auto prefix : {"我给", "给你们", "打分", "评分", "评价", "打", "给", "评"}) {
        if (consume(t, prefix)) break;
    }
    consume(t, ":");
    bool score = false;
    if (!t.empty() && t[0] >= '1' && t[0] <= '5') {
        t.remove_prefix(1);
        score = true;
    } else {
        for (auto n : {"一", "二", "两", "三", "四", "五"}) {
            if (consume(t, n)) {
                score = true;
                break;
            }
        }
    }
    if (!score) return false;
    while (t.starts_with(" ")) t.remove_prefix(1);
    if (!consume(t, "分") && !consume(t, "颗星") && !consume(t, "星")) return false;
    if (!consume(t, "好评") && !consume(t, "差评")) consume(t, "吧");
    return t.empty();
}

}  // namespace

std::string_view rule_intent(std::string_view normalised) {
    if (normalised.size() > 200) return {};
    if (has_wish_number(normalised) && contains(normalised, "认领") &&
        !contains(normalised, "取消") && !contains(normalised, "不认领") &&
        !contains(normalised, "完成") && !contains(normalised, "进度")) {
        return "claim_wish";
    }
    if (is_score(normalised)) return "rate";
    return {};
}

}  // namespace minsheng::dialog::nlu
