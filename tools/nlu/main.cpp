// minsheng-nlu: the understanding engine from the command line.
//   classify     stdin `id<TAB>text` lines -> `id<TAB>category<TAB>confidence`
//   understand   one text (argument or stdin) -> JSON
//   eval         accuracy, macro-F1, per-label scores, confusion, optional K-fold CV
//   train        rebuilds the models from the corpus and data/nlu (bit for bit reproducible);
//                data/nlu/corpus-<task>.tsv labels corpus messages by id for a dialog task
// Never prints the texts it reads, except `understand`'s own input.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "dialog/intake/certificates.hpp"
#include "dialog/nlu/dataset.hpp"
#include "dialog/nlu/features.hpp"
#include "dialog/nlu/intent_rules.hpp"
#include "dialog/nlu/metrics.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/nlu/normalizer.hpp"
#include "dialog/nlu/recipes.hpp"
#include "dialog/nlu/segmenter.hpp"
#include "dialog/nlu/trainer.hpp"
#include "tools/nlu/duplicates.hpp"
#include "tools/nlu/report.hpp"
#include "tools/nlu/script.hpp"
#include "tools/nlu/segments.hpp"

#ifndef MINSHENG_DATA_DIR_DEFAULT
#define MINSHENG_DATA_DIR_DEFAULT "."
#endif

namespace nlu = minsheng::dialog::nlu;
using minsheng::tools::nlu::print_calibration;
using minsheng::tools::nlu::print_evaluation;
using minsheng::tools::nlu::rasa_report;
using minsheng::tools::nlu::to_traditional;

