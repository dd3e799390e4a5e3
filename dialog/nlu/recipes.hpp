#pragma once
// The training settings of each shipped model (category, kind, intent, urgency), chosen by
// cross-validation on their training data (docs/nlu.md has the figures), and the file each model
// is stored in under the models directory. Constants: thread-safe.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "dialog/nlu/trainer.hpp"

namespace minsheng::dialog::nlu {

struct recipe {
    std::string_view task;  // "category", "kind", "intent", "urgency"
    std::string_view file;  // file name under the models directory
    train_options options;  // options.labels: every label the model must have, in order
    // Category only: messages of fewer than short_below characters (of the normalised text) are
    // classified by a second model, in short_file, trained with the same options on the corpus
    // and the short everyday appeals of data/nlu/category.tsv; the model in `file` learns from
    // the corpus alone (docs/nlu.md, "Two registers"). Empty / 0: one model.
    std::string_view short_file = {};
    std::size_t short_below = 0;
};

// The four recipes, in the order above.
std::span<const recipe> recipes();
// The recipe of `task`; throws std::invalid_argument for an unknown task.
const recipe& recipe_for(std::string_view task);

}  // namespace minsheng::dialog::nlu
