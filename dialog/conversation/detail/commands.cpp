#include "dialog/conversation/detail/commands.hpp"

#include <algorithm>
#include <initializer_list>
#include <tuple>
#include <utility>

#include "dialog/utf8.hpp"

namespace minsheng::dialog::detail {
namespace {

using words = std::initializer_list<std::string_view>;

bool one_of(std::string_view s, words ws) { return std::find(ws.begin(), ws.end(), s) != ws.end(); }

// Length of the first of `ws` that s starts with, 0 when none (put longer words first).
std::size_t prefix_of(std::string_view s, words ws) {
    for (auto w : ws)
        if (s.substr(0, w.size()) == w) return w.size();
    return 0;
}

bool contains(std::string_view s, std::string_view w) {
    return s.find(w) != std::string_view::npos;
}

bool contains_any(std::string_view s, words ws) {
    return std::any_of(ws.begin(), ws.end(), [&](auto w) { return contains(s, w); });
}

// Spaces and punctuation, ASCII (what the normaliser folds to) or CJK (what it leaves).
std::size_t punct_at(std::string_view s, std::size_t i) {
    static const std::string_view ascii = " .,!?~:;\"'()[]-*#/\\";
    if (ascii.find(s[i]) != std::string_view::npos) return 1;
    for (std::string_view p : {"。", "，", "！", "？", "、", "：", "；", "～", "…", "　"})
        if (s.substr(i, p.size()) == p) return p.size();
    return 0;
}

std::string_view trim(std::string_view s) {
    while (!s.empty()) {
        std::size_t n = punct_at(s, 0);
        if (n == 0) break;
        s.remove_prefix(n);
    }
    while (!s.empty()) {
        bool cut = false;
        // The last character: one byte if ASCII, else the lead byte of its sequence.
        std::size_t i = s.size() - 1;
        while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
        std::size_t n = punct_at(s, i);
        if (n == s.size() - i) {
            s.remove_suffix(n);
            cut = true;
        }
        if (!cut) break;
    }
    return s;
}

// Drops trailing modal particles (取消吧 → 取消) and the punctuation around them.
std::string_view drop_particles(std::string_view s) {
    s = trim(s);
    bool again = true;
    while (again) {
        again = false;
        for (std::string_view p : {"吧", "啊", "呀", "哦", "呢", "啦", "嘛", "哈", "噢"})
            if (s.size() > p.size() && s.substr(s.size() - p.size()) == p) {
                s = trim(s.substr(0, s.size() - p.size()));
                again = true;
            }
    }
    return s;
}

bool is_number_entity(const nlu::entity& e) {
    return e.type == "case_number" || e.type == "wish_number" || e.type == "proposal_number";
}

std::string lower(std::string s) {
    for (auto& ch : s)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return s;
}

void erase_all(std::string& s, const std::string& what) {
    if (what.empty()) return;
    for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at))
        s.erase(at, what.size());
}

// The normalised text without its case, wish and proposal numbers.
std::string without_numbers(const nlu::understanding& u) {
    std::string s = u.normalised;
    for (const auto& e : u.entities) {
        if (!is_number_entity(e)) continue;
        std::string v = lower(e.value);
        erase_all(s, v);
        v.erase(std::remove(v.begin(), v.end(), '-'), v.end());
        erase_all(s, v);
    }
    return s;
}