namespace {

nlohmann::json to_json(const nlu::label& l) {
    return {{"name", l.name}, {"confidence", l.confidence}, {"unsure", l.unsure}};
}

// `id<TAB>text` lines on stdin; CRLF and empty lines accepted; a line without a tab is all text
// and gets its line number as id.
int run_classify(const nlu::engine& engine) {
    std::ios::sync_with_stdio(false);
    std::string line;
    std::string out;
    std::size_t number = 0;
    char confidence[32];
    while (std::getline(std::cin, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        const auto tab = line.find('\t');
        const std::string_view id =
            tab == std::string::npos ? std::string_view() : std::string_view(line).substr(0, tab);
        const std::string_view text = tab == std::string::npos
                                          ? std::string_view(line)
                                          : std::string_view(line).substr(tab + 1);
        const auto category = engine.classify_category(text);
        std::snprintf(confidence, sizeof confidence, "%.4f", category.confidence);
        out.clear();
        out.append(tab == std::string::npos ? std::to_string(number) : std::string(id));
        out.append("\t").append(category.name).append("\t").append(confidence).append("\n");
        std::cout << out;
    }
    std::cout.flush();
    return std::cout ? 0 : 1;
}

int run_understand(const nlu::engine& engine, std::string text, bool from_stdin) {
    if (from_stdin) {
        text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    }
    const auto u = engine.understand(text);
    nlohmann::json entities = nlohmann::json::array();
    for (const auto& e : u.entities) {
        entities.push_back({{"type", e.type},
                            {"text", e.text},
                            {"value", e.value},
                            {"begin", e.where.begin},
                            {"end", e.where.end}});
    }
    const nlohmann::json j = {{"normalised", u.normalised},   {"tokens", u.tokens},
                              {"entities", entities},         {"category", to_json(u.category)},
                              {"kind", to_json(u.kind)},      {"intent", to_json(u.intent)},
                              {"urgency", to_json(u.urgency)}};
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return 0;
}

// Normalised training examples; an exact repeat of (normalised text, label) is dropped, so a
// message and its copy in the other script count once. With a segmenter, each example gets its
// tokens (for recipes with word features).
std::vector<nlu::example> prepare(const std::vector<nlu::labelled_text>& rows,
                                  const nlu::normalizer& normalizer, std::size_t* dropped,
                                  const nlu::segmenter* segmenter = nullptr) {
    std::vector<nlu::example> examples;
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& r : rows) {
        auto text = normalizer.normalise(r.text).text;
        if (!seen.emplace(text, r.label).second) continue;
        auto tokens = segmenter ? segmenter->segment(text) : std::vector<std::string>{};
        examples.push_back({std::move(text), r.label, std::move(tokens)});
    }
    if (dropped) *dropped = rows.size() - examples.size();
    return examples;
}

// The appeal corpus, read once on first use: the texts of labels kept by id.
class lazy_corpus {
public:
    explicit lazy_corpus(std::string path) : path_(std::move(path)) {}
    const std::vector<nlu::labelled_text>& rows() {
        if (!loaded_) {
            rows_ = nlu::read_labelled_tsv(path_);
            loaded_ = true;
        }
        return rows_;
    }

private:
    std::string path_;
    bool loaded_ = false;
    std::vector<nlu::labelled_text> rows_;
};

// A labelled TSV file, or an `id<TAB>label` file whose texts come from the corpus.
std::vector<nlu::labelled_text> read_rows(const std::string& path, lazy_corpus& corpus) {
    if (!nlu::is_labelled_ids_file(path)) return nlu::read_labelled_tsv(path);
    return nlu::with_corpus_texts(nlu::read_labelled_ids(path), corpus.rows(), path);
}

struct eval_args {
    std::vector<std::string> data;
    std::string corpus;  // the texts of corpus ids (id<TAB>label files, segments' @ids)
    std::string task = "category";
    std::string json;
    std::uint32_t folds = 0;
    std::string script = "as-is";
    bool errors = false;       // segments, certificate: list the ids counted wrong
    std::string certificates;  // certificate: the list (data/certificates.toml)
    std::uint64_t seed = 0;    // 0: the recipe's fold seed
    std::uint32_t repeat = 1;  // cross-validation repeated on this many fold seeds
    // category, cross-validation: what the short register's model also learns from
    std::string short_data;
};

// `eval --task segments`: problems per call (tools/nlu/segments.hpp).
int run_segments_eval(const std::string& models, const eval_args& a) {
    std::map<std::string, std::string> corpus;
    for (auto& r : nlu::read_labelled_tsv(a.corpus)) corpus.emplace(r.id, std::move(r.text));
    const auto items = minsheng::tools::nlu::read_segment_items(a.data.front(), corpus);
    const auto engine = nlu::engine::load(models);
    std::cout << "task segments: " << items.size() << " items\n\n";
    if (a.script != "traditional") {
        std::cout << "== as written ==\n";
        const auto s = minsheng::tools::nlu::score_segments(*engine, items, nullptr);
        minsheng::tools::nlu::print_segment_scores(std::cout, s, a.errors);
        std::cout << '\n';
    }
    if (a.script != "as-is") {
        to_traditional convert;
        const std::function<std::string(std::string_view)> f = [&](std::string_view t) {
            return convert(t);
        };
        std::cout << "== converted to Traditional script ==\n";
        const auto s = minsheng::tools::nlu::score_segments(*engine, items, &f);
        minsheng::tools::nlu::print_segment_scores(std::cout, s, a.errors);
    }
    return 0;
}

// The segmenter the engine uses, when a recipe has word features; null otherwise.
std::shared_ptr<const nlu::segmenter> segmenter_for(const nlu::train_options& options,
                                                    const std::string& models) {
    if (options.features.word_n == 0) return nullptr;
    return nlu::segmenter::create(nlu::read_lexicon(models + "/lexicon.txt"));
}

void write_json(const std::string& path, const nlohmann::json& report) {
    std::ofstream out(path);
    out << report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    if (!out) throw std::runtime_error("cannot write " + path);
    std::cerr << "report written to " << path << '\n';
}

// `eval --task certificate`: on id<TAB>item<TAB>text lines (item "none" for messages that ask
// for no certificate), the intent model's certificate_question and the item the chat answers
// with (certificate_catalogue::asked, the conversation's own decision), as written and/or
// converted to Traditional script.
int run_certificate_eval(const std::string& models, const eval_args& a) {
    const auto engine = nlu::engine::load(models);
    const auto list = minsheng::dialog::intake::certificate_catalogue::load(a.certificates);
    std::vector<nlu::labelled_text> rows;
    for (const auto& path : a.data)
        for (auto& r : nlu::read_labelled_tsv(path)) rows.push_back(std::move(r));
    for (const auto& r : rows)
        if (r.label != "none" && !list.find(r.label))
            throw std::runtime_error(r.id + ": \"" + r.label + "\" is no item of " +
                                     a.certificates);
    to_traditional convert;
    for (const bool traditional : {false, true}) {
        if (traditional ? a.script == "as-is" : a.script == "traditional") continue;
        std::size_t items = 0, others = 0, intent_right = 0, intent_false = 0, item_right = 0,
                    item_wrong = 0, item_none = 0, answered_other = 0;
        std::map<std::string, std::size_t> confused;  // item rows: the intent predicted instead
        std::vector<std::string> errors;
        for (const auto& r : rows) {
            const auto u = engine->understand(traditional ? convert(r.text) : r.text);
            const bool intent = u.intent.name == "certificate_question";
            const auto* item = list.asked(u);
            if (r.label == "none") {
                ++others;
                intent_false += intent ? 1 : 0;
                if (item) {
                    ++answered_other;
                    errors.push_back(r.id + " answered as " + item->id);
                }
                continue;
            }
            ++items;
            if (intent) {
                ++intent_right;
            } else {
                ++confused[u.intent.name];
            }
            if (!item) {
                ++item_none;
                errors.push_back(r.id + " not answered (expected " + r.label + ")");
            } else if (item->id == r.label) {
                ++item_right;
            } else {
                ++item_wrong;
                errors.push_back(r.id + " answered as " + item->id + " (expected " + r.label + ")");
            }
        }
        auto pct = [](std::size_t n, std::size_t d) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.1f%%", d ? 100.0 * double(n) / double(d) : 0.0);
            return std::string(buf);
        };
        std::cout << "== " << (traditional ? "converted to Traditional script" : "as written")
                  << " ==\n"
                  << "task certificate: " << rows.size() << " messages, " << items
                  << " asking for an item, " << others << " not\n"
                  << "intent certificate_question on item messages: " << intent_right << "/"
                  << items << " (" << pct(intent_right, items) << ")\n"
                  << "intent certificate_question on the others (false): " << intent_false << "/"
                  << others << "\n"
                  << "item answered (what the chat does): right " << item_right << "/" << items
                  << " (" << pct(item_right, items) << "), wrong item " << item_wrong << ", none "
                  << item_none << "; answered on the others " << answered_other << "/" << others
                  << "\n"
                  << "item messages the intent model put elsewhere:";
        for (const auto& [name, n] : confused) std::cout << " " << name << " " << n;
        std::cout << "\n";
        if (a.errors)
            for (const auto& e : errors) std::cout << "  " << e << "\n";
        std::cout << "\n";
    }
    return 0;
}

