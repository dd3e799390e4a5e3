#include "tools/nlu/duplicates.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "dialog/intake/appeal_sketch.hpp"
#include "tools/nlu/script.hpp"

namespace minsheng::tools::nlu {
namespace {

namespace cases = minsheng::dialog::cases;
using minsheng::dialog::geo_point;

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::size_t from = 0;
    for (;;) {
        const auto tab = line.find('\t', from);
        out.push_back(line.substr(from, tab == std::string::npos ? std::string::npos : tab - from));
        if (tab == std::string::npos) return out;
        from = tab + 1;
    }
}

std::optional<geo_point> parse_where(const std::string& s, const std::string& where) {
    if (s == "-" || s.empty()) return std::nullopt;
    const auto comma = s.find(',');
    if (comma == std::string::npos) throw std::runtime_error(where + ": where is lat,lng or -");
    try {
        return geo_point{std::stod(s.substr(0, comma)), std::stod(s.substr(comma + 1))};
    } catch (const std::exception&) {
        throw std::runtime_error(where + ": bad lat,lng");
    }
}

// The split: a pair is kept apart (never tuned on) when its id hashes to 0 mod 4 or starts with
// "k", "n" or "m" (pairs written after the problem words were chosen, never looked at while the
// decision was changed); the rest is the tuning part, split into folds by the hash of the seed
// and the id.
bool always_apart(const std::string& id) {
    return id.starts_with("k") || id.starts_with("n") || id.starts_with("m");
}

std::uint64_t fnv1a(const std::string& s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

struct scored {
    bool same = false;   // the label
    bool gated = false;  // same category, place and time: only the words decide
    double similarity = 0.0;
    bool possible = false;  // listed for operators by the shipped policy
    cases::duplicate_decision decision;
    std::string categories;  // the appeal's and the case's, "a/b"
    std::string places;      // the appeal's and the case's place keys, "a/b"
};

struct counts {
    std::size_t tp = 0, fp = 0, fn = 0, tn = 0;
    double precision() const { return tp + fp == 0 ? 1.0 : double(tp) / double(tp + fp); }
    double recall() const { return tp + fn == 0 ? 0.0 : double(tp) / double(tp + fn); }
};

counts count_at(const std::vector<const scored*>& items, double threshold) {
    counts c;
    for (const auto* s : items) {
        const bool said = s->gated && s->similarity >= threshold;
        if (said && s->same) ++c.tp;
        if (said && !s->same) ++c.fp;
        if (!said && s->same) ++c.fn;
        if (!said && !s->same) ++c.tn;
    }
    return c;
}

// The lowest threshold (best recall) whose precision on `items` reaches the target; 1.01 (never
// attach) when none does.
double tune(const std::vector<const scored*>& items, double target) {
    std::vector<double> candidates;
    for (const auto* s : items) {
        if (s->gated && s->same) candidates.push_back(s->similarity);
    }
    std::sort(candidates.begin(), candidates.end());
    for (double t : candidates) {
        if (t <= 0.0) continue;
        if (count_at(items, t).precision() >= target) return t;
    }
    return 1.01;
}

void print_counts(std::ostream& out, const char* name, const counts& c) {
    char line[200];
    std::snprintf(line, sizeof line,
                  "%-34s precision %.3f  recall %.3f  (attached right %zu, wrong %zu; missed "
                  "%zu; kept apart right %zu)\n",
                  name, c.precision(), c.recall(), c.tp, c.fp, c.fn, c.tn);
    out << line;
}

}  // namespace

std::vector<duplicate_pair> read_duplicate_pairs(const std::string& path,
                                                 const std::map<std::string, std::string>& corpus) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<duplicate_pair> out;
    std::string line;
    std::size_t number = 0;
    bool header = false;
    const auto text = [&](const std::string& s, const std::string& where) {
        if (s.empty()) throw std::runtime_error(where + ": empty text");
        if (s[0] != '@') return s;
        const auto it = corpus.find(s.substr(1));
        if (it == corpus.end()) throw std::runtime_error(where + ": no corpus row " + s);
        return it->second;
    };
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        const auto where = path + ":" + std::to_string(number);
        auto f = split_tabs(line);
        if (!header) {
            if (f.size() != 7 || f[0] != "id" || f[1] != "label") {
                throw std::runtime_error(where +
                                         ": header id<TAB>label<TAB>hours<TAB>appeal"
                                         "<TAB>appeal_where<TAB>case<TAB>case_where");
            }
            header = true;
            continue;
        }
        if (f.size() != 7) throw std::runtime_error(where + ": 7 fields expected");
        if (f[1] != "same" && f[1] != "different") {
            throw std::runtime_error(where + ": label is same or different");
        }
        duplicate_pair p;
        p.id = f[0];
        p.same = f[1] == "same";
        try {
            p.hours = std::stod(f[2]);
        } catch (const std::exception&) {
            throw std::runtime_error(where + ": bad hours");
        }
        p.appeal = text(f[3], where);
        p.appeal_at = parse_where(f[4], where);
        p.open_case = text(f[5], where);
        p.case_at = parse_where(f[6], where);
        for (const auto& q : out) {
            if (q.id == p.id) throw std::runtime_error(where + ": id repeats");
        }
        out.push_back(std::move(p));
    }
    if (!header) throw std::runtime_error(path + ": no header");
    return out;
}

