#include "dialog/nlu/extractor.hpp"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <optional>
#include <stdexcept>
#include <string>

#include "dialog/nlu/detail/calendar.hpp"
#include "dialog/nlu/detail/chinese_number.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::dialog::nlu {
namespace {

using dialog::decode_utf8;
using piece = re2::StringPiece;
using byte_range = std::pair<std::size_t, std::size_t>;

// An entity found in normalised text, before it is mapped back to the original.
struct candidate {
    std::size_t begin = 0;  // normalised byte range
    std::size_t end = 0;
    int rank = 0;  // lower wins an overlap
    std::string_view type;
    std::string value;
    std::vector<byte_range> secret;  // normalised characters that masking hides
};

enum rank : int {
    rank_case = 0,
    rank_id,
    rank_phone,
    rank_landline,
    rank_money,
    rank_date,
    rank_time,
    rank_address,
};

std::string_view view(const piece& p) { return {p.data(), p.size()}; }
bool matched(const piece& p) { return p.data() != nullptr; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::size_t offset_in(std::string_view text, const piece& p) {
    return static_cast<std::size_t>(p.data() - text.data());
}

// The code point that starts at byte i, or 0 at the end.
char32_t char_at(std::string_view s, std::size_t i) {
    return i < s.size() ? decode_utf8(s, i).cp : 0;
}

// The code point that ends at byte i, or 0 at the start.
char32_t char_before(std::string_view s, std::size_t i) {
    if (i == 0) return 0;
    std::size_t j = i - 1;
    while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
    return decode_utf8(s, j).cp;
}

bool in(std::u32string_view set, char32_t c) { return c != 0 && set.find(c) != set.npos; }

// The patterns that match somewhere in the text being read (from one RE2::Set pass), or all.
struct live_set {
    bool all = true;
    std::vector<const RE2*> patterns;
    bool has(const RE2& re) const {
        return all || std::find(patterns.begin(), patterns.end(), &re) != patterns.end();
    }
};

// Calls f(groups, begin, end) for each successive non-overlapping match of re in text.
template <class F>
void for_each_match(const live_set& live, const RE2& re, std::string_view text, F&& f) {
    if (!live.has(re)) return;
    std::array<piece, 12> g;
    const int n = std::min<int>(re.NumberOfCapturingGroups() + 1, static_cast<int>(g.size()));
    const piece whole(text.data(), text.size());
    std::size_t pos = 0;
    while (pos < text.size() && re.Match(whole, pos, text.size(), RE2::UNANCHORED, g.data(), n)) {
        std::size_t b = offset_in(text, g[0]);
        std::size_t e = b + g[0].size();
        f(g, b, e);
        if (e > b) {
            pos = e;
        } else {
            pos = b + 1;
            while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80)
                ++pos;
        }
    }
}

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

std::optional<std::int64_t> small_number(std::string_view s) {
    auto v = detail::parse_integer(s);
    if (!v || *v < 0 || *v > 9999) return std::nullopt;
    return v;
}

constexpr std::u32string_view cn_numerals =
    U"零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟";

// ---- address scanning ----------------------------------------------------------------------

enum class part { place, masked_number, kept_number, colloquial, room };

struct suffix_rule {
    std::u32string_view text;
    part kind;
    int max_name;               // longest name, in characters
    std::u32string_view never;  // the suffix is no suffix when followed by one of these
    bool strong = false;        // a place of this kind alone makes an address
};

// Longest first where one suffix begins another.
constexpr suffix_rule suffixes[] = {
    {U"自治区", part::place, 4, U"", true},
    {U"街道", part::place, 4, U"办口边上", true},
    {U"社区", part::place, 5, U"医服工卫活居网中办党", true},
    {U"小区", part::place, 6, U"门物业里内外", true},
    {U"花园", part::place, 5, U"", true},
    {U"家园", part::place, 5, U"", true},
    {U"大道", part::place, 4, U"", true},
    {U"大街", part::place, 4, U"上", true},
    {U"胡同", part::place, 4, U"", true},
    {U"广场", part::place, 5, U"舞", true},
    {U"大厦", part::place, 5, U"", true},
    {U"公寓", part::place, 5, U"", true},
    {U"新村", part::place, 4, U"", true},
    {U"山庄", part::place, 4, U"", true},
    {U"号楼", part::masked_number, 6, U""},
    {U"号院", part::masked_number, 6, U""},
    {U"单元", part::masked_number, 4, U"格测"},
    {U"省", part::place, 3, U"钱得去略份级长委政事力会时心", true},
    {U"市", part::place, 4, U"场民政区长委级内里面值容民中", false},
    {U"区", part::place, 5, U"域别分间内委长级政里", false},
    {U"县", part::place, 4, U"城委长级里政", true},
    {U"镇", part::place, 3, U"政长委上里定静压", true},
    {U"乡", part::place, 3, U"亲下村镇政长里", true},
    {U"村", part::place, 4, U"民委长里口子庄干两", false},
    {U"苑", part::place, 5, U"", true},
    {U"路", part::place, 5, U"灯面边上过人费线况由障牌基网段沿口中旁", false},
    {U"街", part::place, 4, U"头上边坊区灯道面", false},
    {U"巷", part::place, 4, U"子口里", false},
    {U"弄", part::place, 4, U"堂坏脏得", false},
    {U"号", part::masked_number, 6, U"码线位称召角外人"},
    {U"栋", part::masked_number, 4, U"梁"},
    {U"幢", part::masked_number, 4, U""},
    {U"座", part::masked_number, 3, U"位谈椅机"},
    {U"楼", part::masked_number, 3, U"梯道顶盘市价主宇房"},
    {U"层", part::masked_number, 3, U"次面级"},
    {U"室", part::masked_number, 5, U"友内外"},
    {U"房", part::masked_number, 5, U"子间屋租价东产"},
    {U"户", part::masked_number, 4, U"口籍主型外"},
    {U"排", part::masked_number, 3, U"水队放查名序"},
    {U"期", part::kept_number, 3, U"间限待望货刊"},
    {U"组", part::kept_number, 3, U"织成长合件建"},
};

// Characters that never belong to a place name: they end a name read backwards.
constexpr std::u32string_view name_stops =
    U"我你您他她它们的了在是住到去从往于把被给让请帮说想要就都也还又或这那哪些很太吗呢吧啊呀么"
    U"咱个该但而且如没不本";

// Two-character words that end a name read backwards (the name starts after them).
constexpr std::u32string_view name_stop_words[] = {
    U"投诉", U"反映", U"举报", U"咨询", U"位于", U"旁边", U"对面", U"附近", U"门口", U"楼下",
    U"楼上", U"里面", U"外面", U"现在", U"今天", U"昨天", U"明天", U"前天", U"已经", U"一直",
    U"还是", U"就是", U"所以", U"因为", U"但是", U"然后", U"经常", U"每天", U"晚上", U"白天",
    U"早上", U"下午", U"上午", U"中午", U"居住", U"处理", U"解决", U"问题", U"地址", U"住址",
    U"情况", U"这边", U"那边", U"希望", U"麻烦", U"请问", U"谢谢", U"你好", U"您好", U"搬到",
    U"来到", U"回到", U"位置", U"家住", U"住在", U"坐落", U"路过", U"经过", U"前往", U"靠近",
    U"执行", U"按照", U"完善", U"合同", U"归入", U"编制", U"进行", U"要求", U"导致", U"造成",
    U"影响", U"没有", U"不能", U"可以", U"需要", U"应该", U"是否", U"如何", U"怎么", U"目前",
    U"当地", U"本地", U"整个", U"各个", U"所有", U"一个", U"相关", U"有关", U"政府", U"部门",
    U"领导", U"单位", U"工作", U"管理", U"施工", U"维修", U"安装", U"落实", U"规定", U"文件",
    U"发现", U"听说", U"看到", U"办理", U"申请", U"反应", U"业主", U"居民", U"村民", U"市民",
    U"根据", U"督促", U"配合", U"积极", U"符合", U"通知", U"维护", U"规范", U"解除", U"确保",
    U"遵循", U"纵观", U"购买", U"随着", U"难道", U"隔壁", U"提高", U"更换", U"乘坐", U"公布",
    U"大力", U"加强", U"推进", U"实施", U"开展", U"组织", U"检查", U"查处", U"整治", U"转到",
    U"转交", U"上报", U"报告", U"绿化", U"一条", U"一直", U"只有", U"为了", U"违规", U"附件",
    U"进出", U"进入", U"离开", U"电话",
};

// Characters that rarely begin a place name: a longer name drops them from its front
// (由西地省 → 西地省).
constexpr std::u32string_view name_first_stops =
    U"由和为与及向对给以自从于往至经过按据随等并或各每此其同跟离距查问闻阅知见使令需应能会可将"
    U"收行营资策";

// Words that end like a place but are none (城市, 道路, 超市, ...).
constexpr std::u32string_view generic_words[] = {
    U"道路",     U"马路", U"铁路", U"线路", U"电路",   U"思路",     U"出路", U"走路",
    U"网路",     U"超市", U"城市", U"菜市", U"股市",   U"夜市",     U"门市", U"市区",
    U"郊区",     U"地区", U"灾区", U"辖区", U"景区",   U"山区",     U"农村", U"乡村",
    U"逛街",     U"上街", U"城镇", U"乡镇", U"街区",   U"城乡",     U"下乡", U"老乡",
    U"家乡",     U"故乡", U"街路", U"省市", U"全市",   U"本市",     U"全区", U"本区",
    U"全省",     U"全县", U"本县", U"本村", U"全村",   U"高速公路", U"上市", U"学区",
    U"背井离乡", U"玩弄", U"捉弄", U"愚弄", U"高发区", U"强县",     U"强市",
};

constexpr std::u32string_view colloquial_heads[] = {U"我们", U"咱们", U"我家",
                                                    U"咱家", U"俺们", U"本"};
constexpr std::u32string_view colloquial_fillers[] = {U"这个", U"那个", U"这", U""};
constexpr std::u32string_view colloquial_places[] = {U"小区", U"社区", U"街道", U"村",
                                                     U"镇",   U"楼",   U"片区"};

bool is_han(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x3134F) || (c >= 0xF900 && c <= 0xFAFF);
}
bool is_ascii_alnum(char32_t c) { return (c >= U'0' && c <= U'9') || (c >= U'a' && c <= U'z'); }

