#include "dialog/intake/call_appeals.hpp"

#include <algorithm>

#include "dialog/nlu/normalizer.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::dialog::intake {

namespace {

struct piece {
    std::size_t begin = 0;
    std::size_t end = 0;
};

bool space_byte(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Sentences: cut after 。！？!?；; and at line breaks; offsets into text, spaces trimmed.
std::vector<piece> sentences(std::string_view text) {
    std::vector<piece> out;
    std::size_t start = 0;
    auto push = [&](std::size_t end) {
        std::size_t b = start;
        std::size_t e = end;
        while (b < e && space_byte(text[b])) ++b;
        while (e > b && space_byte(text[e - 1])) --e;
        if (e > b) out.push_back({b, e});
        start = end;
    };
    std::size_t i = 0;
    while (i < text.size()) {
        auto d = decode_utf8(text, i);
        std::size_t next = i + (d.len == 0 ? 1 : d.len);
        switch (d.cp) {
            case U'。':
            case U'！':
            case U'？':
            case U'；':
            case U'!':
            case U'?':
            case U';':
            case U'\n':
                push(next);
                break;
            default:
                break;
        }
        i = next;
    }
    push(text.size());
    return out;
}

bool contains(std::string_view s, std::string_view w) {
    return s.find(w) != std::string_view::npos;
}

// Normalised for looking up words: Traditional 甚麼 comes back as 甚么, said 什么.
std::string words_of(const nlu::engine& engine, std::string_view text) {
    auto n = engine.normalise(text).text;
    for (auto at = n.find("甚么"); at != std::string::npos; at = n.find("甚么", at))
        n.replace(at, 3, "什");
    return n;
}

// Normalised text with fillers a caller says before turning to something else skipped:
// "嗯，对了，我还有一件事" -> "还有一件事".
std::string_view skip_fillers(std::string_view s) {
    static constexpr std::string_view fillers[] = {",",  " ",      ".",      "嗯",   "啊",   "哦",
                                                   "呃", "唉",     "哎",     "对了", "然后", "那么",
                                                   "那", "我这边", "我这里", "我们", "我"};
    bool more = true;
    while (more && !s.empty()) {
        more = false;
        for (auto f : fillers)
            if (s.starts_with(f)) {
                s.remove_prefix(f.size());
                more = true;
                break;
            }
    }
    return s;
}

// Words that start another problem at a sentence start, rare inside one letter's narrative
// (a handful in 2,583 letters).
bool strong_sentence_marker(std::string_view normalised) {
    const auto s = skip_fillers(normalised);
    return s.starts_with("还有,") || s.starts_with("还有就是");
}

// Words that start another problem wherever a caller says them (a sentence or a clause start).
bool strong_marker(std::string_view normalised) {
    static constexpr std::string_view heads[] = {
        "还有一件事",   "还有一个事",   "还有个事",         "还有件事",     "还有一事",
        "还有一个问题", "还有个问题",   "还有一个情况",     "还有个情况",   "还有另外一",
        "还有另一",     "还有一个就是", "另外一件事",       "另外一个问题", "另外一个事",
        "另外个事",     "另外还有一件", "另外还有一个问题", "另外还有个",   "另一件事",
        "另一个问题",   "另一个事",     "另外反映",         "另外再反映",   "再反映一个",
        "再反映一件",   "再反映个",     "再反映一下另",     "再说一个事",   "再说一件事",
        "再说个事",     "再讲一个事",   "再问一个",         "再问个",       "再咨询一个",
        "再咨询一下另", "还想问一下",   "还想问一个",       "还要问一下",   "还想咨询",
        "还想反映一个", "还要反映一个", "还想反映一件",     "还要反映一件", "第二个问题",
        "第二件事",     "第二个事",     "第三个问题",       "第三件事",     "第三个事",
        "顺便说一下",   "顺便说一个",   "顺便问一下",       "顺便问个",     "顺便反映",
        "顺便提一下",   "顺带说一下",   "顺带问一下",       "顺带反映"};
    const auto s = skip_fillers(normalised);
    for (auto h : heads)
        if (s.starts_with(h)) return true;
    return false;
}

// Words that may start another problem, or just go on about the same one.
bool weak_marker(std::string_view normalised) {
    static constexpr std::string_view heads[] = {"还有", "另外", "此外", "再有", "再一个",
                                                 "同时", "其次", "再者", "顺便", "还想"};
    const auto s = skip_fillers(normalised);
    for (auto h : heads)
        if (s.starts_with(h)) return true;
    return false;
}

// A caller turn that points back at the problem already raised.
bool points_back(std::string_view normalised) {
    static constexpr std::string_view words[] = {
        "刚才",   "刚刚",   "补充",   "还是那", "还是这", "还是关于", "同一",     "那个事",
        "这个事", "这件事", "那件事", "上面说", "前面说", "就是这个", "就是那个", "也是这个"};
    // Only the turn's opening counts: about the first dozen characters.
    std::size_t cut = 0;
    for (int n = 0; n < 12 && cut < normalised.size(); ++n) {
        auto d = decode_utf8(normalised, cut);
        cut += d.len == 0 ? 1 : d.len;
    }
    const auto head = normalised.substr(0, cut);
    for (auto w : words)
        if (contains(head, w)) return true;
    return false;
}

// Pleasantries with nothing else in them: "你好。", "好的，谢谢。", "嗯，没有了。"
bool courtesy_only(std::string_view normalised) {
    static constexpr std::string_view words[] = {
        "您好",     "你好",       "喂",       "谢谢你",   "谢谢您", "谢谢",   "好的",
        "好",       "嗯",         "是的",     "对",       "再见",   "拜拜",   "没有了",
        "没了",     "没有别的了", "没别的了", "没有别的", "没别的", "没有",   "就这些",
        "就这个事", "就这样",     "麻烦了",   "麻烦你们", "麻烦您", "辛苦了", "行",
        "可以",     "啊",         "哦",       "呢",       "吧",     "了"};
    std::size_t i = 0;
    std::size_t left = 0;
    while (i < normalised.size()) {
        bool matched = false;
        for (auto w : words)
            if (normalised.substr(i).starts_with(w)) {
                i += w.size();
                matched = true;
                break;
            }
        if (matched) continue;
        auto d = decode_utf8(normalised, i);
        const char32_t c = d.cp;
        const bool punct =
            c < 0x80 ? !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                     : (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFF0F);
        if (!punct) ++left;
        i += d.len == 0 ? 1 : d.len;
    }
    return left == 0;
}

// Letters, digits and ideographs: what a piece says, without punctuation and spaces.
std::size_t substance(std::string_view normalised) {
    std::size_t n = 0;
    std::size_t i = 0;
    while (i < normalised.size()) {
        auto d = decode_utf8(normalised, i);
        const char32_t c = d.cp;
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= 0x3400 && c <= 0x9FFF) || (c >= 0x20000 && c <= 0x2FFFF))
            ++n;
        i += d.len == 0 ? 1 : d.len;
    }
    return n;
}

