#include "dialog/templates.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "dialog/utf8.hpp"

namespace minsheng::dialog {
namespace {

void check_placeholders(const std::string& key, std::string_view text) {
    std::size_t pos = 0;
    while ((pos = text.find("{{", pos)) != std::string_view::npos) {
        auto end = text.find("}}", pos + 2);
        if (end == std::string_view::npos)
            throw std::runtime_error("template " + key + ": unterminated placeholder");
        pos = end + 2;
    }
}

}  // namespace

std::shared_ptr<const template_set> template_set::load(const std::string& dir) {
    namespace fs = std::filesystem;
    if (!fs::is_directory(dir)) throw std::runtime_error("templates directory not found: " + dir);
    std::map<std::string, std::string> texts;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file() || e.path().extension() != ".txt") continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string text = ss.str();
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        auto rel = fs::relative(e.path(), dir);
        rel.replace_extension();
        std::string key = rel.generic_string();
        if (!is_valid_utf8(text)) throw std::runtime_error("template " + key + ": not valid UTF-8");
        texts.emplace(std::move(key), std::move(text));
    }
    return from(std::move(texts));
}

std::shared_ptr<const template_set> template_set::from(std::map<std::string, std::string> texts) {
    auto set = std::make_shared<template_set>();
    for (auto& [k, v] : texts) {
        check_placeholders(k, v);
        set->texts_.emplace(k, std::move(v));
    }
    return set;
}

bool template_set::has(std::string_view key) const { return texts_.find(key) != texts_.end(); }

void template_set::require(const std::vector<std::string>& keys) const {
    std::string missing;
    for (const auto& k : keys)
        if (!has(k)) missing += (missing.empty() ? "" : ", ") + k;
    if (!missing.empty()) throw std::runtime_error("missing templates: " + missing);
}

std::string template_set::render(std::string_view key, const vars& v) const {
    auto it = texts_.find(key);
    if (it == texts_.end()) throw std::out_of_range("unknown template: " + std::string(key));
    const std::string& t = it->second;
    std::string out;
    out.reserve(t.size() + 64);
    std::size_t pos = 0;
    while (true) {
        auto open = t.find("{{", pos);
        if (open == std::string::npos) {
            out.append(t, pos, std::string::npos);
            break;
        }
        out.append(t, pos, open - pos);
        auto close = t.find("}}", open + 2);
        std::string_view name(t.data() + open + 2, close - open - 2);
        for (const auto& [k, val] : v)
            if (k == name) {
                out += val;
                break;
            }
        pos = close + 2;
    }
    return out;
}

}  // namespace minsheng::dialog
