#include "dialog/nlu/recipes.hpp"

#include <array>
#include <stdexcept>

namespace minsheng::dialog::nlu {
namespace {

std::array<recipe, 4> make_recipes() {
    // Category: 5-fold CV on the appeal corpus chose char 1–3-grams, the 1–3-grams of the first
    // 50 characters again (the subject), word unigrams, min df 3, C = 2 with class-balanced
    // costs (see docs/nlu.md).
    train_options category;
    category.features = {1, 3, true, 8000, 50, 1};
    category.min_df = 3;
    category.c = 2.0;
    category.balanced = true;
    category.unsure_below = 0.5;
    // Beside the linear model, a vote of the 5 training texts most similar by their rarer
    // features (in at most 5% of the texts), each feature weighted by √ of its largest SVM
    // weight, similarity³; 60% SVM, 40% vote (nested 5-fold CV, docs/nlu.md).
    category.neighbours = {5, 3.0, 0.6, 0.5, 0.05};
    category.labels = {"城乡建设", "劳动和社会保障", "教育文体", "商贸旅游",
                       "卫生计生", "环境保护",       "交通运输"};

    // The dialog models learn from a few hundred short hand-written examples: every n-gram
    // counts (min df 1).
    train_options dialog;
    dialog.features = {1, 3, true, 8000};
    dialog.min_df = 1;
    dialog.c = 2.0;
    dialog.balanced = true;

    // Kind and urgency also learn from corpus appeals (long texts): n-grams seen in one text
    // only are dropped and 1–2-grams kept (5-fold CV as good as min df 1 with 1–3-grams, and a
    // model a tenth of the size; see docs/nlu.md).
    train_options kind = dialog;
    kind.min_df = 2;
    kind.features.max_n = 2;
    kind.unsure_below = 0.5;
    kind.labels = {"wish", "project", "complaint", "consultation"};

    train_options intent = dialog;
    intent.features.max_n = 2;  // CV: 1–2-grams beat 1–3 on short replies (0.877 vs 0.859)
    intent.unsure_below = 0.45;
    intent.labels = {"file_appeal",
                     "add_detail",
                     "ask_progress",
                     "claim_wish",
                     "report_done",
                     "confirm",
                     "cancel",
                     "rate",
                     "vote",
                     "register_volunteer",
                     "certificate_question",
                     "greet",
                     "help",
                     "other"};

    train_options urgency = dialog;
    urgency.min_df = 2;
    urgency.features.max_n = 2;
    urgency.unsure_below = 0.6;
    urgency.labels = {"urgent", "normal"};

    // Short messages (up to 40 characters: every line of data/nlu/category.tsv, 10 of the
    // corpus's 2,583 letters) have their own model, which also learns from category.tsv: those
    // lines cost the letters 0.2–1.1 points of accuracy when one model learns from both. From 40
    // to 120 characters the two are blended, so a resident's longer message still has some of
    // the model that knows how residents write.
    return {recipe{"category", "category.model", category, "category-short.model", 40, 120},
            recipe{"kind", "kind.model", kind}, recipe{"intent", "intent.model", intent},
            recipe{"urgency", "urgency.model", urgency}};
}

}  // namespace

std::span<const recipe> recipes() {
    static const std::array<recipe, 4> all = make_recipes();
    return all;
}

double short_share(const recipe& r, std::size_t characters) {
    if (r.short_file.empty()) return 0.0;
    return short_share(characters, r.short_below, r.long_from);
}

const recipe& recipe_for(std::string_view task) {
    for (const auto& r : recipes()) {
        if (r.task == task) return r;
    }
    throw std::invalid_argument("unknown task " + std::string(task) +
                                " (category, kind, intent, urgency)");
}

}  // namespace minsheng::dialog::nlu
