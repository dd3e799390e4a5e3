#include "dialog/cases/identity.hpp"

#include <optional>

#include "dialog/cases/detail/service_support.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::dialog::cases {

std::vector<std::string> identity_keys(const person& p) {
    std::vector<std::string> keys{p.who.key()};
    if (!p.phone.empty() && p.phone_verified_at != 0) keys.push_back("phone:" + p.phone);
    if (!p.unionid.empty()) keys.push_back("union:" + p.unionid);
    return keys;
}

bool same_human(unit_of_work& uow, std::string_view person_key, const case_record& c) {
    const person_ref reporter = detail::reporter_of(c);
    if (person_key == reporter.key()) return true;
    const auto who = person_ref::parse(person_key);
    if (!who) return false;
    const auto me = uow.get_person(*who);
    if (!me) return false;
    const auto them = uow.get_person(reporter);
    if (!me->unionid.empty() && them && them->unionid == me->unionid) return true;
    if (me->phone.empty() || me->phone_verified_at == 0) return false;
    const std::string& phone = me->phone;
    if (phone == c.contact_phone || (them && them->phone == phone) ||
        (c.from == channel::hotline && c.reporter_id == phone))
        return true;
    // The reporter proved the phone by an SMS code before it moved to the other channel (a
    // newer verified binding takes it away from them, so their profile no longer shows it).
    const auto code = uow.latest_phone_code(reporter);
    return code && code->used_at != 0 && code->phone == phone;
}

std::string masked_name(std::string_view name) {
    const std::size_t chars = count_code_points(name);
    if (chars == 0) return "";
    return std::string(prefix_chars(name, 1)) + std::string(chars - 1, '*');
}

}  // namespace minsheng::dialog::cases
