#include "dialog/nlu/extractor.hpp"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "dialog/nlu/detail/address_scanner.hpp"
#include "dialog/nlu/detail/candidate.hpp"
#include "dialog/nlu/detail/date_time_scanner.hpp"
#include "dialog/nlu/detail/number_scanner.hpp"

namespace minsheng::dialog::nlu {

using detail::candidate;

// The scanners (detail/) find candidates; the extractor screens the text once with all their
// patterns, settles overlaps and maps spans back to the original text.
struct extractor::impl {
    detail::number_scanner numbers;
    detail::date_time_scanner dates_and_times;
    detail::address_scanner addresses;

    // One pass over the text tells which patterns can match at all: the number scanner's
    // patterns first, then the date and time scanner's.
    std::size_t number_patterns = 0;
    std::size_t all_patterns = 0;
    std::unique_ptr<RE2::Set> screen;

    impl() {
        RE2::Options options;
        options.set_log_errors(false);
        options.set_max_mem(32 << 20);
        screen = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
        auto add = [&](const std::vector<std::string>& patterns) {
            for (const auto& pattern : patterns) {
                std::string error;
                if (screen->Add(pattern, &error) < 0)
                    throw std::runtime_error("extractor: pattern " + pattern + ": " + error);
            }
            return patterns.size();
        };
        number_patterns = add(numbers.patterns());
        all_patterns = number_patterns + add(dates_and_times.patterns());
        if (!screen->Compile()) throw std::runtime_error("extractor: patterns do not compile");
    }

    std::vector<candidate> find(std::string_view text, std::int64_t now) const;
};

std::vector<candidate> extractor::impl::find(std::string_view text, std::int64_t now) const {
    std::vector<candidate> found;
    if (text.empty()) return found;
    std::vector<bool> live(all_patterns, true);
    std::vector<int> hits;
    RE2::Set::ErrorInfo error{};
    const bool any = screen->Match(re2::StringPiece(text.data(), text.size()), &hits, &error);
    if (any || error.kind == RE2::Set::kNoError) {
        // Without an error the set's answer is exact; on one (DFA out of memory) run them all.
        live.assign(all_patterns, false);
        for (int h : hits) live[static_cast<std::size_t>(h)] = true;
    }
    if (std::find(live.begin(), live.end(), true) == live.end()) {
        addresses.scan(text, std::vector<bool>(text.size() + 1, false), found);
        return found;
    }
    const auto split = live.begin() + static_cast<std::ptrdiff_t>(number_patterns);
    numbers.scan(text, std::vector<bool>(live.begin(), split), found);
    dates_and_times.scan(text, std::vector<bool>(split, live.end()), now, found);

    // Overlaps: the better rank wins, then the longer match, then the earlier one.
    std::stable_sort(found.begin(), found.end(), [](const candidate& a, const candidate& b) {
        if (a.rank != b.rank) return a.rank < b.rank;
        if (a.end - a.begin != b.end - b.begin) return a.end - a.begin > b.end - b.begin;
        return a.begin < b.begin;
    });
    std::vector<candidate> kept;
    std::vector<bool> taken(text.size() + 1, false);
    for (auto& c : found) {
        bool clash = false;
        for (std::size_t i = c.begin; i < c.end && !clash; ++i) clash = taken[i];
        if (clash) continue;
        for (std::size_t i = c.begin; i < c.end; ++i) taken[i] = true;
        kept.push_back(std::move(c));
    }
    addresses.scan(text, taken, kept);
    std::sort(kept.begin(), kept.end(),
              [](const candidate& a, const candidate& b) { return a.begin < b.begin; });
    return kept;
}

std::shared_ptr<const extractor> extractor::create() {
    return std::shared_ptr<const extractor>(new extractor(std::make_unique<impl>()));
}

extractor::extractor(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
extractor::~extractor() = default;

std::vector<entity> extractor::extract(const normalised_text& text, std::string_view original,
                                       std::int64_t now) const {
    std::vector<entity> out;
    for (auto& c : impl_->find(text.text, now)) {
        auto [b, e] = text.to_original(c.begin, c.end);
        out.push_back(entity{std::string(c.type), std::string(original.substr(b, e - b)),
                             std::move(c.value), span{b, e}});
    }
    return out;
}

std::vector<span> extractor::personal_characters(const normalised_text& text,
                                                 std::string_view original) const {
    std::vector<span> out;
    for (const auto& c : impl_->find(text.text, 0)) {
        for (auto [nb, ne] : c.secret) {
            auto [b, e] = text.to_original(nb, ne);
            if (e > b && e <= original.size()) out.push_back(span{b, e});
        }
    }
    return out;
}

}  // namespace minsheng::dialog::nlu
