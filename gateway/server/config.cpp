#include "gateway/server/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <toml.hpp>
#include "dialog/utf8.hpp"
#include "gateway/grid/geojson.hpp"
#include "gateway/server/client_address.hpp"

#include "adapters/wechat_api/message_fields.hpp"

extern char** environ;

#ifndef MINSHENG_DATA_DIR_DEFAULT
#define MINSHENG_DATA_DIR_DEFAULT "."
#endif

namespace minsheng::gateway {
namespace {

// An integer setting that must fit T: toml11's find_or converts with a plain cast.
template <class T>
T int_or(const toml::value& v, const char* key, T fallback) {
    if (!v.contains(key)) return fallback;
    const std::int64_t n = toml::find<std::int64_t>(v, key);
    if (n < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
        static_cast<std::uint64_t>(n) > static_cast<std::uint64_t>(std::numeric_limits<T>::max()) ||
        (std::is_unsigned_v<T> && n < 0))
        throw config_error(std::string(key) + " is out of range");
    return static_cast<T>(n);
}

// A count of `unit`-second periods, in seconds; refused when it does not fit.
std::int64_t seconds_of(const toml::value& v, const char* key, std::int64_t fallback_seconds,
                        std::int64_t unit) {
    const std::int64_t n = int_or<std::int64_t>(v, key, fallback_seconds / unit);
    if (n < 0 || n > std::numeric_limits<std::int64_t>::max() / unit)
        throw config_error(std::string("program.") + key + " is out of range");
    return n * unit;
}

// Development credentials, used only when nothing else is configured, so the two README
// commands work out of the box. The gateway warns loudly when they are in use.
constexpr const char* dev_token = "minsheng-dev-token";
constexpr const char* dev_aes_key = "MinshengDevelopmentKeyDoNotUseInProduction0";
constexpr const char* dev_appid = "wxminshengdev0001";

int parse_int(const std::string& name, const std::string& v, long lo, long hi) {
    long out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || p != v.data() + v.size() || out < lo || out > hi)
        throw config_error(name + " must be a whole number from " + std::to_string(lo) + " to " +
                           std::to_string(hi) + ", got \"" + v + "\"");
    return static_cast<int>(out);
}

adapters::wechat_oa::security_mode parse_mode(const std::string& v) {
    using adapters::wechat_oa::security_mode;
    if (v == "plain") return security_mode::plain;
    if (v == "compat") return security_mode::compat;
    if (v == "safe") return security_mode::safe;
    throw config_error("wechat mode must be plain, compat or safe, got \"" + v + "\"");
}

// A field map of a template: keys the platform types ("thing1"), each naming what it shows.
void check_fields(const std::map<std::string, std::string>& fields, const std::string& what) {
    for (const auto& [key, source] : fields)
        if (adapters::wechat_api::field_type(key).empty() || source.empty())
            throw config_error(what + ": \"" + key +
                               "\" must be a field key such as thing1, naming what it shows");
}

// Optional lat/lng keys of a table; both or neither, in range.
std::optional<dialog::geo_point> read_location(const toml::value& v, const std::string& what) {
    const bool lat = v.contains("lat"), lng = v.contains("lng");
    if (!lat && !lng) return std::nullopt;
    if (lat != lng) throw config_error(what + ": give both lat and lng, or neither");
    dialog::geo_point p{toml::find<double>(v, "lat"), toml::find<double>(v, "lng")};
    if (p.lat < -90 || p.lat > 90 || p.lng < -180 || p.lng > 180)
        throw config_error(what + ": lat must be in -90..90 and lng in -180..180");
    return p;
}

// A station's QR code scene (WeChat takes 1..64 characters): a configured one of 16..64 printable
// ASCII characters; else one derived from the code ("st:<code>:<16 hex>"), which needs a code of
// letters, digits, '-' and '_' short enough to fit.
void check_scene(const dialog::cases::station& st) {
    const auto printable = [](std::string_view s, std::string_view also) {
        for (char ch : s)
            if (!std::isalnum(static_cast<unsigned char>(ch)) && also.find(ch) == also.npos)
                return false;
        return true;
    };
    if (!st.scene.empty()) {
        if (st.scene.size() < 16 || st.scene.size() > 64 ||
            !printable(st.scene, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"))
            throw config_error("station \"" + st.code +
                               "\": scene must be 16 to 64 printable ASCII characters, no spaces");
        return;
    }
    if (st.code.size() > 64 - 20 || !printable(st.code, "-_"))
        throw config_error("station \"" + st.code +
                           "\": a code of at most 44 letters, digits, '-' and '_', or a scene");
}

// A ring written inline: [{lat = .., lng = ..}, ...].
dialog::cases::ring read_inline_ring(const toml::value& v, const std::string& what) {
    if (!v.is_array()) throw config_error(what + ": a ring is a list of {lat = .., lng = ..}");
    dialog::cases::ring r;
    for (const auto& p : v.as_array()) {
        if (!p.is_table() || !p.contains("lat") || !p.contains("lng"))
            throw config_error(what + ": each point is {lat = .., lng = ..}");
        r.push_back({toml::find<double>(p, "lat"), toml::find<double>(p, "lng")});
    }
    return r;
}

// [[community.grid]]: a grid with its boundary, inline (boundary, holes) or in a GeoJSON file
// (boundary_file, relative to the config file's directory). Its name joins the community's grids.
void read_grid_areas(const toml::value& v, community_config& cc, const std::filesystem::path& dir) {
    if (!v.contains("grid")) return;
    for (const auto& g : toml::find<std::vector<toml::value>>(v, "grid")) {
        dialog::cases::grid_area a;
        a.community = cc.name;
        a.grid = toml::find_or<std::string>(g, "name", "");
        const std::string what = "community \"" + cc.name + "\" grid \"" + a.grid + "\"";
        if (a.grid.empty())
            throw config_error("a [[community.grid]] of " + cc.name + " needs a name");
        const bool inline_shape = g.contains("boundary"), file = g.contains("boundary_file");
        if (inline_shape == file)
            throw config_error(what + ": give boundary or boundary_file, one of them");
        if (file) {
            auto path = std::filesystem::path(toml::find<std::string>(g, "boundary_file"));
            if (path.is_relative()) path = dir / path;
            try {
                a.shape = gateway::grid::read_geojson_boundary(path.string());
            } catch (const gateway::grid::geojson_error& e) {
                throw config_error(what + ": " + e.what());
            }
        } else {
            dialog::cases::polygon poly;
            poly.outer = read_inline_ring(toml::find(g, "boundary"), what);
            if (g.contains("holes"))
                for (const auto& h : toml::find(g, "holes").as_array())
                    poly.holes.push_back(read_inline_ring(h, what));
            a.shape.parts.push_back(std::move(poly));
            if (auto why = dialog::cases::normalise_boundary(a.shape);
                why.what != dialog::cases::ring_problem::none)
                throw config_error(
                    what + ": " +
                    (why.ring == 0 ? std::string("boundary") : "hole " + std::to_string(why.ring)) +
                    " " + std::string(dialog::cases::describe(why.what)));
        }
        for (const auto& other : cc.areas)
            if (other.grid == a.grid) throw config_error(what + " is listed twice");
        if (std::find(cc.grids.begin(), cc.grids.end(), a.grid) == cc.grids.end())
            cc.grids.push_back(a.grid);
        cc.areas.push_back(std::move(a));
    }
}

// [[community]], [miniprogram] and [open311].
void read_console(const toml::value& t, config& c, const std::filesystem::path& dir) {
    if (t.contains("community")) {
        for (const auto& v : toml::find<std::vector<toml::value>>(t, "community")) {
            community_config cc;
            cc.name = toml::find<std::string>(v, "name");
            cc.street = toml::find_or<std::string>(v, "street", "");
            cc.grids = toml::find_or<std::vector<std::string>>(v, "grids", {});
            cc.location = read_location(v, "community " + cc.name);
            read_grid_areas(v, cc, dir);
            c.communities.push_back(std::move(cc));
        }
    }
    if (t.contains("miniprogram")) {
        const auto& m = toml::find(t, "miniprogram");
        auto& mp = c.miniprogram;
        mp.appid = toml::find_or<std::string>(m, "appid", mp.appid);
        mp.secret = toml::find_or<std::string>(m, "secret", mp.secret);
        mp.base_url = toml::find_or<std::string>(m, "base_url", mp.base_url);
        mp.session_ttl_seconds = int_or(m, "session_ttl_seconds", mp.session_ttl_seconds);
        mp.requests_per_minute = int_or(m, "requests_per_minute", mp.requests_per_minute);
        mp.burst = int_or(m, "burst", mp.burst);
        mp.logins_per_minute = int_or(m, "logins_per_minute", mp.logins_per_minute);
        mp.subscribe_template =
            toml::find_or<std::string>(m, "subscribe_template", mp.subscribe_template);
        mp.subscribe_page = toml::find_or<std::string>(m, "subscribe_page", mp.subscribe_page);
        if (m.contains("subscribe_fields"))
            for (const auto& [key, v] : toml::find(m, "subscribe_fields").as_table())
                mp.subscribe_fields[key] = v.as_string().str;
    }
    if (t.contains("open311")) {
        const auto& o = toml::find(t, "open311");
        c.open311.jurisdiction_id =
            toml::find_or<std::string>(o, "jurisdiction_id", c.open311.jurisdiction_id);
        if (o.contains("api_keys"))
            for (const auto& [name, v] : toml::find(o, "api_keys").as_table())
                c.open311.api_keys[name] = v.as_string().str;
    }
}

void check_console(config& c) {
    std::set<std::string> names;
    for (const auto& cc : c.communities) {
        if (cc.name.empty()) throw config_error("a [[community]] needs a name");
        if (!names.insert(cc.name).second)
            throw config_error("community \"" + cc.name + "\" is listed twice");
        c.program.settings.communities.push_back(cc.name);
        if (!cc.street.empty()) c.program.settings.streets[cc.name] = cc.street;
        for (const auto& a : cc.areas) c.program.settings.grid_areas.push_back(a);
    }
    std::set<std::string> codes, scenes;
    for (const auto& st : c.program.settings.stations) {
        if (st.code.empty() || st.name.empty())
            throw config_error("a [[station]] needs a code and a name");
        if (!codes.insert(st.code).second)
            throw config_error("station \"" + st.code + "\" is listed twice");
        check_scene(st);
        if (!st.scene.empty() && !scenes.insert(st.scene).second)
            throw config_error("station \"" + st.code + "\": another station has this scene");
    }
    const auto& s = c.program.settings;
    if (s.points_per_hour < 0) throw config_error("program.points_per_hour must not be negative");
    if (s.max_visit_minutes < 60 || s.max_visit_minutes > 24 * 60)
        throw config_error("program.max_visit_hours must be from 1 to 24");
    if (s.presence_radius_m < 0 || s.presence_radius_m > 5000)
        throw config_error("program.presence_radius_m must be from 0 to 5000");
    if (s.max_daily_service_minutes > 24 * 60)
        throw config_error("program.max_daily_service_hours must be from 0 to 24");
    if (s.visit_join_minutes < 0 || s.visit_join_minutes > 24 * 60)
        throw config_error("program.visit_join_minutes must be from 0 to 1440");
    auto& mp = c.miniprogram;
    if (mp.appid.empty()) mp.appid = c.delivery.appid;
    if (mp.secret.empty()) mp.secret = c.delivery.secret;
    if (mp.base_url.empty()) mp.base_url = c.delivery.base_url;
    if (mp.session_ttl_seconds < 60 || mp.session_ttl_seconds > 30 * 86400)
        throw config_error("miniprogram.session_ttl_seconds must be from 60 to 2592000");
    if (mp.requests_per_minute < 1 || mp.requests_per_minute > 100000)
        throw config_error("miniprogram.requests_per_minute must be from 1 to 100000");
    if (mp.burst < 1 || mp.burst > 100000)
        throw config_error("miniprogram.burst must be from 1 to 100000");
    if (mp.logins_per_minute < 1 || mp.logins_per_minute > 100000)
        throw config_error("miniprogram.logins_per_minute must be from 1 to 100000");
    if (mp.base_url.rfind("http://", 0) != 0 && mp.base_url.rfind("https://", 0) != 0)
        throw config_error("miniprogram.base_url must be an http(s) URL");
    if (!mp.subscribe_template.empty() && mp.subscribe_fields.empty())
        throw config_error(
            "miniprogram.subscribe_fields must say what each field of the subscribe template "
            "shows");
    check_fields(mp.subscribe_fields, "miniprogram.subscribe_fields");
    for (const auto& [name, key] : c.open311.api_keys)
        if (key.size() < 16)
            throw config_error("open311 api key \"" + name + "\" must be at least 16 characters");
    if (c.open311.jurisdiction_id.empty())
        throw config_error("open311.jurisdiction_id must not be empty");
}

// [program], [deadlines] and [[handling.rule]]: the program's rules.
void read_program(const toml::value& t, program_config& p) {
    auto& s = p.settings;
    if (t.contains("program")) {
        const auto& g = toml::find(t, "program");
        p.calendar_dir = toml::find_or<std::string>(g, "calendar_dir", p.calendar_dir);
        p.certificates_file =
            toml::find_or<std::string>(g, "certificates_file", p.certificates_file);
        p.working_hours = toml::find_or<std::string>(g, "working_hours", p.working_hours);
        p.sweep_interval_seconds = int_or(g, "sweep_interval_seconds", p.sweep_interval_seconds);
        s.claim_lease_seconds = seconds_of(g, "claim_lease_hours", s.claim_lease_seconds, 3600);
        s.points_per_wish = int_or(g, "points_per_wish", s.points_per_wish);
        s.proposal_threshold = int_or(g, "proposal_threshold", s.proposal_threshold);
        s.proposal_voting_seconds =
            seconds_of(g, "proposal_voting_days", s.proposal_voting_seconds, 86400);
        s.max_proposals_per_day = int_or(g, "max_proposals_per_day", s.max_proposals_per_day);
        if (g.contains("votes_need_verified_phone"))  // a typo'd value is an error, not "off"
            s.votes_need_verified_phone = toml::find<bool>(g, "votes_need_verified_phone");
        s.community_cooling_seconds =
            seconds_of(g, "community_cooling_days", s.community_cooling_seconds, 86400);
        s.low_rating = int_or(g, "low_rating", s.low_rating);
        s.auto_close_seconds = seconds_of(g, "auto_close_days", s.auto_close_seconds, 86400);
        s.max_active_claims = int_or(g, "max_active_claims", s.max_active_claims);
        s.max_dropped_claims = int_or(g, "max_dropped_claims_per_day", s.max_dropped_claims);
        s.auto_confirm_seconds = seconds_of(g, "auto_confirm_days", s.auto_confirm_seconds, 86400);
        s.confirm_notice_seconds =
            seconds_of(g, "confirm_notice_days", s.confirm_notice_seconds, 86400);
        s.points_per_hour = int_or(g, "points_per_hour", s.points_per_hour);
        s.max_visit_minutes = seconds_of(g, "max_visit_hours", s.max_visit_minutes, 60);
        s.presence_radius_m =
            int_or<int>(g, "presence_radius_m", static_cast<int>(s.presence_radius_m));
        s.max_daily_service_minutes =
            seconds_of(g, "max_daily_service_hours", s.max_daily_service_minutes, 60);
        s.visit_join_minutes = int_or(g, "visit_join_minutes", s.visit_join_minutes);
    }
    if (t.contains("station")) {
        for (const auto& v : toml::find<std::vector<toml::value>>(t, "station")) {
            dialog::cases::station st;
            st.code = toml::find<std::string>(v, "code");
            st.name = toml::find<std::string>(v, "name");
            st.community = toml::find_or<std::string>(v, "community", "");
            st.address = toml::find_or<std::string>(v, "address", "");
            st.location = read_location(v, "station " + st.code);
            st.scene = toml::find_or<std::string>(v, "scene", "");
            s.stations.push_back(std::move(st));
        }
    }
    if (t.contains("deadlines")) {
        for (const auto& [kind, v] : toml::find(t, "deadlines").as_table()) {
            auto rule = dialog::cases::parse_deadline_rule(v.as_string().str);
            if (!rule)
                throw config_error("deadlines." + kind +
                                   " must read like \"5 working days\" or \"6 months\"");
            s.deadlines.set(kind, *rule);
        }
    }
    if (t.contains("handling")) {
        const auto& h = toml::find(t, "handling");
        std::vector<dialog::cases::handling_rule> rules;
        for (const auto& r : toml::find<std::vector<toml::value>>(h, "rule")) {
            dialog::cases::handling_rule rule;
            rule.name = toml::find<std::string>(r, "name");
            rule.mode = toml::find_or<std::string>(r, "mode", "");
            rule.kinds = toml::find_or<std::vector<std::string>>(r, "kinds", {});
            rule.urgencies = toml::find_or<std::vector<std::string>>(r, "urgencies", {});
            rule.categories = toml::find_or<std::vector<std::string>>(r, "categories", {});
            rule.keywords = toml::find_or<std::vector<std::string>>(r, "keywords", {});
            rules.push_back(std::move(rule));
        }
        try {
            s.rules = dialog::cases::handling_rules(std::move(rules));
        } catch (const std::invalid_argument& e) {
            throw config_error(std::string("handling rules: ") + e.what());
        }
    }
}

// [wechat_api]
void read_delivery(const toml::value& t, delivery_config& d) {
    if (!t.contains("wechat_api")) return;
    const auto& a = toml::find(t, "wechat_api");
    d.base_url = toml::find_or<std::string>(a, "base_url", d.base_url);
    d.appid = toml::find_or<std::string>(a, "appid", d.appid);
    d.secret = toml::find_or<std::string>(a, "secret", d.secret);
    d.ca_file = toml::find_or<std::string>(a, "ca_file", d.ca_file);
    d.poll_interval_ms = int_or(a, "poll_interval_ms", d.poll_interval_ms);
    d.batch = int_or(a, "batch", d.batch);
    d.max_attempts = int_or(a, "max_attempts", d.max_attempts);
    d.in_flight_seconds = int_or(a, "in_flight_seconds", d.in_flight_seconds);
    d.retry_base_ms = int_or(a, "retry_base_ms", d.retry_base_ms);
    d.request_timeout_ms = int_or(a, "request_timeout_ms", d.request_timeout_ms);
    d.default_template = toml::find_or<std::string>(a, "default_template", d.default_template);
    d.sms_webhook = toml::find_or<std::string>(a, "sms_webhook", d.sms_webhook);
    if (a.contains("templates"))
        for (const auto& [key, v] : toml::find(a, "templates").as_table())
            d.templates[key] = v.as_string().str;
    if (a.contains("template_fields"))
        for (const auto& [id, fields] : toml::find(a, "template_fields").as_table())
            for (const auto& [key, v] : fields.as_table())
                d.template_fields[id][key] = v.as_string().str;
}

void check_delivery(delivery_config& d, const std::string& oa_appid) {
    if (d.appid.empty()) d.appid = oa_appid;
    for (const auto& [id, fields] : d.template_fields)
        check_fields(fields, "wechat_api.template_fields." + id);
    auto in = [](int v, int lo, int hi) { return v >= lo && v <= hi; };
    if (!in(d.poll_interval_ms, 10, 3600 * 1000))
        throw config_error("wechat_api.poll_interval_ms must be from 10 to 3600000");
    if (!in(d.batch, 1, 1000)) throw config_error("wechat_api.batch must be from 1 to 1000");
    if (!in(d.max_attempts, 1, 100))
        throw config_error("wechat_api.max_attempts must be from 1 to 100");
    if (!in(d.in_flight_seconds, 1, 86400))
        throw config_error("wechat_api.in_flight_seconds must be from 1 to 86400");
    if (!in(d.retry_base_ms, 1, 3600 * 1000))
        throw config_error("wechat_api.retry_base_ms must be from 1 to 3600000");
    if (!in(d.request_timeout_ms, 100, 120000))
        throw config_error("wechat_api.request_timeout_ms must be from 100 to 120000");
    auto is_http = [](const std::string& u) {
        return u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0;
    };
    if (!is_http(d.base_url)) throw config_error("wechat_api.base_url must be an http(s) URL");
    if (!d.sms_webhook.empty() && !is_http(d.sms_webhook))
        throw config_error("wechat_api.sms_webhook must be an http(s) URL");
    if (!d.secret.empty() && d.appid.empty())
        throw config_error("wechat_api.appid (or wechat.appid) is required with a secret");
}

void check_program(program_config& p) {
    const auto& s = p.settings;
    if (p.sweep_interval_seconds < 1 || p.sweep_interval_seconds > 3600)
        throw config_error("program.sweep_interval_seconds must be from 1 to 3600");
    if (s.claim_lease_seconds < 3600)
        throw config_error("program.claim_lease_hours must be at least 1");
    if (s.points_per_wish < 0) throw config_error("program.points_per_wish must not be negative");
    if (s.proposal_threshold < 1)
        throw config_error("program.proposal_threshold must be at least 1");
    if (s.proposal_voting_seconds < 86400)
        throw config_error("program.proposal_voting_days must be at least 1");
    if (s.max_proposals_per_day < 0)
        throw config_error("program.max_proposals_per_day must not be negative (0: no limit)");
    if (s.community_cooling_seconds < 0 || s.community_cooling_seconds > 365 * 86400)
        throw config_error("program.community_cooling_days must be from 0 to 365");
    if (s.low_rating < 0 || s.low_rating > 4)
        throw config_error("program.low_rating must be from 0 to 4");
    if (s.auto_close_seconds < 86400)
        throw config_error("program.auto_close_days must be at least 1");
    if (s.max_active_claims < 0)
        throw config_error("program.max_active_claims must not be negative (0: no limit)");
    if (s.max_dropped_claims < 0)
        throw config_error("program.max_dropped_claims_per_day must not be negative (0: no limit)");
    if (s.confirm_notice_seconds < 86400)
        throw config_error("program.confirm_notice_days must be at least 1");
    if (s.auto_confirm_seconds <= s.confirm_notice_seconds)
        throw config_error(
            "program.auto_confirm_days must be more than program.confirm_notice_days");
    if (!p.working_hours.empty()) {
        try {
            (void)dialog::cases::working_hours::parse(p.working_hours);
        } catch (const std::invalid_argument& e) {
            throw config_error(std::string("program.working_hours: ") + e.what());
        }
    }
}

}  // namespace

std::pair<std::string, std::uint16_t> parse_listen(const std::string& s) {
    std::string host;
    std::string port;
    if (!s.empty() && s.front() == '[') {
        auto close = s.find(']');
        if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':')
            throw config_error("listen must be host:port, got \"" + s + "\"");
        host = s.substr(1, close - 1);
        port = s.substr(close + 2);
    } else {
        auto colon = s.rfind(':');
        if (colon == std::string::npos || colon == 0)
            throw config_error("listen must be host:port, got \"" + s + "\"");
        host = s.substr(0, colon);
        port = s.substr(colon + 1);
    }
    return {host, static_cast<std::uint16_t>(parse_int("listen port", port, 0, 65535))};
}

std::map<std::string, std::string> minsheng_environment() {
    std::map<std::string, std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string_view kv(*e);
        if (kv.rfind("MINSHENG_", 0) != 0) continue;
        auto eq = kv.find('=');
        if (eq == std::string_view::npos) continue;
        out.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    }
    return out;
}

