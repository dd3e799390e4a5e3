// Verified phones: a code by SMS for the official account (request_phone_code,
// confirm_phone_code), WeChat's own verification for the mini program (bind_verified_phone), and
// one holder per phone; and the keyed hash of staff binding codes, which share the code book.

#include <algorithm>
#include <string>

#include "dialog/cases/detail/service_support.hpp"
#include "dialog/cases/service.hpp"
#include "dialog/nlu/nlu.hpp"

namespace minsheng::dialog::cases {

namespace {

constexpr std::int64_t day_seconds = 86400;

bool mainland_mobile(std::string_view p) {
    if (p.size() != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9') return false;
    for (char ch : p)
        if (ch < '0' || ch > '9') return false;
    return true;
}

// Equal in time independent of where they differ (the hashes are of equal length).
bool same_hash(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace

phone_request case_service::request_phone_code(unit_of_work& uow, const person_ref& who,
                                               std::string_view phone, std::int64_t now) const {
    phone_request r;
    if (!mainland_mobile(phone)) {
        r.result = phone_request::outcome::bad_phone;
        return r;
    }
    if (auto p = uow.get_person(who); p && p->phone == phone && p->phone_verified_at != 0) {
        r.result = phone_request::outcome::already_yours;
        return r;
    }
    if (!settings_.codes) return r;  // unavailable
    const std::int64_t since = now - day_seconds;
    if (uow.count_phone_codes_for(who, since) >= settings_.phone_codes_per_day ||
        uow.count_phone_codes_to(phone, since) >= settings_.phone_codes_per_day) {
        r.result = phone_request::outcome::too_many;
        return r;
    }
    const std::string code = settings_.codes->new_code();
    phone_code c;
    c.who = who;
    c.phone = std::string(phone);
    c.code_hash = settings_.codes->hash(phone, code);
    c.created_at = now;
    c.expires_at = now + settings_.phone_code_seconds;
    c.id = uow.add_phone_code(c);
    // To the phone itself, by SMS only: the audience tells the outbox worker never to look the
    // phone up for a WeChat account (whoever holds it now is not who is asking).
    detail::outbox out(uow, *templates_, now);
    out.to_person("phone_code:" + std::to_string(c.id), "phone_code",
                  person_ref{channel::hotline, c.phone}, "sms/phone_code",
                  {{"code", code}, {"minutes", std::to_string(settings_.phone_code_seconds / 60)}},
                  0);
    r.result = phone_request::outcome::sent;
    r.expires_at = c.expires_at;
    return r;
}

phone_confirmation case_service::confirm_phone_code(unit_of_work& uow, const person_ref& who,
                                                    std::string_view code, std::int64_t now) const {
    phone_confirmation r;
    auto c = uow.latest_phone_code(who);
    if (!c || !settings_.codes) return r;  // no_code
    r.phone = c->phone;
    if (c->attempts >= settings_.phone_code_tries) {
        r.result = phone_confirmation::outcome::locked;
        return r;
    }
    if (c->used_at != 0 || now >= c->expires_at) {
        r.result = phone_confirmation::outcome::expired;
        return r;
    }
    if (!same_hash(settings_.codes->hash(c->phone, code), c->code_hash)) {
        ++c->attempts;
        uow.update_phone_code(*c);
        r.result = c->attempts >= settings_.phone_code_tries
                       ? phone_confirmation::outcome::locked
                       : phone_confirmation::outcome::wrong_code;
        return r;
    }
    c->used_at = now;
    uow.update_phone_code(*c);
    bind_verified_phone(uow, who, c->phone, now);
    r.result = phone_confirmation::outcome::bound;
    return r;
}

person case_service::bind_verified_phone(unit_of_work& uow, const person_ref& who,
                                         std::string phone, std::int64_t now) const {
    // One holder per phone: whoever verified it before loses it, and hears why.
    while (auto previous = uow.find_person_by_phone(phone)) {
        if (previous->who == who) break;
        previous->phone.clear();
        previous->phone_verified_at = 0;
        previous->updated_at = now;
        uow.save_person(*previous);
        detail::outbox out(uow, *templates_, now);
        out.to_person("phone_moved:" + std::to_string(now) + ":" + phone, "resident", previous->who,
                      "notify/phone_moved", {{"phone", nlu::mask_phone(phone)}}, 0);
    }
    person p = uow.get_person(who).value_or(person{});
    p.who = who;
    p.phone = std::move(phone);
    p.phone_verified_at = now;
    p.updated_at = now;
    uow.save_person(p);
    return p;
}

std::string case_service::staff_code_hash(std::string_view code) const {
    const bool well_formed =
        code.size() == staff_code_digits &&
        std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!well_formed || !settings_.codes) return "";
    return settings_.codes->hash(staff_code_scope, code);
}

}  // namespace minsheng::dialog::cases