// A score at the start of s: [打|给|评|打个|给个] 1–5 (digit or 一二两三四五) [分|星|颗星|个星]
// [好评]. {rating, bytes used}, or {0, 0}. With need_unit, a bare number is no score.
std::pair<int, std::size_t> score_at(std::string_view s, bool need_unit) {
    std::size_t i = prefix_of(s, {"打个", "给个", "打", "给", "评"});
    int r = 0;
    if (i < s.size() && s[i] >= '1' && s[i] <= '5') {
        if (i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') return {0, 0};
        r = s[i] - '0';
        i += 1;
    } else {
        static const std::pair<std::string_view, int> numerals[] = {
            {"一", 1}, {"二", 2}, {"两", 2}, {"三", 3}, {"四", 4}, {"五", 5}};
        for (auto [w, v] : numerals)
            if (s.substr(i, w.size()) == w) {
                r = v;
                i += w.size();
                break;
            }
    }
    if (r == 0) return {0, 0};
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t unit = prefix_of(s.substr(i), {"颗星", "个星", "分", "星"});
    // Without a unit the number must stand alone: "评价 4 很好", not "评价一下".
    if (unit == 0 && (need_unit || (i < s.size() && s[i - 1] != ' ' && punct_at(s, i) == 0)))
        return {0, 0};
    i += unit;
    i += prefix_of(s.substr(i), {"好评"});
    return {r, i};
}

// 满意 / 不满意 words: {rating, bytes}, or {0, 0}. Longer and negated words first.
std::pair<int, std::size_t> satisfaction_at(std::string_view s) {
    static const std::pair<std::string_view, int> table[] = {
        {"非常不满意", 1}, {"很不满意", 1}, {"不太满意", 1}, {"不怎么满意", 1}, {"不满意", 1},
        {"基本满意", 4},   {"比较满意", 4}, {"还算满意", 4}, {"非常满意", 5},   {"十分满意", 5},
        {"很满意", 5},     {"挺满意", 5},   {"满意", 5}};
    for (auto [w, v] : table)
        if (s.substr(0, w.size()) == w) return {v, w.size()};
    return {0, 0};
}

// Where `core` (a piece of normalised text) starts in it, when it is a piece of it at all.
std::size_t offset_in(std::string_view whole, std::string_view piece) {
    if (piece.data() >= whole.data() && piece.data() <= whole.data() + whole.size())
        return static_cast<std::size_t>(piece.data() - whole.data());
    return std::string_view::npos;
}

// The rest of normalised text after `used` bytes of `piece`, as written where possible.
std::string rest_after(const nlu::understanding& u, std::string_view original,
                       std::string_view piece, std::size_t used) {
    std::string_view rest = trim(piece.substr(std::min(used, piece.size())));
    if (rest.empty()) return "";
    std::size_t at = offset_in(u.normalised, rest);
    if (at == std::string_view::npos) return std::string(rest);
    return as_written(u.normalised, at, original);
}

std::size_t chars(std::string_view s) { return count_code_points(s); }

// What follows the first case number in `original`, without the spaces and punctuation that
// separate it ("办结 MS… ：路灯已修好" → "路灯已修好"); "" when nothing does.
std::string after_number(const nlu::understanding& u, std::string_view original) {
    for (const auto& e : u.entities) {
        if (!is_number_entity(e) || e.where.end > original.size()) continue;
        std::string_view rest = original.substr(e.where.end);
        for (bool cut = true; cut && !rest.empty();) {
            cut = false;
            for (std::string_view sep : {" ", "\t", ":", ",", "：", "，", "、", "　"})
                if (rest.starts_with(sep)) {
                    rest.remove_prefix(sep.size());
                    cut = true;
                }
        }
        return std::string(trim(rest));
    }
    return "";
}

}  // namespace

std::string number_in(const nlu::understanding& u) {
    for (const auto& e : u.entities)
        if (is_number_entity(e)) return e.value;
    return "";
}

std::string core_of(const nlu::understanding& u) {
    return std::string(drop_particles(without_numbers(u)));
}

std::string as_written(std::string_view normalised, std::size_t offset, std::string_view original) {
    offset = std::min(offset, normalised.size());
    if (count_code_points(normalised) == count_code_points(original) && is_valid_utf8(original)) {
        std::size_t skip = count_code_points(normalised.substr(0, offset));
        std::size_t i = 0;
        for (; skip > 0 && i < original.size(); --skip) i += decode_utf8(original, i).len;
        return std::string(trim(original.substr(i)));
    }
    return std::string(trim(normalised.substr(offset)));
}