namespace {

// [limits]
void read_limits(const toml::value& t, limits_config& l) {
    if (!t.contains("limits")) return;
    const auto& v = toml::find(t, "limits");
    if (v.contains("body_limits")) {
        for (const auto& [route, n] : toml::find(v, "body_limits").as_table()) {
            if (n.as_integer() < 0)
                throw config_error("limits.body_limits." + route + " is out of range");
            l.body_limits[route] = static_cast<std::size_t>(n.as_integer());
        }
    }
    l.header_timeout_ms = int_or(v, "header_timeout_ms", l.header_timeout_ms);
    l.body_timeout_ms = int_or(v, "body_timeout_ms", l.body_timeout_ms);
    l.max_connections = int_or(v, "max_connections", l.max_connections);
    l.reader_queue = int_or(v, "reader_queue", l.reader_queue);
    l.writer_queue = int_or(v, "writer_queue", l.writer_queue);
    l.public_per_minute = int_or(v, "public_per_minute", l.public_per_minute);
    l.public_burst = int_or(v, "public_burst", l.public_burst);
    l.open311_per_minute = int_or(v, "open311_per_minute", l.open311_per_minute);
    l.open311_burst = int_or(v, "open311_burst", l.open311_burst);
    l.hotline_per_minute = int_or(v, "hotline_per_minute", l.hotline_per_minute);
    l.hotline_burst = int_or(v, "hotline_burst", l.hotline_burst);
    l.login_code_tries = int_or(v, "login_code_tries", l.login_code_tries);
    l.auth_failures_per_minute = int_or(v, "auth_failures_per_minute", l.auth_failures_per_minute);
    l.open311_page = int_or(v, "open311_page", l.open311_page);
    if (v.contains("trusted_proxies")) {
        const auto& list = toml::find(v, "trusted_proxies");
        if (!list.is_array())
            throw config_error("limits.trusted_proxies must be a list of addresses or networks");
        l.trusted_proxies.clear();
        for (const auto& one : list.as_array()) {
            if (!one.is_string())
                throw config_error(
                    "limits.trusted_proxies must be a list of addresses or networks");
            l.trusted_proxies.push_back(one.as_string());
        }
    }
}

void check_grid_page(const grid_page_config& g) {
    const auto& u = g.public_url;
    if (!u.empty() && u.rfind("https://", 0) != 0 && u.rfind("http://", 0) != 0)
        throw config_error("grid_page.public_url must start with https:// (or http://)");
    if (u.find_first_of("?#\"\\ <>") != std::string::npos)
        throw config_error("grid_page.public_url must be a plain URL without query or fragment");
    if (g.link_hours < 1 || g.link_hours > 720)
        throw config_error("grid_page.link_hours must be from 1 to 720");
}

void check_limits(const limits_config& l) {
    static const char* routes[] = {"wechat_oa", "hotline", "mp",      "api",
                                   "open311",   "public",  "console", "grid"};
    for (const auto& [route, n] : l.body_limits) {
        if (std::find(std::begin(routes), std::end(routes), route) == std::end(routes))
            throw config_error("limits.body_limits: no route named \"" + route + "\"");
        if (n < 1024 || n > (64u << 20))
            throw config_error("limits.body_limits." + route + " must be from 1024 to 64 MiB");
    }
    if (l.header_timeout_ms < 100) throw config_error("limits.header_timeout_ms must be >= 100");
    if (l.body_timeout_ms < l.header_timeout_ms)
        throw config_error("limits.body_timeout_ms must be at least limits.header_timeout_ms");
    auto positive = [](int n, const char* name) {
        if (n < 1) throw config_error(std::string("limits.") + name + " must be at least 1");
    };
    positive(l.max_connections, "max_connections");
    positive(l.reader_queue, "reader_queue");
    positive(l.writer_queue, "writer_queue");
    positive(l.public_per_minute, "public_per_minute");
    positive(l.public_burst, "public_burst");
    positive(l.open311_per_minute, "open311_per_minute");
    positive(l.open311_burst, "open311_burst");
    positive(l.hotline_per_minute, "hotline_per_minute");
    positive(l.hotline_burst, "hotline_burst");
    positive(l.login_code_tries, "login_code_tries");
    positive(l.auth_failures_per_minute, "auth_failures_per_minute");
    if (l.open311_page < 1 || l.open311_page > 1000)
        throw config_error("limits.open311_page must be from 1 to 1000");
    for (const auto& p : l.trusted_proxies)
        if (!parse_network(p))
            throw config_error("limits.trusted_proxies: \"" + p +
                               "\" is not an IP address or network (10.0.0.0/8, fd00::/8)");
}

}  // namespace

