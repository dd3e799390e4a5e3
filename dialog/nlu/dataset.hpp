#pragma once
// Labelled example files: UTF-8 TSV with the header `id<TAB>label<TAB>text`, one example a
// line (CRLF accepted, empty lines skipped). The appeal corpus and data/nlu/*.tsv use it.
// Labels of corpus messages are kept by id only (the corpus texts may not be copied): files
// with the header `id<TAB>label` (data/nlu/corpus-*.tsv), joined with the corpus at run time.
// Pure functions: thread-safe.

#include <span>
#include <string>
#include <string_view>
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

// Reads an `id<TAB>label` file (text left empty). Throws std::runtime_error naming the file (and
// line) when it is missing, lacks the header, or a line has an empty id or label or a third
// field, or an id repeats.
std::vector<labelled_text> read_labelled_ids(const std::string& path);

// Whether the file's first line is the `id<TAB>label` header of a labels-by-id file (false for
// a labelled TSV with texts). Throws std::runtime_error when the file cannot be opened.
bool is_labelled_ids_file(const std::string& path);

// `labels` with each text taken from the corpus row of the same id. Throws std::runtime_error
// naming `what` and the first id the corpus lacks.
std::vector<labelled_text> with_corpus_texts(std::span<const labelled_text> labels,
                                             std::span<const labelled_text> corpus,
                                             const std::string& what);

// Whether a labelled corpus id is kept apart for evaluation (never trained on): FNV-1a (32-bit)
// of the id, modulo 5, is 0 — about one id in five, fixed for ever by the id alone.
bool held_apart(std::string_view id);

}  // namespace minsheng::dialog::nlu