command parse_command(const nlu::understanding& u, std::string_view original) {
    command cmd;
    cmd.number = number_in(u);
    // Without numbers; a view into u.normalised itself when there are none, so that the rest of
    // a command can be mapped back to what was written.
    const std::string bare = without_numbers(u);
    const std::string_view c = drop_particles(cmd.number.empty() ? std::string_view(u.normalised)
                                                                 : std::string_view(bare));
    const std::size_t n = chars(c);
    // The whole normalised text, for forms whose rest matters (it keeps its offsets).
    const std::string_view t = trim(u.normalised);
    auto is = [&](verb v) {
        cmd.what = v;
        return cmd;
    };

    // A grid worker's patrol report: 巡查上报 <what they found>.
    if (cmd.number.empty())
        if (std::size_t p = prefix_of(c, {"巡查上报", "巡查发现", "上报巡查"})) {
            cmd.rest = rest_after(u, original, c, p);
            return is(verb::patrol);
        }

    // A grid worker's work order (工单) steps; without a number they ask how.
    {
        const bool order = cmd.number.empty() || cmd.number.substr(0, 2) == "MS" ||
                           cmd.number.substr(0, 2) == "WX";
        if (order && cmd.number.empty() &&
            one_of(c, {"我的工单", "工单", "待办工单", "查看工单", "工单列表", "我的待办"}))
            return is(verb::my_orders);
        const auto step = [&](verb v) {
            cmd.rest = after_number(u, original);
            return is(v);
        };
        // Without a number only the bare word: "到场" alone, not "请尽快到场处理".
        const auto said = [&](words ws) {
            return order && (cmd.number.empty() ? one_of(c, ws) : prefix_of(c, ws) > 0);
        };
        if (said({"接单"})) return step(verb::order_accept);
        if (said({"已到场", "到场", "到达现场", "已到达"})) return step(verb::order_arrive);
        if (order && !cmd.number.empty() && prefix_of(c, {"处理中", "进展", "办理进展"}))
            return step(verb::order_progress);
        if (said({"办结", "已办结"})) return step(verb::order_done);
        if (order && !cmd.number.empty() && prefix_of(c, {"退回", "退单"}))
            return step(verb::order_return);
    }

    if (!cmd.number.empty()) {
        const bool proposal = cmd.number.substr(0, 2) == "YS";
        if (contains_any(c, {"取消认领", "放弃认领", "不认领", "退出认领", "撤销认领"}) ||
            prefix_of(c, {"放弃", "退出"}))
            return is(verb::release);
        if (contains(c, "认领")) return is(verb::claim);
        if (proposal) {
            if (c.empty() || prefix_of(c, {"我要投票", "我投票", "我支持", "投一票", "投票", "支持",
                                           "赞成", "同意", "投", "顶"}))
                return is(verb::vote);
            if (prefix_of(c, {"查询", "查看", "看看", "进度"})) return is(verb::list_proposals);
            return cmd;
        }
        if (prefix_of(c, {"开始办理", "开始服务", "开始"})) return is(verb::start);
        if (prefix_of(c, {"已经完成", "已完成", "完成", "已做完", "做完", "已办完", "办完",
                          "服务完成", "已服务"}))
            return is(verb::report_done);
        if (prefix_of(c, {"取消", "撤销", "撤回", "不要了"})) return is(verb::cancel);
        if (prefix_of(c, {"补充"})) return is(verb::add_detail);
    }

    // Staff deciding on volunteer applications (before registration, whose 申请志愿者 is near).
    if (one_of(c, {"志愿者申请", "志愿者审核", "审核志愿者", "待审核志愿者", "志愿者申请列表"}))
        return is(verb::volunteer_applications);
    {
        const std::size_t refuse =
            prefix_of(c, {"不同意志愿者", "婉拒志愿者", "拒绝志愿者", "不通过志愿者"});
        const std::size_t approve =
            refuse ? 0 : prefix_of(c, {"同意志愿者", "批准志愿者", "通过志愿者", "审核通过志愿者"});
        if (refuse || approve) {
            for (char ch : t)
                if (ch >= '0' && ch <= '9') cmd.rest += ch;
            return is(refuse ? verb::refuse_volunteer : verb::approve_volunteer);
        }
    }

    // Staff confirming a resident's move into their community (before 确认, the resident's).
    if (prefix_of(c, {"确认迁入", "同意迁入", "确认搬迁"})) {
        for (char ch : t)
            if (ch >= '0' && ch <= '9') cmd.rest += ch;
        return is(verb::confirm_move);
    }

    // Volunteers.
    if (contains_any(c, {"取消认领", "放弃认领", "不认领了", "退出认领"})) return is(verb::release);
    if (one_of(c, {"我的认领", "我认领的", "我认领的心愿", "认领记录", "我的心愿认领", "查看认领",
                   "我认领了哪些"}))
        return is(verb::my_claims);
    if (one_of(c, {"附近心愿",         "附近的心愿",         "附近的微心愿",   "附近微心愿",
                   "我附近有什么心愿", "我附近有什么微心愿", "附近有什么心愿", "附近有什么微心愿",
                   "我附近的心愿",     "我附近的微心愿",     "看看附近的心愿", "看看附近心愿",
                   "查看附近心愿",     "查看附近的心愿",     "附近的心愿墙",   "附近心愿墙",
                   "身边的心愿",       "离我最近的心愿",     "离我近的心愿",   "附近有心愿吗",
                   "我附近有心愿吗"}))
        return is(verb::near_wall);
    if (one_of(c, {"心愿墙", "看看心愿", "看看心愿墙", "查看心愿", "查看心愿墙", "心愿列表",
                   "看心愿", "看心愿墙", "微心愿墙", "心愿", "打开心愿墙"}))
        return is(verb::wall);
    if (prefix_of(c, {"我要注册志愿者", "我想注册志愿者", "注册志愿者", "我要当志愿者",
                      "我想当志愿者", "我要做志愿者", "我想做志愿者", "我要报名志愿者",
                      "报名志愿者", "志愿者注册", "申请志愿者", "申请当志愿者", "成为志愿者",
                      "我想成为志愿者", "我要成为志愿者", "当志愿者"}))
        return is(verb::register_volunteer);
    if (one_of(c, {"积分", "我的积分", "查积分", "查询积分", "积分查询", "爱心积分", "我的爱心积分",
                   "看积分", "我有多少积分"}))
        return is(verb::points);
    if (one_of(c, {"排行", "排行榜", "积分排行", "积分排行榜", "本月排行", "排名", "积分排名"}))
        return is(verb::ranking);
    if (one_of(c, {"本月之星", "月度之星", "每月之星", "之星", "本月明星"})) return is(verb::stars);
    if (!cmd.number.empty() && cmd.number.substr(0, 2) == "WX") {
        // "WX… 开始" and the like, number first.
        if (c == "开始") return is(verb::start);
        if (one_of(c, {"完成", "已完成", "完成了"})) return is(verb::report_done);
    }

    if (one_of(c, {"完成", "完成了", "已完成", "已经完成了", "做完了", "服务完成", "已办完"}))
        return is(verb::report_done);
    if (one_of(c, {"开始", "开始服务", "开始办理"})) return is(verb::start);

    // A staff member binding their WeChat with the code an operator gave them (before the
    // phone, whose bare 绑定 would take it).
    if (prefix_of(c,
                  {"绑定工号", "工号绑定", "绑定员工号", "绑定员工", "员工绑定", "绑定工作人员"})) {
        for (char ch : t)
            if (ch >= '0' && ch <= '9') cmd.rest += ch;
        return is(verb::bind_staff);
    }

    // The SMS code that verifies a phone, sent back (before 绑定, which a "绑定验证码" would hit).
    if (prefix_of(c, {"验证码", "短信验证码", "手机验证码"})) {
        for (char ch : t)
            if (ch >= '0' && ch <= '9') cmd.rest += ch;
        return is(verb::verify_phone);
    }

    // Binding a phone, so 12345 calls from it are answered on WeChat.
    if (prefix_of(c, {"绑定手机号", "绑定手机", "绑定电话", "绑定号码", "手机绑定", "绑定"})) {
        // The phone the understanding found; else whatever digits were typed, so that a wrong
        // number is answered as wrong rather than as missing.
        if (const auto* phone = u.find("phone"))
            cmd.rest = phone->value;
        else
            for (char ch : t)
                if (ch >= '0' && ch <= '9') cmd.rest += ch;
        return is(verb::bind_phone);
    }

    // 微实事.
    if (one_of(c, {"议题", "提议列表", "议题列表", "看看提议", "查看提议", "所有提议", "提议",
                   "投票", "投票列表", "微实事", "微实事提议", "看看议题", "有哪些提议"}))
        return is(verb::list_proposals);
    if (cmd.number.empty()) {
        if (std::size_t p = prefix_of(t, {"我要提议", "我想提议", "我提议", "提议"})) {
            cmd.rest = rest_after(u, original, t, p);
            return is(verb::propose);
        }
        if (std::size_t p = prefix_of(t, {"我建议小区", "建议小区"})) {
            // The proposal is what follows 建议: "小区…".
            cmd.rest = rest_after(u, original, t, p - std::string_view("小区").size());
            return is(verb::propose);
        }
    }

    // Ratings: "5分", "五星好评", "打4分", "满意", "评价 4 服务很好".
    {
        std::string_view r = c;
        bool prefixed = false;
        if (std::size_t p = prefix_of(r, {"评价", "评分", "打分", "我评"})) {
            r = trim(r.substr(p));
            prefixed = true;
        }
        auto [score, used] = score_at(r, !prefixed);
        if (score == 0) std::tie(score, used) = satisfaction_at(r);
        if (score > 0) {
            std::string_view after = r.substr(used);
            const bool alone = after.empty() || punct_at(after, 0) > 0;
            if (alone || prefixed) {
                cmd.rating = score;
                cmd.rest = cmd.number.empty() ? rest_after(u, original, r, used)
                                              : std::string(trim(after));
                return is(verb::rate);
            }
        }
    }

    // Residents.
    if (n <= 10 && contains_any(c, {"没解决", "没有解决", "未解决", "还没好", "没修好", "没有修好",
                                    "还没修", "问题还在", "没弄好", "没有弄好", "没处理好"}))
        return is(verb::not_solved);
    if (one_of(c, {"已解决", "确认", "解决了", "已经解决了", "已经解决", "问题解决了", "问题已解决",
                   "确认解决", "确认已解决", "已确认", "搞定了", "修好了", "已经修好了", "弄好了",
                   "确认完成", "已办好"}) ||
        (n <= 8 && contains(c, "解决") && !contains_any(c, {"没", "未", "不", "吗", "?", "怎么"})))
        return is(verb::confirm_done);
    if (one_of(c, {"取消", "撤销", "撤回", "算了", "不要了", "取消登记", "撤销诉求", "我要撤销",
                   "我要取消", "撤销反映", "取消反映"}) ||
        (n <= 6 && contains_any(c, {"取消", "撤销"})) ||
        (!cmd.number.empty() && prefix_of(c, {"取消", "撤销", "撤回"})))
        return is(verb::cancel);
    if (one_of(c, {"查询", "进度", "查进度", "查询进度", "我的诉求", "我的诉求怎么样了", "我的事项",
                   "我反映的事", "我的反映", "我的案件", "诉求进度", "办理进度", "查看进度",
                   "我的心愿"}) ||
        (!cmd.number.empty() &&
         (c.empty() || prefix_of(c, {"查询", "查", "进度"}) ||
          one_of(c, {"怎么样了", "进度如何", "办得怎么样了", "到哪了", "办到哪了"}))))
        return is(verb::progress);
    if (one_of(c, {"帮助", "help", "菜单", "功能", "使用说明", "怎么用", "?"}))
        return is(verb::help);
    if (one_of(c, {"谢谢", "谢谢你", "谢谢你们", "多谢", "辛苦了", "辛苦你们了", "感谢", "谢啦",
                   "好的,谢谢", "好的谢谢", "收到,谢谢", "收到谢谢", "谢谢啦", "非常感谢"}))
        return is(verb::thanks);
    if (prefix_of(c, {"补充"})) return is(verb::add_detail);
    return cmd;
}