config load_config(const std::optional<std::string>& file,
                   const std::map<std::string, std::string>& env) {
    config c;
    std::string data_dir = MINSHENG_DATA_DIR_DEFAULT;
    std::string mode;
    std::string listen;

    if (file) {
        toml::value t;
        try {
            std::ifstream in(*file, std::ios::binary);
            std::ostringstream bytes;
            bytes << in.rdbuf();
            if (!in) throw std::runtime_error("cannot open the file");
            // TOML is UTF-8; toml11 3.7.1 also reads out of bounds on some invalid bytes.
            if (!dialog::is_valid_utf8(bytes.str()))
                throw std::runtime_error("the file is not valid UTF-8");
            std::istringstream text(bytes.str());
            t = toml::parse(text, *file);
        } catch (const std::exception& e) {
            throw config_error("cannot read config " + *file + ": " + e.what());
        }
        try {
            listen = toml::find_or<std::string>(t, "listen", "");
            c.threads = int_or(t, "threads", c.threads);
            c.db_path = toml::find_or<std::string>(t, "db", c.db_path);
            data_dir = toml::find_or<std::string>(t, "data_dir", data_dir);
            c.templates_dir = toml::find_or<std::string>(t, "templates_dir", "");
            c.models_dir = toml::find_or<std::string>(t, "models_dir", "");
            c.body_limit = int_or(t, "body_limit", c.body_limit);
            // The old single read timeout is the body timeout.
            c.limits.body_timeout_ms = int_or(t, "read_timeout_ms", c.limits.body_timeout_ms);
            read_limits(t, c.limits);
            if (t.contains("store")) {
                const auto& st = toml::find(t, "store");
                c.store.durability =
                    toml::find_or<std::string>(st, "durability", c.store.durability);
                c.store.message_retention_days =
                    int_or(st, "message_retention_days", c.store.message_retention_days);
                c.store.code_secret = toml::find_or<std::string>(st, "code_secret", "");
                c.store.pool_size = int_or(st, "pool_size", c.store.pool_size);
                c.store.statement_timeout_ms =
                    int_or(st, "statement_timeout_ms", c.store.statement_timeout_ms);
                c.store.pg_sslmode = toml::find_or<std::string>(st, "pg_sslmode", "");
            }
            c.log_level = toml::find_or<std::string>(t, "log_level", c.log_level);
            c.operator_token = toml::find_or<std::string>(t, "operator_token", "");
            if (t.contains("wechat")) {
                const auto& w = toml::find(t, "wechat");
                c.wechat.token = toml::find_or<std::string>(w, "token", "");
                c.wechat.encoding_aes_key = toml::find_or<std::string>(w, "aes_key", "");
                c.wechat.appid = toml::find_or<std::string>(w, "appid", "");
                mode = toml::find_or<std::string>(w, "mode", "");
                c.wechat.max_clock_skew = int_or(w, "max_clock_skew", c.wechat.max_clock_skew);
            }
            read_program(t, c.program);
            read_delivery(t, c.delivery);
            read_console(t, c, std::filesystem::path(*file).parent_path());
            c.console_dir = toml::find_or<std::string>(t, "console_dir", "");
            if (t.contains("grid_page")) {
                const auto& g = toml::find(t, "grid_page");
                c.grid_page.public_url = toml::find_or<std::string>(g, "public_url", "");
                c.grid_page.link_hours = int_or(g, "link_hours", c.grid_page.link_hours);
                c.grid_page.dir = toml::find_or<std::string>(g, "dir", "");
            }
            if (t.contains("hotline")) {
                const auto& h = toml::find(t, "hotline");
                c.hotline.max_clock_skew = int_or(h, "max_clock_skew", c.hotline.max_clock_skew);
                for (const auto& name :
                     toml::find_or<std::vector<std::string>>(h, "legacy_signature", {}))
                    c.hotline.legacy_signature.insert(name);
                c.hotline.replay_capacity = int_or(h, "replay_capacity", c.hotline.replay_capacity);
                if (h.contains("secrets"))
                    for (const auto& [name, v] : toml::find(h, "secrets").as_table())
                        c.hotline.secrets[name] = v.as_string().str;
            }
        } catch (const config_error&) {
            throw;
        } catch (const std::exception& e) {
            throw config_error("bad value in " + *file + ": " + e.what());
        }
    }

    auto get = [&](const char* name) -> const std::string* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : &it->second;
    };
    if (auto v = get("MINSHENG_LISTEN")) listen = *v;
    if (auto v = get("MINSHENG_THREADS")) c.threads = parse_int("MINSHENG_THREADS", *v, 1, 256);
    if (auto v = get("MINSHENG_DB")) c.db_path = *v;
    if (auto v = get("MINSHENG_DATA_DIR")) data_dir = *v;
    if (auto v = get("MINSHENG_LOG_LEVEL")) c.log_level = *v;
    if (auto v = get("MINSHENG_OPERATOR_TOKEN")) c.operator_token = *v;
    if (auto v = get("MINSHENG_WECHAT_TOKEN")) c.wechat.token = *v;
    if (auto v = get("MINSHENG_WECHAT_AES_KEY")) c.wechat.encoding_aes_key = *v;
    if (auto v = get("MINSHENG_WECHAT_APPID")) c.wechat.appid = *v;
    if (auto v = get("MINSHENG_WECHAT_MODE")) mode = *v;
    if (auto v = get("MINSHENG_WECHAT_API_BASE")) c.delivery.base_url = *v;
    if (auto v = get("MINSHENG_WECHAT_API_APPID")) c.delivery.appid = *v;
    if (auto v = get("MINSHENG_WECHAT_API_SECRET")) c.delivery.secret = *v;
    if (auto v = get("MINSHENG_SMS_WEBHOOK")) c.delivery.sms_webhook = *v;
    if (auto v = get("MINSHENG_HOTLINE_SECRET")) c.hotline.secrets["default"] = *v;
    if (auto v = get("MINSHENG_MP_APPID")) c.miniprogram.appid = *v;
    if (auto v = get("MINSHENG_MP_SECRET")) c.miniprogram.secret = *v;
    if (auto v = get("MINSHENG_OPEN311_KEY")) c.open311.api_keys["default"] = *v;
    if (auto v = get("MINSHENG_PUBLIC_URL")) c.grid_page.public_url = *v;
    if (auto v = get("MINSHENG_TRUSTED_PROXIES")) {
        c.limits.trusted_proxies.clear();
        std::string_view rest = *v;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            std::string one(rest.substr(0, comma));
            one.erase(0, one.find_first_not_of(' '));
            one.erase(one.find_last_not_of(' ') + 1);
            if (!one.empty()) c.limits.trusted_proxies.push_back(one);
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        }
    }
    if (auto v = get("MINSHENG_DURABILITY")) c.store.durability = *v;
    if (auto v = get("MINSHENG_CODE_SECRET")) c.store.code_secret = *v;
    if (auto v = get("MINSHENG_PG_SSLMODE")) c.store.pg_sslmode = *v;
    if (auto v = get("MINSHENG_BODY_LIMIT"))
        c.body_limit =
            static_cast<std::size_t>(parse_int("MINSHENG_BODY_LIMIT", *v, 1024, 16 << 20));

    if (!listen.empty()) std::tie(c.host, c.port) = parse_listen(listen);

    if (c.wechat.token.empty() && c.wechat.encoding_aes_key.empty() && c.wechat.appid.empty()) {
        c.wechat.token = dev_token;
        c.wechat.encoding_aes_key = dev_aes_key;
        c.wechat.appid = dev_appid;
        c.using_dev_credentials = true;
    }
    if (c.wechat.token.empty())
        throw config_error("MINSHENG_WECHAT_TOKEN (wechat.token) is required");
    // Plain mode authenticates no message body: only ever by choice, never for want of a key.
    if (mode.empty() && c.wechat.encoding_aes_key.empty())
        throw config_error(
            "MINSHENG_WECHAT_AES_KEY (wechat.aes_key) is required; plain mode, which does not "
            "authenticate message bodies, must be chosen explicitly with wechat.mode = \"plain\" "
            "(MINSHENG_WECHAT_MODE=plain)");
    c.wechat.mode = mode.empty() ? adapters::wechat_oa::security_mode::safe : parse_mode(mode);
    if (c.wechat.mode != adapters::wechat_oa::security_mode::plain) {
        if (!adapters::wechat_oa::decode_encoding_aes_key(c.wechat.encoding_aes_key))
            throw config_error("MINSHENG_WECHAT_AES_KEY must be the 43-character EncodingAESKey");
        if (c.wechat.appid.empty())
            throw config_error("MINSHENG_WECHAT_APPID is required in compat and safe mode");
    }
    if (c.threads < 1 || c.threads > 256) throw config_error("threads must be from 1 to 256");
    if (c.body_limit < 1024) throw config_error("body_limit must be at least 1024 bytes");
    check_limits(c.limits);
    if (!c.operator_token.empty() && c.operator_token.size() < min_operator_token)
        throw config_error("operator_token (MINSHENG_OPERATOR_TOKEN) must be at least " +
                           std::to_string(min_operator_token) +
                           " characters; `minsheng-admin token` prints a random one");
    if (c.store.durability != "full" && c.store.durability != "normal")
        throw config_error("store.durability must be \"full\" or \"normal\"");
    if (c.store.message_retention_days < 1 || c.store.message_retention_days > 3650)
        throw config_error("store.message_retention_days must be from 1 to 3650");
    if (!c.store.code_secret.empty() && c.store.code_secret.size() < 32)
        throw config_error(
            "store.code_secret (MINSHENG_CODE_SECRET) must be at least 32 characters");
    if (c.store.pool_size < 1 || c.store.pool_size > 256)
        throw config_error("store.pool_size must be from 1 to 256");
    if (c.store.statement_timeout_ms < 0)
        throw config_error("store.statement_timeout_ms must not be negative");
    static const std::set<std::string, std::less<>> sslmodes = {
        "", "disable", "allow", "prefer", "require", "verify-ca", "verify-full"};
    if (!sslmodes.contains(c.store.pg_sslmode))
        throw config_error(
            "store.pg_sslmode must be disable, allow, prefer, require, verify-ca or verify-full");
    const bool on_postgres =
        c.db_path.starts_with("postgresql://") || c.db_path.starts_with("postgres://");
    if (on_postgres && c.store.code_secret.empty())
        throw config_error(
            "store.code_secret (MINSHENG_CODE_SECRET) is required with a PostgreSQL database: "
            "every gateway on it must key codes with the same secret");
    if (c.wechat.max_clock_skew < 1) throw config_error("wechat.max_clock_skew must be positive");
    if (c.hotline.max_clock_skew < 1) throw config_error("hotline.max_clock_skew must be positive");
    for (const auto& [name, secret] : c.hotline.secrets)
        if (secret.size() < 16)
            throw config_error("hotline secret \"" + name + "\" must be at least 16 characters");
    for (const auto& name : c.hotline.legacy_signature)
        if (!c.hotline.secrets.contains(name))
            throw config_error("hotline.legacy_signature names \"" + name +
                               "\", which has no secret in [hotline.secrets]");
    if (c.hotline.replay_capacity < 1 || c.hotline.replay_capacity > 10000000)
        throw config_error("hotline.replay_capacity must be from 1 to 10000000");
    static const char* levels[] = {"trace", "debug", "info", "warn", "error", "off"};
    if (std::find(std::begin(levels), std::end(levels), c.log_level) == std::end(levels))
        throw config_error("log_level must be one of trace, debug, info, warn, error, off");
    if (c.templates_dir.empty()) c.templates_dir = data_dir + "/templates";
    if (c.models_dir.empty()) c.models_dir = data_dir + "/models";
    if (c.program.calendar_dir.empty()) c.program.calendar_dir = data_dir + "/calendar";
    if (c.program.certificates_file.empty()) {
        std::error_code ec;
        const auto shipped = data_dir + "/data/certificates.toml";
        if (std::filesystem::exists(shipped, ec)) c.program.certificates_file = shipped;
    }
    if (c.console_dir.empty()) c.console_dir = data_dir + "/console";
    if (c.grid_page.dir.empty()) c.grid_page.dir = data_dir + "/grid";
    check_grid_page(c.grid_page);
    check_program(c.program);
    // The API appid defaults to the official account's, never to the development one.
    check_delivery(c.delivery, c.using_dev_credentials ? std::string() : c.wechat.appid);
    check_console(c);
    return c;
}

}  // namespace minsheng::gateway
