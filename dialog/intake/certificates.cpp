#include "dialog/intake/certificates.hpp"

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <toml.hpp>

#include "dialog/utf8.hpp"

namespace minsheng::dialog::intake {

namespace {

[[noreturn]] void fail(std::string_view source, const std::string& what) {
    throw std::runtime_error("certificate catalogue " + std::string(source) + ": " + what);
}

std::string text_of(const toml::value& v, const char* key, std::string_view source,
                    const std::string& where) {
    if (!v.contains(key)) return "";
    const auto& x = v.at(key);
    if (!x.is_string()) fail(source, where + ": " + key + " must be text");
    auto s = x.as_string().str;
    if (!is_valid_utf8(s)) fail(source, where + ": " + key + " must be UTF-8");
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) fail(source, where + ": " + key + " has a control character");
    return s;
}

bool good_id(std::string_view id) {
    if (id.empty() || id.size() > 40) return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

}  // namespace

certificate_catalogue certificate_catalogue::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, "cannot read the file");
    std::ostringstream text;
    text << in.rdbuf();
    return from_text(text.str(), path);
}

certificate_catalogue certificate_catalogue::from_text(std::string_view text,
                                                       std::string_view source) {
    toml::value doc;
    try {
        std::istringstream in{std::string(text)};
        doc = toml::parse(in, std::string(source));
    } catch (const std::exception& e) {
        fail(source, e.what());
    }
    certificate_catalogue out;
    if (doc.contains("example")) {
        if (!doc.at("example").is_boolean()) fail(source, "example must be true or false");
        out.example_ = doc.at("example").as_boolean();
    }
    const auto policy = text_of(doc, "policy", source, "the file");
    if (!doc.contains("item") || !doc.at("item").is_array())
        fail(source, "no [[item]] (the list has no certificate)");
    std::map<std::string, std::string> alias_owner;
    std::size_t n = 0;
    for (const auto& v : doc.at("item").as_array()) {
        ++n;
        const std::string where = "item " + std::to_string(n);
        if (!v.is_table()) fail(source, where + " must be a table ([[item]])");
        certificate_item it;
        it.id = text_of(v, "id", source, where);
        if (!good_id(it.id))
            fail(source, where + ": id \"" + it.id +
                             "\" must be 1-40 lower-case letters, digits or underscores");
        const std::string named = "item " + it.id;
        if (out.find(it.id)) fail(source, named + ": the id is used twice");
        it.name = text_of(v, "name", source, named);
        if (it.name.empty()) fail(source, named + ": name is missing");
        if (!v.contains("aliases") || !v.at("aliases").is_array())
            fail(source, named + ": aliases must be a list of texts");
        for (const auto& a : v.at("aliases").as_array()) {
            if (!a.is_string()) fail(source, named + ": aliases must be a list of texts");
            std::string alias = a.as_string().str;
            if (!is_valid_utf8(alias) || count_code_points(alias) < 2)
                fail(source,
                     named + ": alias \"" + alias + "\" must be UTF-8, 2 characters or more");
            const auto [owner, fresh] = alias_owner.emplace(alias, it.id);
            if (!fresh && owner->second != it.id)
                fail(source,
                     named + ": alias \"" + alias + "\" is also an alias of item " + owner->second);
            it.aliases.push_back(std::move(alias));
        }
        if (it.aliases.empty()) fail(source, named + ": aliases must not be empty");
        if (!v.contains("community_issues") || !v.at("community_issues").is_boolean())
            fail(source, named + ": community_issues must be true or false");
        it.community_issues = v.at("community_issues").as_boolean();
        it.department = text_of(v, "department", source, named);
        it.where = text_of(v, "where", source, named);
        it.bring = text_of(v, "bring", source, named);
        it.procedure = text_of(v, "procedure", source, named);
        it.policy = text_of(v, "policy", source, named);
        if (it.policy.empty()) it.policy = policy;
        if (it.community_issues) {
            if (it.procedure.empty())
                fail(source, named + ": a kept item (community_issues = true) needs procedure");
        } else {
            const std::pair<const char*, const std::string*> needed[] = {
                {"department", &it.department}, {"where", &it.where}, {"bring", &it.bring}};
            for (const auto& [key, value] : needed)
                if (value->empty())
                    fail(source,
                         named + ": a cancelled item (community_issues = false) needs " + key);
        }
        out.items_.push_back(std::move(it));
    }
    return out;
}

const certificate_item* certificate_catalogue::match(std::string_view normalised) const {
    const certificate_item* best = nullptr;
    std::size_t best_len = 0;
    for (const auto& it : items_)
        for (const auto& a : it.aliases)
            if (a.size() > best_len && normalised.find(a) != std::string_view::npos) {
                best = &it;
                best_len = a.size();
            }
    return best;
}

const certificate_item* certificate_catalogue::asked(const nlu::understanding& u) const {
    const auto* item = match(u.normalised);
    if (!item) return nullptr;
    if (u.intent.name == "certificate_question") return item;
    static constexpr std::string_view request_words[] = {
        "证明", "开",   "盖章", "盖个章", "出具", "办", "证书", "认证", "说明",
        "哪里", "在哪", "怎么", "怎样",   "如何", "咋", "弄",   "搞",   "要带",
        "需要", "补",   "吗",   "么",     "?",    "？", "点样", "边度", "去边"};
    for (auto w : request_words)
        if (u.normalised.find(w) != std::string::npos) return item;
    return nullptr;
}

const certificate_item* certificate_catalogue::find(std::string_view id) const {
    for (const auto& it : items_)
        if (it.id == id) return &it;
    return nullptr;
}

}  // namespace minsheng::dialog::intake
