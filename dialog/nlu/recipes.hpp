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
    // Category only: a second model, in short_file, trained with the same options on the
    // corpus and the short everyday appeals of data/nlu/category.tsv, while the model in `file`
    // learns from the corpus alone (docs/nlu.md, "Two registers"). A message of at most
    // short_below characters (of the normalised text) is classified by the short model, one of
    // long_from or more by the corpus's, and between them the two models' probabilities are
    // blended, the short one's share falling linearly (short_share). Empty: one model.
    std::string_view short_file = {};
    std::size_t short_below = 0;
    std::size_t long_from = 0;
};

// The short model's share in the category of a text of `characters` code points: 1 up to
// r.short_below, 0 from r.long_from on, linear between (a hard switch when long_from ≤
// short_below); 0 when the recipe has no short model.
double short_share(const recipe& r, std::size_t characters);

// The four recipes, in the order above.
std::span<const recipe> recipes();
// The recipe of `task`; throws std::invalid_argument for an unknown task.
const recipe& recipe_for(std::string_view task);

}  // namespace minsheng::dialog::nlu