struct address_part {
    std::size_t first = 0;  // code point index of the name
    std::size_t name_end = 0;
    std::size_t last = 0;  // one past the suffix
    part kind = part::place;
    bool strong = false;
};

// Code points (all in the BMP) that can begin an address suffix or a colloquial head.
using start_set = std::bitset<0x10000>;

start_set address_start_set() {
    start_set s;
    for (const auto& rule : suffixes) s.set(rule.text[0]);
    for (auto head : colloquial_heads) s.set(head[0]);
    return s;
}

class address_scanner {
public:
    address_scanner(std::string_view text, const std::vector<bool>& taken_bytes,
                    const start_set& starts)
        : text_(text), starts_(starts) {
        bool any = false;
        for (std::size_t i = 0; i < text.size() && !any;) {
            auto d = decode_utf8(text, i);
            any = d.cp < 0x10000 && starts[d.cp] && !taken_bytes[i];
            i += d.len;
        }
        if (!any) return;
        for (std::size_t i = 0; i < text.size();) {
            auto d = decode_utf8(text, i);
            cps_.push_back(d.cp);
            at_.push_back(i);
            taken_.push_back(taken_bytes[i]);
            i += d.len;
        }
        at_.push_back(text.size());
    }

    void scan(std::vector<candidate>& out) {
        std::vector<address_part> parts;
        std::size_t floor = 0;  // names never reach back before this code point
        for (std::size_t k = 0; k < cps_.size();) {
            if (taken_[k]) {
                floor = k + 1;
                ++k;
                continue;
            }
            const bool may_start = cps_[k] < 0x10000 && starts_[cps_[k]];
            if (auto p = may_start ? colloquial(k) : std::nullopt) {
                parts.push_back(*p);
                floor = k = p->last;
                continue;
            }
            if (auto p = may_start ? suffix_part(k, floor) : std::nullopt) {
                parts.push_back(*p);
                floor = k = p->last;
                continue;
            }
            if (auto p = room(k, parts)) {
                parts.push_back(*p);
                floor = k = p->last;
                continue;
            }
            ++k;
        }
        // Chains of adjacent parts (a space or dash may separate them) become addresses.
        for (std::size_t i = 0; i < parts.size();) {
            std::size_t j = i + 1;
            while (j < parts.size() && adjacent(parts[j - 1], parts[j])) ++j;
            accept(parts, i, j, out);
            i = j;
        }
    }

private:
    bool adjacent(const address_part& a, const address_part& b) const {
        if (b.first == a.last) return true;
        return b.first == a.last + 1 && (cps_[a.last] == U' ' || cps_[a.last] == U'-');
    }