// `eval --task duplicate`: the one-problem-one-case decision (tools/nlu/duplicates.hpp).
int run_duplicate_eval(const std::string& models, const eval_args& a) {
    std::map<std::string, std::string> corpus;
    for (auto& r : nlu::read_labelled_tsv(a.corpus)) corpus.emplace(r.id, std::move(r.text));
    const auto pairs = minsheng::tools::nlu::read_duplicate_pairs(a.data.front(), corpus);
    const auto engine = nlu::engine::load(models);
    return minsheng::tools::nlu::print_duplicate_eval(std::cout, *engine, pairs,
                                                      a.folds ? a.folds : 5, 0.95,
                                                      a.script != "as-is", a.errors, a.seed);
}

// One cross-validation of the recipe with `options` (its fold seed among them), scored as the
// engine decides: for intent, the high-precision rules first (intent_rules.hpp).
nlu::cross_validation cross_validate_once(const std::vector<nlu::example>& examples,
                                          const nlu::train_options& options, const eval_args& a,
                                          const std::vector<nlu::example>& variants,
                                          const nlu::short_model* short_texts) {
    auto cv = nlu::cross_validate(examples, options, a.folds, variants, short_texts);
    if (a.task != "intent") return cv;
    const auto apply = [&](std::vector<std::size_t>& predicted, std::vector<double>& confidence,
                           const std::vector<nlu::example>& texts) {
        for (std::size_t i = 0; i < predicted.size(); ++i) {
            const auto ruled = nlu::rule_intent(texts[i].text);
            if (ruled.empty()) continue;
            const auto it = std::find(cv.labels.begin(), cv.labels.end(), ruled);
            predicted[i] = static_cast<std::size_t>(it - cv.labels.begin());
            confidence[i] = nlu::rule_confidence;
        }
    };
    apply(cv.predicted, cv.confidence, examples);
    if (!variants.empty()) apply(cv.variant_predicted, cv.variant_confidence, variants);
    return cv;
}

