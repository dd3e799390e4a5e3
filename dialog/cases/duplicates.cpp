#include "dialog/cases/duplicates.hpp"

#include <algorithm>
#include <bit>
#include <iterator>
#include <set>
#include <vector>

#include "dialog/utf8.hpp"
#include "dialog/values/geo.hpp"

namespace minsheng::dialog::cases {
namespace {

// Characters that say nothing about which problem it is: function words and pronouns. A text
// is cut at them, so no bigram spans one.
constexpr std::u32string_view stop_characters =
    U"的了是在我你他她它们请有很就都也和与及或吗呢吧啊呀么这那个些已经还没被把给让到对于从向要会"
    U"能可以您又再才只而但却如果因为所以非常太真";

// Bigrams every appeal uses: greetings, petition phrases, vague places and times.
const std::set<std::u32string>& stop_bigrams() {
    static const std::set<std::u32string> words = {
        U"尊敬", U"领导", U"问题", U"反映", U"希望", U"解决", U"谢谢", U"麻烦", U"帮忙", U"处理",
        U"一下", U"你好", U"您好", U"投诉", U"举报", U"情况", U"现在", U"今天", U"昨天", U"几天",
        U"好几", U"附近", U"旁边", U"门口", U"小区", U"社区", U"居民", U"相关", U"部门", U"尽快",
        U"严重", U"影响", U"生活", U"大家", U"一直", U"多次", U"时候", U"晚上", U"每天", U"这里",
        U"那里", U"怎么", U"什么", U"为什", U"如何", U"一个", U"请求", U"要求", U"政府", U"市民"};
    return words;
}

// Problem words: each line is one thing or one fault, in the words residents use for it. Two
// appeals naming the same things and faults likely report the same problem; the same thing with
// another fault (a street light out, a street light on all day) likely not. Matched on the
// normalised text (Simplified script).
constexpr std::string_view problem_words[] = {
    "路灯 街灯 灯泡",
    "不亮 没亮 不工作 灭了 坏了 坏 瞎 损坏 故障 停运 停用 不能用",
    "白天 浪费电 开着",
    "灯杆 灯柱 电线杆",
    "歪 倾斜 倒",
    "坑 坑洼 塌 塌陷 坑坑洼洼 凹",
    "井盖 窨井 下水井",
    "丢 不见 偷 缺 没盖",
    "垃圾 废品 建筑垃圾",
    "清运 没人收 清理 拉走 运走 来运 堆 满 成堆 堆积",
    "噪音 吵 响 扰民 轰隆",
    "施工 打桩 工地 挖土 作业",
    "水管 供水 自来水 消防栓",
    "漏水 爆 裂 冒 喷 积水",
    "下水道 污水 化粪池 排水",
    "堵 外溢 漫",
    "树 树枝 大树 榕树",
    "倒 断 刮 吹",
    "电梯",
    "困人 被困 困在 困住 困了 人困 夹人 夹住 下坠 感应",
    "消防通道",
    "占 停放 停车 停着",
    "红绿灯 信号灯 黄灯",
    "油烟 烧烤 呛",
    "狗 野狗 流浪狗 咬",
    "停水 没水 水压",
    "停电 跳闸 没电",
    "违建 违章 搭建",
    "占道 摆摊 摊贩",
    "漏雨 渗水 墙皮",
};

// The problem words `text` uses, as bits (one per line above).
std::uint64_t problems_in(std::string_view text) {
    std::uint64_t out = 0;
    for (std::size_t i = 0; i < std::size(problem_words); ++i) {
        std::string_view line = problem_words[i];
        while (!line.empty()) {
            const auto space = line.find(' ');
            const auto word = line.substr(0, space);
            if (!word.empty() && text.find(word) != std::string_view::npos) {
                out |= std::uint64_t{1} << i;
                break;
            }
            if (space == std::string_view::npos) break;
            line.remove_prefix(space + 1);
        }
    }
    return out;
}

// Objects: the thing a report is about, one line each. A text names the objects whose words it
// contains, longest words first, each place in the text read once: "下水道井盖" is a manhole cover
// (not a sewer), "路灯杆" a lamp post (not a street light), "楼道灯" a stairwell light.
constexpr std::string_view object_words[] = {
    "路灯 街灯 灯泡 路边灯",
    "灯杆 灯柱 路灯杆 路灯柱 电线杆 电杆",
    "楼道灯 声控灯 楼梯灯 走廊灯",
    "灯箱 广告牌 招牌 广告灯",
    "红绿灯 信号灯 交通灯 黄灯 红灯",
    "井盖 窨井 下水井 下水道井盖 污水井盖 雨水井盖 井口 沙井",
    "下水道 污水管 污水管道 化粪池 排水沟 阴沟 污水 排污",
    "水管 供水管 供水管道 自来水管 自来水 消防栓 水表",
    "路面 马路 道路 坑 坑洼 窿 人行道砖",
    "树 树枝 大树 榕树 树木",
    "电梯",
    "消防通道",
    "垃圾 垃圾桶 垃圾站 垃圾箱 废品",
    "公厕 厕所 公共厕所",
    "工地 施工 打桩 挖土 泥头车 搅拌",
    "油烟 烧烤 饭店 大排档 餐馆 烧烤档",
    "狗 野狗 流浪狗 犬",
    "健身器材 健身器械 长椅 座椅 滑梯 秋千",
    "违建 违章建筑 违章搭建 乱搭",
    "摊贩 摆摊 占道经营 流动摊",
    "停水 没水 水压",
    "停电 跳闸 没电",
    "漏雨 渗水 墙皮 外墙",
};

// Faults: what is wrong with it. The first line (broken, out of use) says little and fits every
// fault but the lines marked distinct (people trapped, a light on all day): those are events of
// their own, never the same problem as a thing that is merely broken. A word names the fault it
// names whatever the thing: a light is on all day when it is 亮着, not whenever 白天 is said
// (白天锅炉排气); a thing is knocked over when it is 被撞 or 撞歪, not in 差点撞车; 堵 is a
// sewer's clog and a passage's obstruction (消防通道被车堵死, 乱停); fumes are a nuisance of their
// own like noise (one restaurant's fumes, the same restaurant's noise); people are trapped when
// 困人 or 困在, never in 困难 (老人上下楼很困难 is a lift out of use); a dog off its lead or its
// droppings are its keeper's doing, not a stray's bite.
struct fault_line {
    std::string_view words;
    bool distinct;
};
constexpr fault_line fault_words[] = {
    {"坏 损坏 故障 停运 停用 不能用 不能使用 失灵 停了 不修 没人修", false},
    {"不亮 没亮 不工作 灭 熄 瞎 唔着 黑", false},
    {"浪费电 开着 亮着 长明 白天亮 白天也亮 白天都亮", true},
    {"歪 倾斜 倒 被撞 车撞 撞歪 撞倒 撞断 撞坏 撞弯 断 刮 吹", false},
    {"丢 不见 偷 没盖 冇 撬 没了 破 洞 松 晃", false},
    {"塌 陷 凹 裂开 颠 坑", false},
    {"堵 外溢 溢 漫 返 冒 臭水", false},
    {"爆 裂 漏 喷 浸 积水", false},
    {"清运 没人收 没人清 清理 拉走 运走 堆 满 成堆 堆积 爆满", false},
    {"噪音 吵 响 扰民 轰隆", false},
    {"困人 被困 困在 困住 困了 人困 夹人 夹伤 夹住 下坠 关人 出不来", true},
    {"占 停放 停车 停着 停满 乱停 堵", false},
    {"咬 追", false},
    {"油烟 烟味 呛 排烟", false},
    {"遛狗 牵绳 拴绳 狗绳 狗屎 狗粪", false},
};

// The object lines `text` names (bits), longest words first, each text position read once.
std::uint64_t objects_in(std::string_view text) {
    struct word {
        std::string_view w;
        std::size_t line;
    };
    std::vector<word> words;
    for (std::size_t i = 0; i < std::size(object_words); ++i) {
        std::string_view line = object_words[i];
        while (!line.empty()) {
            const auto space = line.find(' ');
            const auto w = line.substr(0, space);
            if (!w.empty()) words.push_back({w, i});
            if (space == std::string_view::npos) break;
            line.remove_prefix(space + 1);
        }
    }
    std::stable_sort(words.begin(), words.end(),
                     [](const word& a, const word& b) { return a.w.size() > b.w.size(); });
    std::string rest(text);
    std::uint64_t out = 0;
    for (const auto& w : words) {
        for (auto at = rest.find(w.w); at != std::string::npos; at = rest.find(w.w, at)) {
            out |= std::uint64_t{1} << w.line;
            rest.replace(at, w.w.size(), w.w.size(), ' ');
        }
    }
    return out;
}

// The fault lines `text` names (bits).
std::uint64_t faults_in(std::string_view text) {
    std::uint64_t out = 0;
    for (std::size_t i = 0; i < std::size(fault_words); ++i) {
        std::string_view line = fault_words[i].words;
        while (!line.empty()) {
            const auto space = line.find(' ');
            const auto w = line.substr(0, space);
            if (!w.empty() && text.find(w) != std::string_view::npos) {
                out |= std::uint64_t{1} << i;
                break;
            }
            if (space == std::string_view::npos) break;
            line.remove_prefix(space + 1);
        }
    }
    return out;
}

bool faults_conflict(std::uint64_t a, std::uint64_t b) {
    std::uint64_t distinct = 0;
    for (std::size_t i = 0; i < std::size(fault_words); ++i) {
        if (fault_words[i].distinct) distinct |= std::uint64_t{1} << i;
    }
    constexpr std::uint64_t generic = 1;  // the first line: broken, out of use
    // An event of its own on one side only: another problem, whatever else both say.
    if ((a & distinct) != (b & distinct) && a != 0 && b != 0) return true;
    // Otherwise a merely broken thing fits any fault; specific faults must share one.
    const auto sa = a & ~generic;
    const auto sb = b & ~generic;
    return sa != 0 && sb != 0 && (sa & sb) == 0;
}

bool is_ideograph(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0xF900 && c <= 0xFAFF);
}

// Content bigrams of `text`: runs of ideographs that are not stop characters, two by two, each
// packed in 64 bits; sorted, each once.
std::vector<std::uint64_t> bigrams(std::string_view text) {
    std::vector<std::uint64_t> out;
    char32_t previous = 0;
    for (std::size_t i = 0; i < text.size();) {
        const auto d = decode_utf8(text, i);
        i += d.len;
        const char32_t c = d.cp;
        if (!is_ideograph(c) || stop_characters.find(c) != std::u32string_view::npos) {
            previous = 0;
            continue;
        }
        if (previous != 0 && !stop_bigrams().contains(std::u32string{previous, c}))
            out.push_back((std::uint64_t{previous} << 32) | c);
        previous = c;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

double similarity_of(const word_features& a, const word_features& b) {
    double overlap = 0.0;
    if (!a.bigrams.empty() && !b.bigrams.empty()) {
        std::size_t shared = 0;
        for (auto x = a.bigrams.begin(), y = b.bigrams.begin();
             x != a.bigrams.end() && y != b.bigrams.end();) {
            if (*x < *y) {
                ++x;
            } else if (*y < *x) {
                ++y;
            } else {
                ++shared;
                ++x;
                ++y;
            }
        }
        overlap = static_cast<double>(shared) /
                  static_cast<double>(std::min(a.bigrams.size(), b.bigrams.size()));
    }
    if (a.problems == 0 || b.problems == 0) return overlap;
    const double shared = std::popcount(a.problems & b.problems);
    const double either = std::popcount(a.problems | b.problems);
    return 0.5 * (shared / either) + 0.5 * overlap;
}

std::vector<char32_t> code_points(std::string_view s) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto d = decode_utf8(s, i);
        out.push_back(d.cp);
        i += d.len;
    }
    return out;
}

bool is_number_character(char32_t c) {
    return (c >= U'0' && c <= U'9') || (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') ||
           c == U'-' ||
           std::u32string_view(U"零一二三四五六七八九十百两").find(c) != std::u32string_view::npos;
}

// Unit words that follow a number in an address: 12号, 3栋, 2单元, 5楼, 301室.
bool is_number_unit(char32_t c) {
    return std::u32string_view(U"号栋幢座单元楼层室房户期").find(c) != std::u32string_view::npos;
}

}  // namespace

std::uint64_t object_lines(std::string_view text) { return objects_in(text); }

double duplicate_policy::radius_for(std::string_view category) const {
    const auto it = radius_by.find(std::string(category));
    return it == radius_by.end() ? radius_m : it->second;
}

bool duplicate_policy::confusable_categories(std::string_view a, std::string_view b) const {
    if (a.empty() || b.empty() || a == b) return false;
    return std::any_of(confusable.begin(), confusable.end(), [&](const auto& p) {
        return (p.first == a && p.second == b) || (p.first == b && p.second == a);
    });
}

std::vector<std::string> duplicate_policy::categories_for(std::string_view category) const {
    std::vector<std::string> out;
    if (category.empty()) return out;
    out.emplace_back(category);
    for (const auto& [a, b] : confusable) {
        const std::string& other = a == category ? b : b == category ? a : std::string();
        if (!other.empty() && std::find(out.begin(), out.end(), other) == out.end())
            out.push_back(other);
    }
    return out;
}

word_features features_of(std::string_view words) {
    word_features f;
    f.bigrams = bigrams(words);
    f.problems = problems_in(words);
    f.objects = objects_in(words);
    f.faults = faults_in(words);
    return f;
}

double words_similarity(std::string_view a, std::string_view b) {
    return similarity_of(features_of(a), features_of(b));
}

std::string place_key(std::string_view address) {
    const auto cps = code_points(address);
    // Keep everything before the first number that is followed (after more number characters)
    // by a unit word: the named part of the address.
    std::size_t keep = cps.size();
    for (std::size_t i = 0; i < cps.size(); ++i) {
        if (!is_number_character(cps[i])) continue;
        std::size_t j = i;
        while (j < cps.size() && is_number_character(cps[j])) ++j;
        if (j == cps.size() || is_number_unit(cps[j])) {
            keep = i;
            break;
        }
        i = j;
    }
    std::string out;
    for (std::size_t i = 0; i < keep; ++i) {
        if (cps[i] == U' ') continue;
        append_utf8(out, cps[i]);
    }
    return out;
}

std::string building_of(std::string_view address) {
    const auto cps = code_points(address);
    for (std::size_t i = 0; i < cps.size(); ++i) {
        if (!is_number_character(cps[i])) continue;
        std::size_t j = i;
        while (j < cps.size() && is_number_character(cps[j])) ++j;
        if (j < cps.size() &&
            std::u32string_view(U"号栋幢座").find(cps[j]) != std::u32string_view::npos) {
            std::string out;
            for (std::size_t k = i; k < j; ++k) append_utf8(out, cps[k]);
            return out + "#";
        }
        i = j;
    }
    return "";
}

std::string place_core(std::string_view key) {
    const auto cps = code_points(key);
    // Whether cps[i] (or cps[i-1..i], 街道) ends an administrative unit: 省市区县镇乡 and 街道,
    // but not a market or a supermarket (市场, 超市) nor a compound (小区, 社区, 园区, ...).
    const auto ends_unit = [&](std::size_t i) {
        const char32_t c = cps[i];
        const char32_t before = i > 0 ? cps[i - 1] : U'\0';
        const char32_t after = i + 1 < cps.size() ? cps[i + 1] : U'\0';
        if (c == U'道') return before == U'街';
        if (c == U'市') return after != U'场' && before != U'超' && before != U'门';
        if (c == U'区')
            return std::u32string_view(U"小社园校景厂").find(before) == std::u32string_view::npos;
        return std::u32string_view(U"省县镇乡").find(c) != std::u32string_view::npos;
    };
    // Leading units of a few characters each ("东莞市", "东城区", "东城街道") are dropped.
    std::size_t from = 0;
    for (bool more = true; more;) {
        more = false;
        for (std::size_t i = from + 1; i < cps.size() && i <= from + 4; ++i) {
            if (ends_unit(i)) {
                from = i + 1;
                more = true;
                break;
            }
        }
    }
    if (cps.size() < from + 2) return "";
    std::string out;
    for (std::size_t i = from; i < cps.size(); ++i) append_utf8(out, cps[i]);
    return out;
}

bool same_place(std::string_view a, std::string_view b) {
    if (a.empty() || b.empty()) return false;
    const std::string_view shorter = a.size() <= b.size() ? a : b;
    const std::string_view longer = a.size() <= b.size() ? b : a;
    if (!longer.ends_with(shorter) && longer.find(shorter) == std::string_view::npos) return false;
    const auto cps = code_points(shorter);
    if (cps.size() < 2) return false;
    // A shorter key that is only a city, district or county ("A市", "K2区") is too wide a place;
    // a residential or park compound ("翠苑小区", "东湖社区") is not.
    const char32_t last = cps.back();
    if (std::u32string_view(U"省市区县镇乡").find(last) == std::u32string_view::npos) return true;
    if (last != U'区' || cps.size() < 3) return false;
    return std::u32string_view(U"小社园校景厂").find(cps[cps.size() - 2]) !=
           std::u32string_view::npos;
}

duplicate_decision judge_duplicate(const appeal_sketch& appeal, const appeal_sketch& open_case,
                                   const duplicate_policy& policy) {
    duplicate_decision d;
    d.same_category = !appeal.category.empty() && appeal.category == open_case.category;
    if (appeal.location && open_case.location && valid_point(*appeal.location) &&
        valid_point(*open_case.location)) {
        d.distance_m = distance_km(*appeal.location, *open_case.location) * 1000.0;
        d.same_place = d.distance_m <= policy.radius_for(appeal.category);
    } else {
        d.same_place = same_place(appeal.place, open_case.place);
    }
    d.recent = open_case.at <= appeal.at + 60 && appeal.at - open_case.at <= policy.max_age_seconds;
    // What each text says, as its sketch's maker computed it or computed here.
    word_features own_a, own_b;
    const word_features& fa =
        appeal.features ? *appeal.features : (own_a = features_of(appeal.words));
    const word_features& fb =
        open_case.features ? *open_case.features : (own_b = features_of(open_case.words));
    d.similarity = similarity_of(fa, fb);
    // Vetoes: the texts name other things, or other faults of one thing, or (near by the
    // coordinates) other places. Such a pair is at most a possible duplicate.
    const auto oa = fa.objects;
    const auto ob = fb.objects;
    if (oa != 0 && ob != 0 && (oa & ob) == 0) {
        d.conflict = duplicate_conflict::object;
    } else if (faults_conflict(fa.faults, fb.faults)) {
        d.conflict = duplicate_conflict::fault;
    } else if (d.distance_m >= 0.0 && !appeal.place.empty() && !open_case.place.empty() &&
               !same_place(appeal.place, open_case.place)) {
        d.conflict = duplicate_conflict::place;
    } else if (!appeal.building.empty() && !open_case.building.empty() &&
               appeal.building != open_case.building) {
        d.conflict = duplicate_conflict::place;  // 3栋 and 5栋 of one compound
    }
    // A category the classifier confuses with this one, for one thing named alike on both sides.
    d.cross_category = !d.same_category && d.conflict == duplicate_conflict::none &&
                       policy.confusable_categories(appeal.category, open_case.category) &&
                       oa != 0 && oa == ob;
    if ((d.same_category || d.cross_category) && d.same_place && d.recent) {
        if (d.similarity >= policy.attach_at && d.conflict == duplicate_conflict::none) {
            d.verdict = duplicate_verdict::same;
        } else if (d.similarity >= policy.review_at) {
            d.verdict = duplicate_verdict::possible;
        }
    }
    return d;
}

duplicate_decision judge_own_need(const appeal_sketch& appeal, const appeal_sketch& open_case,
                                  const duplicate_policy& policy) {
    auto d = judge_duplicate(appeal, open_case, policy);
    if (d.verdict == duplicate_verdict::same) return d;
    const bool places_differ = !appeal.place.empty() && !open_case.place.empty() &&
                               !same_place(appeal.place, open_case.place);
    if (!(d.same_category || d.cross_category) || places_differ) return d;
    if (d.similarity >= policy.attach_at && d.conflict == duplicate_conflict::none) {
        d.verdict = duplicate_verdict::same;
    } else if (d.similarity >= policy.review_at) {
        d.verdict = duplicate_verdict::possible;
    }
    return d;
}

}  // namespace minsheng::dialog::cases
