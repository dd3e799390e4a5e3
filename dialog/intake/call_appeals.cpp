#include "dialog/intake/call_appeals.hpp"

#include "dialog/utf8.hpp"

namespace minsheng::dialog::intake {

namespace {

struct piece {
    std::size_t begin = 0;
    std::size_t end = 0;
};

// Sentences: cut after 。！？!?；; and at line breaks; offsets into text, spaces trimmed.
std::vector<piece> sentences(std::string_view text) {
    std::vector<piece> out;
    std::size_t start = 0;
    auto push = [&](std::size_t end) {
        std::size_t b = start;
        std::size_t e = end;
        while (b < e && (text[b] == ' ' || text[b] == '\n' || text[b] == '\r')) ++b;
        while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\n' || text[e - 1] == '\r')) --e;
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

// Words with which callers turn to another problem.
bool changes_topic(std::string_view sentence) {
    for (std::string_view m : {"还有", "另外", "另一个", "另一件", "再反映", "再说一个", "再一个",
                               "第二个", "第二件", "其次", "顺便", "同时还", "還有", "另一件事"})
        if (sentence.starts_with(m)) return true;
    return false;
}

// Pleasantries with nothing else in them: "你好。", "好的，谢谢。", "嗯，没有了。"
bool courtesy_only(std::string_view normalised) {
    static constexpr std::string_view words[] = {
        "您好",   "你好", "喂",   "谢谢你", "谢谢您", "谢谢",   "好的", "好",
        "嗯",     "是的", "对",   "再见",   "拜拜",   "没有了", "没了", "麻烦了",
        "辛苦了", "行",   "可以", "啊",     "哦",     "呢",     "吧"};
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
        i += d.len;
    }
    return left == 0;
}

bool reads_as_appeal(const nlu::understanding& u) {
    const auto& i = u.intent.name;
    if (i == "greet" || i == "help" || i == "cancel" || i == "confirm" || i == "rate") return false;
    if (i == "file_appeal" || i == "add_detail") return true;
    return count_code_points(u.normalised) >= 8 && (!u.category.unsure || !u.kind.unsure);
}

call_appeal make(const nlu::engine& engine, std::string_view text, std::size_t b, std::size_t e) {
    call_appeal a;
    a.begin = b;
    a.end = e;
    a.text = std::string(text.substr(b, e - b));
    a.understood = engine.understand(a.text);
    return a;
}

}  // namespace

std::vector<call_appeal> find_appeals(const nlu::engine& engine, std::string_view text) {
    std::vector<call_appeal> out;
    auto parts = sentences(text);
    if (parts.empty()) return out;

    // Topics: a run of sentences until one changes the subject, by a marker or by confidently
    // being about another department's matter than the topic's first confident sentence.
    std::vector<piece> topics;
    std::string topic_category;
    for (const auto& s : parts) {
        std::string_view sentence = text.substr(s.begin, s.end - s.begin);
        auto u = engine.understand(sentence);
        if (courtesy_only(u.normalised)) continue;  // "好的，谢谢。" belongs to no topic
        const bool confident = !u.category.unsure && count_code_points(u.normalised) >= 8;
        const bool other_matter =
            confident && !topic_category.empty() && u.category.name != topic_category;
        if (topics.empty() || changes_topic(u.normalised) || other_matter) {
            topics.push_back(s);
            topic_category = confident ? u.category.name : "";
        } else {
            topics.back().end = s.end;
            if (topic_category.empty() && confident) topic_category = u.category.name;
        }
    }
    for (const auto& t : topics) {
        auto a = make(engine, text, t.begin, t.end);
        if (reads_as_appeal(a.understood))
            out.push_back(std::move(a));
        else if (!out.empty() && count_code_points(a.understood.normalised) >= 8)
            // More about the problem before it ("就在3栋门口") rather than a new one.
            out.back() = make(engine, text, out.back().begin, t.end);
    }
    if (out.empty() && !topics.empty()) {
        // A call is an appeal by nature: all its substance as one.
        auto whole = make(engine, text, topics.front().begin, topics.back().end);
        if (count_code_points(whole.understood.normalised) >= 8) out.push_back(std::move(whole));
    }
    return out;
}

}  // namespace minsheng::dialog::intake
