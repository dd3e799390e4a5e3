#include "adapters/open311/records.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "dialog/cases/handling.hpp"
#include "dialog/cases/service.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/values/civil_time.hpp"
#include "dialog/values/iso8601.hpp"

namespace minsheng::adapters::open311 {

using json = nlohmann::json;

namespace {

constexpr std::string_view media_prefix = "[图片] ";

std::string service_key(const service& s, std::string_view what) {
    return "open311/service/" + std::string(s.code) + "/" + std::string(what);
}

json text_or_null(std::string s) { return s.empty() ? json(nullptr) : json(std::move(s)); }

}  // namespace

std::vector<std::string> required_templates() {
    std::vector<std::string> keys = {"open311/service_notice",
                                     "open311/service_notice_no_deadline"};
    for (const auto& s : catalogue()) {
        for (auto what : {"name", "description", "keywords"}) keys.push_back(service_key(s, what));
        keys.push_back("open311/group/" + std::string(s.group));
    }
    return keys;
}

record service_record(const service& s, const dialog::template_set& texts) {
    return {{"service_code", std::string(s.code)},
            {"service_name", texts.render(service_key(s, "name"))},
            {"description", texts.render(service_key(s, "description"))},
            {"metadata", false},
            {"type", "realtime"},
            {"keywords", texts.render(service_key(s, "keywords"))},
            {"group", texts.render("open311/group/" + std::string(s.group))}};
}

record request_record(const dialog::case_record& c, const service& s,
                      const dialog::template_set& texts, std::string_view media_url) {
    auto masked = [](std::string_view text) {
        return mask_long_numbers(mask_emails(dialog::nlu::mask_personal_data(text)));
    };
    const bool full = shown_in_full(c);
    std::string agency = c.community;
    if (agency.empty()) agency = std::string(dialog::cases::mode_label(c.handling_mode));
    record r = {
        {"service_request_id", c.number},
        {"status", std::string(status_of(c))},
        {"status_notes", dialog::cases::case_service::status_label(texts, c)},
        {"service_name", texts.render(service_key(s, "name"))},
        {"service_code", std::string(s.code)},
        {"description", full ? json(masked(c.description)) : json(nullptr)},
        {"agency_responsible", text_or_null(std::move(agency))},
        {"service_notice", nullptr},
        {"requested_datetime", dialog::format_iso8601(c.created_at)},
        {"updated_datetime", dialog::format_iso8601(c.updated_at)},
        {"expected_datetime",
         c.deadline_at == 0 ? json(nullptr) : json(dialog::format_iso8601(c.deadline_at))},
        {"address", full ? text_or_null(masked(c.address)) : json(nullptr)},
    };
    if (c.location) {
        const double scale = full ? 1000.0 : 100.0;
        auto round = [scale](double v) { return std::round(v * scale) / scale; };
        r.push_back({"lat", round(c.location->lat)});
        r.push_back({"long", round(c.location->lng)});
    }
    if (full && !media_url.empty()) r.push_back({"media_url", std::string(media_url)});
    return r;
}

bool shown_in_full(const dialog::case_record& c) { return c.from == dialog::channel::open311; }

record posted_record(const dialog::case_record& c, std::string_view token,
                     std::string_view account_id, const dialog::template_set& texts) {
    return {{"service_request_id", c.number},
            {"token", std::string(token)},
            {"service_notice", service_notice(c, texts)},
            {"account_id", account_id.empty() ? json(nullptr) : json(std::string(account_id))}};
}

record token_record(std::string_view number, std::string_view token) {
    return {{"service_request_id", std::string(number)}, {"token", std::string(token)}};
}

std::string service_notice(const dialog::case_record& c, const dialog::template_set& texts) {
    if (c.deadline_at == 0)
        return texts.render("open311/service_notice_no_deadline", {{"number", c.number}});
    return texts.render("open311/service_notice",
                        {{"number", c.number},
                         {"deadline", dialog::format_date(dialog::china_date(c.deadline_at))}});
}

std::string media_line(std::string_view url) {
    return std::string(media_prefix) + std::string(url);
}

std::optional<std::string> media_url_of(std::string_view detail) {
    if (!detail.starts_with(media_prefix)) return std::nullopt;
    return std::string(detail.substr(media_prefix.size()));
}

std::string mask_long_numbers(std::string_view text) {
    std::string out(text);
    std::size_t i = 0;
    while (i < out.size()) {
        if (out[i] < '0' || out[i] > '9') {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < out.size() && out[end] >= '0' && out[end] <= '9') ++end;
        if (end - i >= 11)
            std::fill(out.begin() + static_cast<std::ptrdiff_t>(i),
                      out.begin() + static_cast<std::ptrdiff_t>(end - 4), '*');
        i = end;
    }
    return out;
}

std::string mask_emails(std::string_view text) {
    auto local_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '%' ||
               c == '+' || c == '-';
    };
    auto domain_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
    };
    std::string out;
    std::size_t copied = 0;
    for (std::size_t at = text.find('@'); at != std::string_view::npos;
         at = text.find('@', at + 1)) {
        std::size_t begin = at;
        while (begin > copied && local_char(text[begin - 1])) --begin;
        std::size_t end = at + 1;
        while (end < text.size() && domain_char(text[end])) ++end;
        const auto domain = text.substr(at + 1, end - at - 1);
        if (begin == at || domain.find('.') == std::string_view::npos) continue;
        out.append(text.substr(copied, begin - copied));
        out.push_back(text[begin]);
        out.append("***");
        copied = at;  // keeps "@domain"
    }
    out.append(text.substr(copied));
    return out;
}

}  // namespace minsheng::adapters::open311
