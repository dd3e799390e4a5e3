// 驿站 service visits: check-in, check-out, and the hours credited to the points ledger.

#include <algorithm>

#include "dialog/cases/service.hpp"

namespace minsheng::dialog::cases {

const station* case_service::find_station(std::string_view code) const {
    for (const auto& s : settings_.stations)
        if (s.code == code) return &s;
    return nullptr;
}

visit_result case_service::check_in(unit_of_work& uow, const person_ref& who,
                                    std::string_view station_code, std::string activity,
                                    std::int64_t now) const {
    visit_result r;
    auto p = uow.get_person(who);
    if (!p || !p->volunteer) {
        r.why = refusal::not_volunteer;
        return r;
    }
    if (!find_station(station_code)) {
        r.why = refusal::invalid;
        return r;
    }
    if (auto open = uow.open_visit(who)) {
        r.why = refusal::wrong_status;
        r.visit = *open;
        return r;
    }
    service_visit v;
    v.who = who;
    v.station = std::string(station_code);
    v.activity = std::move(activity);
    v.checkin_at = now;
    r.visit = uow.start_visit(v);
    return r;
}

visit_result case_service::check_out(unit_of_work& uow, const person_ref& who,
                                     std::int64_t now) const {
    visit_result r;
    auto open = uow.open_visit(who);
    if (!open) {
        r.why = refusal::wrong_status;
        return r;
    }
    const std::int64_t minutes = std::clamp<std::int64_t>(
        (now - open->checkin_at) / 60, 0, std::max<std::int64_t>(0, settings_.max_visit_minutes));
    const std::int64_t points =
        settings_.points_per_hour > 0 ? minutes * settings_.points_per_hour / 60 : 0;
    if (!uow.finish_visit(open->id, now, minutes, points)) {
        r.why = refusal::wrong_status;  // checked out by a concurrent call
        r.visit = *open;
        return r;
    }
    if (points > 0) {
        ledger_posting p;
        p.at = now;
        p.reason = "service_hours";
        p.idempotency_key = "visit:" + std::to_string(open->id);
        p.entries = {{"issued", -points}, {"person:" + who.key(), points}};
        uow.post(p);
    }
    r.visit = *open;
    r.visit.checkout_at = now;
    r.visit.minutes = minutes;
    r.visit.points = points;
    r.balance = uow.balance("person:" + who.key());
    return r;
}

}  // namespace minsheng::dialog::cases