// The figures of each split of a repeated cross-validation, with their mean and standard
// deviation (as written, and converted to Traditional when evaluated).
void print_splits(std::ostream& out, std::uint64_t first_seed,
                  const std::vector<std::vector<nlu::evaluation>>& splits,
                  const std::vector<std::uint64_t>& seeds, const std::vector<std::string>& names) {
    out << "fold seed";
    for (const auto& n : names) out << " | " << n << ": accuracy / macro-F1";
    out << '\n';
    for (std::size_t i = 0; i < splits.size(); ++i) {
        out << seeds[i] << (seeds[i] == first_seed ? " (first)" : "");
        for (const auto& e : splits[i]) {
            char line[64];
            std::snprintf(line, sizeof line, " | %.4f / %.4f", e.accuracy, e.macro.f1);
            out << line;
        }
        out << '\n';
    }
    const auto n = static_cast<double>(splits.size());
    out << "mean ± standard deviation of " << splits.size() << " splits";
    for (std::size_t r = 0; r < names.size(); ++r) {
        double acc = 0, f1 = 0, acc2 = 0, f12 = 0;
        for (const auto& split : splits) {
            acc += split[r].accuracy;
            f1 += split[r].macro.f1;
            acc2 += split[r].accuracy * split[r].accuracy;
            f12 += split[r].macro.f1 * split[r].macro.f1;
        }
        const auto sd = [&](double sum, double squares) {
            return std::sqrt(std::max(0.0, (squares - sum * sum / n) / std::max(1.0, n - 1)));
        };
        char line[96];
        std::snprintf(line, sizeof line, " | %.4f ± %.4f / %.4f ± %.4f", acc / n, sd(acc, acc2),
                      f1 / n, sd(f1, f12));
        out << line;
    }
    out << "\n\n";
}

