#include "dialog/conversation/detail/turn.hpp"

#include <algorithm>
#include <cmath>

#include "dialog/cases/handling.hpp"
#include "dialog/utf8.hpp"
#include "dialog/values/civil_time.hpp"

namespace minsheng::dialog::detail {

std::optional<pending_state> turn::pending() const {
    return read_state(uow.load_state(m.from, m.user_id), now, conversation::pending_ttl_seconds);
}

void turn::ask(pending_state s) {
    s.since = now;
    uow.save_state(m.from, m.user_id, write_state(s));
}

void turn::forget() { uow.save_state(m.from, m.user_id, ""); }

std::string date_text(std::int64_t unix, std::int64_t now) {
    const auto d = dialog::china_date(unix);
    std::string s;
    if (d.year() != dialog::china_date(now).year())
        s = std::to_string(static_cast<int>(d.year())) + "年";
    s += std::to_string(static_cast<unsigned>(d.month())) + "月" +
         std::to_string(static_cast<unsigned>(d.day())) + "日";
    return s;
}

std::string moment_text(std::int64_t unix, std::int64_t now) {
    const std::int64_t minute = dialog::china_second_of_day(unix) / 60;
    const auto two = [](std::int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
    return date_text(unix, now) + " " + two(minute / 60) + ":" + two(minute % 60);
}

const std::vector<std::string>& event_keys() {
    static const std::vector<std::string> keys = {
        "opened",        "accept",         "assign",         "claim",         "release",
        "lease_expired", "start",          "report_done",    "confirm",       "rate",
        "not_solved",    "reopen",         "close",          "cancel",        "merge",
        "detail",        "remind",         "escalate",       "contact_shown", "confirm_notice",
        "other",         "order_accepted", "order_progress", "order_photo",   "return_order"};
    return keys;
}

std::string event_text(const template_set& texts, std::string_view action) {
    std::string key = "reply/event/" + std::string(action);
    return texts.render(texts.has(key) ? key : "reply/event/other");
}

std::string distance_text(const template_set& texts, double km) {
    if (!std::isfinite(km) || km < 0) km = 0;
    const long long meters = std::max(10LL, std::llround(km * 100.0) * 10);
    if (meters < 1000)
        return texts.render("reply/distance_m", {{"meters", std::to_string(meters)}});
    const long long tenths = std::llround(km * 10.0);
    std::string value;
    if (tenths >= 100)
        value = std::to_string(std::llround(km));
    else if (tenths % 10 == 0)
        value = std::to_string(tenths / 10);
    else
        value = std::to_string(tenths / 10) + "." + std::to_string(tenths % 10);
    return texts.render("reply/distance_km", {{"km", value}});
}

std::string cut(std::string_view s, std::size_t max_chars) {
    const auto kept = prefix_chars(s, max_chars);
    if (kept.size() == s.size()) return std::string(s);
    return std::string(kept) + "…";
}

std::string list_text(std::string_view header, const std::vector<std::string>& items,
                      std::string_view footer) {
    std::string body(header);
    const std::size_t reserve = footer.empty() ? 0 : footer.size() + 1;
    std::size_t shown = 0;
    for (const auto& item : items) {
        if (shown == list_max_items) break;
        if (body.size() + 1 + item.size() + reserve > reply_byte_budget) break;
        if (!body.empty()) body += "\n";
        body += item;
        ++shown;
    }
    if (!footer.empty()) {
        if (!body.empty()) body += "\n";
        body += footer;
    }
    return body;
}

}  // namespace minsheng::dialog::detail