bool not_an_appeal_intent(const nlu::understanding& u) {
    const auto& i = u.intent.name;
    return i == "greet" || i == "help" || i == "cancel" || i == "confirm" || i == "rate";
}

bool reads_as_appeal(const nlu::understanding& u) {
    if (not_an_appeal_intent(u)) return false;
    const auto& i = u.intent.name;
    if (i == "file_appeal" || i == "add_detail") return true;
    return count_code_points(u.normalised) >= 8 && (!u.category.unsure || !u.kind.unsure);
}

// Where a candidate problem may start, and why.
enum class cue_kind { none, strong, invited, weak, turn, answer };

struct unit {
    piece at;
    bool courtesy = false;
    cue_kind cue = cue_kind::none;
    bool backwards = false;        // an invited turn that points back at the same problem
    bool said_in_passing = false;  // strong only by "还有，" / "还有就是" at a sentence start
};

// Sentences, cut again before a strong marker inside them ("路灯坏了，还有一件事，…"), with the
// cue each starts with.
std::vector<unit> units_of(const nlu::engine& engine, std::string_view text) {
    std::vector<unit> out;
    for (const auto& s : sentences(text)) {
        const auto sentence = text.substr(s.begin, s.end - s.begin);
        const auto n = engine.normalise(sentence);
        std::vector<std::size_t> cuts{0};  // in n.text
        for (std::size_t i = 0; i + 1 < n.text.size(); ++i)
            if (n.text[i] == ',' && strong_marker(std::string_view(n.text).substr(i + 1)))
                cuts.push_back(i + 1);
        for (std::size_t c = 0; c < cuts.size(); ++c) {
            const std::size_t from = c == 0 ? 0 : n.origin[cuts[c]];
            const std::size_t to = c + 1 < cuts.size() ? n.origin[cuts[c + 1]] : sentence.size();
            std::size_t b = s.begin + from;
            std::size_t e = s.begin + to;
            while (b < e && space_byte(text[b])) ++b;
            while (e > b && space_byte(text[e - 1])) --e;
            if (e <= b) continue;
            const auto part = std::string_view(n.text).substr(
                cuts[c], (c + 1 < cuts.size() ? cuts[c + 1] : n.text.size()) - cuts[c]);
            unit u;
            u.at = {b, e};
            u.courtesy = courtesy_only(part);
            const bool strong = strong_marker(part);
            u.said_in_passing = !strong && c == 0 && strong_sentence_marker(part);
            u.cue = strong || u.said_in_passing ? cue_kind::strong
                    : weak_marker(part)         ? cue_kind::weak
                                                : cue_kind::none;
            u.backwards = points_back(skip_fillers(part));
            out.push_back(u);
        }
    }
    return out;
}