    bool matches(std::size_t k, std::u32string_view w) const {
        if (k + w.size() > cps_.size()) return false;
        for (std::size_t i = 0; i < w.size(); ++i)
            if (cps_[k + i] != w[i] || taken_[k + i]) return false;
        return true;
    }

    std::optional<address_part> colloquial(std::size_t k) const {
        for (auto head : colloquial_heads) {
            if (!matches(k, head)) continue;
            for (auto filler : colloquial_fillers) {
                std::size_t f = k + head.size();
                if (!matches(f, filler)) continue;
                for (auto place : colloquial_places) {
                    std::size_t p = f + filler.size();
                    if (!matches(p, place)) continue;
                    std::size_t last = p + place.size();
                    char32_t next = last < cps_.size() ? cps_[last] : 0;
                    if (place == U"楼" && in(U"梯道顶下上房", next)) continue;
                    if (place == U"村" && in(U"民委长里干", next)) continue;
                    if (place == U"小区" && in(U"物业", next) && head != U"我们") continue;
                    return address_part{k, p, last, part::colloquial, true};
                }
            }
        }
        return std::nullopt;
    }

    bool stop_word_before(std::size_t p) const {
        // True when cps_[p - 1], cps_[p] form a stop word.
        if (p == 0) return false;
        for (auto w : name_stop_words)
            if (cps_[p - 1] == w[0] && cps_[p] == w[1]) return true;
        return false;
    }

