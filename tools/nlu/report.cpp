#include "tools/nlu/report.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace minsheng::tools::nlu {
namespace {

// Display width of a UTF-8 label: CJK characters take two columns.
std::size_t width(const std::string& s) {
    std::size_t w = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        const std::size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        w += len >= 3 ? 2 : 1;
        i += len;
    }
    return w;
}

std::string pad(const std::string& s, std::size_t to) {
    const std::size_t w = width(s);
    return s + std::string(to > w ? to - w : 0, ' ');
}

std::string fixed(double v, int decimals) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

nlohmann::json scores(const dialog::nlu::label_scores& s) {
    return {{"precision", s.precision},
            {"recall", s.recall},
            {"f1-score", s.f1},
            {"support", s.support}};
}

}  // namespace

void print_evaluation(std::ostream& out, const dialog::nlu::evaluation& e) {
    std::size_t col = 12;
    for (const auto& l : e.labels) col = std::max(col, width(l) + 2);
    out << "accuracy " << fixed(e.accuracy, 4) << "   macro-F1 " << fixed(e.macro.f1, 4)
        << "   weighted-F1 " << fixed(e.weighted.f1, 4) << "   (" << e.total << " examples)\n\n";
    out << pad("label", col) << "precision  recall     f1         support\n";
    const auto row = [&](const std::string& name, const dialog::nlu::label_scores& s) {
        out << pad(name, col) << pad(fixed(s.precision, 4), 11) << pad(fixed(s.recall, 4), 11)
            << pad(fixed(s.f1, 4), 11) << s.support << '\n';
    };
    for (std::size_t c = 0; c < e.labels.size(); ++c) row(e.labels[c], e.per_label[c]);
    row("macro avg", e.macro);
    row("weighted avg", e.weighted);

    out << "\nconfusion matrix (rows: truth, columns: predicted, in the order above)\n";
    for (std::size_t t = 0; t < e.labels.size(); ++t) {
        out << pad(e.labels[t], col);
        for (std::size_t p = 0; p < e.labels.size(); ++p) {
            const auto cell = std::to_string(e.confusion[t][p]);
            out << std::string(cell.size() < 6 ? 6 - cell.size() : 1, ' ') << cell;
        }
        out << '\n';
    }
    const auto pairs = e.most_confused(8);
    if (!pairs.empty()) {
        out << "\nmost confused (truth -> predicted: count)\n";
        for (const auto& p : pairs) {
            out << "  " << e.labels[p.truth] << " -> " << e.labels[p.predicted] << ": " << p.count
                << '\n';
        }
    }
}

void print_calibration(std::ostream& out, std::span<const std::size_t> truth,
                       std::span<const std::size_t> predicted, std::span<const double> confidence,
                       double unsure_below) {
    constexpr std::size_t bins = 10;
    std::array<double, bins> sum_confidence{};
    std::array<std::size_t, bins> count{};
    std::array<std::size_t, bins> correct{};
    std::size_t sure = 0, sure_correct = 0, unsure_correct = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const auto b = std::min(bins - 1, static_cast<std::size_t>(confidence[i] * bins));
        const bool right = truth[i] == predicted[i];
        sum_confidence[b] += confidence[i];
        ++count[b];
        correct[b] += right ? 1 : 0;
        if (confidence[i] >= unsure_below) {
            ++sure;
            sure_correct += right ? 1 : 0;
        } else {
            unsure_correct += right ? 1 : 0;
        }
    }
    double ece = 0.0;
    for (std::size_t b = 0; b < bins; ++b) {
        if (count[b] == 0) continue;
        const auto n = static_cast<double>(count[b]);
        ece += n * std::abs(sum_confidence[b] / n - static_cast<double>(correct[b]) / n);
    }
    const auto total = static_cast<double>(truth.size());
    const std::size_t unsure = truth.size() - sure;
    out << "calibration: expected calibration error " << fixed(total > 0 ? ece / total : 0, 4)
        << "; confidence >= " << fixed(unsure_below, 2) << ": " << sure << " predictions, accuracy "
        << fixed(sure ? static_cast<double>(sure_correct) / static_cast<double>(sure) : 0, 4)
        << "; unsure: " << unsure << ", accuracy "
        << fixed(unsure ? static_cast<double>(unsure_correct) / static_cast<double>(unsure) : 0, 4)
        << '\n';
}

nlohmann::json rasa_report(const dialog::nlu::evaluation& e) {
    nlohmann::json report = nlohmann::json::object();
    for (std::size_t c = 0; c < e.labels.size(); ++c) {
        auto entry = scores(e.per_label[c]);
        nlohmann::json confused = nlohmann::json::object();
        for (std::size_t p = 0; p < e.labels.size(); ++p) {
            if (p != c && e.confusion[c][p] > 0) confused[e.labels[p]] = e.confusion[c][p];
        }
        entry["confused_with"] = confused;
        report[e.labels[c]] = entry;
    }
    report["accuracy"] = e.accuracy;
    report["macro avg"] = scores(e.macro);
    report["weighted avg"] = scores(e.weighted);
    return report;
}

}  // namespace minsheng::tools::nlu
