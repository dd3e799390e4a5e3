#include "dialog/nlu/nlu.hpp"

#include <chrono>
#include <future>
#include <stdexcept>

#include "dialog/nlu/classifier.hpp"
#include "dialog/nlu/extractor.hpp"
#include "dialog/nlu/features.hpp"
#include "dialog/nlu/intent_rules.hpp"
#include "dialog/nlu/normalizer.hpp"
#include "dialog/nlu/recipes.hpp"
#include "dialog/nlu/segmenter.hpp"

namespace minsheng::dialog::nlu {
namespace {

// A classifier that must have exactly the labels its role expects (in any order).
classifier load_model(const std::string& path, const std::vector<std::string>& expected) {
    auto model = classifier::load(path);
    bool ok = model.labels().size() == expected.size();
    for (const auto& name : expected) ok = ok && model.index_of(name) < model.labels().size();
    if (!ok) throw std::runtime_error("model file " + path + " does not have the expected labels");
    return model;
}

label to_label(const classifier& model, const prediction& p) {
    return label{model.labels()[p.index], p.confidence, p.unsure};
}

}  // namespace

struct engine::impl {
    std::shared_ptr<const normalizer> normalise;
    std::shared_ptr<const segmenter> segment;
    std::shared_ptr<const extractor> extract;
    classifier category;
    classifier kind;
    classifier intent;
    classifier urgency;
    // The category model of the short register (recipes.hpp, short_share).
    classifier category_short;
    const recipe* category_recipe;

    // The category of a normalised text, given its hashes under `category`'s features (the
    // short model's are computed here when its features differ).
    label categorise(std::string_view normalised, std::span<const std::string> tokens,
                     std::span<const std::uint64_t> hashes,
                     engine::registers r = engine::registers::by_length) const {
        const double share = r == engine::registers::both
                                 ? 1.0
                                 : short_share(*category_recipe, code_points(normalised));
        if (share <= 0.0) return to_label(category, category.predict(hashes));
        std::span<const std::uint64_t> short_hashes = hashes;
        thread_local std::vector<std::uint64_t> own;
        if (!(category_short.features() == category.features())) {
            own.clear();
            append_features(normalised, tokens, category_short.features(), own);
            short_hashes = own;
        }
        return to_label(category,
                        predict_blended(category, hashes, category_short, short_hashes, share));
    }
};

const entity* understanding::find(std::string_view type) const {
    for (const auto& e : entities) {
        if (e.type == type) return &e;
    }
    return nullptr;
}

engine::engine(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
engine::~engine() = default;

std::shared_ptr<const engine> engine::load(const std::string& models_dir) {
    const std::string dir = models_dir.empty() ? std::string(".") : models_dir;
    auto lexicon = read_lexicon(dir + "/lexicon.txt");
    const auto model = [&](std::string_view task) {
        const auto& r = recipe_for(task);
        return load_model(dir + "/" + std::string(r.file), r.options.labels);
    };
    const auto& category = recipe_for("category");
    // The two category models are most of the loading (a gateway starts with it): the short
    // register's is read on a second thread meanwhile. An error here waits for it, and an error
    // there surfaces from get().
    auto short_model = std::async(std::launch::async, [&] {
        return load_model(dir + "/" + std::string(category.short_file), category.options.labels);
    });
    auto p = std::make_unique<impl>(impl{
        normalizer::create(),
        segmenter::create(std::move(lexicon)),
        extractor::create(),
        model("category"),
        model("kind"),
        model("intent"),
        model("urgency"),
        short_model.get(),
        &category,
    });
    return std::shared_ptr<const engine>(new engine(std::move(p)));
}

label engine::classify_category(std::string_view text, registers r) const {
    const auto norm = impl_->normalise->normalise(text);
    const auto& features = impl_->category.features();
    const bool words = features.word_n > 0 || impl_->category_short.features().word_n > 0;
    const auto tokens = words ? impl_->segment->segment(norm.text) : std::vector<std::string>{};
    thread_local std::vector<std::uint64_t> hashes;
    hashes.clear();
    append_features(norm.text, tokens, features, hashes);
    return impl_->categorise(norm.text, tokens, hashes, r);
}

normalised_text engine::normalise(std::string_view text) const {
    return impl_->normalise->normalise(text);
}

understanding engine::understand(std::string_view text) const {
    understanding u;
    auto norm = impl_->normalise->normalise(text);
    u.tokens = impl_->segment->segment(norm.text);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    u.entities = impl_->extract->extract(norm, text, now);

    // The feature hashes are computed once per distinct feature configuration, the tokens are
    // the ones above; category's and kind's in one pass over the text (kind's character
    // n-grams are some of category's), urgency and intent reuse kind's when theirs is the same.
    thread_local std::vector<std::uint64_t> category_hashes;
    thread_local std::vector<std::uint64_t> hashes;
    category_hashes.clear();
    hashes.clear();
    const feature_config& category_features = impl_->category.features();
    const feature_config* hashed = &impl_->kind.features();
    append_feature_pair(norm.text, u.tokens, category_features, category_hashes, *hashed, hashes);
    const auto predict = [&](const classifier& model) {
        if (model.features() == category_features) {
            return to_label(model, model.predict(std::span<const std::uint64_t>(category_hashes)));
        }
        if (!(*hashed == model.features())) {
            hashes.clear();
            append_features(norm.text, u.tokens, model.features(), hashes);
            hashed = &model.features();
        }
        return to_label(model, model.predict(std::span<const std::uint64_t>(hashes)));
    };
    u.category = impl_->categorise(norm.text, u.tokens, category_hashes);
    u.kind = predict(impl_->kind);
    u.urgency = predict(impl_->urgency);
    u.intent = predict(impl_->intent);
    if (const auto ruled = rule_intent(norm.text); !ruled.empty()) {
        u.intent = label{std::string(ruled), rule_confidence, false};
    }
    u.normalised = std::move(norm.text);
    return u;
}

}  // namespace minsheng::dialog::nlu
