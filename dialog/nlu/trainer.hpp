#pragma once
// Training of classifier models: one-vs-rest L2-loss linear SVMs (dual coordinate descent, as in
// LIBLINEAR) over sublinear-tf·idf character n-gram features, then a softmax scale fitted on
// cross-validated decision values so confidences are calibrated. Deterministic: the same
// examples and options give bit-identical models. Pure functions: thread-safe.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dialog/nlu/classifier.hpp"
#include "dialog/nlu/features.hpp"

namespace minsheng::dialog::nlu {

struct example {
    std::string text;  // normalised
    std::string label;
    // The segmentation of `text` (segmenter.hpp); needed only when features.word_n > 0.
    std::vector<std::string> tokens = {};
};

// Nearest neighbours kept beside the linear model (classifier.hpp, neighbour_index).
struct neighbour_options {
    std::uint32_t k = 0;  // 0: none
    double power = 3.0;
    double weight = 0.6;  // of the linear model's probabilities
    double feature_power = 0.5;
    // Features of more than this share of the training texts are not indexed (at least one).
    double max_df_share = 0.05;
};

struct train_options {
    feature_config features;
    std::uint32_t min_df = 2;        // n-grams seen in fewer training texts are dropped
    double c = 1.0;                  // SVM cost: larger fits the training data more closely
    bool balanced = false;           // scale each class's cost by n / (labels · n_class)
    std::uint32_t max_epochs = 200;  // passes of coordinate descent per label
    double tolerance = 0.05;         // stop when the projected-gradient spread falls below
    std::uint64_t seed = 20201123;   // order of coordinate descent and of folds
    // Folds whose held-out decision values fit the softmax scale; below 2 keeps `scale`.
    std::uint32_t calibration_folds = 5;
    double scale = 1.0;
    double unsure_below = 0.5;
    // Label order in the model; empty: sorted. Every example's label must be listed.
    std::vector<std::string> labels;
    neighbour_options neighbours;
};

// Trains a model. Throws std::invalid_argument when there are fewer than two labels, an
// example's label is not in options.labels, or the examples give no features.
classifier train(std::span<const example> data, const train_options& options);

// Stratified assignment of each example to one of k folds (0..k-1), deterministic for `seed`.
std::vector<std::uint32_t> stratified_folds(std::span<const example> data, std::uint32_t k,
                                            std::uint64_t seed);

// The share of a short-register model in the category of a text of `characters` code points: 1
// up to short_below, 0 from long_from on, linear between (a hard switch when long_from ≤
// short_below).
double short_share(std::size_t characters, std::size_t short_below, std::size_t long_from);

// k-fold cross-validation: for each example, the prediction of the model trained on the other
// folds. Indices are into `labels`. When `variants` is not empty (one per example, e.g. the
// same message converted to Traditional script, normalised and segmented again; their labels
// are ignored), each held-out example is also predicted from its variant into
// `variant_predicted`.
struct cross_validation {
    std::vector<std::string> labels;
    std::vector<std::size_t> truth;
    std::vector<std::size_t> predicted;
    std::vector<double> confidence;
    std::vector<std::size_t> variant_predicted;
    std::vector<double> variant_confidence;
};
//
// With `short_texts`, as the engine classifies categories (recipes.hpp): each fold also trains a
// second model on its training part plus short_texts->extra (never scored), and each held-out
// text (each variant by its own length) is predicted by the two blended with the second's
// share short_share(its characters, below, long_from) (predict_blended).
struct short_model {
    std::span<const example> extra;
    std::size_t below = 0;
    std::size_t long_from = 0;
};
// Throws std::invalid_argument when k < 2, k exceeds the examples, or variants has a wrong size.
cross_validation cross_validate(std::span<const example> data, const train_options& options,
                                std::uint32_t k, std::span<const example> variants = {},
                                const short_model* short_texts = nullptr);

// The softmax scale that minimises the negative log-likelihood of `truth` given decision values
// (row i is values[i * labels .. (i + 1) * labels)). Searched on a log grid, then refined.
double fit_softmax_scale(std::span<const double> values, std::span<const std::size_t> truth,
                         std::size_t labels);

}  // namespace minsheng::dialog::nlu
