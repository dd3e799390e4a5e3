#include "gateway/server/monthly_discovery.hpp"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "adapters/db/discovery_months.hpp"
#include "dialog/values/civil_time.hpp"
#include "gateway/server/app_state.hpp"

namespace minsheng::gateway {

namespace dd = dialog::discovery;

std::optional<std::string> discovery_month_due(const dialog::cases::working_calendar& cal,
                                               std::int64_t now) {
    const auto today = dialog::china_date(now);
    const dialog::civil_date first{today.year(), today.month(), std::chrono::day{1}};
    const auto first_working = cal.is_working_day(first) ? first : cal.next_working_day(first);
    if (std::chrono::sys_days{today} < std::chrono::sys_days{first_working}) return std::nullopt;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(today.year()),
                  static_cast<unsigned>(today.month()));
    return std::string(buf);
}

std::optional<std::size_t> keep_month_discovery(const app_state& app, adapters::db::store& s,
                                                std::int64_t now) {
    if (!app.discovery) return std::nullopt;
    const auto month = discovery_month_due(app.service->calendar(), now);
    if (!month) return std::nullopt;
    // Each street's supervisors hear of it, through the street's first community (the outbox
    // fans a supervisor row out to every bound supervisor of that community's street).
    const auto notices = [&](const std::vector<dd::ranked>& list) {
        std::map<std::string, std::string> street_of;  // community -> street
        std::map<std::string, std::string> first_of;   // street -> its first community
        for (const auto& c : app.cfg.communities) {
            if (c.street.empty()) continue;
            street_of[c.name] = c.street;
            first_of.emplace(c.street, c.name);
        }
        std::map<std::string, std::size_t> households;  // street -> on the list
        for (const auto& r : list)
            if (auto it = street_of.find(r.community); it != street_of.end())
                ++households[it->second];
        std::vector<dialog::notification> out;
        for (const auto& [street, n] : households) {
            dialog::notification note;
            note.audience = "supervisor";
            note.community = first_of[street];
            note.template_key = discovery_ready_template;
            const dialog::template_set::vars v = {
                {"month", *month}, {"street", street}, {"count", std::to_string(n)}};
            note.vars_json =
                nlohmann::json{{"month", *month}, {"street", street}, {"count", n}}.dump();
            note.text = app.templates->render(discovery_ready_template, v);
            note.idempotency_key = "discovery:" + *month + ":" + street;
            note.created_at = now;
            out.push_back(std::move(note));
        }
        return out;
    };
    auto kept = adapters::db::keep_monthly_discovery(s, *app.discovery, *month,
                                                     dd::policy::defaults(), now, notices);
    if (!kept) return std::nullopt;
    return kept->size();
}

}  // namespace minsheng::gateway
