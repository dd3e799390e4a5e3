#pragma once
// What the mini program API accepts: JSON object bodies read field by field (the first problem
// wins and names its refusal), and the validators of numbers, phones, places and categories.
// Pure functions and a reader over a caller's JSON value; thread-safe; nothing here throws
// except std::bad_alloc.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/ports.hpp"
#include "gateway/mp/refusal.hpp"
#include "gateway/server/config.hpp"

namespace minsheng::gateway::mp {

using json = nlohmann::json;

// The body as a JSON object; an empty (or blank) body is {}. nullopt for anything else.
std::optional<json> object_body(std::string_view body);

// Reads fields of a JSON object body into the caller's variables. Each reader does nothing once
// a problem was found; an absent (or null) optional field leaves its variable alone. Holds a
// reference to the body: use it while the body lives.
class body_fields {
public:
    explicit body_fields(const json& j) : j_(j) {}
    // The refusal of the first problem, or nullopt.
    const std::optional<refusal>& problem() const { return problem_; }
    bool ok() const { return !problem_; }
    bool has(const char* k) const { return j_.contains(k) && !j_[k].is_null(); }
    // Records `why` unless a problem was already found (checks the caller makes itself).
    void fail(refusal why) {
        if (ok()) problem_ = why;
    }

    // A string of min..max code points after trimming, valid UTF-8.
    void text(const char* k, std::string& out, std::size_t min, std::size_t max, bool required,
              refusal bad);
    // An optional string that must be one of `allowed`.
    void one_of(const char* k, std::string& out, const std::vector<std::string_view>& allowed,
                refusal bad);
    // An integer in [min, max].
    void integer(const char* k, int& out, int min, int max, bool required, refusal bad);
    // An optional true or false.
    void flag(const char* k, bool& out, refusal bad);
    // An optional {"lat": <number>, "lng": <number>} on the globe.
    void location(const char* k, std::optional<dialog::geo_point>& out, refusal bad);
    // An optional array of at most max_items ids (1..128 printable ASCII characters each).
    void ids(const char* k, std::vector<std::string>& out, std::size_t max_items, refusal bad);
    // A required "community": 1..30 code points, one of the configured communities when any
    // are configured (else unknown_community).
    void community(const config& cfg, std::string& out);

private:
    const json& j_;
    std::optional<refusal> problem_;
};

// `s` without leading and trailing ASCII white space.
std::string trimmed(std::string_view s);
// Every character printable ASCII, no space.
bool ascii_printable(std::string_view s);
// An 11-digit mainland mobile number: 1, then 3..9, then nine digits.
bool mainland_mobile(std::string_view p);
// A case, wish or proposal number as the store writes them (WX20261123-0001): 1..32 letters,
// digits and dashes (find_case takes them case-insensitively, with or without the dash).
bool plausible_number(std::string_view n);
// "lat,lng" → a point on the globe, or nullopt.
std::optional<dialog::geo_point> parse_near(std::string_view s);
// The case categories a form may choose.
const std::vector<std::string_view>& categories();

}  // namespace minsheng::gateway::mp