    std::optional<address_part> suffix_part(std::size_t k, std::size_t floor) const {
        for (const auto& rule : suffixes) {
            if (!matches(k, rule.text)) continue;
            std::size_t last = k + rule.text.size();
            char32_t next = last < cps_.size() ? cps_[last] : 0;
            if (in(rule.never, next)) continue;
            auto name =
                rule.kind == part::place ? place_name(k, floor, rule) : number_name(k, floor, rule);
            if (!name) continue;
            return address_part{*name, k, last, rule.kind, rule.strong};
        }
        return std::nullopt;
    }

    // Start of a numeric name (digits, letters and inner dashes, or Chinese numerals) ending
    // at k.
    std::optional<std::size_t> number_name(std::size_t k, std::size_t floor,
                                           const suffix_rule& rule) const {
        const auto max = static_cast<std::size_t>(rule.max_name);
        const std::size_t lowest = k > floor + max ? k - max : floor;
        std::size_t s = k;
        while (s > lowest) {
            char32_t c = cps_[s - 1];
            bool dash = c == U'-' && s < k && s - 1 > lowest && is_ascii_alnum(cps_[s - 2]);
            if (!is_ascii_alnum(c) && !dash) break;
            --s;
        }
        bool chinese = false;
        if (s == k) {
            while (s > lowest && in(cn_numerals, cps_[s - 1])) --s;
            chinese = true;
        }
        if (s == k) return std::nullopt;
        // Cut short by the length limit: part of a longer number or word.
        if (s > floor && (is_ascii_alnum(cps_[s - 1]) || (chinese && in(cn_numerals, cps_[s - 1]))))
            return std::nullopt;
        if (chinese) {
            // 一栋楼, 两户人家, 几号: a count, not a number.
            if (k - s == 1 && in(U"一两几", cps_[s])) return std::nullopt;
            if (s > 0 && in(U"第每几多", cps_[s - 1])) return std::nullopt;
        }
        return s;
    }

