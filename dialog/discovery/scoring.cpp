#include "dialog/discovery/scoring.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

namespace minsheng::dialog::discovery {

namespace {

bool has_any(std::string_view text, std::initializer_list<std::string_view> words) {
    return std::any_of(words.begin(), words.end(),
                       [&](std::string_view w) { return text.find(w) != std::string_view::npos; });
}

// Words of each need, Simplified and Traditional (descriptions are stored as written).
bool medical(std::string_view t) {
    return has_any(t, {"医药费", "醫藥費", "医疗费", "醫療費", "看病", "住院", "治病", "手术",
                       "手術", "化疗", "化療", "透析", "药费", "藥費", "医保", "醫保", "大病"});
}
bool schooling(std::string_view t) {
    return has_any(t, {"学费", "學費", "学杂费", "學雜費", "上学", "上學", "入学", "入學", "辍学",
                       "輟學", "助学", "助學", "书本费", "書本費", "生活费", "生活費"});
}
bool housing_need(std::string_view t) {
    return has_any(t, {"房租", "租房", "住房", "危房", "漏雨", "无处住", "無處住", "没地方住",
                       "沒地方住", "廉租", "公租房"});
}
bool work_loss(std::string_view t) {
    return has_any(t,
                   {"欠薪",   "拖欠工资", "拖欠工資", "欠工资", "欠工資", "工资没发", "工資沒發",
                    "讨薪",   "討薪",     "失业",     "失業",   "下岗",   "下崗",     "没活干",
                    "沒活幹", "被辞退",   "被辭退",   "裁员",   "裁員",   "没有工作", "沒有工作"});
}

}  // namespace

std::string_view to_string(outcome o) {
    switch (o) {
        case outcome::granted:
            return "granted";
        case outcome::referred:
            return "referred";
        case outcome::not_needed:
            return "not_needed";
    }
    return "referred";
}

std::optional<outcome> parse_outcome(std::string_view text) {
    for (auto o : {outcome::granted, outcome::referred, outcome::not_needed})
        if (text == to_string(o)) return o;
    return std::nullopt;
}

policy policy::defaults() {
    policy p;
    p.own_weights = {
        {std::string(medical_bills), 2.0},    {std::string(school_fees), 2.0},
        {std::string(housing), 1.5},          {std::string(urgent_medical), 3.0},
        {std::string(urgent_schooling), 3.0}, {std::string(lost_work), 2.0},
        {std::string(repeated_wishes), 1.0},
    };
    return p;
}

double policy::weight_of(const signal& s) const {
    if (s.source == hotline_source || s.source == own_source) {
        auto it = own_weights.find(s.indicator);
        return it == own_weights.end() ? 0.0 : it->second;
    }
    return department_weight;
}

bool marks_assistance(std::string_view indicator) {
    return has_any(indicator, {"在册", "在冊", "已纳入", "已納入"});
}

std::vector<std::string_view> needs_of_case(std::string_view kind, std::string_view urgency,
                                            std::string_view description, bool from_hotline) {
    std::vector<std::string_view> out;
    const bool urgent = urgency == "urgent";
    // Wishes and consultations say what the resident lacks; complaints and projects are about
    // the neighbourhood, not the household, except a call about wages or work.
    const bool about_household = kind == "wish" || kind == "consultation" || from_hotline;
    if (about_household) {
        if (medical(description)) out.push_back(urgent ? urgent_medical : medical_bills);
        if (schooling(description)) out.push_back(urgent ? urgent_schooling : school_fees);
        if (housing_need(description)) out.push_back(housing);
    }
    if (work_loss(description) && (from_hotline || about_household)) out.push_back(lost_work);
    return out;
}

std::vector<ranked> rank(const std::vector<household>& households, const policy& p,
                         std::int64_t now) {
    std::vector<ranked> out;
    for (const auto& h : households) {
        if (h.on_assistance_list) continue;
        bool referred = false;
        if (h.last_visit) {
            if (h.last_visit->result == outcome::referred)
                referred = true;
            else if (h.last_visit->at + p.quiet_seconds > now)
                continue;
        }
        // One signal per (source, indicator): the newest inside the window.
        std::map<std::pair<std::string, std::string>, const signal*> distinct;
        for (const auto& s : h.signals) {
            if (s.at + p.window_seconds < now || p.weight_of(s) <= 0.0) continue;
            // Signals from before a visit were seen by it: only newer ones count again.
            if (h.last_visit && !referred && s.at <= h.last_visit->at) continue;
            auto& slot = distinct[{s.source, s.indicator}];
            if (slot == nullptr || s.at > slot->at) slot = &s;
        }
        if (distinct.empty()) continue;
        ranked r;
        r.key = h.key;
        r.community = h.community;
        r.phone = h.phone;
        r.referred = referred;
        std::set<std::string_view> sources;
        for (const auto& [k, s] : distinct) {
            sources.insert(s->source);
            r.weight += p.weight_of(*s);
            r.why.push_back(*s);
        }
        if (referred) r.weight *= p.referred_factor;
        r.overlap = static_cast<int>(sources.size());
        std::sort(r.why.begin(), r.why.end(),
                  [](const signal& a, const signal& b) { return a.at > b.at; });
        out.push_back(std::move(r));
    }
    std::sort(out.begin(), out.end(), [](const ranked& a, const ranked& b) {
        if (a.referred != b.referred) return !a.referred;
        if (a.overlap != b.overlap) return a.overlap > b.overlap;
        if (a.weight != b.weight) return a.weight > b.weight;
        return a.key < b.key;
    });
    return out;
}

}  // namespace minsheng::dialog::discovery
