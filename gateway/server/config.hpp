#pragma once
// The gateway's configuration: one struct from a TOML file plus MINSHENG_* environment
// overrides, validated once at start-up and then passed by const&.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/wechat_oa/oa_endpoint.hpp"
#include "dialog/cases/service.hpp"

namespace minsheng::gateway {

// The program's rules: deadlines, handling modes, claims, points, proposals, timers.
struct program_config {
    std::string calendar_dir;  // default: <data_dir>/calendar
    // The city's certificate list (证明事项, docs/certificates.md); default:
    // <data_dir>/data/certificates.toml when that file exists (the shipped example), else none.
    std::string certificates_file;
    std::string working_hours;        // "08:30-12:00,14:00-17:30"; "" the standard hours
    int sweep_interval_seconds = 60;  // how often leases, reminders and escalations run
    dialog::cases::program_settings settings;
};

// The 12345 transcript feed: one HMAC secret per hotline system (docs/hotline.md).
struct hotline_config {
    // system name (the X-Minsheng-Hotline header; "default" when absent) → secret. No secret:
    // the feed refuses everything.
    std::map<std::string, std::string> secrets;
    std::int64_t max_clock_skew = 300;  // seconds either way
    // Systems still allowed the legacy signature ("sha256=", over timestamp and body only), each
    // use counted in minsheng_hotline_legacy_signatures_total{system}; every other system must
    // sign v2. Each must have a secret.
    std::set<std::string> legacy_signature;
    // Signatures remembered while inside the window, so none is let in twice; with this many
    // remembered, new requests are answered 503 until the oldest leaves the window.
    std::size_t replay_capacity = 100000;
};

// [wechat_api]: delivering the outbox through WeChat's API (docs/notifications.md). Delivery
// runs only when `secret` is set; otherwise notifications stay pending.
struct delivery_config {
    std::string base_url = "https://api.weixin.qq.com";  // [MINSHENG_WECHAT_API_BASE]
    std::string appid;                                   // default: wechat.appid
    std::string secret;                                  // "" : delivery is off
    std::string ca_file;             // PEM trust anchors instead of the system store (https)
    int poll_interval_ms = 2000;     // how often due rows are claimed
    int batch = 32;                  // rows claimed per poll
    int max_attempts = 8;            // a row failing this often (retryably) is dead
    int in_flight_seconds = 300;     // a claimed row whose outcome is never recorded is retried
    int retry_base_ms = 5000;        // backoff: base * 2^(attempts-1), jittered, capped at 1 h
    int request_timeout_ms = 10000;  // per API call
    // template_key ("notify/case_claimed") → template id; default_template for the others; none
    // at all: customer-service messages only (a closed window is retried later).
    std::map<std::string, std::string> templates;
    std::string default_template;
    // template id → its fields and what each shows, as [miniprogram] subscribe_fields
    // ("thing2" = "status"). A template without a map gets the legacy data: the text as `first`
    // and the notification's variables by name.            [wechat_api.template_fields.<id>]
    std::map<std::string, std::map<std::string, std::string>> template_fields;
    // Hotline callers without WeChat: POST {phone, text, idempotency_key} as JSON here; "" none
    // (their notifications stay pending).                         [MINSHENG_SMS_WEBHOOK]
    std::string sms_webhook;
};

// [[community]]: the communities (社区/村) the program serves and the street (街道) each belongs
// to; supervisors see their street's communities. Grids (网格) name a worker's patch.
struct community_config {
    std::string name;    // "东城社区"
    std::string street;  // "东城街道"
    std::vector<std::string> grids;
    std::optional<dialog::geo_point> location;  // for the map pictures; optional
    // [[community.grid]]: the grids drawn with a boundary (each also in `grids`); a located case
    // of the community falls in the first that contains it (dialog/cases/geo.hpp).
    std::vector<dialog::cases::grid_area> areas = {};
};

// [miniprogram]: the /mp/v1 API (docs/miniprogram.md).
struct miniprogram_config {
    std::string appid;               // default: wechat_api.appid      [MINSHENG_MP_APPID]
    std::string secret;              // default: wechat_api.secret; "" : login is refused (503)
                                     //                                 [MINSHENG_MP_SECRET]
    std::string base_url;            // code2session server; default: wechat_api.base_url
    int session_ttl_seconds = 7200;  // a session token's life
    int requests_per_minute = 60;    // per user (openid), token bucket refill
    int burst = 20;                  // per user, bucket size
    int logins_per_minute = 20;      // per client address, bucket size and refill
    // Subscribe messages (docs/notifications.md): the one template residents and volunteers
    // accept in the mini program (POST /mp/v1/subscriptions), the page a tap opens ("{number}"
    // becomes the case number), and what each of the template's fields shows: field key
    // ("character_string1") → "number" | "status" | "text" (the notification) | "time" (when it
    // was written) | another of the notification's variables. "" : mini program rows wait.
    std::string subscribe_template;
    std::string subscribe_page;
    std::map<std::string, std::string> subscribe_fields;
};

// [open311]: GeoReport v2 (docs/open311.md). POSTing a request needs one of the api keys.
struct open311_config {
    std::map<std::string, std::string> api_keys;  // client name → key   [MINSHENG_OPEN311_KEY
                                                  //                        sets "default"]
    std::string jurisdiction_id = "minsheng";
};

// [limits]: what holds under abuse (docs/security.md). Body limits are per route (the dispatcher's
// route names: "wechat_oa", "hotline", "mp", "api", "open311", "public", "console", "grid"); a
// route not
// listed gets config::body_limit.
struct limits_config {
    std::map<std::string, std::size_t, std::less<>> body_limits = {
        {"hotline", 4 << 20},    // a documented 500-call batch of appeal-length calls
        {"api", 1 << 20},        // operator JSON bodies
        {"open311", 256 << 10},  // a GeoReport form with a long description
        {"grid", 1 << 20},       // the grid page's steps: a photo scaled down by the page
    };
    int header_timeout_ms = 10000;  // request line and headers; keep-alive idle
    int body_timeout_ms = 30000;    // the body once the headers are in
    int max_connections = 4096;     // above it: 503 and close
    int reader_queue = 256;         // reads waiting for a reader thread; above it: 503
    int writer_queue = 4096;        // tasks waiting for the writer; above it: 503
    // Token buckets per client address on the routes that need no account (per minute, burst).
    int public_per_minute = 300, public_burst = 100;    // /public/v1
    int open311_per_minute = 120, open311_burst = 60;   // /open311/v2 (reads and posts)
    int hotline_per_minute = 600, hotline_burst = 120;  // /hotline, before the HMAC check
    int login_code_tries = 5;  // /mp/v1/login: tries of one code (a minute back per try)
    int open311_page = 200;    // most requests one GET lists
    // /api/v1: failed authentications per client address and minute; past them 429.
    int auth_failures_per_minute = 10;
    // Reverse proxies and load balancers in front of the gateway ("10.0.0.5", "10.0.0.0/24",
    // "::1"): from them the client's address is read from X-Forwarded-For (the rightmost hop that
    // is not one of these), for every per-address limit above. Empty (default): the connection's
    // address, whatever the header says.   [MINSHENG_TRUSTED_PROXIES, comma-separated]
    std::vector<std::string> trusted_proxies;
};

// [store]
struct store_config {
    // "full": every commit is fsynced before anyone is answered (nothing acknowledged is lost,
    // even to a power cut). "normal": fsynced at checkpoints; a power cut or OS crash can lose
    // the commits since the last checkpoint (a crash of the process alone loses nothing).
    std::string durability = "full";  // [MINSHENG_DURABILITY]
    // Inbound messages (what residents typed, phones and all) are deleted this many days after
    // they arrived (1..3650); cases keep what they need. Expired sessions and codes go at once.
    int message_retention_days = 180;
    // Keys the hashes of one-time codes (phone verification), at least 32 characters. ""
    // (default): the gateway makes one on its first start and keeps it in <db>.secret (0600);
    // several gateways on one database must be given the same one.   [MINSHENG_CODE_SECRET]
    // Required with PostgreSQL (`db = "postgresql://..."`), where gateways share the database.
    std::string code_secret;
    // Read connections the gateway keeps open between requests (1..256); more are opened under
    // load and closed after use. Each is a server process on PostgreSQL: size it against the
    // server's max_connections, counting every gateway.
    int pool_size = 8;
    // PostgreSQL only: statement_timeout of the gateway's connections (0: the server's), and
    // libpq's sslmode ("": as the URL says; "disable" .. "verify-full").
    int statement_timeout_ms = 0;
    std::string pg_sslmode;  // [MINSHENG_PG_SSLMODE]
};

// [grid_page]: the grid worker's mobile page (/grid/, docs/grid-page.md) and its signed links.
struct grid_page_config {
    // Where phones reach this gateway, "https://host[/prefix]"; the work order notices carry
    // "<public_url>/grid/#/order/<number>?t=<token>". "" (default): no link.  [MINSHENG_PUBLIC_URL]
    std::string public_url;
    int link_hours = 72;  // how long a link opens the worker's orders (1..720)
    std::string dir;      // the page's files; default: <data_dir>/grid
};

struct config {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 picks a free port
    int threads = 2;            // I/O threads
    // A SQLite file path (the default), or a PostgreSQL URL: postgresql://user@host/db (or
    // postgres://). [MINSHENG_DB]
    std::string db_path = "minsheng.db";
    std::string templates_dir;           // default: <data_dir>/templates
    std::string models_dir;              // default: <data_dir>/models
    std::size_t body_limit = 64 * 1024;  // bytes per request body, routes without their own limit
    limits_config limits;
    store_config store;
    std::string log_level = "info";  // trace, debug, info, warn, error, off
    std::string operator_token;      // bearer token of the bootstrap operator; "" disables;
                                     // else at least min_operator_token characters
    adapters::wechat_oa::oa_config wechat;
    program_config program;
    hotline_config hotline;
    delivery_config delivery;
    std::vector<community_config> communities;
    miniprogram_config miniprogram;
    open311_config open311;
    grid_page_config grid_page;
    std::string console_dir;             // the web console's files; default: <data_dir>/console
    bool using_dev_credentials = false;  // true when the built-in demo token/key are in use
};

// The shortest bootstrap operator token load_config accepts.
inline constexpr std::size_t min_operator_token = 32;

struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Builds the config: embedded defaults, then `file` (TOML, when given), then the environment
// (`env`, normally the process environment). Throws config_error naming the bad setting.
config load_config(const std::optional<std::string>& file,
                   const std::map<std::string, std::string>& env);

// The process environment's MINSHENG_* variables.
std::map<std::string, std::string> minsheng_environment();

// Parses "host:port" (IPv6 as "[::1]:8080"). Throws config_error.
std::pair<std::string, std::uint16_t> parse_listen(const std::string& s);

}  // namespace minsheng::gateway
