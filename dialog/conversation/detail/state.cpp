#include "dialog/conversation/detail/state.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

namespace minsheng::dialog::detail {
namespace {

using json = nlohmann::json;

constexpr std::array<std::pair<stage, std::string_view>, 18> stage_names{{
    {stage::await_address, "await_address"},
    {stage::await_phone, "await_phone"},
    {stage::await_readback, "await_readback"},
    {stage::await_cancel_confirm, "await_cancel_confirm"},
    {stage::await_cancel_which, "await_cancel_which"},
    {stage::await_rating, "await_rating"},
    {stage::register_community, "register_community"},
    {stage::register_skills, "register_skills"},
    {stage::propose_community, "propose_community"},
    {stage::vote_community, "vote_community"},
    {stage::await_near_location, "await_near_location"},
    {stage::await_matter, "await_matter"},
    {stage::await_proposal_offer, "await_proposal_offer"},
    {stage::await_consult, "await_consult"},
    {stage::await_arrival_location, "await_arrival_location"},
    {stage::await_patrol, "await_patrol"},
    {stage::await_certificate, "await_certificate"},
    {stage::await_not_same, "await_not_same"},
}};

std::optional<stage> stage_from(std::string_view name) {
    for (auto [s, n] : stage_names)
        if (n == name) return s;
    return std::nullopt;
}

template <typename T>
T get(const json& j, const char* key, T fallback) {
    if (!j.is_object()) return fallback;
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    try {
        return it->get<T>();
    } catch (const json::exception&) {
        return fallback;
    }
}

}  // namespace

std::string_view to_string(stage s) {
    for (auto [st, n] : stage_names)
        if (st == s) return n;
    return "";
}

pending_state about_draft(stage at, appeal_draft draft) {
    pending_state s;
    s.at = at;
    s.draft = std::move(draft);
    return s;
}

pending_state about_case(stage at, std::int64_t case_id, std::string number) {
    pending_state s;
    s.at = at;
    s.case_id = case_id;
    s.number = std::move(number);
    return s;
}

pending_state about_registration(stage at, std::string community, std::string name,
                                 std::string skills) {
    pending_state s;
    s.at = at;
    s.community = std::move(community);
    s.name = std::move(name);
    s.text = std::move(skills);
    return s;
}

pending_state about_proposal(std::string text) {
    pending_state s;
    s.at = stage::propose_community;
    s.text = std::move(text);
    return s;
}

pending_state about_near_wishes() {
    pending_state s;
    s.at = stage::await_near_location;
    return s;
}

std::optional<pending_state> read_state(std::string_view text, std::int64_t now, std::int64_t ttl) {
    if (text.empty()) return std::nullopt;
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    auto at = stage_from(get<std::string>(j, "stage", ""));
    if (!at) return std::nullopt;
    pending_state s;
    s.at = *at;
    s.since = get<std::int64_t>(j, "since", 0);
    if (now - s.since > ttl || s.since > now) return std::nullopt;
    const json d = j.contains("draft") ? j["draft"] : json::object();
    s.draft.description = get<std::string>(d, "description", "");
    s.draft.normalised = get<std::string>(d, "normalised", s.draft.description);
    s.draft.category = get<std::string>(d, "category", "");
    s.draft.category_confidence = get<double>(d, "category_confidence", 0.0);
    s.draft.kind = get<std::string>(d, "kind", "");
    s.draft.urgency = get<std::string>(d, "urgency", "normal");
    s.draft.address = get<std::string>(d, "address", "");
    s.draft.community = get<std::string>(d, "community", "");
    s.draft.phone = get<std::string>(d, "phone", "");
    s.draft.needs_address = get<bool>(d, "needs_address", s.at == stage::await_address);
    s.draft.phone_skipped = get<bool>(d, "phone_skipped", false);
    s.draft.own_case = get<bool>(d, "own_case", false);
    s.draft.source_key = get<std::string>(d, "source_key", "");
    if (d.contains("lat") && d.contains("lng") && d["lat"].is_number() && d["lng"].is_number())
        s.draft.location = geo_point{d["lat"].get<double>(), d["lng"].get<double>()};
    s.case_id = get<std::int64_t>(j, "case_id", 0);
    s.number = get<std::string>(j, "number", "");
    s.community = get<std::string>(j, "community", "");
    s.name = get<std::string>(j, "name", "");
    s.text = get<std::string>(j, "text", "");
    return s;
}

std::string write_state(const pending_state& s) {
    json j;
    j["stage"] = to_string(s.at);
    j["since"] = s.since;
    switch (s.at) {
        case stage::await_address:
        case stage::await_phone:
        case stage::await_readback:
        case stage::await_matter:
        case stage::await_proposal_offer:
        case stage::await_consult:
        case stage::await_certificate:
        case stage::await_patrol:
        case stage::await_not_same:
            if (s.at == stage::await_patrol) j["text"] = s.text;
            if (s.at == stage::await_not_same) {
                j["case_id"] = s.case_id;
                j["number"] = s.number;
            }
            j["draft"] = {{"description", s.draft.description},
                          {"normalised", s.draft.normalised},
                          {"category", s.draft.category},
                          {"category_confidence", s.draft.category_confidence},
                          {"kind", s.draft.kind},
                          {"urgency", s.draft.urgency},
                          {"address", s.draft.address},
                          {"community", s.draft.community},
                          {"phone", s.draft.phone},
                          {"needs_address", s.draft.needs_address},
                          {"phone_skipped", s.draft.phone_skipped},
                          {"own_case", s.draft.own_case},
                          {"source_key", s.draft.source_key}};
            if (s.draft.location) {
                j["draft"]["lat"] = s.draft.location->lat;
                j["draft"]["lng"] = s.draft.location->lng;
            }
            if (s.at == stage::await_certificate) j["text"] = s.text;  // the item
            break;
        case stage::await_cancel_confirm:
        case stage::await_cancel_which:
        case stage::await_rating:
        case stage::vote_community:
        case stage::await_arrival_location:
            j["case_id"] = s.case_id;
            j["number"] = s.number;
            break;
        case stage::register_community:
        case stage::register_skills:
            j["community"] = s.community;
            j["name"] = s.name;
            j["text"] = s.text;
            break;
        case stage::propose_community:
            j["text"] = s.text;
            break;
        case stage::await_near_location:
            break;  // the location itself is the whole answer
    }
    // Invalid UTF-8 in a stored text must not make the state unwritable.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace minsheng::dialog::detail
