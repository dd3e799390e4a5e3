#include "gateway/views.hpp"

#include "dialog/cases/handling.hpp"
#include "dialog/cases/service.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/values/iso8601.hpp"

namespace minsheng::gateway::views {

namespace {

json text_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json masked_or_null(const std::string& s) {
    return s.empty() ? json(nullptr) : json(dialog::nlu::mask_personal_data(s));
}

// A person key ("wechat_oa:openid") with the user id cut to its last four characters: enough
// for an operator to tell two people apart, not enough to address one.
json masked_person(const std::string& key) {
    if (key.empty()) return nullptr;
    auto colon = key.find(':');
    if (colon == std::string::npos) return key;  // "system", "operator:<name>" are not people
    std::string_view prefix(key.data(), colon + 1);
    std::string_view id(key.data() + colon + 1, key.size() - colon - 1);
    if (prefix == "operator:" || prefix == "worker:") return key;
    std::string out(prefix);
    out += "…";
    out += id.substr(id.size() > 4 ? id.size() - 4 : 0);
    return out;
}

// A grid worker's photo, kept as a data: URL (checked to be a JPEG or PNG when it came): its
// base64 is no text to mask, and masking would break the picture wherever it reads like a phone.
bool photo_note(const dialog::case_event& e) {
    return e.action == "order_photo" && (e.note.starts_with("data:image/jpeg;base64,") ||
                                         e.note.starts_with("data:image/png;base64,"));
}

}  // namespace

json time_or_null(std::int64_t unix_seconds) {
    return unix_seconds == 0 ? json(nullptr) : json(dialog::format_iso8601(unix_seconds));
}

json error_body(std::string_view code, std::string_view message) {
    return {{"error", {{"code", code}, {"message", message}}}};
}

json operator_case(const dialog::case_record& c) {
    return {
        {"id", c.id},
        {"number", c.number},
        {"public_ref", dialog::public_ref(c)},
        {"kind", c.kind},
        {"category", text_or_null(c.category)},
        {"category_confidence", c.category_confidence},
        {"urgency", c.urgency},
        {"status", c.status},
        {"channel", dialog::to_string(c.from)},
        {"reporter", masked_person(dialog::person_ref{c.from, c.reporter_id}.key())},
        {"description", dialog::nlu::mask_personal_data(c.description)},
        {"address", dialog::nlu::mask_personal_data(c.address)},
        {"contact_phone",
         c.contact_phone.empty() ? json(nullptr) : json(dialog::nlu::mask_phone(c.contact_phone))},
        {"community", text_or_null(c.community)},
        {"handling_mode", text_or_null(c.handling_mode)},
        {"handling_mode_label",
         text_or_null(std::string(dialog::cases::mode_label(c.handling_mode)))},
        {"handling_rule", text_or_null(c.handling_rule)},
        {"deadline_at", time_or_null(c.deadline_at)},
        {"remind_at", time_or_null(c.remind_at)},
        {"reminded_at", time_or_null(c.reminded_at)},
        {"escalated_at", time_or_null(c.escalated_at)},
        {"assignee", text_or_null(c.assignee)},
        {"claimer", masked_person(c.claimer)},
        {"claim_expires_at", time_or_null(c.claim_expires_at)},
        {"merged_into", c.merged_into == 0 ? json(nullptr) : json(c.merged_into)},
        {"rating", c.rating == 0 ? json(nullptr) : json(c.rating)},
        {"rating_comment", masked_or_null(c.rating_comment)},
        {"proposal_id", c.proposal_id == 0 ? json(nullptr) : json(c.proposal_id)},
        {"created_at", dialog::format_iso8601(c.created_at)},
        {"updated_at", dialog::format_iso8601(c.updated_at)},
        {"closed_at", time_or_null(c.closed_at)},
        {"location",
         c.location ? json{{"lat", c.location->lat}, {"lng", c.location->lng}} : json(nullptr)},
        {"source", c.source_ref.empty()
                       ? json(nullptr)
                       : json{{"ref", c.source_ref}, {"span", text_or_null(c.source_span)}}}};
}

json operator_event(const dialog::case_event& e) {
    return {{"id", e.id},
            {"at", dialog::format_iso8601(e.at)},
            {"actor", masked_person(e.actor)},
            {"action", e.action},
            {"from_status", text_or_null(e.from_status)},
            {"to_status", text_or_null(e.to_status)},
            {"note", photo_note(e) ? e.note : dialog::nlu::mask_personal_data(e.note)}};
}

json operator_follower(const dialog::case_follower& f) {
    return {{"who", masked_person(f.who.key())},
            {"via", f.via},
            {"joined_at", dialog::format_iso8601(f.joined_at)},
            {"rating", f.rating == 0 ? json(nullptr) : json(f.rating)},
            {"left_at", f.left_at == 0 ? json(nullptr) : json(dialog::format_iso8601(f.left_at))},
            // What they reported is kept, so their own case can still be opened from it.
            {"can_split", f.left_at == 0 && f.report.has_value()}};
}

json outbox(const adapters::db::outbox_row& r) {
    const auto& n = r.n;
    // Keys name their person ("case_done:resident:hotline:139…"): masked like the person.
    std::string key = n.idempotency_key;
    if (n.to && !n.to->user_id.empty()) {
        const std::string who = n.to->key();
        const std::string masked = masked_person(who).get<std::string>();
        for (auto at = key.find(who); at != std::string::npos;
             at = key.find(who, at + masked.size()))
            key.replace(at, who.size(), masked);
    }
    key = dialog::nlu::mask_personal_data(key);
    return {{"id", n.id},
            {"audience", n.audience},
            {"to", n.to ? masked_person(n.to->key()) : json(nullptr)},
            {"community", text_or_null(n.community)},
            {"template", n.template_key},
            // A verification SMS is nobody's to read but the phone's.
            {"text", n.audience == "phone_code" ? json(nullptr)
                                                : json(dialog::nlu::mask_personal_data(n.text))},
            {"case_id", n.case_id == 0 ? json(nullptr) : json(n.case_id)},
            {"idempotency_key", key},
            {"created_at", dialog::format_iso8601(n.created_at)},
            {"status", r.status},
            {"attempts", r.attempts},
            {"next_attempt_at", time_or_null(r.next_attempt_at)},
            {"last_error", text_or_null(r.last_error)},
            {"delivered_at", time_or_null(r.delivered_at)}};
}

json proposal(const dialog::proposal& p) {
    return {{"id", p.id},
            {"number", p.number},
            {"community", p.community},
            {"title", dialog::nlu::mask_personal_data(p.title)},
            {"description", dialog::nlu::mask_personal_data(p.description)},
            {"threshold", p.threshold},
            {"votes", p.votes},
            {"status", p.status},
            {"case_id", p.case_id == 0 ? json(nullptr) : json(p.case_id)},
            {"created_at", dialog::format_iso8601(p.created_at)},
            {"closes_at", time_or_null(p.closes_at)}};
}

json ranking(const std::vector<dialog::ranking_row>& rows) {
    json arr = json::array();
    int rank = 0;
    for (const auto& r : rows)
        arr.push_back({{"rank", ++rank},
                       {"name", r.name.empty() ? json("志愿者") : json(r.name)},
                       {"points", r.points}});
    return arr;
}

json staff(const adapters::db::staff_member& m, std::int64_t open_cases) {
    return {{"id", m.id},
            {"name", m.name},
            {"role", m.role},
            {"community", text_or_null(m.community)},
            {"grid", text_or_null(m.grid)},
            {"street", text_or_null(m.street)},
            {"active", m.active},
            {"wechat_bound", !m.openid.empty()},
            {"open_cases", open_cases}};
}

json audit(const adapters::db::audit_entry& e) {
    return {{"id", e.id},
            {"at", dialog::format_iso8601(e.at)},
            {"actor", e.actor},
            {"action", e.action},
            {"target", text_or_null(e.target)},
            {"detail", text_or_null(e.detail)}};
}

json public_case(const dialog::case_record& c, const std::vector<dialog::case_event>& events) {
    json history = json::array();
    for (const auto& e : events) {
        if (e.to_status.empty()) continue;  // notes, details, reminders: not public
        history.push_back({{"at", dialog::format_iso8601(e.at)}, {"status", e.to_status}});
    }
    return {{"number", c.number},
            {"kind", c.kind},
            {"category", text_or_null(c.category)},
            {"community", text_or_null(c.community)},
            {"status", c.status},
            {"handling_mode", text_or_null(c.handling_mode)},
            {"created_at", dialog::format_iso8601(c.created_at)},
            {"deadline_at", time_or_null(c.deadline_at)},
            {"closed_at", time_or_null(c.closed_at)},
            {"rating", c.rating == 0 ? json(nullptr) : json(c.rating)},
            {"history", std::move(history)}};
}

json wall_item(const dialog::case_record& c) {
    return {{"number", c.number},
            {"category", text_or_null(c.category)},
            {"community", text_or_null(c.community)},
            {"handling_mode", text_or_null(c.handling_mode)},
            {"handling_mode_label",
             text_or_null(std::string(dialog::cases::mode_label(c.handling_mode)))},
            {"summary", dialog::cases::case_service::public_summary(c)},
            {"created_at", dialog::format_iso8601(c.created_at)},
            {"deadline_at", time_or_null(c.deadline_at)}};
}

std::string json_compact(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string json_text(const json& j) { return json_compact(j) + "\n"; }

}  // namespace minsheng::gateway::views
