#include "dialog/conversation/detail/reading.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <vector>

#include "dialog/conversation/detail/turn.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::dialog::detail {
namespace {

bool has(std::string_view text, std::string_view word) {
    return text.find(word) != std::string_view::npos;
}

bool has_any(std::string_view text, std::initializer_list<std::string_view> words) {
    return std::any_of(words.begin(), words.end(), [&](auto w) { return has(text, w); });
}

void erase_all(std::string& s, std::string_view word) {
    if (word.empty()) return;
    for (auto at = s.find(word); at != std::string::npos; at = s.find(word, at))
        s.erase(at, word.size());
}

bool is_contact(const nlu::entity& e) {
    return e.type == "phone" || e.type == "landline" || e.type == "address";
}

// Punctuation, symbols and spaces: what is left of "电话：138…。" once the words are gone.
bool is_filler_char(char32_t c) {
    if (c < 0x80) return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'));
    return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFF65) ||
           (c >= 0x2000 && c <= 0x206F) || c == 0xFFFD;
}

std::size_t meaningful_chars(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto d = decode_utf8(s, i);
        i += d.len;
        if (!is_filler_char(d.cp)) ++n;
    }
    return n;
}

// The words that introduce contact details, longest first so that 手机号码 goes before 手机.
constexpr std::string_view contact_words[] = {
    "联系方式", "联系电话", "电话号码", "手机号码", "手机号", "电话号", "联系人", "家庭住址",
    "详细地址", "我的",     "我们的",   "我家",     "我住",   "家住",   "住在",   "住址",
    "地址",     "电话",     "手机",     "号码",     "联系",   "座机",   "固话",   "微信",
    "打这个",   "打给我",   "找我",     "我叫",     "我姓",   "先生",   "女士",   "阿姨",
    "这个",     "就是",     "可以",     "喺",       "系",     "是",     "在",     "住",
    "号",       "我",       "的",       "了",       "哦",     "啊",     "呢",     "吧"};

// A suggestion word and a building word: "建议……加装", "希望能……增设", "能不能……多装几个".
constexpr std::string_view suggestion_words[] = {"建议",   "提议",     "希望能", "希望在",
                                                 "希望给", "希望小区", "能不能", "可不可以",
                                                 "可否",   "呼吁",     "最好能", "要是能"};
constexpr std::string_view building_words[] = {
    "加装", "安装", "增设", "增加", "修建", "新建", "建一个", "建个", "建设",
    "设置", "装个", "装几", "多装", "配备", "开设", "改造",   "铺设", "划设",
    "划几", "种些", "种点", "放几", "添置", "开辟", "修一条"};

// Question words of a consultation, and the service's own words (their questions have flows).
constexpr std::string_view question_words[] = {
    "请问",       "怎么申请", "如何申请", "怎么办理",   "如何办理",     "怎么办",
    "去哪里办",   "去哪办",   "在哪里办", "在哪办",     "需要什么材料", "要带什么",
    "需要带什么", "什么条件", "符合条件", "能不能申请", "可以申请",     "怎么领",
    "怎么交",     "怎么缴",   "咨询",     "点样"};
constexpr std::string_view service_words[] = {
    "心愿", "志愿者", "积分", "认领",     "投票",   "提议",     "进度",       "查询",
    "绑定", "编号",   "驿站", "撤销",     "评价",   "打分",     "诉求",       "反映的",
    "你能", "你们能", "你会", "能做什么", "怎么用", "怎么样了", "办得怎么样", "到哪一步"};

struct topic {
    std::string_view key;
    std::initializer_list<std::string_view> words;
};
const std::array<topic, 8>& topics() {
    static const std::array<topic, 8> t{{
        {"elderly_allowance",
         {"高龄补贴", "高龄津贴", "长寿金", "老人补贴", "老年人补贴", "高龄老人补贴", "老年补贴"}},
        {"residence_permit", {"居住证"}},
        {"dibao", {"低保", "最低生活保障"}},
        {"disability_card", {"残疾证", "残疾人证"}},
        {"medical_insurance", {"医保", "医疗保险"}},
        {"pension", {"养老保险", "养老金", "退休金"}},
        {"school_enrolment", {"入学", "学位申请", "积分入学", "上小学", "上幼儿园", "报名读书"}},
        {"temporary_assistance", {"临时救助"}},
    }};
    return t;
}

}  // namespace

