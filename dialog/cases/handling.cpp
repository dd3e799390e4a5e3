#include "dialog/cases/handling.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <utility>

namespace minsheng::dialog::cases {
namespace {

bool known_mode(std::string_view m) {
    return m == mode::express || m == mode::direct || m == mode::station || m == mode::workers;
}

bool listed_or_any(const std::vector<std::string>& list, std::string_view value) {
    return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

bool any_keyword(const std::vector<std::string>& keywords, std::string_view text) {
    if (keywords.empty()) return true;
    return std::any_of(keywords.begin(), keywords.end(), [&](const std::string& k) {
        return !k.empty() && text.find(k) != std::string_view::npos;
    });
}

}  // namespace

std::string_view mode_label(std::string_view m) {
    if (m == mode::express) return "速递";
    if (m == mode::direct) return "直达";
    if (m == mode::station) return "驿站";
    return "";
}

bool on_wish_wall(std::string_view m) { return m == mode::direct || m == mode::station; }

handling_rules handling_rules::defaults() {
    handling_rule urgent{"urgent-wish", std::string(mode::express), {"wish"}, {"urgent"}, {}, {}};
    // Services a volunteer team at a station (驿站) gives at home or nearby.
    handling_rule station{
        "station-service",
        std::string(mode::station),
        {"wish"},
        {},
        {},
        {"陪伴", "陪护", "陪诊", "陪聊", "聊天", "理发", "剪发", "维修", "修理",
         "家电", "辅导", "补习", "作业", "送餐", "助餐", "助浴", "洗澡", "打扫",
         "清洁", "保洁", "探访", "探望", "代购", "代买", "买菜", "读报", "量血压"}};
    handling_rule pool{"wish-pool", std::string(mode::direct), {"wish"}, {}, {}, {}};
    handling_rule rest{"default", std::string(mode::workers), {}, {}, {}, {}};
    return handling_rules(
        {std::move(urgent), std::move(station), std::move(pool), std::move(rest)});
}

handling_rules::handling_rules(std::vector<handling_rule> rules) : rules_(std::move(rules)) {
    std::set<std::string, std::less<>> names;
    for (std::size_t i = 0; i < rules_.size(); ++i) {
        const auto& r = rules_[i];
        if (r.name.empty())
            throw std::invalid_argument("handling rule #" + std::to_string(i + 1) +
                                        ": the name is empty");
        if (!names.insert(r.name).second)
            throw std::invalid_argument("handling rule \"" + r.name + "\": the name is repeated");
        if (!known_mode(r.mode))
            throw std::invalid_argument("handling rule \"" + r.name + "\": unknown mode \"" +
                                        r.mode + "\" (express, direct, station or empty)");
    }
}

const handling_rule* handling_rules::choose(const case_draft& draft,
                                            std::string_view normalised_description) const {
    const std::string_view text = normalised_description.empty()
                                      ? std::string_view(draft.description)
                                      : normalised_description;
    for (const auto& r : rules_) {
        if (listed_or_any(r.kinds, draft.kind) && listed_or_any(r.urgencies, draft.urgency) &&
            listed_or_any(r.categories, draft.category) && any_keyword(r.keywords, text))
            return &r;
    }
    return nullptr;
}

}  // namespace minsheng::dialog::cases
