#pragma once
// Who a person is as one human across channels and accounts (docs/security.md, "one person, one
// vote"): the keys that name them, and whether someone acting on a case is the resident behind
// it. Pure functions over the store's data; thread-safe as the unit of work they are given.

#include <string>
#include <string_view>
#include <vector>

#include "dialog/ports.hpp"

namespace minsheng::dialog::cases {

// Every key naming p as one human: p.who.key(); "phone:<digits>" of a verified phone (one holder
// at a time, so the phone names one human wherever they bound it); "union:<unionid>" when WeChat
// gave one. A vote records them all, so a second vote under any of them is refused.
std::vector<std::string> identity_keys(const person& p);

// Whether the person with key `person_key` ("channel:user_id") is the human who reported c: the
// same channel identity, the same unionid as the reporter, or their verified phone is the
// reporter's (a hotline caller's number, the reporter's bound phone, the phone the reporter last
// verified by SMS code even if it moved since) or the case's contact phone.
bool same_human(unit_of_work& uow, std::string_view person_key, const case_record& c);

// A name as staff lists show it: its first character, then one "*" per other character
// ("王小明" → "王**"); "" for "".
std::string masked_name(std::string_view name);

}  // namespace minsheng::dialog::cases
