#include "dialog/nlu/detail/address_scanner.hpp"

#include <cstddef>
#include <optional>
#include <string>

#include "dialog/nlu/detail/scan_text.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::dialog::nlu::detail {
namespace {

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
    {U"公园", part::place, 5, U"", true},
    {U"市场", part::place, 5, U"监价化经营部主需份调准行秩上环", true},
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
    // Guangdong's market towns (沙溪墟), estates named as towns (远洋城) and bays (白沙湾).
    {U"墟", part::place, 3, U"市", true},
    {U"城", part::place, 4, U"管市乡区镇墙中里内外建际郊关投", true},
    {U"湾", part::place, 4, U"区", true},
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
    U"道路",     U"马路",     U"铁路",       U"线路",       U"电路",     U"思路", U"出路",
    U"走路",     U"网路",     U"超市",       U"城市",       U"菜市",     U"股市", U"夜市",
    U"门市",     U"市区",     U"郊区",       U"地区",       U"灾区",     U"辖区", U"景区",
    U"山区",     U"农村",     U"乡村",       U"逛街",       U"上街",     U"城镇", U"乡镇",
    U"街区",     U"城乡",     U"下乡",       U"老乡",       U"家乡",     U"故乡", U"街路",
    U"省市",     U"全市",     U"本市",       U"全区",       U"本区",     U"全省", U"全县",
    U"本县",     U"本村",     U"全村",       U"高速公路",   U"上市",     U"学区", U"背井离乡",
    U"玩弄",     U"捉弄",     U"愚弄",       U"高发区",     U"强县",     U"强市", U"菜市场",
    U"农贸市场", U"人才市场", U"劳动力市场", U"房地产市场", U"二手市场", U"废墟", U"县城",
    U"进城",     U"全城",     U"满城",       U"长城",       U"古城",     U"老城", U"省城",
    U"出城",     U"入城",     U"主城",       U"京城",       U"都城",     U"围城", U"一座城",
    U"这座城",
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

struct address_part {
    std::size_t first = 0;  // code point index of the name
    std::size_t name_end = 0;
    std::size_t last = 0;  // one past the suffix
    part kind = part::place;
    bool strong = false;
};

using start_set = std::bitset<0x10000>;

start_set address_start_set() {
    start_set s;
    for (const auto& rule : suffixes) s.set(rule.text[0]);
    for (auto head : colloquial_heads) s.set(head[0]);
    return s;
}

// One text being read for addresses.
class address_reader {
public:
    address_reader(std::string_view text, const std::vector<bool>& taken_bytes,
                   const start_set& starts)
        : text_(text), starts_(starts) {
        bool any = false;
        for (std::size_t i = 0; i < text.size() && !any;) {
            auto d = dialog::decode_utf8(text, i);
            any = d.cp < 0x10000 && starts[d.cp] && !taken_bytes[i];
            i += d.len;
        }
        if (!any) return;
        for (std::size_t i = 0; i < text.size();) {
            auto d = dialog::decode_utf8(text, i);
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

address_scanner::address_scanner() : starts_(address_start_set()) {}

void address_scanner::scan(std::string_view text, const std::vector<bool>& taken,
                           std::vector<candidate>& out) const {
    address_reader(text, taken, starts_).scan(out);
}

}  // namespace minsheng::dialog::nlu::detail