bool is_yes(const nlu::understanding& u) {
    const std::string c = core_of(u);
    if (one_of(c,
               {"对", "是", "是的", "对的", "好", "好的", "嗯", "嗯嗯", "可以", "没错", "对,没错",
                "确认", "确定", "提交", "是啊", "对啊", "对呀", "是呀", "行", "要", "ok", "好滴",
                "好嘞", "没问题", "确认提交", "登记", "就是这样", "对头",
                // Cantonese
                "系", "系呀", "系啊", "系嘅", "啱", "啱啊", "啱呀", "冇错", "好呀", "得", "得呀"}))
        return true;
    return u.intent.name == "confirm" && !u.intent.unsure && chars(c) <= 4 &&
           !contains_any(c, {"不", "没", "错"});
}

bool is_no(const nlu::understanding& u) {
    const std::string c = core_of(u);
    return one_of(c,
                  {"不对",     "不是",   "错了",   "不是的", "不对的", "不",     "否",     "不用",
                   "不要",     "不用了", "不撤销", "不取消", "不了",   "不必了", "说错了", "搞错了",
                   "先不撤销", "不撤了", "唔系",   "唔啱",   "唔使",   "唔要",   "唔使喇"});
}

bool is_skip_phone(const nlu::understanding& u) {
    const std::string c = core_of(u);
    return one_of(c, {"不方便", "不用", "不用了", "不留", "不想留", "没有", "没有电话", "没电话",
                      "跳过", "不给", "不方便留", "不留了", "不留电话", "不方便留电话", "不需要"});
}

