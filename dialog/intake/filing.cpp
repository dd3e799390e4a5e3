#include "dialog/intake/filing.hpp"

namespace minsheng::dialog::intake {

understood_fields fields_of(const nlu::understanding& u) {
    understood_fields f;
    f.kind = u.kind.name.empty() ? "complaint" : u.kind.name;
    f.category = u.category.unsure ? "" : u.category.name;
    f.category_confidence = u.category.confidence;
    f.urgency = u.urgency.name == "urgent" ? "urgent" : "normal";
    if (const auto* e = u.find("address")) f.address = e->text;
    if (const auto* e = u.find("phone")) f.phone = e->value;
    if (const auto* e = u.find("landline"); e && f.phone.empty()) f.phone = e->value;
    return f;
}

case_draft draft_of(const report& r, const nlu::understanding* understood, std::int64_t now) {
    const understood_fields f = understood ? fields_of(*understood) : understood_fields{};
    case_draft d;
    d.from = r.from;
    d.reporter_id = r.reporter_id;
    d.kind = !r.kind.empty() ? r.kind : !f.kind.empty() ? f.kind : "complaint";
    if (!understood || !r.category.empty()) {
        d.category = r.category;
        d.category_confidence = r.category_confidence;
    } else if (r.classify_category && !f.category.empty()) {
        d.category = f.category;
        d.category_confidence = f.category_confidence;
    } else {
        d.category = r.classify_category ? r.fallback_category : "";
        d.category_confidence = r.classify_category ? f.category_confidence : 0.0;
    }
    d.urgency = !r.urgency.empty() ? r.urgency : !f.urgency.empty() ? f.urgency : "normal";
    d.description = r.description;
    d.address = !r.address.empty()   ? r.address
                : !f.address.empty() ? f.address
                                     : r.fallback_address;
    d.contact_phone = r.phone;
    if (d.contact_phone.empty() && r.phone_from_text) d.contact_phone = f.phone;
    d.source_key = r.source_key;
    d.source_ref = r.source_ref;
    d.source_span = r.source_span;
    d.created_at = now;
    d.community = r.community;
    d.location = r.location;
    d.is_private = r.is_private;
    d.place = r.place;
    return d;
}

case_record file(const cases::case_service& service, unit_of_work& uow, const report& r,
                 const nlu::understanding* understood, std::string_view normalised,
                 std::int64_t now) {
    case_draft d = draft_of(r, understood, now);
    if (d.contact_phone.empty() && r.phone_from_profile)
        if (auto p = uow.get_person(person_ref{r.from, r.reporter_id}); p)
            d.contact_phone = p->phone;
    case_record rec = service.open(uow, d, normalised, now);
    if (r.attachments.empty()) return rec;
    const auto who = cases::actor::of(person_ref{r.from, r.reporter_id});
    for (const auto& line : r.attachments) {
        auto added = service.add_detail(uow, rec.id, who, line, now);
        if (added.ok()) rec = std::move(added.after);
    }
    return rec;
}

}  // namespace minsheng::dialog::intake
