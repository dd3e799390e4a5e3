#pragma once
// The understanding of a text as dialog/cases/duplicates.hpp compares it: the classifier's
// category (its best guess, unsure or not: both sides of a comparison are guessed alike), the
// place the extractor finds, and the words without the places. Pure; thread-safe given a shared
// immutable engine; never throws for any text.

#include <cstdint>
#include <optional>
#include <string_view>

#include "dialog/cases/duplicates.hpp"
#include "dialog/intake/sketch_cache.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/ports.hpp"

namespace minsheng::dialog::intake {

// A new appeal: its text as understood, where the channel said it is (if it did), and when.
cases::appeal_sketch sketch_of(const nlu::understanding& u, std::optional<geo_point> location,
                               std::int64_t at);

// An open case: its description understood again (or as `cache` kept it, when given and still
// that description's); the stored category when it has one.
cases::appeal_sketch sketch_of(const nlu::engine& engine, const case_record& c,
                               sketch_cache* cache = nullptr);

}  // namespace minsheng::dialog::intake