int run_eval(const std::string& models, const eval_args& a) {
    if (a.task == "segments") return run_segments_eval(models, a);
    if (a.task == "certificate") return run_certificate_eval(models, a);
    if (a.task == "duplicate") return run_duplicate_eval(models, a);
    if (a.repeat > 1 && a.folds == 0)
        throw std::runtime_error("--repeat repeats a cross-validation: give --cross-validate K");
    const auto& recipe = nlu::recipe_for(a.task);
    lazy_corpus corpus(a.corpus);
    std::vector<nlu::labelled_text> rows;
    for (const auto& path : a.data) {
        auto more = read_rows(path, corpus);
        rows.insert(rows.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
    }
    const bool traditional = a.script == "traditional" || a.script == "both";
    const bool as_is = a.script != "traditional";
    std::unique_ptr<to_traditional> convert;
    if (traditional) convert = std::make_unique<to_traditional>();

    std::vector<nlu::evaluation> results;  // as-is first, then Traditional
    std::vector<std::string> names;
    std::vector<std::string> calibration;  // per result, cross-validation only
    if (a.folds > 0) {
        auto options = recipe.options;
        if (a.seed != 0) options.seed = a.seed;
        const auto normalizer = nlu::normalizer::create();
        const auto segmenter = segmenter_for(options, models);
        std::size_t dropped = 0;
        const auto examples = prepare(rows, *normalizer, &dropped, segmenter.get());
        std::vector<nlu::example> variants;
        if (traditional) {
            // Each held-out example as it would be written in Traditional, normalised and
            // segmented again. The examples are normalised, so converting them is converting
            // the message.
            for (const auto& e : examples) {
                auto text = normalizer->normalise((*convert)(e.text)).text;
                auto tokens = segmenter ? segmenter->segment(text) : std::vector<std::string>{};
                variants.push_back({std::move(text), e.label, std::move(tokens)});
            }
        }
        std::cout << "task " << a.task << ": " << a.folds << "-fold cross-validation on "
                  << examples.size() << " examples";
        if (dropped) std::cout << " (" << dropped << " repeats dropped)";
        std::cout << ", recipe of " << recipe.file << "\n";
        // The category recipe's two registers, as the engine uses them: held-out messages up
        // to short_below characters are predicted by a model that also learned from the short
        // everyday appeals (never scored; any whose text is among the examples is left out),
        // those up to long_from by both (recipes.hpp, short_share).
        std::vector<nlu::example> short_extra;
        nlu::short_model short_texts;
        if (!recipe.short_file.empty()) {
            std::set<std::string> texts;
            for (const auto& e : examples) texts.insert(e.text);
            for (auto& e : prepare(nlu::read_labelled_tsv(a.short_data), *normalizer, nullptr,
                                   segmenter.get())) {
                if (!texts.count(e.text)) short_extra.push_back(std::move(e));
            }
            short_texts = {short_extra, recipe.short_below, recipe.long_from};
            std::size_t only_short = 0, blended = 0;
            for (const auto& e : examples) {
                const double share = nlu::short_share(recipe, nlu::code_points(e.text));
                only_short += share >= 1.0 ? 1 : 0;
                blended += share > 0.0 && share < 1.0 ? 1 : 0;
            }
            std::cout << "messages of up to " << recipe.short_below << " characters (" << only_short
                      << " here) are predicted by the model of " << recipe.short_file
                      << ", which also learns from the " << short_extra.size() << " lines of "
                      << a.short_data << "; from there to " << recipe.long_from << " (" << blended
                      << " here) by both, blended\n";
        }
        // Repeated cross-validation: the same folds procedure on other splits (the recipe's
        // seed or --seed first, then 1, 2, ...), each split's figures and their mean, the
        // detailed report pooled over all of them (every example predicted once per split).
        std::vector<std::uint64_t> seeds{options.seed};
        for (std::uint64_t s = 1; seeds.size() < a.repeat; ++s)
            if (s != options.seed) seeds.push_back(s);
        std::cout << '\n';
        const auto t0 = std::chrono::steady_clock::now();
        nlu::cross_validation cv;
        std::vector<std::vector<nlu::evaluation>> splits;
        for (const auto seed : seeds) {
            options.seed = seed;
            auto one = cross_validate_once(examples, options, a, variants,
                                           recipe.short_file.empty() ? nullptr : &short_texts);
            auto& figures = splits.emplace_back();
            if (as_is) figures.push_back(nlu::evaluate(one.labels, one.truth, one.predicted));
            if (traditional)
                figures.push_back(nlu::evaluate(one.labels, one.truth, one.variant_predicted));
            if (cv.labels.empty()) {
                cv = std::move(one);
                continue;
            }
            const auto append = [](auto& to, const auto& from) {
                to.insert(to.end(), from.begin(), from.end());
            };
            append(cv.truth, one.truth);
            append(cv.predicted, one.predicted);
            append(cv.confidence, one.confidence);
            append(cv.variant_predicted, one.variant_predicted);
            append(cv.variant_confidence, one.variant_confidence);
        }
        if (splits.size() > 1) {
            std::vector<std::string> split_names;
            if (as_is) split_names.push_back("as written");
            if (traditional) split_names.push_back("Traditional");
            print_splits(std::cout, seeds.front(), splits, seeds, split_names);
            std::cout << "The reports below pool the " << splits.size()
                      << " splits: every example predicted once in each.\n\n";
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        auto report = [&](const char* name, const auto& predicted, const auto& confidence) {
            results.push_back(nlu::evaluate(cv.labels, cv.truth, predicted));
            names.push_back(name);
            std::ostringstream c;
            print_calibration(c, cv.truth, predicted, confidence, recipe.options.unsure_below);
            calibration.push_back(c.str());
        };
        if (as_is) report("as written", cv.predicted, cv.confidence);
        if (traditional)
            report("converted to Traditional script", cv.variant_predicted, cv.variant_confidence);
        std::cout << "cross-validation took " << static_cast<int>(seconds) << " s\n\n";
    } else {
        const auto engine = nlu::engine::load(models);
        const auto& labels = recipe.options.labels;
        std::vector<std::size_t> truth;
        std::vector<std::size_t> plain;
        std::vector<std::size_t> converted;
        const auto index = [&](const std::string& name) {
            const auto it = std::find(labels.begin(), labels.end(), name);
            if (it == labels.end()) {
                throw std::runtime_error("label " + name + " is not a " + a.task + " label");
            }
            return static_cast<std::size_t>(it - labels.begin());
        };
        const auto predict = [&](const std::string& text) {
            if (a.task == "category") return index(engine->classify_category(text).name);
            const auto u = engine->understand(text);
            const auto& l = a.task == "kind" ? u.kind : a.task == "intent" ? u.intent : u.urgency;
            return index(l.name);
        };
        for (const auto& r : rows) {
            truth.push_back(index(r.label));
            if (as_is) plain.push_back(predict(r.text));
            if (traditional) converted.push_back(predict((*convert)(r.text)));
        }
        std::cout << "task " << a.task << ": shipped model on " << rows.size() << " examples\n\n";
        if (as_is) {
            results.push_back(nlu::evaluate(labels, truth, plain));
            names.push_back("as written");
        }
        if (traditional) {
            results.push_back(nlu::evaluate(labels, truth, converted));
            names.push_back("converted to Traditional script");
        }
    }
    for (std::size_t i = 0; i < results.size(); ++i) {
        std::cout << "== " << names[i] << " ==\n";
        print_evaluation(std::cout, results[i]);
        if (i < calibration.size()) std::cout << '\n' << calibration[i];
        std::cout << '\n';
    }
    if (results.size() == 2) {
        std::printf("Traditional minus as written: accuracy %+.4f, macro-F1 %+.4f\n",
                    results[1].accuracy - results[0].accuracy,
                    results[1].macro.f1 - results[0].macro.f1);
    }
    if (!a.json.empty()) write_json(a.json, rasa_report(results.front()));
    return 0;
}

int run_train(const std::string& corpus, const std::string& data_dir, const std::string& out,
              const std::vector<std::string>& tasks, const std::string& models) {
    const auto normalizer = nlu::normalizer::create();
    std::filesystem::create_directories(out);
    lazy_corpus texts(corpus);
    for (const auto& r : nlu::recipes()) {
        if (!tasks.empty() && std::find(tasks.begin(), tasks.end(), r.task) == tasks.end()) {
            continue;
        }
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<nlu::labelled_text> rows;
        std::size_t from_corpus = 0;
        if (r.task == "category") {
            rows = texts.rows();
        } else {
            // The hand-written set, then the corpus messages labelled by id for this task.
            rows = nlu::read_labelled_tsv(data_dir + "/" + std::string(r.task) + ".tsv");
            const std::string labels = data_dir + "/corpus-" + std::string(r.task) + ".tsv";
            if (std::filesystem::exists(labels)) {
                const auto more =
                    nlu::with_corpus_texts(nlu::read_labelled_ids(labels), texts.rows(), labels);
                rows.insert(rows.end(), more.begin(), more.end());
                from_corpus = more.size();
            }
        }
        const auto segmenter = segmenter_for(r.options, models);
        const auto save = [&](std::string_view file, const std::vector<nlu::labelled_text>& from) {
            std::size_t dropped = 0;
            const auto examples = prepare(from, *normalizer, &dropped, segmenter.get());
            const auto model = nlu::train(examples, r.options);
            const std::string path = out + "/" + std::string(file);
            model.save(path);
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::printf(
                "%-9s %5zu examples (%zu from the corpus by id, %zu repeats dropped), %6zu "
                "features, scale %.3f, %8zu bytes -> %s (%.1f s)\n",
                std::string(r.task).c_str(), examples.size(), from_corpus, dropped,
                model.model().keys.size(), model.model().scale, model.to_bytes().size(),
                path.c_str(), seconds);
        };
        save(r.file, rows);
        if (!r.short_file.empty()) {
            // The short register's model: the corpus and the short everyday appeals written for
            // this project (recipes.hpp).
            auto more = nlu::read_labelled_tsv(data_dir + "/category.tsv");
            rows.insert(rows.end(), more.begin(), more.end());
            save(r.short_file, rows);
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"minsheng-nlu: normalise, extract and classify Chinese citizen messages"};
    app.require_subcommand(1);
    app.fallthrough();
    std::string models = std::string(MINSHENG_DATA_DIR_DEFAULT) + "/models";
    app.add_option("--models", models, "directory of the model files and lexicon.txt")
        ->capture_default_str();

    auto* classify = app.add_subcommand(
        "classify", "stdin id<TAB>text lines -> stdout id<TAB>category<TAB>confidence");

    auto* understand = app.add_subcommand("understand", "one text -> JSON (stdin without TEXT)");
    std::string text;
    understand->add_option("text", text, "the message; read from stdin when absent");

    auto* eval = app.add_subcommand("eval", "evaluate a model on id<TAB>label<TAB>text data");
    eval_args ea;
    eval->add_option("--data", ea.data,
                     "labelled TSV file, or id<TAB>label file of corpus ids (repeatable: the "
                     "files are joined); for segments, one data/nlu/segments-*.tsv")
        ->required();
    eval->add_option("--task", ea.task,
                     "category | kind | intent | urgency | segments (problems per call, "
                     "data/nlu/segments-*.tsv) | certificate (intent and item on "
                     "data/nlu/certificate-heldout.tsv) | duplicate (one problem, one case: "
                     "data/duplicates/pairs.tsv; --cross-validate K folds the tuning part, "
                     "5 by default)")
        ->check(CLI::IsMember(
            {"category", "kind", "intent", "urgency", "segments", "certificate", "duplicate"}))
        ->capture_default_str();
    eval->add_option("--json", ea.json, "also write a Rasa-style intent_report.json here");
    eval->add_option("--cross-validate", ea.folds,
                     "K-fold cross-validation of the task's recipe on the data instead of "
                     "evaluating the shipped model");
    eval->add_option("--script", ea.script,
                     "as-is | traditional | both: evaluate the texts as written, converted to "
                     "Traditional script, or both with the gap")
        ->check(CLI::IsMember({"as-is", "traditional", "both"}))
        ->capture_default_str();
    eval->add_option("--seed", ea.seed,
                     "seed of the cross-validation folds (default: the recipe's), to see how "
                     "much the figures move with the split");
    eval->add_option("--repeat", ea.repeat,
                     "--cross-validate: repeat it on N splits (fold seeds: the first as "
                     "--seed gives it, then 1, 2, ...), each split's figures, their mean and "
                     "the reports pooled over the splits")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();

    ea.corpus = std::string(MINSHENG_DATA_DIR_DEFAULT) + "/../shared/corpus/appeals-train.tsv";
    eval->add_option("--corpus", ea.corpus,
                     "appeal corpus giving the texts of corpus ids (id<TAB>label files, and the "
                     "@ids of segments files)")
        ->capture_default_str();
    eval->add_flag("--errors", ea.errors,
                   "segments, certificate: list the ids whose count or answer is wrong; "
                   "duplicate: list every pair's gates and similarity");
    ea.short_data = std::string(MINSHENG_DATA_DIR_DEFAULT) + "/data/nlu/category.tsv";
    eval->add_option("--short-data", ea.short_data,
                     "category --cross-validate: the short everyday appeals that the model for "
                     "short messages also learns from (never scored)")
        ->capture_default_str();
    ea.certificates = std::string(MINSHENG_DATA_DIR_DEFAULT) + "/data/certificates.toml";
    eval->add_option("--certificates", ea.certificates, "certificate: the certificate list")
        ->capture_default_str();

    auto* train = app.add_subcommand("train", "rebuild the models (deterministic)");
    std::string corpus = ea.corpus;
    std::string data_dir = std::string(MINSHENG_DATA_DIR_DEFAULT) + "/data/nlu";
    std::string out;
    std::vector<std::string> tasks;
    train
        ->add_option("--corpus", corpus,
                     "appeal corpus for the category model and the texts of "
                     "data/nlu/corpus-<task>.tsv")
        ->capture_default_str();
    train
        ->add_option("--data", data_dir,
                     "directory of kind.tsv, intent.tsv, urgency.tsv, corpus-<task>.tsv and "
                     "category.tsv (the corpus and these: the model for short messages)")
        ->capture_default_str();
    train->add_option("--out", out, "where to write the models (default: --models)");
    train->add_option("--task", tasks, "only these tasks (repeatable)")
        ->check(CLI::IsMember({"category", "kind", "intent", "urgency"}));

    CLI11_PARSE(app, argc, argv);
    try {
        if (*classify) return run_classify(*nlu::engine::load(models));
        if (*understand) return run_understand(*nlu::engine::load(models), text, text.empty());
        if (*eval) {
            if (ea.folds == 1) throw std::runtime_error("--cross-validate needs K >= 2");
            return run_eval(models, ea);
        }
        if (*train) return run_train(corpus, data_dir, out.empty() ? models : out, tasks, models);
    } catch (const std::exception& e) {
        std::cerr << "minsheng-nlu: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
