#include "dialog/nlu/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <utility>

namespace minsheng::dialog::nlu {
namespace {

// splitmix64: a tiny generator whose sequence is the same on every platform.
class random_sequence {
public:
    explicit random_sequence(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform enough in [0, n) for shuffling; n > 0.
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

private:
    std::uint64_t state_;
};

template <typename T>
void shuffle(std::vector<T>& v, random_sequence& rng) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

// One training text as (feature row, value) pairs, L2-normalised.
struct sparse_row {
    std::vector<std::uint32_t> index;
    std::vector<double> value;
};

// Sorted (key, count) pairs of one text's features.
std::vector<std::pair<std::uint64_t, std::uint32_t>> counted_ngrams(const example& e,
                                                                    const feature_config& f) {
    std::vector<std::uint64_t> hashes;
    append_features(e.text, e.tokens, f, hashes);
    std::sort(hashes.begin(), hashes.end());
    std::vector<std::pair<std::uint64_t, std::uint32_t>> counted;
    for (std::size_t i = 0; i < hashes.size();) {
        std::size_t j = i + 1;
        while (j < hashes.size() && hashes[j] == hashes[i]) ++j;
        counted.emplace_back(hashes[i], static_cast<std::uint32_t>(j - i));
        i = j;
    }
    return counted;
}

std::vector<std::string> label_order(std::span<const example> data, const train_options& o) {
    std::vector<std::string> labels = o.labels;
    if (labels.empty()) {
        for (const auto& e : data) labels.push_back(e.label);
        std::sort(labels.begin(), labels.end());
        labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
    }
    if (labels.size() < 2) throw std::invalid_argument("training needs at least two labels");
    return labels;
}

std::vector<std::size_t> label_indices(std::span<const example> data,
                                       const std::vector<std::string>& labels) {
    std::vector<std::size_t> y;
    y.reserve(data.size());
    for (const auto& e : data) {
        const auto it = std::find(labels.begin(), labels.end(), e.label);
        if (it == labels.end()) throw std::invalid_argument("unknown label " + e.label);
        y.push_back(static_cast<std::size_t>(it - labels.begin()));
    }
    return y;
}

// Binary L2-regularised L2-loss SVM by dual coordinate descent (Hsieh et al. 2008), with a bias
// as an extra constant feature. Returns n + 1 weights, the bias last.
std::vector<double> train_binary(const std::vector<sparse_row>& rows,
                                 const std::vector<signed char>& y, const std::vector<double>& cost,
                                 std::size_t n, const train_options& o, std::uint64_t seed) {
    const std::size_t m = rows.size();
    std::vector<double> w(n + 1, 0.0);
    std::vector<double> alpha(m, 0.0);
    std::vector<double> diag(m);
    std::vector<double> qd(m);
    for (std::size_t i = 0; i < m; ++i) {
        diag[i] = 0.5 / cost[i];
        double sq = 1.0;  // the bias feature
        for (double v : rows[i].value) sq += v * v;
        qd[i] = sq + diag[i];
    }
    std::vector<std::size_t> order(m);
    for (std::size_t i = 0; i < m; ++i) order[i] = i;
    random_sequence rng(seed);
    for (std::uint32_t epoch = 0; epoch < o.max_epochs; ++epoch) {
        shuffle(order, rng);
        double pg_max = -std::numeric_limits<double>::infinity();
        double pg_min = std::numeric_limits<double>::infinity();
        for (std::size_t i : order) {
            const auto& row = rows[i];
            double dot = w[n];
            for (std::size_t t = 0; t < row.index.size(); ++t) {
                dot += w[row.index[t]] * row.value[t];
            }
            const double yi = y[i];
            const double g = yi * dot - 1.0 + diag[i] * alpha[i];
            const double pg = alpha[i] == 0.0 ? std::min(g, 0.0) : g;
            pg_max = std::max(pg_max, pg);
            pg_min = std::min(pg_min, pg);
            if (std::fabs(pg) > 1e-12) {
                const double old = alpha[i];
                alpha[i] = std::max(alpha[i] - g / qd[i], 0.0);
                const double d = (alpha[i] - old) * yi;
                for (std::size_t t = 0; t < row.index.size(); ++t) {
                    w[row.index[t]] += d * row.value[t];
                }
                w[n] += d;
            }
        }
        if (pg_max - pg_min <= o.tolerance) break;
    }
    return w;
}

// The inverted index of the training texts' vectors (unit tf·idf vectors with each feature
// scaled by its similarity weight, then unit again), over the features of at most max_df texts.
neighbour_index index_neighbours(const std::vector<sparse_row>& rows,
                                 const std::vector<std::size_t>& y,
                                 const std::vector<std::uint32_t>& df, const classifier::parts& p,
                                 const neighbour_options& o) {
    const std::size_t n = p.keys.size();
    const std::size_t k = p.labels.size();
    const auto weight = similarity_weights(p.weights, k, o.feature_power);
    const auto max_df = std::max<std::uint32_t>(
        1, static_cast<std::uint32_t>(o.max_df_share * static_cast<double>(rows.size())));
    neighbour_index nb;
    nb.k = o.k;
    nb.power = o.power;
    nb.weight = o.weight;
    nb.feature_power = o.feature_power;
    for (std::size_t c : y) nb.labels.push_back(static_cast<std::uint32_t>(c));
    std::vector<std::vector<double>> scaled(rows.size());
    std::vector<std::uint32_t> count(n + 1, 0);
    for (std::size_t d = 0; d < rows.size(); ++d) {
        const auto& r = rows[d];
        auto& v = scaled[d];
        double norm2 = 0.0;
        for (std::size_t t = 0; t < r.index.size(); ++t) {
            v.push_back(r.value[t] * weight[r.index[t]]);
            norm2 += v.back() * v.back();
        }
        const double inv = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
        for (std::size_t t = 0; t < r.index.size(); ++t) {
            v[t] *= inv;
            if (df[r.index[t]] <= max_df && static_cast<float>(v[t]) > 0.0f) {
                ++count[r.index[t] + 1];
            }
        }
    }
    for (std::size_t f = 0; f < n; ++f) count[f + 1] += count[f];
    nb.offsets = count;
    nb.postings.resize(count[n]);
    for (std::size_t d = 0; d < rows.size(); ++d) {
        const auto& r = rows[d];
        for (std::size_t t = 0; t < r.index.size(); ++t) {
            const auto x = static_cast<float>(scaled[d][t]);
            if (df[r.index[t]] > max_df || !(x > 0.0f)) continue;
            const std::uint32_t at = count[r.index[t]]++;
            nb.postings[at] = {static_cast<std::uint32_t>(d), x};
        }
    }
    return nb;
}

// Trains without calibration: the model's scale is options.scale. The neighbour index is built
// only when `neighbours` (and options.neighbours.k > 0).
classifier train_uncalibrated(std::span<const example> data, const train_options& o,
                              const std::vector<std::string>& labels, bool neighbours = false) {
    const auto y = label_indices(data, labels);
    const std::size_t k = labels.size();
    const std::size_t m = data.size();

    std::vector<std::vector<std::pair<std::uint64_t, std::uint32_t>>> docs;
    docs.reserve(m);
    std::vector<std::uint64_t> all;
    for (const auto& e : data) {
        docs.push_back(counted_ngrams(e, o.features));
        for (const auto& kc : docs.back()) all.push_back(kc.first);
    }
    std::sort(all.begin(), all.end());

    std::vector<std::uint32_t> text_count;  // per kept key: the texts that have it
    classifier::parts p;
    p.labels = labels;
    p.features = o.features;
    p.scale = o.scale;
    p.unsure_below = o.unsure_below;
    for (std::size_t i = 0; i < all.size();) {
        std::size_t j = i + 1;
        while (j < all.size() && all[j] == all[i]) ++j;
        const std::size_t df = j - i;
        if (df >= std::max<std::uint32_t>(o.min_df, 1)) {
            p.keys.push_back(all[i]);
            text_count.push_back(static_cast<std::uint32_t>(df));
            // Smooth idf as in common TF-IDF practice: ln((1 + m) / (1 + df)) + 1.
            p.idf.push_back(static_cast<float>(
                std::log((1.0 + static_cast<double>(m)) / (1.0 + static_cast<double>(df))) + 1.0));
        }
        i = j;
    }
    all = {};
    if (p.keys.empty()) throw std::invalid_argument("the examples give no features");
    const std::size_t n = p.keys.size();

    std::vector<sparse_row> rows(m);
    for (std::size_t d = 0; d < m; ++d) {
        auto& r = rows[d];
        double norm2 = 0.0;
        for (const auto& [key, count] : docs[d]) {
            const auto it = std::lower_bound(p.keys.begin(), p.keys.end(), key);
            if (it == p.keys.end() || *it != key) continue;
            const auto row = static_cast<std::size_t>(it - p.keys.begin());
            // The same float idf and tf formula the classifier applies at prediction time.
            const double tf = sublinear_tf(count);
            const double x = tf * p.idf[row];
            r.index.push_back(static_cast<std::uint32_t>(row));
            r.value.push_back(x);
            norm2 += x * x;
        }
        const double inv = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
        for (double& v : r.value) v *= inv;
        docs[d] = {};
    }

    std::vector<std::size_t> per_label(k, 0);
    for (std::size_t c : y) ++per_label[c];
    std::vector<double> cost(m, o.c);
    if (o.balanced) {
        for (std::size_t i = 0; i < m; ++i) {
            cost[i] = o.c * static_cast<double>(m) /
                      (static_cast<double>(k) * static_cast<double>(per_label[y[i]]));
        }
    }

    p.weights.assign(n * k, 0.0f);
    p.bias.assign(k, 0.0f);
    std::vector<signed char> sign(m);
    for (std::size_t c = 0; c < k; ++c) {
        for (std::size_t i = 0; i < m; ++i) sign[i] = y[i] == c ? 1 : -1;
        const auto w = train_binary(rows, sign, cost, n, o, o.seed + 7919 * (c + 1));
        for (std::size_t f = 0; f < n; ++f) p.weights[f * k + c] = static_cast<float>(w[f]);
        p.bias[c] = static_cast<float>(w[n]);
    }
    if (neighbours && o.neighbours.k > 0) {
        p.neighbours = index_neighbours(rows, y, text_count, p, o.neighbours);
    }
    return classifier(std::move(p));
}

}  // namespace

std::vector<std::uint32_t> stratified_folds(std::span<const example> data, std::uint32_t k,
                                            std::uint64_t seed) {
    if (k == 0) throw std::invalid_argument("k must be positive");
    std::map<std::string, std::vector<std::size_t>> by_label;
    for (std::size_t i = 0; i < data.size(); ++i) by_label[data[i].label].push_back(i);
    std::vector<std::uint32_t> fold(data.size(), 0);
    random_sequence rng(seed);
    std::uint32_t next = 0;  // continues across labels so fold sizes stay even
    for (auto& [name, members] : by_label) {
        shuffle(members, rng);
        for (std::size_t i : members) {
            fold[i] = next;
            next = (next + 1) % k;
        }
    }
    return fold;
}

double fit_softmax_scale(std::span<const double> values, std::span<const std::size_t> truth,
                         std::size_t labels) {
    std::vector<double> p(labels);
    const auto nll = [&](double scale) {
        double total = 0.0;
        for (std::size_t i = 0; i < truth.size(); ++i) {
            softmax(values.subspan(i * labels, labels), scale, p);
            total -= std::log(std::max(p[truth[i]], 1e-300));
        }
        return total;
    };
    // Coarse log grid, then golden-section search between the best point's neighbours.
    constexpr int steps = 40;
    const double lo = std::log(0.05), hi = std::log(500.0);
    int best = 0;
    double best_value = std::numeric_limits<double>::infinity();
    for (int s = 0; s <= steps; ++s) {
        const double v = nll(std::exp(lo + (hi - lo) * s / steps));
        if (v < best_value) {
            best_value = v;
            best = s;
        }
    }
    double a = lo + (hi - lo) * std::max(best - 1, 0) / steps;
    double b = lo + (hi - lo) * std::min(best + 1, steps) / steps;
    const double ratio = (std::sqrt(5.0) - 1.0) / 2.0;
    double x1 = b - ratio * (b - a), x2 = a + ratio * (b - a);
    double f1 = nll(std::exp(x1)), f2 = nll(std::exp(x2));
    for (int it = 0; it < 40; ++it) {
        if (f1 < f2) {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - ratio * (b - a);
            f1 = nll(std::exp(x1));
        } else {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + ratio * (b - a);
            f2 = nll(std::exp(x2));
        }
    }
    return std::exp((a + b) / 2.0);
}

classifier train(std::span<const example> data, const train_options& options) {
    const auto labels = label_order(data, options);
    if (options.calibration_folds < 2 || data.size() < options.calibration_folds) {
        return train_uncalibrated(data, options, labels, true);
    }
    // Decision values of each example from a model that did not see it.
    const auto folds = stratified_folds(data, options.calibration_folds, options.seed ^ 0xCA1Bu);
    const std::size_t k = labels.size();
    std::vector<double> values(data.size() * k);
    for (std::uint32_t f = 0; f < options.calibration_folds; ++f) {
        std::vector<example> part;
        for (std::size_t i = 0; i < data.size(); ++i) {
            if (folds[i] != f) part.push_back(data[i]);
        }
        const auto model = train_uncalibrated(part, options, labels);
        std::vector<std::uint64_t> hashes;
        for (std::size_t i = 0; i < data.size(); ++i) {
            if (folds[i] != f) continue;
            hashes.clear();
            append_features(data[i].text, data[i].tokens, model.features(), hashes);
            model.decision_values(hashes, std::span<double>(values).subspan(i * k, k));
        }
    }
    train_options final_options = options;
    final_options.scale = fit_softmax_scale(values, label_indices(data, labels), k);
    return train_uncalibrated(data, final_options, labels, true);
}

double short_share(std::size_t characters, std::size_t short_below, std::size_t long_from) {
    if (characters <= short_below) return 1.0;
    if (characters >= long_from) return 0.0;
    return static_cast<double>(long_from - characters) /
           static_cast<double>(long_from - short_below);
}

cross_validation cross_validate(std::span<const example> data, const train_options& options,
                                std::uint32_t k, std::span<const example> variants,
                                const short_model* short_texts) {
    if (k < 2 || k > data.size()) throw std::invalid_argument("k must be in 2..examples");
    if (!variants.empty() && variants.size() != data.size()) {
        throw std::invalid_argument("one variant text per example");
    }
    cross_validation cv;
    cv.labels = label_order(data, options);
    cv.truth = label_indices(data, cv.labels);
    cv.predicted.assign(data.size(), 0);
    cv.confidence.assign(data.size(), 0.0);
    if (!variants.empty()) {
        cv.variant_predicted.assign(data.size(), 0);
        cv.variant_confidence.assign(data.size(), 0.0);
    }
    train_options fold_options = options;
    fold_options.labels = cv.labels;
    const auto folds = stratified_folds(data, k, options.seed);
    for (std::uint32_t f = 0; f < k; ++f) {
        std::vector<example> part;
        for (std::size_t i = 0; i < data.size(); ++i) {
            if (folds[i] != f) part.push_back(data[i]);
        }
        const auto model = train(part, fold_options);
        std::optional<classifier> short_texts_model;
        if (short_texts) {
            part.insert(part.end(), short_texts->extra.begin(), short_texts->extra.end());
            short_texts_model.emplace(train(part, fold_options));
        }
        std::vector<std::uint64_t> hashes;
        std::vector<std::uint64_t> short_hashes;
        const auto predict = [&](const example& e) {
            hashes.clear();
            append_features(e.text, e.tokens, model.features(), hashes);
            if (!short_texts_model) return model.predict(hashes);
            short_hashes.clear();
            append_features(e.text, e.tokens, short_texts_model->features(), short_hashes);
            return predict_blended(
                model, hashes, *short_texts_model, short_hashes,
                short_share(code_points(e.text), short_texts->below, short_texts->long_from));
        };
        for (std::size_t i = 0; i < data.size(); ++i) {
            if (folds[i] != f) continue;
            const auto p = predict(data[i]);
            cv.predicted[i] = p.index;
            cv.confidence[i] = p.confidence;
            if (!variants.empty()) {
                const auto v = predict(variants[i]);
                cv.variant_predicted[i] = v.index;
                cv.variant_confidence[i] = v.confidence;
            }
        }
    }
    return cv;
}

}  // namespace minsheng::dialog::nlu
