// 驿站 by QR code: a volunteer scans the code posted at a station (the official account's SCAN
// or subscribe event carries its scene) to check in, and scans it again to check out. The scene
// is the proof of presence (docs/security.md, "presence for points").
#include <cstdio>

#include "dialog/conversation/detail/flows.hpp"
#include "dialog/values/civil_time.hpp"

namespace minsheng::dialog::detail {
namespace {

// Scenes the gateway derives for stations start so; another scene is not the program's.
constexpr std::string_view station_scene_prefix = "st:";

// "14:05", China time.
std::string clock_text(std::int64_t unix) {
    const auto s = china_second_of_day(unix);
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(s / 3600),
                  static_cast<int>(s / 60 % 60));
    return buf;
}

void check_in(turn& t, const cases::station& at, const cases::presence& shown) {
    const auto r = t.service.check_in(t.uow, t.me(), at.code, "", shown, t.now);
    if (!r.ok()) return t.say("reply/station_code_unknown");
    t.say("reply/station_checked_in", {{"station", at.name}, {"time", clock_text(t.now)}});
}

void check_out(turn& t, const cases::station& at, const cases::presence& shown) {
    const auto r = t.service.check_out(t.uow, t.me(), shown, t.now);
    if (!r.ok()) return t.say("reply/station_code_unknown");
    const auto& s = t.service.settings();
    const std::string capped =
        r.visit.minutes < r.served_minutes
            ? t.render("reply/station_capped",
                       {{"visit_hours", std::to_string(s.max_visit_minutes / 60)},
                        {"day_hours", std::to_string(s.max_daily_service_minutes / 60)}})
            : "";
    t.say("reply/station_checked_out", {{"station", at.name},
                                        {"served", std::to_string(r.served_minutes)},
                                        {"minutes", std::to_string(r.visit.minutes)},
                                        {"points", std::to_string(r.visit.points)},
                                        {"balance", std::to_string(r.balance)},
                                        {"capped_line", capped}});
}

}  // namespace

bool station_scan(turn& t) {
    const std::string& scene = t.m.event_key;
    const cases::station* at = t.service.station_of_scene(scene);
    if (!at) {
        if (!scene.starts_with(station_scene_prefix)) return false;
        t.say("reply/station_code_unknown");
        return true;
    }
    const auto p = t.profile();
    if (!p || !p->volunteer) {
        t.say("reply/station_not_volunteer", {{"station", at->name}});
        return true;
    }
    const cases::presence shown{scene, std::nullopt};
    const auto open = t.uow.open_visit(t.me());
    if (!open) {
        check_in(t, *at, shown);
    } else if (open->station == at->code) {
        check_out(t, *at, shown);
    } else {
        const auto* there = t.service.find_station(open->station);
        t.say("reply/station_open_elsewhere", {{"station", there ? there->name : open->station},
                                               {"time", clock_text(open->checkin_at)},
                                               {"date", date_text(open->checkin_at, t.now)}});
    }
    return true;
}

}  // namespace minsheng::dialog::detail