int rating_answer(const nlu::understanding& u) {
    const std::string c = core_of(u);
    if (c.size() == 1 && c[0] >= '1' && c[0] <= '5') return c[0] - '0';
    if (one_of(c, {"一般", "一般般", "还行", "还可以"})) return 3;
    for (auto [w, v] : {std::pair<std::string_view, int>{"一", 1},
                        {"二", 2},
                        {"两", 2},
                        {"三", 3},
                        {"四", 4},
                        {"五", 5}})
        if (c == w) return v;
    auto [score, used] = score_at(c, false);
    if (score > 0 && used == c.size()) return score;
    auto [s2, used2] = satisfaction_at(c);
    if (s2 > 0 && used2 == c.size()) return s2;
    return 0;
}

std::string community_in(const nlu::understanding& u) {
    for (const auto& e : u.entities) {
        if (e.type != "address") continue;
        std::string_view v = e.value;
        std::size_t end = v.find("社区");
        if (end != std::string_view::npos) {
            end += std::string_view("社区").size();
        } else if ((end = v.find("村")) != std::string_view::npos) {
            end += std::string_view("村").size();
        } else {
            continue;
        }
        std::string_view head = v.substr(0, end);
        // Keep the community itself: drop the city, district or street before it.
        std::string_view name = head;
        const std::string_view suffix = head.ends_with("社区") ? "社区" : "村";
        const std::string_view body = head.substr(0, head.size() - suffix.size());
        for (std::string_view unit : {"街道", "市", "区", "县", "镇", "乡"}) {
            auto at = body.rfind(unit);
            if (at != std::string_view::npos && at + unit.size() < body.size()) {
                std::string_view candidate = head.substr(at + unit.size());
                if (candidate.size() < name.size()) name = candidate;
            }
        }
        for (std::string_view p : {"我们", "咱们", "本", "这个", "这"})
            if (name.substr(0, p.size()) == p) name = {};
        if (count_code_points(name) >= 3) return std::string(name);
    }
    return "";
}

