#include "dialog/nlu/metrics.hpp"

#include <algorithm>
#include <stdexcept>

namespace minsheng::dialog::nlu {

evaluation evaluate(std::vector<std::string> labels, std::span<const std::size_t> truth,
                    std::span<const std::size_t> predicted) {
    if (truth.size() != predicted.size()) {
        throw std::invalid_argument("truth and predictions differ in size");
    }
    const std::size_t k = labels.size();
    evaluation e;
    e.labels = std::move(labels);
    e.confusion.assign(k, std::vector<std::size_t>(k, 0));
    e.total = truth.size();
    std::size_t correct = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        if (truth[i] >= k || predicted[i] >= k) throw std::invalid_argument("label out of range");
        ++e.confusion[truth[i]][predicted[i]];
        if (truth[i] == predicted[i]) ++correct;
    }
    e.accuracy = e.total ? static_cast<double>(correct) / static_cast<double>(e.total) : 0.0;

    e.per_label.resize(k);
    std::size_t present = 0;
    for (std::size_t c = 0; c < k; ++c) {
        std::size_t as_predicted = 0;
        for (std::size_t t = 0; t < k; ++t) as_predicted += e.confusion[t][c];
        auto& s = e.per_label[c];
        for (std::size_t p = 0; p < k; ++p) s.support += e.confusion[c][p];
        const auto hit = static_cast<double>(e.confusion[c][c]);
        s.precision = as_predicted ? hit / static_cast<double>(as_predicted) : 0.0;
        s.recall = s.support ? hit / static_cast<double>(s.support) : 0.0;
        s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall)
                                          : 0.0;
        if (s.support == 0) continue;
        ++present;
        const auto w = static_cast<double>(s.support);
        e.macro.precision += s.precision;
        e.macro.recall += s.recall;
        e.macro.f1 += s.f1;
        e.weighted.precision += w * s.precision;
        e.weighted.recall += w * s.recall;
        e.weighted.f1 += w * s.f1;
    }
    if (present) {
        const auto n = static_cast<double>(present);
        e.macro.precision /= n;
        e.macro.recall /= n;
        e.macro.f1 /= n;
    }
    if (e.total) {
        const auto n = static_cast<double>(e.total);
        e.weighted.precision /= n;
        e.weighted.recall /= n;
        e.weighted.f1 /= n;
    }
    e.macro.support = e.weighted.support = e.total;
    return e;
}

std::vector<confused_pair> evaluation::most_confused(std::size_t n) const {
    std::vector<confused_pair> pairs;
    for (std::size_t t = 0; t < confusion.size(); ++t) {
        for (std::size_t p = 0; p < confusion[t].size(); ++p) {
            if (t != p && confusion[t][p] > 0) pairs.push_back({t, p, confusion[t][p]});
        }
    }
    std::stable_sort(
        pairs.begin(), pairs.end(),
        [](const confused_pair& a, const confused_pair& b) { return a.count > b.count; });
    if (pairs.size() > n) pairs.resize(n);
    return pairs;
}

}  // namespace minsheng::dialog::nlu
