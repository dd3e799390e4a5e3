// Operator authentication: the bootstrap token or a staff token (adapters/db/staff.hpp),
// and the scope each role sees.
#include "gateway/operator/staff_auth.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/db/staff.hpp"
#include "gateway/routes/routes.hpp"
#include "gateway/server/app_state.hpp"

namespace minsheng::gateway {

namespace {

// Reads templates/canned/*.txt: the first line is the title, the rest the text. A directory
// that is missing means no canned replies; a file without a text is a mistake caught at start.
std::vector<canned_reply> load_canned(const std::string& templates_dir) {
    std::vector<canned_reply> out;
    const auto dir = std::filesystem::path(templates_dir) / "canned";
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (!e.is_regular_file() || e.path().extension() != ".txt") continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream buf;
        buf << in.rdbuf();
        std::string all = buf.str();
        auto nl = all.find('\n');
        canned_reply c;
        c.key = e.path().stem().string();
        c.title = all.substr(0, nl);
        c.text = nl == std::string::npos ? "" : all.substr(nl + 1);
        while (!c.text.empty() && (c.text.back() == '\n' || c.text.back() == '\r'))
            c.text.pop_back();
        if (!c.title.empty() && c.title.back() == '\r') c.title.pop_back();
        if (c.title.empty() || c.text.empty())
            throw std::runtime_error("canned reply " + e.path().string() +
                                     " needs a title line and a text");
        out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    return out;
}

}  // namespace

std::shared_ptr<staff_state> make_staff_state(app_state& app) {
    std::vector<dialog::cases::community_grids> grids;
    std::vector<dialog::cases::grid_area> areas;
    for (const auto& c : app.cfg.communities) {
        grids.push_back({c.name, c.grids});
        areas.insert(areas.end(), c.areas.begin(), c.areas.end());
    }
    return std::make_shared<staff_state>(
        load_canned(app.cfg.templates_dir),
        dialog::cases::assignment(std::move(grids), std::move(areas)),
        app.cfg.limits.auth_failures_per_minute, app.now);
}

staff_state::staff_state(std::vector<canned_reply> canned_replies, dialog::cases::assignment rule,
                         int auth_failures_per_minute, std::function<std::int64_t()> now)
    : canned(std::move(canned_replies)),
      assignment_rule(std::move(rule)),
      auth_failures(auth_failures_per_minute, std::move(now)) {}

const canned_reply* staff_state::find_canned(std::string_view key) const {
    for (const auto& c : canned)
        if (c.key == key) return &c;
    return nullptr;
}

bool operator_identity::sees_community(std::string_view which) const {
    if (sees_all()) return true;
    for (const auto& listed : communities)
        if (listed == which) return true;
    return false;
}

bool operator_identity::may_see(const dialog::case_record& c) const {
    return sees_community(c.community);
}

bool operator_identity::may_see_staff(const std::string& of_community,
                                      const std::string& of_street) const {
    if (sees_all()) return true;
    for (const auto& c : communities)
        if (c == of_community) return true;
    return role == "supervisor" && of_street == street;
}

bool operator_identity::scope(dialog::case_query& query) const {
    if (sees_all()) return true;
    if (query.community) {
        for (const auto& listed : communities)
            if (listed == *query.community) return true;
        return false;
    }
    query.communities = communities;
    return !communities.empty();
}

std::optional<operator_identity> bootstrap_operator(const config& cfg,
                                                    std::string_view authorization) {
    constexpr std::string_view prefix = "Bearer ";
    const std::string& token = cfg.operator_token;
    if (token.empty() || authorization.size() != prefix.size() + token.size() ||
        authorization.substr(0, prefix.size()) != prefix)
        return std::nullopt;
    if (CRYPTO_memcmp(authorization.data() + prefix.size(), token.data(), token.size()) != 0)
        return std::nullopt;
    return identity_of(cfg, "operator", "operator", "admin", "", "", "");
}

operator_identity identity_of(const config& cfg, std::string id, std::string name, std::string role,
                              std::string community, std::string grid, std::string street) {
    operator_identity who{std::move(id),
                          std::move(name),
                          std::move(role),
                          std::move(community),
                          std::move(grid),
                          std::move(street),
                          {}};
    if (who.role == "worker") {
        who.communities.push_back(who.community);
    } else if (who.role == "supervisor") {
        for (const auto& c : cfg.communities)
            if (c.street == who.street) who.communities.push_back(c.name);
    }
    return who;
}

std::optional<operator_identity> authenticate_operator(const config& cfg, adapters::db::reader& r,
                                                       std::string_view authorization,
                                                       std::int64_t now) {
    if (auto op = bootstrap_operator(cfg, authorization)) return op;
    constexpr std::string_view prefix = "Bearer ";
    if (!authorization.starts_with(prefix)) return std::nullopt;
    const auto token = authorization.substr(prefix.size());
    // Issued tokens are 43 characters; anything far longer is not worth hashing.
    if (token.empty() || token.size() > 256) return std::nullopt;
    auto m = adapters::db::staff_by_token(r, token, now);
    if (!m) return std::nullopt;
    auto who = identity_of(cfg, m->id, m->name, m->role, m->community, m->grid, m->street);
    who.staff = true;
    who.wechat_bound = !m->openid.empty();
    return who;
}

}  // namespace minsheng::gateway