std::string community_answer(const nlu::understanding& u) {
    if (auto c = community_in(u); !c.empty()) return c;
    const std::string core = core_of(u);  // c views into it
    std::string_view c = drop_particles(core);
    c.remove_prefix(
        prefix_of(c, {"我是", "我在", "我住在", "住在", "我住", "我们是", "属于", "我属于", "在"}));
    for (std::string_view s : {"的居民", "居民", "的人", "的"})
        if (c.size() > s.size() && c.substr(c.size() - s.size()) == s) c.remove_suffix(s.size());
    c = trim(c);
    const std::size_t n = chars(c);
    if (n < 2 || n > 12) return "";
    for (char ch : c)
        if (ch == ',' || ch == ' ' || ch == '.' || ch == '?' || (ch >= '0' && ch <= '9')) return "";
    if (contains_any(c, {"不", "没", "吗", "什么", "怎么", "谢谢", "你好"})) return "";
    return std::string(c);
}

std::string skills_in(const nlu::understanding& u, std::string_view original) {
    std::string_view t = trim(u.normalised);
    std::size_t clause = 0;
    while (clause < t.size()) {
        std::string_view rest = t.substr(clause);
        std::size_t skip = prefix_of(rest, {"我还", "我也", "我", "还", "也"});
        std::string_view s = rest.substr(skip);
        if (std::size_t p = prefix_of(s, {"技能是", "技能:", "技能", "特长是", "特长:", "特长",
                                          "擅长", "会", "能", "可以"})) {
            std::string_view skills = trim(s.substr(p));
            if (!skills.empty())
                return as_written(u.normalised, offset_in(u.normalised, skills), original);
        }
        std::size_t next = t.find_first_of(",.;", clause);
        if (next == std::string_view::npos) break;
        clause = next + 1;
        while (clause < t.size() && t[clause] == ' ') ++clause;
    }
    return "";
}

bool no_skills(const nlu::understanding& u) {
    const std::string c = core_of(u);
    return one_of(c, {"没有", "无", "不会", "暂时没有", "没", "没什么", "没有特长", "没什么特长",
                      "都不会", "跳过", "没有技能", "不用"});
}

}  // namespace minsheng::dialog::detail