int print_duplicate_eval(std::ostream& out, const minsheng::dialog::nlu::engine& engine,
                         const std::vector<duplicate_pair>& pairs, std::uint32_t folds,
                         double target, bool traditional, bool list, std::uint64_t seed) {
    namespace intake = minsheng::dialog::intake;
    const cases::duplicate_policy shipped;
    cases::duplicate_policy gate = shipped;  // the gates alone: every similarity passes
    gate.attach_at = 0.0;
    gate.review_at = 0.0;
    std::unique_ptr<to_traditional> convert;
    if (traditional) convert = std::make_unique<to_traditional>();

    const auto score = [&](const duplicate_pair& p, bool converted) {
        const std::int64_t t0 = 1772416800;  // any time: only the difference counts
        const auto at = t0 + static_cast<std::int64_t>(p.hours * 3600.0);
        const auto a = converted ? (*convert)(p.appeal) : p.appeal;
        const auto sa = intake::sketch_of(engine.understand(a), p.appeal_at, at);
        const auto sb = intake::sketch_of(engine.understand(p.open_case), p.case_at, t0);
        scored s;
        s.same = p.same;
        s.decision = cases::judge_duplicate(sa, sb, gate);
        s.gated = s.decision.verdict == cases::duplicate_verdict::same;
        s.similarity = s.decision.similarity;
        s.categories = sa.category + "/" + sb.category;
        s.places = sa.place + "/" + sb.place;
        s.possible =
            cases::judge_duplicate(sa, sb, shipped).verdict == cases::duplicate_verdict::possible;
        return s;
    };
    std::vector<scored> plain;
    std::vector<scored> converted;
    for (const auto& p : pairs) {
        plain.push_back(score(p, false));
        if (traditional) converted.push_back(score(p, true));
    }

    std::vector<bool> kept_apart;
    std::vector<std::size_t> fold_of;
    std::size_t same = 0, tuning_size = 0;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const auto h = fnv1a(pairs[i].id);
        same += pairs[i].same ? 1 : 0;
        kept_apart.push_back(h % 4 == 0 || always_apart(pairs[i].id));
        tuning_size += kept_apart.back() ? 0 : 1;
        const auto f = seed == 0 ? h / 4 : fnv1a(std::to_string(seed) + ":" + pairs[i].id);
        fold_of.push_back(static_cast<std::size_t>(f % (folds ? folds : 1)));
    }
    out << "task duplicate: " << pairs.size() << " pairs (" << same << " same problem, "
        << pairs.size() - same << " different); " << tuning_size << " to tune on, "
        << pairs.size() - tuning_size << " kept apart\n";
    char line[200];
    std::snprintf(line, sizeof line,
                  "target precision %.2f; the attach threshold is the lowest "
                  "reaching it on the pairs tuned on\n\n",
                  target);
    out << line;

    // Why same-problem pairs fail the gates (before the words are compared).
    std::size_t no_category = 0, no_place = 0, not_recent = 0;
    std::size_t cross_same = 0, cross_different = 0;
    std::size_t conflicts_same = 0, conflicts_different = 0;
    for (const auto& s : plain) {
        if (s.decision.conflict != cases::duplicate_conflict::none) {
            (s.same ? conflicts_same : conflicts_different) += 1;
        }
        if (s.decision.cross_category) (s.same ? cross_same : cross_different) += 1;
        if (!s.same) continue;
        if (!s.decision.same_category && !s.decision.cross_category) ++no_category;
        if (!s.decision.same_place) ++no_place;
        if (!s.decision.recent) ++not_recent;
    }
    out << "same-problem pairs failing a gate: category " << no_category << ", place " << no_place
        << ", time " << not_recent << "\n"
        << "pairs let through the category gate as a confusable pair naming the same things: "
        << cross_same << " same problem, " << cross_different << " different\n"
        << "pairs with a conflict (other thing, fault or place): " << conflicts_same
        << " same problem, " << conflicts_different << " different\n";

    const auto figures = [&](const std::vector<scored>& set, const char* title) {
        out << "\n" << title << "\n";
        std::vector<const scored*> tuning, apart, all;
        std::vector<std::size_t> fold;
        for (std::size_t i = 0; i < set.size(); ++i) {
            all.push_back(&set[i]);
            if (kept_apart[i]) {
                apart.push_back(&set[i]);
            } else {
                tuning.push_back(&set[i]);
                fold.push_back(fold_of[i]);
            }
        }
        if (folds >= 2) {
            counts total;
            for (std::uint32_t k = 0; k < folds; ++k) {
                std::vector<const scored*> train;
                std::vector<const scored*> test;
                for (std::size_t i = 0; i < tuning.size(); ++i) {
                    (fold[i] == k ? test : train).push_back(tuning[i]);
                }
                const auto c = count_at(test, tune(train, target));
                total.tp += c.tp;
                total.fp += c.fp;
                total.fn += c.fn;
                total.tn += c.tn;
            }
            std::snprintf(line, sizeof line, "%u-fold cross-validation, seed %llu", folds,
                          static_cast<unsigned long long>(seed));
            print_counts(out, line, total);
        }
        const double tuned = tune(tuning, target);
        std::snprintf(line, sizeof line,
                      "threshold tuned on the tuning part: %.3f (shipped %.3f)\n", tuned,
                      shipped.attach_at);
        out << line;
        print_counts(out, "tuned, on the tuning part", count_at(tuning, tuned));
        print_counts(out, "tuned, on the pairs kept apart", count_at(apart, tuned));
        print_counts(out, "shipped, on the tuning part", count_at(tuning, shipped.attach_at));
        print_counts(out, "shipped, on the pairs kept apart", count_at(apart, shipped.attach_at));
        for (const char* prefix : {"k", "n", "m"}) {
            std::vector<const scored*> written_after;
            for (std::size_t i = 0; i < pairs.size(); ++i) {
                if (pairs[i].id.starts_with(prefix)) written_after.push_back(&set[i]);
            }
            if (written_after.empty()) continue;
            std::snprintf(line, sizeof line, "shipped, on the %s pairs alone", prefix);
            print_counts(out, line, count_at(written_after, shipped.attach_at));
        }
        print_counts(out, "shipped, on all pairs", count_at(all, shipped.attach_at));
    };
    figures(plain, "as written:");
    if (traditional) figures(converted, "appeal converted to Traditional script:");
    out << "\n";
    // Near misses an operator would see as possible duplicates.
    std::size_t possible_same = 0, possible_different = 0;
    for (const auto& s : plain) {
        if (s.possible) (s.same ? possible_same : possible_different) += 1;
    }
    out << "possible duplicates listed for operators (shipped): " << possible_same
        << " same problem, " << possible_different << " different\n";
    if (list) {
        out << "\nid\tlabel\tpart\tcategory\tplace\ttime\tsimilarity\tconflict\tcategories\tplaces"
               "\n";
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            const auto& d = plain[i].decision;
            static constexpr const char* conflicts[] = {"-", "object", "fault", "place"};
            const bool kept = fnv1a(pairs[i].id) % 4 == 0 || always_apart(pairs[i].id);
            std::snprintf(
                line, sizeof line, "%s\t%s\t%s\t%s\t%d\t%d\t%.3f\t%s\t", pairs[i].id.c_str(),
                pairs[i].same ? "same" : "different", kept ? "apart" : "tune",
                d.same_category    ? "1"
                : d.cross_category ? "x"
                                   : "0",
                d.same_place, d.recent, d.similarity, conflicts[static_cast<int>(d.conflict)]);
            out << line << plain[i].categories << "\t" << plain[i].places << "\n";
        }
    }
    return 0;
}

}  // namespace minsheng::tools::nlu
