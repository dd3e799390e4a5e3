#pragma once
// Labelled example files: UTF-8 TSV with the header `id<TAB>label<TAB>text`, one example a
// line (CRLF accepted, empty lines skipped). The appeal corpus and data/nlu/*.tsv use it.
// Pure function: thread-safe.

#include <string>
#include <vector>

namespace minsheng::dialog::nlu {

struct labelled_text {
    std::string id;
    std::string label;
    std::string text;  // as written (not normalised)
};

// Reads a labelled TSV file. Throws std::runtime_error naming the file (and line) when it is
// missing, lacks the header, or a line has fewer than three fields or an empty label.
std::vector<labelled_text> read_labelled_tsv(const std::string& path);

}  // namespace minsheng::dialog::nlu
