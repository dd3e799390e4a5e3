#include "dialog/cases/detail/service_support.hpp"

#include <algorithm>
#include <deque>
#include <utility>

#include <nlohmann/json.hpp>

#include "dialog/utf8.hpp"
#include "dialog/values/civil_time.hpp"

namespace minsheng::dialog::cases::detail {
namespace {

bool is_han(char32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
}

// Characters that end a larger unit of an address (省 市 区 县 镇 乡 街道 路 号 ...): a community
// name never reaches back over them.
bool ends_larger_unit(char32_t cp) {
    constexpr std::u32string_view stops = U"省市区县镇乡道街路号巷弄栋幢楼";
    return stops.find(cp) != std::u32string_view::npos;
}

struct char_at {
    char32_t cp;
    std::size_t offset;
};

// Longest run of Han characters (at most max_len, not crossing a larger unit) ending just before
// chars[end]; returns the index where the name starts (== end when there is none).
std::size_t name_start(const std::vector<char_at>& chars, std::size_t end, std::size_t max_len) {
    std::size_t start = end;
    while (start > 0 && end - start < max_len) {
        const char32_t cp = chars[start - 1].cp;
        if (!is_han(cp) || ends_larger_unit(cp)) break;
        --start;
    }
    return start;
}

std::string vars_json(const template_set::vars& vars) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : vars) j[k] = v;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

person_ref reporter_of(const case_record& c) { return person_ref{c.from, c.reporter_id}; }

std::vector<person_ref> merged_reporters(unit_of_work& uow, const case_record& c) {
    std::vector<person_ref> out;
    std::vector<std::int64_t> seen{c.id};
    std::deque<std::int64_t> todo{c.id};
    while (!todo.empty()) {
        case_query q;
        q.merged_into = todo.front();
        q.oldest_first = true;
        q.limit = 1000;
        todo.pop_front();
        for (const auto& m : uow.list_cases(q)) {
            if (std::find(seen.begin(), seen.end(), m.id) != seen.end()) continue;
            seen.push_back(m.id);
            todo.push_back(m.id);
            const person_ref r = reporter_of(m);
            if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
        }
    }
    return out;
}

std::string community_in_address(std::string_view address) {
    std::vector<char_at> chars;
    for (std::size_t i = 0; i < address.size();) {
        const auto d = decode_utf8(address, i);
        chars.push_back({d.cp, i});
        i += d.len;
    }
    const auto offset_of = [&](std::size_t k) {
        return k < chars.size() ? chars[k].offset : address.size();
    };
    // "社区" first (a village may contain a 社区 of its own name), then "村".
    for (const std::u32string_view suffix :
         {std::u32string_view(U"社区"), std::u32string_view(U"村")}) {
        for (std::size_t k = 0; k + suffix.size() <= chars.size(); ++k) {
            bool match = true;
            for (std::size_t j = 0; j < suffix.size(); ++j)
                match = match && chars[k + j].cp == suffix[j];
            if (!match) continue;
            const std::size_t start = name_start(chars, k, 8);
            if (start == k) continue;
            const std::size_t from = offset_of(start);
            return std::string(address.substr(from, offset_of(k + suffix.size()) - from));
        }
    }
    return "";
}

std::string format_day(std::int64_t unix) {
    if (unix == 0 || !supports(unix)) return "";
    return format_date(china_date(unix));
}

outbox::outbox(unit_of_work& uow, const template_set& templates, std::int64_t now)
    : uow_(uow), templates_(templates), now_(now) {}

bool outbox::to_person(std::string_view prefix, std::string_view audience, const person_ref& to,
                       std::string_view template_key, const template_set::vars& vars,
                       std::int64_t case_id) {
    notification n;
    n.audience = std::string(audience);
    n.to = to;
    n.template_key = std::string(template_key);
    n.text = templates_.render(template_key, vars);
    n.case_id = case_id;
    n.idempotency_key = std::string(prefix) + ":" + n.audience + ":" + to.key();
    n.vars_json = vars_json(vars);
    return put(std::move(n));
}

bool outbox::to_staff(std::string_view prefix, std::string_view audience,
                      const std::string& community, std::string_view template_key,
                      const template_set::vars& vars, std::int64_t case_id) {
    notification n;
    n.audience = std::string(audience);
    n.community = community;
    n.template_key = std::string(template_key);
    n.text = templates_.render(template_key, vars);
    n.case_id = case_id;
    n.idempotency_key = std::string(prefix) + ":" + n.audience + ":" +
                        (community.empty() ? std::string("*") : community);
    n.vars_json = vars_json(vars);
    return put(std::move(n));
}

bool outbox::put(notification n) {
    n.created_at = now_;
    return uow_.enqueue(n);
}

}  // namespace minsheng::dialog::cases::detail
