#pragma once
// One problem, one case: whether a new appeal is, with high probability, the same problem as an
// open case (docs/nlu.md, "Duplicates"). Pure functions of their arguments over plain values
// (the understanding is turned into a sketch by dialog/intake/appeal_sketch.hpp): safe from any
// thread.
//
// Same problem = the same category (the classifier's), close in place (the haversine distance
// within the category's radius when both have coordinates, otherwise the same normalised
// address), close in time (the case was opened at most max_age_seconds before the appeal),
// similar words (words_similarity: the problem words and the character bigrams both texts use,
// places and common words left out), and no conflict: the texts do not name other things (a
// sewer, a manhole cover), other faults of one thing (a lift that traps people, a lift out of
// use) or, near by their coordinates, other places. The threshold was chosen on data/duplicates/
// (minsheng-nlu eval --task duplicate).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialog/ports.hpp"

namespace minsheng::dialog::cases {

// What the decision reads from a sketch's words: computed once per text (features_of) rather
// than once per pair compared, which is what the intake's search does many times over.
struct word_features {
    std::vector<std::uint64_t> bigrams;  // content bigrams, two code points packed; sorted, unique
    std::uint64_t problems = 0;          // problem word lines (bits)
    std::uint64_t objects = 0;           // object lines (bits), longest words first
    std::uint64_t faults = 0;            // fault lines (bits)
};
word_features features_of(std::string_view words);

// What the decision compares, for a new appeal or for an open case.
struct appeal_sketch {
    std::string category;               // the classifier's; "" when unsure
    std::optional<geo_point> location;  // when the channel sent coordinates
    std::string place;                  // place_key() of the address; "" none
    std::string words;                  // normalised text with the places taken out
    std::int64_t at = 0;                // when filed (the case: created_at), unix seconds
    std::string building;               // building_of() the address; "" none
    // features_of(words), when the sketch's maker computed it; judge_duplicate computes it
    // otherwise. Must be of these words.
    std::shared_ptr<const word_features> features;
};

struct duplicate_policy {
    double radius_m = 250.0;                  // how near counts as the same place
    std::map<std::string, double> radius_by;  // per category, overriding radius_m
    std::int64_t max_age_seconds = 30 * 86400;
    // similarity >= attach_at: the same problem (attach as a follower);
    // review_at <= similarity < attach_at (and everything else the same): a possible duplicate
    // for operators to look at.
    double attach_at = 0.23;
    double review_at = 0.15;
    // Pairs of categories the classifier gives one problem at a place (a lift 城乡建设 or
    // 商贸旅游, a pit 城乡建设 or 交通运输, night works 城乡建设 or 环境保护, stray dogs 城乡建设
    // or 教育文体): an open case of the other category of such a pair is a candidate too, and
    // passes the category gate when both texts name the same things (the same object lines) and
    // nothing conflicts (duplicate_decision::cross_category).
    std::vector<std::pair<std::string, std::string>> confusable = {
        {"城乡建设", "交通运输"},
        {"城乡建设", "商贸旅游"},
        {"城乡建设", "环境保护"},
        {"城乡建设", "教育文体"},
    };

    double radius_for(std::string_view category) const;
    // Whether `a` and `b` are two categories of a confusable pair (either order).
    bool confusable_categories(std::string_view a, std::string_view b) const;
    // The categories whose open cases may be the same problem as an appeal of `category`: itself
    // first, then the other category of each confusable pair it is in; none for "".
    std::vector<std::string> categories_for(std::string_view category) const;
};

enum class duplicate_verdict { different, possible, same };

// Why two texts that pass the gates still are not the same problem: they name other things
// (a manhole cover and a sewer), other faults of one thing (a lift that traps people and one out
// of use), or, near by their coordinates, other places.
enum class duplicate_conflict { none, object, fault, place };

struct duplicate_decision {
    duplicate_verdict verdict = duplicate_verdict::different;
    double similarity = 0.0;  // of the words, 0..1
    bool same_category = false;
    // Another category, but a confusable pair, both texts naming the same objects, and no
    // conflict: passes the category gate like same_category.
    bool cross_category = false;
    bool same_place = false;
    bool recent = false;
    double distance_m = -1.0;  // when both have coordinates; -1 otherwise
    duplicate_conflict conflict = duplicate_conflict::none;  // any: never `same`
};

// The decision for `appeal` against the open case `open_case`. The gates: same_category (or
// cross_category), same_place, recent.
duplicate_decision judge_duplicate(const appeal_sketch& appeal, const appeal_sketch& open_case,
                                   const duplicate_policy& policy);

// A person's own open wish or project (`open_case`) told again by them (`appeal`): the same as
// judge_duplicate, except that neither place nor age is a gate. A family's need is where they
// live, not where they say it, and it stays theirs while the wish is open; two places named that
// differ, another thing named, or another category still keep them apart.
duplicate_decision judge_own_need(const appeal_sketch& appeal, const appeal_sketch& open_case,
                                  const duplicate_policy& policy);

// How much the two texts say the same thing, 0..1: when both name problem words (things and
// faults: 路灯, 不亮, 井盖, 堵, ...), the mean of the share of problem words they have in common
// (Jaccard) and the word overlap; otherwise the word overlap alone. The word overlap is the
// share of the shorter text's content bigrams found in the other (common function characters and
// petition phrases left out).
double words_similarity(std::string_view a, std::string_view b);

// The object lines (路灯, 井盖, 电梯, ...) a normalised text names, as bits: what the "other
// things" conflict and the cross-category gate compare. Two texts with no bit in common never pass
// the cross-category gate, which lets the intake skip such candidates before understanding them.
std::uint64_t object_lines(std::string_view text);

// An address as a place to compare: the normalised address without house, building, unit,
// floor and room numbers ("人民路12号3栋" → "人民路"); "" when nothing is left.
std::string place_key(std::string_view address);

// A place key without the city, district, county, town and street-office units it starts with
// ("东城区幸福路" → "幸福路", "A市东城街道光明社区" → "光明社区", "幸福农贸市场" unchanged): the
// part a key of the same place (same_place) usually shares whether or not it names those units.
// "" when less than two characters are left. What the intake's search by place looks for in open
// cases' addresses and descriptions.
std::string place_core(std::string_view key);

// The first building-level number of an address, its unit made one ("3栋", "3号楼", "3幢" and
// "3座" all give "3#"); "" when it has none. Two appeals naming different buildings are about
// different places even in one compound.
std::string building_of(std::string_view address);

// Whether two place keys name the same place: equal, or one ends the other ("中山市人民路" and
// "人民路") and the shorter is more than a city, district or county.
bool same_place(std::string_view a, std::string_view b);

}  // namespace minsheng::dialog::cases
