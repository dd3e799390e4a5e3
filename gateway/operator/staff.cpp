// The caller and their colleagues:
//   GET  /api/v1/me               who the token is, and which communities they see
//   POST /api/v1/me/wechat-code   a one-time code that binds their WeChat (绑定工号)
//   GET  /api/v1/staff            the staff they see, with each one's open cases
//   GET  /api/v1/canned           the canned replies (templates/canned/)
//   GET  /api/v1/audit            the staff audit trail (router.cpp: admins only)

#include "adapters/db/staff.hpp"
#include "dialog/values/iso8601.hpp"
#include "gateway/operator/endpoints.hpp"
#include "gateway/server/calendar_health.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::operator_api {

namespace store_ns = adapters::db;

void me(const call& c) {
    const auto& who = c.who;
    json communities = json::array();
    if (who.sees_all())
        for (const auto& cc : c.app().cfg.communities) communities.push_back(cc.name);
    else
        for (const auto& name : who.communities) communities.push_back(name);
    auto or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
    // What supervisors and admins must act on (console banner), as /healthz's warning codes.
    json notices = json::array();
    if (who.role != "worker" && check_calendar(c.app().service->calendar(), c.app().now()).warn)
        notices.push_back(calendar_warning);
    c.answer(http::status::ok, {{"id", who.id},
                                {"name", who.name},
                                {"role", who.role},
                                {"community", or_null(who.community)},
                                {"grid", or_null(who.grid)},
                                {"street", or_null(who.street)},
                                {"communities", std::move(communities)},
                                {"sees_all", who.sees_all()},
                                {"staff", who.staff},
                                {"wechat_bound", who.wechat_bound},
                                {"notices", std::move(notices)}});
}

// A one-time code the caller sends to the official account ("绑定工号 <code>") so that their
// staff notifications reach them on WeChat; valid for 24 hours, replacing any earlier code.
void wechat_code(const call& c) {
    if (!c.who.staff)
        return c.refuse(http::status::conflict, "not_staff",
                        "only staff members added with minsheng-admin can bind WeChat");
    const std::int64_t now = c.app().now();
    c.x.on_writer<outcome>(
        [id = c.who.id, now, book = c.app().service->settings().codes](store_ns::store& st) {
            // The member was active when the token was checked; issue_bind_code checks again
            // (and throws when they no longer are: a 500, as for any failed write).
            const auto code = store_ns::issue_bind_code(st, *book, id, now + 24 * 3600, now);
            store_ns::append_audit(
                st, {0, now, dialog::cases::actor::op(id).key(), "staff_bind_code", id, ""});
            return outcome::answer(http::status::ok,
                                   {{"code", code.code},
                                    {"send", "绑定工号 " + code.code},
                                    {"expires_at", dialog::format_iso8601(code.expires_at)}});
        },
        deliver);
}

void list_staff(const call& c) {
    const auto loads = store_ns::open_cases_by_assignee(c.r);
    json arr = json::array();
    for (const auto& m : store_ns::list_staff(c.r)) {
        if (!c.who.may_see_staff(m.community, m.street)) continue;
        auto it = loads.find(m.id);
        arr.push_back(views::staff(m, it == loads.end() ? 0 : it->second));
    }
    c.answer(http::status::ok, {{"staff", std::move(arr)}});
}

void list_canned(const call& c) {
    json arr = json::array();
    for (const auto& r : c.app().staff->canned)
        arr.push_back({{"key", r.key}, {"title", r.title}, {"text", r.text}});
    c.answer(http::status::ok, {{"replies", std::move(arr)}});
}

void list_audit(const call& c) {
    std::size_t limit = 100;
    if (!c.limit(limit)) return;
    json arr = json::array();
    for (const auto& e : store_ns::list_audit(c.r, limit)) arr.push_back(views::audit(e));
    c.answer(http::status::ok, {{"entries", std::move(arr)}});
}

}  // namespace minsheng::gateway::operator_api