    // Start of a place name ending at k.
    std::optional<std::size_t> place_name(std::size_t k, std::size_t floor,
                                          const suffix_rule& rule) const {
        // Anonymised or coded names: one letter and up to two digits (A市, K2区).
        {
            std::size_t s = k;
            while (s > floor && k - s < 3 && is_ascii_alnum(cps_[s - 1])) --s;
            if (s < k) {
                bool coded = cps_[s] >= U'a' && cps_[s] <= U'z';
                for (std::size_t i = s + 1; i < k; ++i)
                    coded = coded && cps_[i] >= U'0' && cps_[i] <= U'9';
                bool before_ok = s == 0 || !is_ascii_alnum(cps_[s - 1]);
                if (coded && before_ok) return s;
                bool numbered = rule.text == U"区";
                for (std::size_t i = s; i < k; ++i)
                    numbered = numbered && cps_[i] >= U'0' && cps_[i] <= U'9';
                if (numbered && before_ok) return s;
                return std::nullopt;
            }
        }
        std::size_t s = k;
        std::size_t han = 0;
        while (s > floor && k - s < static_cast<std::size_t>(rule.max_name)) {
            char32_t c = cps_[s - 1];
            if (!is_han(c) || in(name_stops, c) || taken_[s - 1]) break;
            if (s - 1 > floor && stop_word_before(s - 1)) break;
            --s;
            ++han;
        }
        const std::size_t min_han = rule.text.size() >= 2 ? 1 : 2;
        while (han > min_han && in(name_first_stops, cps_[s])) {
            ++s;
            --han;
        }
        if (han < min_han || (han == 1 && in(name_first_stops, cps_[s]))) return std::nullopt;
        // A name and suffix that end in a generic word (城市, 道路, 地区) are no place.
        for (auto w : generic_words) {
            const std::size_t last = k + rule.text.size();
            if (w.size() > last - s) continue;
            bool same = true;
            for (std::size_t i = 0; i < w.size() && same; ++i)
                same = cps_[last - w.size() + i] == w[i];
            if (same) return std::nullopt;
        }
        return s;
    }

    // A bare room number (3-4 digits) right after a unit, building or floor.
    std::optional<address_part> room(std::size_t k, const std::vector<address_part>& parts) const {
        if (parts.empty()) return std::nullopt;
        const address_part& prev = parts.back();
        if (prev.kind != part::masked_number) return std::nullopt;
        const bool separated =
            prev.last + 1 == k && (cps_[prev.last] == U'-' || cps_[prev.last] == U' ');
        if (prev.last != k && !separated) return std::nullopt;
        std::u32string_view suffix(&cps_[prev.name_end], prev.last - prev.name_end);
        if (suffix != U"单元" && suffix != U"栋" && suffix != U"幢" && suffix != U"楼" &&
            suffix != U"号楼" && suffix != U"座" && suffix != U"层")
            return std::nullopt;
        std::size_t e = k;
        while (e < cps_.size() && e - k < 5 && !taken_[e] && cps_[e] >= U'0' && cps_[e] <= U'9')
            ++e;
        std::size_t n = e - k;
        if (n < 3 || n > 4) return std::nullopt;
        if (e < cps_.size() && is_ascii_alnum(cps_[e])) return std::nullopt;
        return address_part{k, e, e, part::room, false};
    }

    void accept(const std::vector<address_part>& parts, std::size_t i, std::size_t j,
                std::vector<candidate>& out) const {
        std::size_t places = 0;
        std::size_t numbers = 0;
        bool strong = false;
        for (std::size_t k = i; k < j; ++k) {
            const auto& p = parts[k];
            if (p.kind == part::place || p.kind == part::colloquial) ++places;
            if (p.kind == part::masked_number || p.kind == part::kept_number ||
                p.kind == part::room)
                ++numbers;
            if (p.strong) strong = true;
            if (p.kind == part::masked_number) {
                std::u32string_view suffix(&cps_[p.name_end], p.last - p.name_end);
                if (suffix == U"号楼" || suffix == U"栋" || suffix == U"幢" || suffix == U"单元" ||
                    suffix == U"室")
                    strong = true;
            }
        }
        if (!(places > 0 || numbers >= 2 || strong)) return;
        candidate c;
        c.begin = at_[parts[i].first];
        c.end = at_[parts[j - 1].last];
        c.rank = rank_address;
        c.type = "address";
        c.value = std::string(text_.substr(c.begin, c.end - c.begin));
        for (std::size_t k = i; k < j; ++k) {
            const auto& p = parts[k];
            if (p.kind != part::masked_number && p.kind != part::room) continue;
            for (std::size_t q = p.first; q < p.name_end; ++q)
                if (cps_[q] != U'-') c.secret.emplace_back(at_[q], at_[q + 1]);
        }
        out.push_back(std::move(c));
    }

