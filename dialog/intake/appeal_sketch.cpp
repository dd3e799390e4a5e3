#include "dialog/intake/appeal_sketch.hpp"

#include <string>

namespace minsheng::dialog::intake {

cases::appeal_sketch sketch_of(const nlu::understanding& u, std::optional<geo_point> location,
                               std::int64_t at) {
    cases::appeal_sketch s;
    s.category = u.category.name;
    s.location = location;
    s.at = at;
    s.words = u.normalised;
    // The longest address names the place; every address leaves the words, so that two
    // problems on one street do not look alike for the street's name.
    for (const auto& e : u.entities) {
        if (e.type != "address") continue;
        auto key = cases::place_key(e.value);
        if (key.size() > s.place.size()) s.place = std::move(key);
        if (s.building.empty()) s.building = cases::building_of(e.value);
        for (auto at_ = s.words.find(e.value); !e.value.empty() && at_ != std::string::npos;
             at_ = s.words.find(e.value, at_)) {
            s.words.replace(at_, e.value.size(), " ");
        }
    }
    s.features = std::make_shared<const cases::word_features>(cases::features_of(s.words));
    return s;
}

cases::appeal_sketch sketch_of(const nlu::engine& engine, const case_record& c,
                               sketch_cache* cache) {
    std::optional<cases::appeal_sketch> kept;
    if (cache && c.id != 0) kept = cache->find(c.id, c.description);
    if (!kept) {
        kept = sketch_of(engine.understand(c.description), std::nullopt, 0);
        if (cache && c.id != 0) cache->keep(c.id, c.description, *kept);
    }
    auto s = std::move(*kept);
    s.location = c.location;
    s.at = c.created_at;
    if (!c.category.empty()) s.category = c.category;
    if (s.place.empty() && !c.address.empty()) s.place = cases::place_key(c.address);
    if (s.building.empty() && !c.address.empty()) s.building = cases::building_of(c.address);
    return s;
}

}  // namespace minsheng::dialog::intake
