#pragma once
// Classification metrics: confusion matrix, accuracy, per-label precision/recall/F1/support,
// macro and weighted averages, most-confused pairs. Plain values: copy and share freely.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace minsheng::dialog::nlu {

struct label_scores {
    double precision = 0.0;  // 0 when the label was never predicted
    double recall = 0.0;     // 0 when the label never occurs
    double f1 = 0.0;
    std::size_t support = 0;  // occurrences in the truth
};

struct confused_pair {
    std::size_t truth = 0;      // label index
    std::size_t predicted = 0;  // label index
    std::size_t count = 0;
};

struct evaluation {
    std::vector<std::string> labels;
    // confusion[t][p]: examples of label t predicted as label p.
    std::vector<std::vector<std::size_t>> confusion;
    std::vector<label_scores> per_label;
    std::size_t total = 0;
    double accuracy = 0.0;
    label_scores macro;     // unweighted mean over labels with support > 0
    label_scores weighted;  // mean weighted by support

    // Off-diagonal cells, largest first (ties: by truth then predicted index); at most `n`.
    std::vector<confused_pair> most_confused(std::size_t n) const;
};

// Evaluates predictions against the truth, both as indices into `labels`. Throws
// std::invalid_argument when the sizes differ or an index is out of range.
evaluation evaluate(std::vector<std::string> labels, std::span<const std::size_t> truth,
                    std::span<const std::size_t> predicted);

}  // namespace minsheng::dialog::nlu
