#include "dialog/nlu/dataset.hpp"

#include <cstdint>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

namespace minsheng::dialog::nlu {
namespace {

constexpr std::string_view bom = "\xEF\xBB\xBF";

// The first line without its BOM and CR; empty when the file is empty.
std::string first_line(std::ifstream& in) {
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.starts_with(bom)) line.erase(0, bom.size());
    return line;
}

}  // namespace

std::vector<labelled_text> read_labelled_tsv(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<labelled_text> rows;
    std::string line;
    std::size_t number = 0;
    bool header = true;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (header) {
            if (line.starts_with(bom)) line.erase(0, bom.size());
            if (!line.starts_with("id\tlabel\ttext")) {
                throw std::runtime_error(path + ": the first line must be id<TAB>label<TAB>text");
            }
            header = false;
            continue;
        }
        if (line.empty()) continue;
        const auto a = line.find('\t');
        const auto b = a == std::string::npos ? a : line.find('\t', a + 1);
        if (b == std::string::npos || b == a + 1) {
            throw std::runtime_error(path + ":" + std::to_string(number) +
                                     ": expected id<TAB>label<TAB>text");
        }
        rows.push_back({line.substr(0, a), line.substr(a + 1, b - a - 1), line.substr(b + 1)});
    }
    if (in.bad()) throw std::runtime_error("cannot read " + path);
    if (header) throw std::runtime_error(path + ": empty file");
    return rows;
}

bool is_labelled_ids_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    return first_line(in) == "id\tlabel";
}

std::vector<labelled_text> read_labelled_ids(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    if (first_line(in) != "id\tlabel") {
        throw std::runtime_error(path + ": the first line must be id<TAB>label");
    }
    std::vector<labelled_text> rows;
    std::set<std::string> seen;
    std::string line;
    std::size_t number = 1;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        const auto tab = line.find('\t');
        if (tab == 0 || tab == std::string::npos || tab + 1 == line.size() ||
            line.find('\t', tab + 1) != std::string::npos) {
            throw std::runtime_error(path + ":" + std::to_string(number) +
                                     ": expected id<TAB>label");
        }
        auto id = line.substr(0, tab);
        if (!seen.insert(id).second) {
            throw std::runtime_error(path + ":" + std::to_string(number) + ": id " + id +
                                     " repeats");
        }
        rows.push_back({std::move(id), line.substr(tab + 1), {}});
    }
    if (in.bad()) throw std::runtime_error("cannot read " + path);
    return rows;
}

std::vector<labelled_text> with_corpus_texts(std::span<const labelled_text> labels,
                                             std::span<const labelled_text> corpus,
                                             const std::string& what) {
    std::unordered_map<std::string_view, const labelled_text*> by_id;
    by_id.reserve(corpus.size());
    for (const auto& r : corpus) by_id.emplace(r.id, &r);
    std::vector<labelled_text> out;
    out.reserve(labels.size());
    for (const auto& l : labels) {
        const auto it = by_id.find(l.id);
        if (it == by_id.end()) {
            throw std::runtime_error(what + ": id " + l.id + " is not in the corpus");
        }
        out.push_back({l.id, l.label, it->second->text});
    }
    return out;
}

bool held_apart(std::string_view id) {
    std::uint32_t h = 2166136261u;
    for (const char c : id) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return h % 5 == 0;
}

}  // namespace minsheng::dialog::nlu
