#pragma once
// What the duplicate search learns from an open case's description (its understanding: the
// category guessed, the words without the places, the place and the building), kept by case id
// so that the same open case is not understood again for every appeal that meets it. A new
// appeal's own sketch is kept by its text (keep_text) until a case with that description is met
// (the case it opened), which then adopts it: a case just opened is not understood a second time
// when the next appeal meets it. An entry
// holds only while the description it came from is unchanged (checked by a 64-bit hash and the
// length on every lookup), so a case whose description grew (a detail added) is understood
// afresh; what the case record says beside it (category, address, coordinates, time) is applied
// by sketch_of as before. Bounded: the least recently used entry goes first. Thread-safe: a mutex
// around the map, never held while understanding.

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "dialog/cases/duplicates.hpp"

namespace minsheng::dialog::intake {

class sketch_cache {
public:
    explicit sketch_cache(std::size_t capacity = 4096);

    // The sketch of case `case_id`'s description `description` as kept, if it is still that
    // description's.
    std::optional<cases::appeal_sketch> find(std::int64_t case_id, std::string_view description);
    // Keeps `s` (the sketch of the description alone: no location, time or stored fields).
    void keep(std::int64_t case_id, std::string_view description, const cases::appeal_sketch& s);
    // Keeps `s`, the sketch of an appeal's text alone, for the case it may open.
    void keep_text(std::string_view text, const cases::appeal_sketch& s);

    std::size_t size() const;
    std::uint64_t hits() const;
    std::uint64_t misses() const;

private:
    struct entry {
        std::int64_t case_id = 0;  // 0: kept by its text, no case yet
        std::uint64_t hash = 0;
        std::size_t length = 0;
        cases::appeal_sketch sketch;
    };
    std::size_t capacity_;
    mutable std::mutex mu_;
    std::list<entry> order_;  // most recently used first
    std::unordered_map<std::int64_t, std::list<entry>::iterator> by_case_;
    std::unordered_map<std::uint64_t, std::list<entry>::iterator> by_text_;

    void push(entry e);  // newest; the oldest out when over capacity (mu_ held)
    std::uint64_t hits_ = 0;
    std::uint64_t misses_ = 0;
};

}  // namespace minsheng::dialog::intake
