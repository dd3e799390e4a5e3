// 驿站 service visits: check-in and check-out with proof of presence, and the minutes credited to
// the points ledger under the per-visit and per-day caps (docs/security.md, "presence for
// points").

#include <algorithm>

#include "dialog/cases/service.hpp"
#include "dialog/values/civil_time.hpp"
#include "dialog/values/geo.hpp"

namespace minsheng::dialog::cases {

namespace {

// Equal strings, in time that depends only on their lengths: a scene is a secret, and a
// comparison that stops at the first wrong character would tell how much of a guess is right.
bool same_secret(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

// "scene" or "location", whichever proves presence at `at` ("" : neither).
std::string proof_of(const station& at, const presence& shown, double radius_m) {
    if (!at.scene.empty() && same_secret(shown.scene, at.scene)) return "scene";
    if (shown.location && at.location && radius_m > 0 &&
        distance_km(*shown.location, *at.location) * 1000 <= radius_m)
        return "location";
    return "";
}

}  // namespace

const station* case_service::find_station(std::string_view code) const {
    for (const auto& s : settings_.stations)
        if (s.code == code) return &s;
    return nullptr;
}

const station* case_service::station_of_scene(std::string_view scene) const {
    const station* found = nullptr;
    for (const auto& s : settings_.stations)
        if (!s.scene.empty() && same_secret(scene, s.scene)) found = &s;
    return found;
}

visit_result case_service::check_in(unit_of_work& uow, const person_ref& who,
                                    std::string_view station_code, std::string activity,
                                    const presence& shown, std::int64_t now) const {
    visit_result r;
    auto p = uow.get_person(who);
    if (!p || !p->volunteer) {
        r.why = refusal::not_volunteer;
        return r;
    }
    const station* at = find_station(station_code);
    if (!at) {
        r.why = refusal::invalid;
        return r;
    }
    const std::string proof = proof_of(*at, shown, settings_.presence_radius_m);
    if (proof.empty()) {
        r.why = refusal::no_presence;
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
    v.checkin_proof = proof;
    // Checking out and straight back in again continues the visit: the longest visit counts
    // them together, so that a volunteer cannot restart it every max_visit_minutes.
    const auto last = uow.visits_of(who, 1);
    if (!last.empty() && last[0].checkout_at > 0 &&
        now - last[0].checkout_at < settings_.visit_join_minutes * 60)
        v.carried_minutes = last[0].carried_minutes + last[0].minutes;
    r.visit = uow.start_visit(v);
    return r;
}

visit_result case_service::check_out(unit_of_work& uow, const person_ref& who,
                                     const presence& shown, std::int64_t now) const {
    visit_result r;
    auto open = uow.open_visit(who);
    if (!open) {
        r.why = refusal::wrong_status;
        return r;
    }
    const station* at = find_station(open->station);
    const std::string proof = at ? proof_of(*at, shown, settings_.presence_radius_m) : "";
    if (proof.empty()) {
        r.why = refusal::no_presence;
        r.visit = *open;
        return r;
    }
    r.served_minutes = std::max<std::int64_t>(0, (now - open->checkin_at) / 60);
    std::int64_t room = settings_.max_visit_minutes - open->carried_minutes;
    if (settings_.max_daily_service_minutes > 0) {
        // The day of check-in carries the visit, however late it ends: a visit across
        // midnight does not open a second day's cap.
        const std::int64_t day = open->checkin_at - china_second_of_day(open->checkin_at);
        room = std::min(room, settings_.max_daily_service_minutes -
                                  uow.credited_minutes(who, day, day + seconds_per_day));
    }
    const std::int64_t minutes =
        std::clamp<std::int64_t>(r.served_minutes, 0, std::max<std::int64_t>(0, room));
    const std::int64_t points =
        settings_.points_per_hour > 0 ? minutes * settings_.points_per_hour / 60 : 0;
    service_visit closed = *open;
    closed.checkout_at = now;
    closed.minutes = minutes;
    closed.points = points;
    closed.checkout_proof = proof;
    if (!uow.finish_visit(closed)) {
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
    r.visit = closed;
    r.balance = uow.balance("person:" + who.key());
    return r;
}

visit_result case_service::close_visit(unit_of_work& uow, const person_ref& who,
                                       std::int64_t now) const {
    visit_result r;
    auto open = uow.open_visit(who);
    if (!open) {
        r.why = refusal::wrong_status;
        return r;
    }
    service_visit closed = *open;
    closed.checkout_at = now;
    closed.checkout_proof = "none";
    if (!uow.finish_visit(closed)) {
        r.why = refusal::wrong_status;
        r.visit = *open;
        return r;
    }
    r.served_minutes = std::max<std::int64_t>(0, (now - open->checkin_at) / 60);
    r.visit = closed;
    r.balance = uow.balance("person:" + who.key());
    return r;
}

}  // namespace minsheng::dialog::cases
