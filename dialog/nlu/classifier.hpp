#pragma once
// A trained linear text classifier: a vocabulary of hashed features (features.hpp) with their idf
// weights, one weight vector per label over sublinear-tf·idf, L2-normalised features, a softmax
// scale fitted by cross-validation so that confidences are calibrated probabilities, and the
// confidence below which a prediction counts as unsure.
// Immutable after construction: share freely across threads (predictions use per-thread scratch).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/nlu/features.hpp"

namespace minsheng::dialog::nlu {

struct prediction {
    std::size_t index = 0;    // into classifier::labels()
    double confidence = 0.0;  // calibrated probability of that label
    bool unsure = true;       // confidence < classifier::unsure_below()
};

// The training texts a model may also keep, as an inverted index over its features, for a vote
// of the nearest ones beside the linear decision (docs/nlu.md, "Nearest neighbours"). Only the
// features of at most a few percent of the texts are indexed: a query meets the texts that share
// its rarer n-grams and words, which is where neighbours add to the linear model, at a tenth of
// the cost of the whole vectors. No text is kept: a training text is its label and the weights
// of its indexed feature hashes.
struct neighbour_index {
    std::uint32_t k = 0;         // neighbours that vote; 0: the model has no index
    double power = 3.0;          // a neighbour's vote is its similarity to this power
    double weight = 1.0;         // share of the linear model's probabilities in the blend
    double feature_power = 0.5;  // a feature counts max over labels of |weight| to this power
    std::vector<std::uint32_t> labels;  // label of each training text
    // Per key r, its postings are [offsets[r], offsets[r + 1]): a training text and its unit
    // vector's component for that key, in text order.
    struct posting {
        std::uint32_t text;
        float value;
    };
    std::vector<std::uint32_t> offsets;
    std::vector<posting> postings;
};

class classifier {
public:
    // Everything a model consists of; what the trainer produces and the model file holds.
    struct parts {
        std::vector<std::string> labels;  // at least two, distinct, no tab or newline
        feature_config features;
        std::vector<std::uint64_t> keys;  // n-gram hashes, strictly increasing, non-zero
        std::vector<float> idf;           // one per key
        std::vector<float> weights;       // keys.size() × labels.size(), key-major
        std::vector<float> bias;          // one per label
        double scale = 1.0;               // softmax(scale · decision values)
        double unsure_below = 0.5;
        neighbour_index neighbours;  // k == 0: none (the file is then format 2)
    };

    // Throws std::invalid_argument when the parts are inconsistent (sizes, order, labels).
    explicit classifier(parts p);

    // Reads a model file; throws std::runtime_error naming `path` when it is missing or
    // malformed.
    static classifier load(const std::string& path);
    // Parses the bytes of a model file; throws std::runtime_error when they are malformed.
    static classifier from_bytes(std::string_view bytes);
    // The model file's bytes: identical models give identical bytes.
    std::string to_bytes() const;
    // Writes the model file; throws std::runtime_error naming `path` on failure.
    void save(const std::string& path) const;

    const std::vector<std::string>& labels() const { return parts_.labels; }
    const feature_config& features() const { return parts_.features; }
    double unsure_below() const { return parts_.unsure_below; }
    const parts& model() const { return parts_; }
    // Index of `name` in labels(), or labels().size() when absent.
    std::size_t index_of(std::string_view name) const;

    // Uncalibrated decision values, one per label, for the n-gram hashes of a text (as
    // append_features gives them with features()). out.size() must be labels().size().
    void decision_values(std::span<const std::uint64_t> hashes, std::span<double> out) const;
    // Probabilities, one per label, summing to 1: the calibrated softmax of the decision values,
    // blended with the neighbours' vote when the model has an index, the vote could change the
    // best label (the softmax's lead is below (1 − weight) / weight) and some training text
    // shares an indexed feature with the text.
    void probabilities(std::span<const std::uint64_t> hashes, std::span<double> out) const;
    // The most probable label for the n-gram hashes of a text.
    prediction predict(std::span<const std::uint64_t> hashes) const;
    // Convenience: the features of `normalised` and its `tokens` (append_features with
    // features(); tokens matter only when features().word_n > 0), then predict.
    prediction predict(std::string_view normalised, std::span<const std::string> tokens = {}) const;

private:
    // One entry of the open-addressing table over parts_.keys, with what a lookup needs.
    struct slot {
        std::uint64_t key = 0;  // 0: empty
        std::uint32_t row = 0;
        float idf = 0.0f;
    };
    const slot* find(std::uint64_t key) const;
    void check_neighbours();  // throws std::invalid_argument; fills similarity_weight_
    // The text's known features (row, tf·idf), each once, in text order: a per-thread buffer
    // valid until the next call on this thread.
    struct feature {
        std::uint32_t row;
        double x;
    };
    std::span<const feature> gather(std::span<const std::uint64_t> hashes) const;
    void linear_values(std::span<const feature> f, std::span<double> out) const;
    // The neighbours' vote per label (summing to 1) into out; false when no training text
    // shares an indexed feature.
    bool vote(std::span<const feature> f, std::span<double> out) const;

    parts parts_;
    std::vector<slot> slots_;
    std::uint64_t slot_mask_ = 0;
    std::vector<float> similarity_weight_;  // per key, when the model has neighbours
};

// Per feature row of key-major `weights` with `labels` columns: (max over labels of
// |weight|)^power, what a feature counts in the neighbours' similarity (the trainer and the
// classifier agree).
std::vector<float> similarity_weights(std::span<const float> weights, std::size_t labels,
                                      double power);

// Two models with the same labels (in any order) on one text, each given the text's hashes under
// its own features(): (1 − share) × first's probabilities + share × second's, the label an index
// into first.labels() and the threshold first's unsure_below(). share ≤ 0 or ≥ 1 evaluates only
// one model (its prediction). Throws std::invalid_argument when the labels differ.
prediction predict_blended(const classifier& first, std::span<const std::uint64_t> first_hashes,
                           const classifier& second, std::span<const std::uint64_t> second_hashes,
                           double share);

// Softmax of scale · values into out (same size); stable for any finite input.
void softmax(std::span<const double> values, double scale, std::span<double> out);

}  // namespace minsheng::dialog::nlu
