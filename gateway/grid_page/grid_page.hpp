#pragma once
// The grid worker's mobile page (/grid/, docs/grid-page.md): its static files (grid/ in the
// repository, read into memory at start-up like the console's) and its small JSON API under
// /grid/api/, which every call authenticates with the signed link's token (grid_links.hpp) sent
// in the X-Grid-Token header. The API's steps are case_service::order_act, the same the chat
// takes (dialog/cases/work_orders.hpp): the page is a second face, never a second set of rules.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "gateway/exchange.hpp"
#include "gateway/grid_page/grid_links.hpp"
#include "gateway/server/auth_throttle.hpp"

namespace minsheng::gateway::grid_page {

// The most a photo may weigh once decoded (the page scales photos down before sending).
inline constexpr std::size_t max_photo_bytes = 512 * 1024;

struct page_file {
    std::string body;
    std::string content_type;
};

// Built once at start-up; immutable but for the throttle, which is thread-safe.
struct grid_page_state {
    std::shared_ptr<const grid_links> links;
    std::map<std::string, page_file, std::less<>> files;  // "/grid/app.js" → file
    // Tokens that fail verification, per client address ([limits] auth_failures_per_minute).
    auth_throttle failures;

    grid_page_state(std::shared_ptr<const grid_links> l, int failures_per_minute,
                    std::function<std::int64_t()> now)
        : links(std::move(l)), failures(failures_per_minute, std::move(now)) {}
};

// The links' signer from the config ([grid_page] public_url, link_hours) and the keying secret.
std::shared_ptr<const grid_links> make_grid_links(const config& cfg, const std::string& secret);
// Reads the page's files from cfg.grid_page.dir (a missing folder: the page answers 404).
std::shared_ptr<grid_page_state> make_grid_page_state(app_state& app,
                                                      std::shared_ptr<const grid_links> links);

// GET /grid, /grid/ and its files; GET and POST /grid/api/... .
void serve_grid_page(const exchange_ptr& x);

}  // namespace minsheng::gateway::grid_page