std::string_view slice(std::string_view text, std::size_t b, std::size_t e) {
    return text.substr(b, e - b);
}

// The category model is sure of both and they differ (the model that learned from both
// registers, whatever the pieces' lengths: the one these cues were tuned with).
bool other_department(const nlu::engine& engine, std::string_view before, std::string_view after) {
    constexpr auto both = nlu::engine::registers::both;
    const auto a = engine.classify_category(before, both);
    if (a.unsure) return false;
    const auto b = engine.classify_category(after, both);
    return !b.unsure && a.name != b.name;
}

struct segment {
    std::size_t first = 0;  // units [first, last]
    std::size_t last = 0;
    appeal_cue cue = appeal_cue::first;
};

call_appeal make(const nlu::engine& engine, std::string_view text, std::size_t b, std::size_t e,
                 appeal_cue cue) {
    call_appeal a;
    a.begin = b;
    a.end = e;
    a.text = std::string(slice(text, b, e));
    a.understood = engine.understand(a.text);
    a.cue = cue;
    return a;
}

}  // namespace

bool invites_another_problem(const nlu::engine& engine, std::string_view agent_text) {
    const auto n = words_of(engine, agent_text);
    if (contains(n, "补充")) return false;
    for (std::string_view w :
         {"还有别的",     "还有其他",       "还有其它",   "还有什么问题", "还有什么事",
          "还有什么需要", "还有什么要反映", "还有什么要", "还有没有",     "还有吗",
          "还有要反映",   "别的问题",       "其他问题",   "其它问题",     "别的事",
          "其他事",       "其他需要",       "别的需要",   "还要反映什么", "还需要反映什么"})
        if (contains(n, w)) return true;
    return false;
}

// Any other question of the agent's: what the caller says next answers it.
bool asks_a_question(const nlu::engine& engine, std::string_view agent_text) {
    const auto n = words_of(engine, agent_text);
    for (std::string_view w : {"?", "吗", "呢", "什么", "哪", "多久", "多少", "怎么", "几"})
        if (contains(n, w)) return true;
    return false;
}

std::vector<call_appeal> find_appeals(const nlu::engine& engine, std::string_view text) {
    return find_appeals(engine, text, {});
}

