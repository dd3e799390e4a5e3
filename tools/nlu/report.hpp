#pragma once
// How `minsheng-nlu eval` shows an evaluation: a plain-text table for people and a JSON report
// shaped like Rasa's intent_report.json for tools. Pure functions.

#include <cstddef>
#include <iosfwd>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "dialog/nlu/metrics.hpp"

namespace minsheng::tools::nlu {

// Accuracy, macro/weighted averages, per-label table, confusion matrix, most-confused pairs.
void print_evaluation(std::ostream& out, const dialog::nlu::evaluation& e);

// How far confidences are from being probabilities: expected calibration error over ten
// equal-width bins, and the accuracy of the predictions at or above `unsure_below` versus below.
void print_calibration(std::ostream& out, std::span<const std::size_t> truth,
                       std::span<const std::size_t> predicted, std::span<const double> confidence,
                       double unsure_below);

// {"<label>": {"precision", "recall", "f1-score", "support", "confused_with": {...}},
//  "accuracy": ..., "macro avg": {...}, "weighted avg": {...}}
nlohmann::json rasa_report(const dialog::nlu::evaluation& e);

}  // namespace minsheng::tools::nlu
