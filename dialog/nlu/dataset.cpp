#include "dialog/nlu/dataset.hpp"

#include <fstream>
#include <stdexcept>

namespace minsheng::dialog::nlu {

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
            if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
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

}  // namespace minsheng::dialog::nlu