std::vector<call_appeal> find_appeals(const nlu::engine& engine, std::string_view text,
                                      std::span<const agent_line> agent) {
    std::vector<call_appeal> out;
    auto units = units_of(engine, text);
    if (units.empty()) return out;

    // Caller turns that follow an agent line: the first unit at or after `before`.
    for (const auto& line : agent) {
        auto it = std::lower_bound(units.begin(), units.end(), line.before,
                                   [](const unit& u, std::size_t at) { return u.at.begin < at; });
        if (it == units.end()) continue;
        // Skip a "嗯。" or "好的。" that opens the turn.
        while (it != units.end() && it->courtesy) ++it;
        if (it == units.end() || (it->cue == cue_kind::strong && !it->said_in_passing)) continue;
        if (invites_another_problem(engine, line.text))
            it->cue = cue_kind::invited;
        else if (asks_a_question(engine, line.text))
            // "在哪里？", "还有什么要补充的吗？" answered: the same problem.
            it->cue = cue_kind::answer;
        else if (it->cue == cue_kind::strong)
            continue;
        else
            it->cue = cue_kind::turn;
    }

    // Substantive units only; courtesy ones belong to no problem.
    std::vector<std::size_t> real;
    for (std::size_t i = 0; i < units.size(); ++i)
        if (!units[i].courtesy) real.push_back(i);
    if (real.empty()) return out;

    // Problems: a run of units until one starts another problem with enough evidence.
    std::vector<segment> segs{{real.front(), real.front(), appeal_cue::first}};
    for (std::size_t k = 1; k < real.size(); ++k) {
        const auto& u = units[real[k]];
        bool starts = false;
        appeal_cue why = appeal_cue::marker;
        switch (u.cue) {
            case cue_kind::strong:
                starts = true;
                break;
            case cue_kind::invited:
                starts = !u.backwards;
                why = appeal_cue::invited;
                break;
            case cue_kind::weak:
            case cue_kind::turn: {
                if (u.backwards) break;
                // The new piece runs to the next unit that could start a problem.
                std::size_t next = k + 1;
                while (next < real.size() && units[real[next]].cue == cue_kind::none) ++next;
                const auto& seg = segs.back();
                const auto before =
                    slice(text, units[seg.first].at.begin, units[real[k - 1]].at.end);
                const auto after = slice(text, u.at.begin, units[real[next - 1]].at.end);
                const auto n_after = engine.normalise(after).text;
                const std::size_t least = u.cue == cue_kind::weak ? 12 : 15;
                starts = substance(n_after) >= least && other_department(engine, before, after);
                why = u.cue == cue_kind::weak ? appeal_cue::marker : appeal_cue::new_turn;
                break;
            }
            case cue_kind::none:
            case cue_kind::answer:
                break;
        }
        if (starts)
            segs.push_back({real[k], real[k], why});
        else
            segs.back().last = real[k];
    }

    // Each problem read once; a piece that does not read as an appeal joins its neighbour.
    struct found {
        segment seg;
        call_appeal appeal;
        bool appeal_like = false;
    };
    std::vector<found> read;
    for (const auto& s : segs) {
        found f{s, make(engine, text, units[s.first].at.begin, units[s.last].at.end, s.cue)};
        const auto& u = f.appeal.understood;
        // Some substance is enough ("我想问一下失业保险金怎么申请" reads as help, and is an
        // appeal here); a bare rhetorical question or closing formula is not.
        const auto& i = u.intent.name;
        f.appeal_like = reads_as_appeal(u) || (i != "greet" && i != "confirm" && i != "cancel" &&
                                               i != "rate" && substance(u.normalised) >= 10);
        read.push_back(std::move(f));
    }
    std::vector<found> kept;
    bool carry = false;  // the previous piece waits to join the next appeal
    std::size_t carry_first = 0;
    for (auto& f : read) {
        if (!f.appeal_like && !kept.empty()) {
            if (substance(f.appeal.understood.normalised) >= 1) {
                kept.back().seg.last = f.seg.last;
                kept.back().appeal = make(engine, text, units[kept.back().seg.first].at.begin,
                                          units[f.seg.last].at.end, kept.back().seg.cue);
            }
            continue;
        }
        if (!f.appeal_like) {
            if (!carry) carry_first = f.seg.first;
            carry = true;
            continue;
        }
        if (carry) {
            f.seg.first = carry_first;
            f.seg.cue = kept.empty() ? appeal_cue::first : f.seg.cue;
            f.appeal = make(engine, text, units[f.seg.first].at.begin, units[f.seg.last].at.end,
                            f.seg.cue);
            carry = false;
        }
        kept.push_back(std::move(f));
    }
    if (kept.empty()) {
        // A call is an appeal by nature: all its substance as one.
        auto whole = make(engine, text, units[real.front()].at.begin, units[real.back()].at.end,
                          appeal_cue::first);
        if (count_code_points(whole.understood.normalised) >= 8) out.push_back(std::move(whole));
        return out;
    }
    kept.front().appeal.cue = appeal_cue::first;
    for (auto& f : kept) out.push_back(std::move(f.appeal));
    return out;
}

}  // namespace minsheng::dialog::intake