    std::string_view text_;
    const start_set& starts_;
    std::vector<char32_t> cps_;
    std::vector<std::size_t> at_;  // byte offset of each code point, plus the end
    std::vector<bool> taken_;
};

}  // namespace

// ---- the extractor -----------------------------------------------------------------------

// clang-format off
// Pieces shared by several patterns (over normalised text: half-width, lower case, Simplified).
#define MS_PERIOD                                                         \
    "(凌晨|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|晚间|夜里|夜间|" \
    "半夜|深夜|今早|今晚|今夜|明早|明晚|昨晚|昨夜|早|晚)?"
#define MS_AREA_CODE "(0(?:[12]\\d|[3-9]\\d{2}))"
#define MS_AMOUNT "(\\d+(?:,\\d{3})*(?:\\.\\d+)?)"
// clang-format on

struct extractor::impl {
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
#undef MS_AREA_CODE
#undef MS_AMOUNT

    impl() {
        all_patterns = {&case_number, &id,         &phone,         &landline,  &money_symbol,
                        &money_unit,  &money_wan,  &money_chinese, &date_full, &date_iso,
                        &date_short,  &date_day,   &date_word,     &date_ago,  &date_week,
                        &date_month,  &time_colon, &time_clock};
        RE2::Options options;
        options.set_log_errors(false);
        options.set_max_mem(32 << 20);
        screen = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
        for (const RE2* re : all_patterns) {
            if (!re->ok())
                throw std::runtime_error("extractor: pattern " + re->pattern() + ": " +
                                         re->error());
            std::string error;
            if (screen->Add(re->pattern(), &error) < 0)
                throw std::runtime_error("extractor: pattern " + re->pattern() + ": " + error);
        }
        if (!screen->Compile()) throw std::runtime_error("extractor: patterns do not compile");
    }

    std::vector<candidate> find(std::string_view text, std::int64_t now) const;

    void numbers(const live_set& live, std::string_view text, std::vector<candidate>& out) const;
    void money(const live_set& live, std::string_view text, std::vector<candidate>& out) const;
    void dates(const live_set& live, std::string_view text, std::int64_t today,
               std::vector<candidate>& out) const;
    void times(const live_set& live, std::string_view text, std::vector<candidate>& out) const;

    // One pass over the text tells which patterns can match at all.
    std::vector<const RE2*> all_patterns;
    std::unique_ptr<RE2::Set> screen;
    const start_set address_starts = address_start_set();
};

