#include "gateway/mp/views.hpp"

#include "dialog/cases/handling.hpp"
#include "dialog/cases/lifecycle.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/values/iso8601.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::mp {

namespace cases = dialog::cases;

namespace {

json location_or_null(const std::optional<dialog::geo_point>& p) {
    return p ? json{{"lat", p->lat}, {"lng", p->lng}} : json(nullptr);
}

}  // namespace

json text_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json own_case(const dialog::template_set& texts, const dialog::case_record& c) {
    return {{"number", c.number},
            {"public_ref", dialog::public_ref(c)},
            {"kind", c.kind},
            {"category", text_or_null(c.category)},
            {"urgency", c.urgency},
            {"status", c.status},
            {"status_label", cases::case_service::status_label(texts, c)},
            {"handling_mode", text_or_null(c.handling_mode)},
            {"handling_mode_label", text_or_null(std::string(cases::mode_label(c.handling_mode)))},
            {"description", c.description},
            {"address", text_or_null(c.address)},
            {"location", location_or_null(c.location)},
            {"community", text_or_null(c.community)},
            {"deadline_at", views::time_or_null(c.deadline_at)},
            {"created_at", dialog::format_iso8601(c.created_at)},
            {"updated_at", dialog::format_iso8601(c.updated_at)},
            {"rating", c.rating == 0 ? json(nullptr) : json(c.rating)}};
}

json case_summary(const dialog::template_set& texts, const dialog::case_record& c) {
    return {{"number", c.number},
            {"kind", c.kind},
            {"category", text_or_null(c.category)},
            {"status", c.status},
            {"status_label", cases::case_service::status_label(texts, c)},
            {"summary", cases::case_service::public_summary(c, 30)},
            {"deadline_at", views::time_or_null(c.deadline_at)},
            {"created_at", dialog::format_iso8601(c.created_at)}};
}

json history_of(const dialog::template_set& texts, const std::vector<dialog::case_event>& events) {
    json out = json::array();
    for (const auto& e : events) {
        if (e.to_status.empty()) continue;
        const std::string key = "status/" + e.to_status;
        out.push_back({{"at", dialog::format_iso8601(e.at)},
                       {"action", e.action},
                       {"from_status", text_or_null(e.from_status)},
                       {"status", e.to_status},
                       {"status_label", texts.has(key) ? texts.render(key) : e.to_status}});
    }
    return out;
}

json claim_view(const dialog::template_set& texts, const dialog::case_record& c,
                const std::optional<dialog::cases::wish_contact>& shown) {
    json contact = nullptr;
    if (shown)
        contact = {{"phone", text_or_null(shown->phone)},
                   {"address", text_or_null(shown->address)}};
    return {{"number", c.number},
            {"status", c.status},
            {"status_label", cases::case_service::status_label(texts, c)},
            {"category", text_or_null(c.category)},
            {"community", text_or_null(c.community)},
            {"summary", cases::case_service::public_summary(c)},
            {"claim_expires_at", views::time_or_null(c.claim_expires_at)},
            {"deadline_at", views::time_or_null(c.deadline_at)},
            {"contact", std::move(contact)}};
}

json visit_view(const cases::case_service& service, const dialog::service_visit& v) {
    const auto* st = service.find_station(v.station);
    return {{"station", v.station},
            {"station_name", st ? json(st->name) : json(nullptr)},
            {"activity", text_or_null(v.activity)},
            {"checkin_at", dialog::format_iso8601(v.checkin_at)},
            {"checkout_at", views::time_or_null(v.checkout_at)},
            {"minutes", v.minutes},
            {"points", v.points},
            {"checkin_proof", text_or_null(v.checkin_proof)},
            {"checkout_proof", text_or_null(v.checkout_proof)}};
}

json station_view(const cases::station& s) {
    return {{"code", s.code},
            {"name", s.name},
            {"community", text_or_null(s.community)},
            {"address", text_or_null(s.address)},
            {"location", location_or_null(s.location)}};
}

json profile_view(const std::optional<dialog::person>& p, const dialog::cases::case_service& s) {
    if (!p)
        return {{"community", nullptr},   {"community_counts_from", nullptr},
                {"phone", nullptr},       {"phone_verified", false},
                {"volunteer", false},     {"volunteer_status", nullptr},
                {"application", nullptr}, {"name", nullptr},
                {"skills", nullptr}};
    return {{"community", text_or_null(p->community)},
            {"community_counts_from", views::time_or_null(s.community_counts_from(*p))},
            {"phone", p->phone.empty() ? json(nullptr) : json(dialog::nlu::mask_phone(p->phone))},
            {"phone_verified", !p->phone.empty() && p->phone_verified_at != 0},
            {"volunteer", p->volunteer},
            {"volunteer_status", text_or_null(p->volunteer_status)},
            {"application", p->volunteer_number == 0
                                ? json(nullptr)
                                : json("ZY" + std::to_string(p->volunteer_number))},
            {"name", text_or_null(p->name)},
            {"skills", text_or_null(p->skills)}};
}

json proposal_view(const dialog::proposal& p) {
    json v = views::proposal(p);
    v.erase("id");
    v.erase("case_id");
    return v;
}

json subscription_view(const std::string& template_id, int credits) {
    return {{"template_id", text_or_null(template_id)}, {"credits", credits}};
}

}  // namespace minsheng::gateway::mp
