#pragma once
// Handling modes and the explicit rules that choose one for a new case. The first rule whose
// every condition matches wins; its name is recorded on the case so an operator sees why.
//
//   express  莞家速递: urgent individual need; case workers act at once with direct funds
//   direct   莞家直达: a larger need, published on the wish wall for the resource pool
//            (companies, NGOs, citizens, volunteers) to claim
//   station  莞家驿站: a volunteer service at a service station, published on the wish wall
//   ""       handled by case workers (complaints, consultations, public projects)
//
// Values; const methods are thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/ports.hpp"

namespace minsheng::dialog::cases {

namespace mode {
inline constexpr std::string_view express = "express";
inline constexpr std::string_view direct = "direct";
inline constexpr std::string_view station = "station";
inline constexpr std::string_view workers = "";
}  // namespace mode

// "速递", "直达", "驿站", "" for workers: how residents and operators call each mode.
std::string_view mode_label(std::string_view mode);
// Modes whose cases are published on the wish wall and claimed by volunteers.
bool on_wish_wall(std::string_view mode);

struct handling_rule {
    std::string name;  // unique, e.g. "urgent-wish"
    std::string mode;  // one of the modes above
    // Conditions; an empty list matches anything.
    std::vector<std::string> kinds;       // draft.kind in this list
    std::vector<std::string> urgencies;   // draft.urgency in this list
    std::vector<std::string> categories;  // draft.category in this list
    std::vector<std::string> keywords;    // description contains at least one (Simplified text)

    friend bool operator==(const handling_rule&, const handling_rule&) = default;
};

class handling_rules {
public:
    // urgent-wish     kind wish, urgency urgent                        → express
    // station-service kind wish, keywords of home services (陪伴, 理发, 维修, 辅导, 送餐, ...) →
    // station wish-pool       kind wish                                        → direct default
    // anything                                         → "" (workers)
    static handling_rules defaults();

    // Throws std::invalid_argument naming the rule if a name is empty or repeated or a mode is
    // unknown (a configuration error found at start-up).
    explicit handling_rules(std::vector<handling_rule> rules);

    // The first matching rule, or nullptr when none matches (the case then goes to workers with
    // rule name "none"). `normalised_description` is the Simplified text keywords are sought in.
    const handling_rule* choose(const case_draft& draft,
                                std::string_view normalised_description) const;

    const std::vector<handling_rule>& rules() const { return rules_; }

private:
    std::vector<handling_rule> rules_;
};

}  // namespace minsheng::dialog::cases