bool valid_id_number(std::string_view id) {
    if (id.size() != 18) return false;
    static constexpr int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static constexpr char check[] = "10X98765432";
    int sum = 0;
    for (std::size_t i = 0; i < 17; ++i) {
        if (!is_digit(id[i])) return false;
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

void extractor::impl::numbers(const live_set& live, std::string_view text,
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
        if (!valid_id_number(v)) return;
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

void extractor::impl::money(const live_set& live, std::string_view text,
                            std::vector<candidate>& out) const {
    auto add = [&](std::size_t b, std::size_t e, std::string_view number, int power) {
        auto d = detail::parse_decimal(number);
        if (!d) return;
        auto v = detail::format_decimal(*d, power);
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

namespace {

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
    auto c = detail::civil_from_days(today);
    std::int64_t m = c.year * 12 + (c.month - 1) + months;
    std::int64_t y = m >= 0 ? m / 12 : (m - 11) / 12;
    return {y, static_cast<unsigned>(m - y * 12) + 1};
}

}  // namespace

void extractor::impl::dates(const live_set& live, std::string_view text, std::int64_t today,
                            std::vector<candidate>& out) const {
    const auto now = detail::civil_from_days(today);
    auto add = [&](std::size_t b, std::size_t e, std::string value) {
        out.push_back(candidate{b, e, rank_date, "date", std::move(value), {}});
    };
    auto add_day = [&](std::size_t b, std::size_t e, std::int64_t y, std::int64_t m,
                       std::int64_t d) {
        if (m < 1 || m > 12 || d < 1 ||
            !detail::valid_date(y, static_cast<unsigned>(m), static_cast<unsigned>(d)))
            return;
        add(b, e,
            detail::iso_date(
                detail::days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d))));
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
                auto v =
                    detail::parse_integer(w.substr(0, w.size() - std::string_view("年").size()));
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
        add(b, e, detail::iso_date(today + shift));
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
            add(b, e, detail::iso_date(today + sign * count));
        } else if (unit == "月") {
            if (half) {
                add(b, e, detail::iso_date(today + sign * 15));
            } else {
                auto [y, m] = shift_month(today, sign * count);
                add(b, e, detail::iso_month(y, m));
            }
        } else if (unit == "年") {
            if (half) {
                auto [y, m] = shift_month(today, sign * 6);
                add(b, e, detail::iso_month(y, m));
            } else {
                add(b, e, std::to_string(now.year + sign * count));
            }
        } else {
            add(b, e, detail::iso_week(today + sign * 7 * count));
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
            today - (detail::iso_weekday(today) - 1) + 7 * relative_week(view(g[1]));
        if (weekday)
            add(b, e, detail::iso_date(monday + weekday - 1));
        else
            add(b, e, detail::iso_week(monday));
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
        add(b, e, detail::iso_month(y, m));
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

void extractor::impl::times(const live_set& live, std::string_view text,
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

std::vector<candidate> extractor::impl::find(std::string_view text, std::int64_t now) const {
    std::vector<candidate> found;
    if (text.empty()) return found;
    live_set live;
    std::vector<int> hits;
    RE2::Set::ErrorInfo error{};
    const bool any = screen->Match(piece(text.data(), text.size()), &hits, &error);
    if (any || error.kind == RE2::Set::kNoError) {
        // Without an error the set's answer is exact; on one (DFA out of memory) run them all.
        live.all = false;
        for (int h : hits) live.patterns.push_back(all_patterns[static_cast<std::size_t>(h)]);
    }
    if (!live.all && live.patterns.empty()) {
        std::vector<bool> none(text.size() + 1, false);
        address_scanner(text, none, address_starts).scan(found);
        return found;
    }
    numbers(live, text, found);
    money(live, text, found);
    dates(live, text, detail::china_day(now), found);
    times(live, text, found);

    // Overlaps: the better rank wins, then the longer match, then the earlier one.
    std::stable_sort(found.begin(), found.end(), [](const candidate& a, const candidate& b) {
        if (a.rank != b.rank) return a.rank < b.rank;
        if (a.end - a.begin != b.end - b.begin) return a.end - a.begin > b.end - b.begin;
        return a.begin < b.begin;
    });
    std::vector<candidate> kept;
    std::vector<bool> taken(text.size() + 1, false);
    for (auto& c : found) {
        bool clash = false;
        for (std::size_t i = c.begin; i < c.end && !clash; ++i) clash = taken[i];
        if (clash) continue;
        for (std::size_t i = c.begin; i < c.end; ++i) taken[i] = true;
        kept.push_back(std::move(c));
    }
    address_scanner(text, taken, address_starts).scan(kept);
    std::sort(kept.begin(), kept.end(),
              [](const candidate& a, const candidate& b) { return a.begin < b.begin; });
    return kept;
}

std::shared_ptr<const extractor> extractor::create() {
    return std::shared_ptr<const extractor>(new extractor(std::make_unique<impl>()));
}

extractor::extractor(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
extractor::~extractor() = default;

std::vector<entity> extractor::extract(const normalised_text& text, std::string_view original,
                                       std::int64_t now) const {
    std::vector<entity> out;
    for (auto& c : impl_->find(text.text, now)) {
        auto [b, e] = text.to_original(c.begin, c.end);
        out.push_back(entity{std::string(c.type), std::string(original.substr(b, e - b)),
                             std::move(c.value), span{b, e}});
    }
    return out;
}

std::vector<span> extractor::personal_characters(const normalised_text& text,
                                                 std::string_view original) const {
    std::vector<span> out;
    for (const auto& c : impl_->find(text.text, 0)) {
        for (auto [nb, ne] : c.secret) {
            auto [b, e] = text.to_original(nb, ne);
            if (e > b && e <= original.size()) out.push_back(span{b, e});
        }
    }
    return out;
}

}  // namespace minsheng::dialog::nlu
