#pragma once
// Private to adapters/db: the staff SQL that runs inside another unit of work (the writer's
// message handling binds a staff member's WeChat; the outbox worker's claim finds whom a staff
// notification goes to). Throws sql::error on storage failure.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/sql/connection.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::db::detail {

class statement_cache;

// Wrong codes one WeChat user may send in 24 hours before binding is refused outright.
inline constexpr int bind_attempts_per_day = 5;

// unit_of_work::bind_staff. Refused attempts are written to audit_log ("staff_bind_refused").
dialog::staff_binding bind_staff(statement_cache& sql, std::string_view code_hash,
                                 const dialog::person_ref& who, std::int64_t now);

// unit_of_work::staff_of: the active staff member whose bound WeChat is `who`.
std::optional<dialog::bound_staff> staff_of(statement_cache& sql, const dialog::person_ref& who);

// A staff member a notification can reach on the official account.
struct staff_recipient {
    std::string id;
    std::string openid;
};

// Active staff with a bound WeChat user: role "worker" of `community` (every community for "");
// role "supervisor" of `street` (every street for ""). Ordered by id.
std::vector<staff_recipient> bound_staff(statement_cache& sql, std::string_view role,
                                         std::string_view community, std::string_view street);
// The active, bound staff member with this id, if any.
std::vector<staff_recipient> bound_staff_member(statement_cache& sql, std::string_view id);

}  // namespace minsheng::adapters::db::detail