bool contact_only(const nlu::understanding& u) {
    bool any = false;
    std::string rest = u.normalised;
    for (const auto& e : u.entities) {
        if (!is_contact(e)) continue;
        any = true;
        erase_all(rest, e.value);
    }
    if (!any) return false;
    for (auto w : contact_words) erase_all(rest, w);
    return meaningful_chars(rest) <= 1;
}

bool suggestion_like(const nlu::understanding& u) {
    if (!u.kind.unsure && (u.kind.name == "wish" || u.kind.name == "consultation")) return false;
    const std::string_view s = u.normalised;
    const bool suggests = std::any_of(std::begin(suggestion_words), std::end(suggestion_words),
                                      [&](auto w) { return has(s, w); });
    const bool builds = std::any_of(std::begin(building_words), std::end(building_words),
                                    [&](auto w) { return has(s, w); });
    return suggests && builds;
}

bool consultation_question(const nlu::understanding& u) {
    const std::string_view s = u.normalised;
    if (count_code_points(s) < 5) return false;
    if (std::any_of(std::begin(service_words), std::end(service_words),
                    [&](auto w) { return has(s, w); }))
        return false;
    if (!faq_topic(u).empty() &&
        (has_any(s, {"?", "？", "吗", "么", "怎", "如何", "哪"}) || u.kind.name == "consultation"))
        return true;
    // A question word, and the engine reading a consultation: "请问路灯什么时候修" is a
    // complaint, "你能做什么？" a call for help.
    const bool asks = std::any_of(std::begin(question_words), std::end(question_words),
                                  [&](auto w) { return has(s, w); });
    return asks && u.kind.name == "consultation";
}

std::string_view faq_topic(const nlu::understanding& u) {
    for (const auto& t : topics())
        for (auto w : t.words)
            if (has(u.normalised, w)) return t.key;
    return "";
}

const std::vector<std::string>& faq_templates() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k;
        for (const auto& t : topics()) k.push_back("faq/" + std::string(t.key));
        return k;
    }();
    return keys;
}

std::string found_text(const template_set& texts, const nlu::understanding& u, bool with_topic) {
    std::vector<std::string> parts;
    for (const auto& e : u.entities) {
        if (e.type == "phone" || e.type == "landline")
            parts.push_back(
                texts.render("reply/understood_phone", {{"phone", nlu::mask_phone(e.value)}}));
        else if (e.type == "address")
            parts.push_back(texts.render("reply/understood_address",
                                         {{"address", nlu::mask_personal_data(e.text)}}));
        else if (e.type == "date" || e.type == "time")
            parts.push_back(texts.render("reply/understood_time", {{"time", e.text}}));
        else if (e.type == "case_number" || e.type == "wish_number" || e.type == "proposal_number")
            parts.push_back(texts.render("reply/understood_number", {{"number", e.value}}));
        if (parts.size() >= 4) break;
    }
    if (with_topic && !u.category.unsure && u.category.confidence >= 0.7 &&
        count_code_points(u.normalised) >= 6)
        parts.push_back(texts.render("reply/understood_topic", {{"category", u.category.name}}));
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) out += "、";
        out += parts[i];
    }
    return out;
}

std::string understood_text(const template_set& texts, const nlu::understanding& u) {
    const std::string words = texts.render(
        "reply/understood_words", {{"words", cut(nlu::mask_personal_data(u.normalised), 20)}});
    const std::string details = found_text(texts, u, true);
    if (details.empty()) return words;
    return texts.render("reply/understood_with", {{"words", words}, {"details", details}});
}

}  // namespace minsheng::dialog::detail
