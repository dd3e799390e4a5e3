// minsheng-admin: operator tasks.
//   migrate   create or upgrade the database (a file or a PostgreSQL URL) and print its schema
//             version
//   copy      copy a whole database into a new one (SQLite file to PostgreSQL, to move a
//             community up): refuses a source not at the latest schema and a destination that
//             holds any row; checks the copy (rows per table, ledger sums) and exits 1 if it
//             differs
//   token     print a new random bearer token for MINSHENG_OPERATOR_TOKEN
//   token issue|revoke   a staff member's bearer token (docs/operator-api.md): issue prints only
//             the token on stdout; only its SHA-256 is stored
//   staff add|list|disable   case workers, supervisors and admins of the operator API
//   staff bind-code|unbind   a one-time code the staff member sends to the official account
//             ("绑定工号 <code>") so that their notifications reach them on WeChat
//   check     load the config, templates, models and database as the gateway would; exit 1 if
//             anything is wrong (for deployment scripts)
//   stations  print each 驿站's code, name and the scene of its QR code (tab-separated), to make
//             the codes posted at the stations from (docs/volunteers.md)
//   deadline  print the SLA deadline of a case of a kind filed at a time (first line, ISO-8601
//             +08:00), then how it was counted; exit 2 on a bad kind or time
//   discovery import   a department's file of hardship indicators (主动发现, docs/discovery.md)
//   calendar import FILE.json   write calendar/cn-YYYY.txt from a holiday-cn file (the State
//             Council's schedule as holiday-cn publishes it), after the loader's checks; exit 2
//             with file:line reasons when the file is malformed (docs/cases.md)
//   calendar export --year YYYY   print a year of the calendar as a holiday-cn file
//   certificates --from YYYY-MM [--to YYYY-MM]   certificate requests answered from the city's
//             list per month and item: answered, escalated to a case, deflected (tab-separated)

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>

#include "adapters/db/certificate_stats.hpp"
#include "adapters/db/copy.hpp"
#include "adapters/db/keyed_codes.hpp"
#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "dialog/cases/calendar.hpp"
#include "dialog/cases/deadline.hpp"
#include "dialog/cases/working_hours.hpp"
#include "dialog/conversation/conversation.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/templates.hpp"
#include "dialog/utf8.hpp"
#include "dialog/values/civil_time.hpp"
#include "dialog/values/iso8601.hpp"
#include "gateway/server/config.hpp"
#include "gateway/server/station_scenes.hpp"
#include "tools/admin/calendar_command.hpp"
#include "tools/admin/discovery.hpp"

#ifndef MINSHENG_DATA_DIR_DEFAULT
#define MINSHENG_DATA_DIR_DEFAULT "."
#endif

namespace {

minsheng::gateway::config load(const std::string& file) {
    return minsheng::gateway::load_config(
        file.empty() ? std::nullopt : std::optional<std::string>(file),
        minsheng::gateway::minsheng_environment());
}

// A bootstrap operator token: 32 random bytes, as a staff token (43 characters, above the
// config's minimum). Throws std::runtime_error when OpenSSL has no randomness.
std::string random_token() {
    auto token = minsheng::adapters::db::new_bearer_token();
    if (!token) throw std::runtime_error("no randomness available");
    return *token;
}

// One line saying how the deadline was counted, e.g. "wish: 5 working days after the filing day
// Fri 2026-02-13 (not counted): Sat 2026-02-14 春节调休, Tue 2026-02-24, ...".
std::string explain(const minsheng::dialog::cases::working_calendar& cal, const std::string& kind,
                    const minsheng::dialog::cases::deadline_rule& rule,
                    minsheng::dialog::civil_date filed, std::int64_t reminder) {
    namespace mc = minsheng::dialog::cases;
    const auto day = [&](minsheng::dialog::civil_date d) {
        std::string s =
            std::string(minsheng::dialog::weekday_name(d)) + " " + minsheng::dialog::format_date(d);
        if (const auto name = cal.name_of(d); !name.empty()) s += " " + std::string(name);
        return s;
    };
    std::string out = kind + ": " + mc::describe(rule) + " after the filing day " + day(filed);
    const auto last = mc::deadline_day(cal, rule, filed);
    if (rule.in == mc::deadline_rule::unit::months) {
        if (last.day() != filed.day()) out += ", no such day in that month: its last day";
    } else {
        out += " (not counted)";
        if (rule.count <= 20) {
            auto d = filed;
            for (int i = 0; i < rule.count; ++i) {
                d = cal.next_working_day(d);
                out += (i == 0 ? ": " : ", ") + day(d);
            }
        }
        for (auto y = static_cast<int>(filed.year()); y <= static_cast<int>(last.year()); ++y) {
            if (!cal.covers(y))
                out += "; " + std::to_string(y) + " is not in the calendar: Monday-Friday rule";
        }
    }
    out += "; reminder " + minsheng::dialog::format_iso8601(reminder);
    return out;
}

// The deadline subcommand: 0 on success, 2 on a bad kind or time. Throws if the calendar
// does not load.
int print_deadline(const std::string& kind, const std::string& filed_text,
                   const std::string& calendar_dir) {
    namespace mc = minsheng::dialog::cases;
    const auto policy = mc::deadline_policy::defaults();
    const auto* rule = policy.find(kind);
    if (rule == nullptr) {
        std::string kinds;
        for (const auto& [k, r] : policy.rules()) kinds += (kinds.empty() ? "" : ", ") + k;
        std::fprintf(stderr, "minsheng-admin: unknown kind \"%s\" (one of: %s)\n", kind.c_str(),
                     kinds.c_str());
        return 2;
    }
    const auto filed = minsheng::dialog::parse_iso8601(filed_text);
    if (!filed || !minsheng::dialog::supports(*filed)) {
        std::fprintf(stderr,
                     "minsheng-admin: --filed \"%s\" is not an ISO-8601 time with an offset in "
                     "years 1-9999, e.g. 2026-02-13T10:00:00+08:00 or 2026-02-13T02:00:00Z\n",
                     filed_text.c_str());
        return 2;
    }
    const auto cal = mc::working_calendar::load(calendar_dir);
    const auto due = mc::deadline(cal, policy, kind, *filed);
    if (!due) {
        std::fprintf(stderr, "minsheng-admin: the deadline of --filed \"%s\" is after 9999\n",
                     filed_text.c_str());
        return 2;
    }
    const auto reminder = mc::reminder_time(cal, mc::working_hours::standard(), *filed, *due);
    std::printf("%s\n%s\n", minsheng::dialog::format_iso8601(*due).c_str(),
                explain(cal, kind, *rule, minsheng::dialog::china_date(*filed), reminder).c_str());
    return 0;
}

namespace store_ns = minsheng::adapters::db;

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

// What `staff` and `token` write: the staff tables and an audit entry by "admin-cli".
struct staff_options {
    std::string db;
    store_ns::staff_member member;
    std::string token;
    int days = 90;
    int hours = 24;  // bind-code validity
    std::string label;
};

void audit(store_ns::store& s, std::string action, std::string target, std::string detail) {
    store_ns::append_audit(
        s, {0, now_s(), "admin-cli", std::move(action), std::move(target), std::move(detail)});
}

// A community or street the config does not list is most likely a typo: refuse it when the
// config lists any (a deployment without [[community]] accepts any name).
std::string unknown_place(const minsheng::gateway::config& cfg, const store_ns::staff_member& m) {
    if (cfg.communities.empty()) return "";
    bool community = m.community.empty(), street = m.street.empty(), grid = m.grid.empty();
    for (const auto& c : cfg.communities) {
        if (c.name == m.community) {
            community = true;
            for (const auto& g : c.grids) grid = grid || g == m.grid;
            grid = grid || c.grids.empty();
        }
        street = street || c.street == m.street;
    }
    if (!community) return "community \"" + m.community + "\" is not a [[community]] of the config";
    if (!grid) return "grid \"" + m.grid + "\" is not a grid of " + m.community;
    if (!street) return "street \"" + m.street + "\" is not the street of any [[community]]";
    return "";
}

// Every text given on the command line ends up in JSON answers, logs and the audit trail: it must
// be UTF-8 (and have no control characters), checked here, at the edge.
std::string bad_text(const staff_options& o) {
    const std::pair<const char*, const std::string*> fields[] = {
        {"--id", &o.member.id},     {"--name", &o.member.name},
        {"--role", &o.member.role}, {"--community", &o.member.community},
        {"--grid", &o.member.grid}, {"--street", &o.member.street},
        {"--label", &o.label},
    };
    for (const auto& [flag, value] : fields) {
        if (!minsheng::dialog::is_valid_utf8(*value))
            return std::string(flag) + " must be UTF-8 text";
        for (unsigned char c : *value)
            if (c < 0x20 || c == 0x7f)
                return std::string(flag) + " must not hold control characters";
    }
    return "";
}

int staff_command(const std::string& which, const minsheng::gateway::config& cfg,
                  staff_options& o) {
    if (auto why = bad_text(o); !why.empty()) {
        std::fprintf(stderr, "minsheng-admin: %s\n", why.c_str());
        return 2;
    }
    store_ns::store s(o.db.empty() ? cfg.db_path : o.db);
    if (which == "list") {
        store_ns::reader r(s.path());
        for (const auto& m : store_ns::list_staff(r))
            std::printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.id.c_str(), m.role.c_str(),
                        m.name.c_str(), m.community.c_str(), m.grid.c_str(), m.street.c_str(),
                        m.active ? "active" : "disabled",
                        m.openid.empty() ? "wechat:none" : "wechat:bound");
        return 0;
    }
    if (which == "bind-code") {
        const std::int64_t t = now_s();
        // Keyed like the gateway's codes (the same secret), or the gateway would not know it.
        auto served = cfg;
        served.db_path = s.path();
        const store_ns::keyed_code_book book(minsheng::gateway::keying_secret(served));
        auto code =
            store_ns::issue_bind_code(s, book, o.member.id, t + std::int64_t{o.hours} * 3600, t);
        audit(s, "staff_bind_code", o.member.id,
              "expires " + minsheng::dialog::format_iso8601(code.expires_at));
        std::printf("%s\n", code.code.c_str());
        std::fprintf(stderr,
                     "send \"绑定工号 %s\" to the official account from the staff member's WeChat "
                     "before %s (one use)\n",
                     code.code.c_str(), minsheng::dialog::format_iso8601(code.expires_at).c_str());
        return 0;
    }
    if (which == "unbind") {
        if (!store_ns::unbind_staff_wechat(s, o.member.id, now_s())) {
            std::fprintf(stderr, "minsheng-admin: \"%s\" has no WeChat bound\n",
                         o.member.id.c_str());
            return 2;
        }
        audit(s, "staff_wechat_unbound", o.member.id, "");
        std::printf("unbound %s\n", o.member.id.c_str());
        return 0;
    }
    if (which == "disable") {
        if (!store_ns::deactivate_staff(s, o.member.id, now_s())) {
            std::fprintf(stderr, "minsheng-admin: no staff member \"%s\"\n", o.member.id.c_str());
            return 2;
        }
        audit(s, "staff_disable", o.member.id, "");
        std::printf("disabled %s\n", o.member.id.c_str());
        return 0;
    }
    // add
    if (auto why = unknown_place(cfg, o.member); !why.empty()) {
        std::fprintf(stderr, "minsheng-admin: %s\n", why.c_str());
        return 2;
    }
    store_ns::save_staff(s, o.member, now_s());
    audit(s, "staff_add", o.member.id,
          "role " + o.member.role +
              (o.member.community.empty() ? "" : " community " + o.member.community) +
              (o.member.grid.empty() ? "" : " grid " + o.member.grid) +
              (o.member.street.empty() ? "" : " street " + o.member.street));
    std::printf("saved %s (%s)\n", o.member.id.c_str(), o.member.role.c_str());
    return 0;
}

int token_command(const std::string& which, const minsheng::gateway::config& cfg,
                  const staff_options& o) {
    if (auto why = bad_text(o); !why.empty()) {
        std::fprintf(stderr, "minsheng-admin: %s\n", why.c_str());
        return 2;
    }
    store_ns::store s(o.db.empty() ? cfg.db_path : o.db);
    if (which == "revoke") {
        if (!store_ns::revoke_token(s, o.token, now_s())) {
            std::fprintf(stderr, "minsheng-admin: no such valid token\n");
            return 2;
        }
        // The hash's first 12 digits name the token in the trail; the token itself never.
        const auto hash = o.token.size() == 64 ? o.token : store_ns::token_hash(o.token);
        audit(s, "token_revoke", hash.substr(0, 12), "");
        std::printf("revoked\n");
        return 0;
    }
    const std::int64_t t = now_s();
    const std::int64_t expires = o.days == 0 ? 0 : t + std::int64_t{o.days} * 86400;
    auto issued = store_ns::issue_token(s, o.member.id, expires, o.label, t);
    audit(s, "token_issue", o.member.id,
          "token " + issued.hash.substr(0, 12) +
              (expires == 0 ? " never expires"
                            : " expires " + minsheng::dialog::format_iso8601(expires)) +
              (o.label.empty() ? "" : " label " + o.label));
    std::printf("%s\n", issued.token.c_str());
    return 0;
}

// The stations' scenes, keyed by the same secret as the gateway's (the config's, or the one
// beside the database).
int print_stations(const minsheng::gateway::config& cfg) {
    auto settings = cfg.program.settings;
    minsheng::gateway::give_station_scenes(settings, minsheng::gateway::keying_secret(cfg));
    for (const auto& st : settings.stations)
        std::printf("%s\t%s\t%s\n", st.code.c_str(), st.name.c_str(), st.scene.c_str());
    return 0;
}

// The copy subcommand: 0 when copied and checked, 2 when refused (nothing written), 1 when the
// copy or its check failed (store_error, caught by main). Prints the tables and their numbers of
// rows, never a row.
int copy_command(const std::string& from, const std::string& to) {
    try {
        const auto report = store_ns::copy_database(from, to);
        for (const auto& [table, rows] : report.tables)
            std::printf("%s\t%lld\n", table.c_str(), static_cast<long long>(rows));
        std::printf(
            "copied %zu tables, %lld rows from %s to %s (schema version %d); checked: "
            "rows per table, ledger sums per account, vote counts\n",
            report.tables.size(), static_cast<long long>(report.rows()),
            store_ns::describe_location(from).c_str(), store_ns::describe_location(to).c_str(),
            report.schema_version);
        return 0;
    } catch (const store_ns::copy_refused& e) {
        std::fprintf(stderr, "minsheng-admin: %s\n", e.what());
        return 2;
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"minsheng-admin: operator tasks for a minsheng deployment"};
    cli.require_subcommand(1);
    std::string config_file;
    cli.add_option("-c,--config", config_file, "TOML config file")->check(CLI::ExistingFile);

    auto* migrate = cli.add_subcommand("migrate", "create or upgrade the database");
    std::string db;
    migrate->add_option("--db", db,
                        "database file or postgresql:// URL (default: from the config)");
    auto* copy = cli.add_subcommand("copy", "copy a whole database into a new, empty one");
    std::string copy_from, copy_to;
    copy->add_option("--from", copy_from, "source: database file or postgresql:// URL")->required();
    copy->add_option("--to", copy_to, "destination: database file or postgresql:// URL")
        ->required();
    auto* token = cli.add_subcommand(
        "token", "print a new random operator bearer token, or issue/revoke a staff token");
    token->require_subcommand(0, 1);
    staff_options so;
    auto* token_issue = token->add_subcommand("issue", "issue a staff member's bearer token");
    token_issue->add_option("--db", so.db, "database file (default: from the config)");
    token_issue->add_option("--staff", so.member.id, "staff id")->required();
    token_issue->add_option("--days", so.days, "valid for N days; 0: never expires")
        ->check(CLI::Range(0, 3650))
        ->capture_default_str();
    token_issue->add_option("--label", so.label, "what the token is for (e.g. a device)");
    auto* token_revoke = token->add_subcommand("revoke", "revoke a staff token");
    token_revoke->add_option("--db", so.db, "database file (default: from the config)");
    token_revoke->add_option("--token", so.token, "the token, or its SHA-256 hex")->required();

    auto* staff = cli.add_subcommand("staff", "case workers, supervisors and admins");
    staff->require_subcommand(1);
    auto* staff_add = staff->add_subcommand("add", "add or update a staff member");
    staff_add->add_option("--db", so.db, "database file (default: from the config)");
    staff_add->add_option("--id", so.member.id, "staff id, e.g. w-dongcheng-01")->required();
    staff_add->add_option("--name", so.member.name, "display name")->required();
    staff_add->add_option("--role", so.member.role, "worker, supervisor or admin")
        ->required()
        ->check(CLI::IsMember({"worker", "supervisor", "admin"}));
    staff_add->add_option("--community", so.member.community, "a worker's community");
    staff_add->add_option("--grid", so.member.grid, "a worker's grid in the community");
    staff_add->add_option("--street", so.member.street, "a supervisor's street (街道)");
    auto* staff_list = staff->add_subcommand("list", "list staff (tab-separated)");
    staff_list->add_option("--db", so.db, "database file (default: from the config)");
    auto* staff_disable = staff->add_subcommand("disable", "disable a staff member");
    staff_disable->add_option("--db", so.db, "database file (default: from the config)");
    staff_disable->add_option("--id", so.member.id, "staff id")->required();
    auto* staff_bind = staff->add_subcommand(
        "bind-code", "print a one-time code that binds the staff member's WeChat (绑定工号)");
    staff_bind->add_option("--db", so.db, "database file (default: from the config)");
    staff_bind->add_option("--id", so.member.id, "staff id")->required();
    staff_bind->add_option("--hours", so.hours, "valid for N hours")
        ->check(CLI::Range(1, 168))
        ->capture_default_str();
    auto* staff_unbind = staff->add_subcommand("unbind", "forget the staff member's WeChat");
    staff_unbind->add_option("--db", so.db, "database file (default: from the config)");
    staff_unbind->add_option("--id", so.member.id, "staff id")->required();
    auto* check = cli.add_subcommand("check", "check config, templates, models and database");
    std::string check_db;
    check->add_option("--db", check_db,
                      "database file or postgresql:// URL (default: from the config)");
    auto* stations =
        cli.add_subcommand("stations", "print each station's code, name and QR code scene");
    auto* deadline = cli.add_subcommand("deadline", "print the SLA deadline of a case");
    std::string kind, filed;
    std::string calendar_dir = MINSHENG_DATA_DIR_DEFAULT "/calendar";
    deadline->add_option("--kind", kind, "wish, project, complaint or consultation")->required();
    deadline->add_option("--filed", filed, "filing time, ISO-8601 with offset")->required();
    deadline->add_option("--calendar", calendar_dir, "calendar directory (*.txt)")
        ->capture_default_str();
    auto* discovery = cli.add_subcommand("discovery", "主动发现: department files");
    discovery->require_subcommand(1);
    auto* discovery_import = discovery->add_subcommand(
        "import", "import a department's CSV file of hardship indicators (docs/discovery.md)");
    std::string discovery_db, discovery_source, discovery_file;
    discovery_import->add_option("--db", discovery_db, "database file or postgresql:// URL");
    discovery_import->add_option("--source", discovery_source, "the department, e.g. 医保")
        ->required();
    discovery_import->add_option("file", discovery_file, "the CSV file")->required();
    auto* calendar = cli.add_subcommand("calendar", "the working-day calendar's yearly files");
    calendar->require_subcommand(1);
    auto* calendar_import = calendar->add_subcommand(
        "import", "write calendar/cn-YYYY.txt from a holiday-cn JSON file");
    std::string calendar_file, calendar_out = MINSHENG_DATA_DIR_DEFAULT "/calendar";
    bool calendar_force = false;
    int calendar_year = 0;
    calendar_import->add_option("file", calendar_file, "holiday-cn JSON file")->required();
    calendar_import->add_option("--out", calendar_out, "calendar directory to write into")
        ->capture_default_str();
    calendar_import->add_flag("--force", calendar_force, "replace a different existing file");
    auto* calendar_export =
        calendar->add_subcommand("export", "print a year of the calendar as holiday-cn JSON");
    calendar_export->add_option("--year", calendar_year, "the year")
        ->required()
        ->check(CLI::Range(1, 9998));
    calendar_export->add_option("--calendar", calendar_out, "calendar directory (*.txt)")
        ->capture_default_str();
    auto* certificates = cli.add_subcommand(
        "certificates", "certificate requests answered without a case, per month and item");
    std::string cert_from, cert_to, cert_db;
    certificates->add_option("--from", cert_from, "first month, YYYY-MM")->required();
    certificates->add_option("--to", cert_to, "last month, YYYY-MM (default: --from)");
    certificates->add_option("--db", cert_db,
                             "database file or postgresql:// URL (default: from the config)");
    CLI11_PARSE(cli, argc, argv);

    try {
        if (*token && !*token_issue && !*token_revoke) {
            std::printf("%s\n", random_token().c_str());
            return 0;
        }
        if (*deadline) return print_deadline(kind, filed, calendar_dir);
        if (*calendar_import)
            return minsheng::admin::calendar_import(calendar_file, calendar_out, calendar_force);
        if (*calendar_export) return minsheng::admin::calendar_export(calendar_out, calendar_year);
        if (*copy) return copy_command(copy_from, copy_to);
        auto cfg = load(config_file);
        if (*token_issue) return token_command("issue", cfg, so);
        if (*token_revoke) return token_command("revoke", cfg, so);
        if (*staff_add) return staff_command("add", cfg, so);
        if (*staff_list) return staff_command("list", cfg, so);
        if (*staff_disable) return staff_command("disable", cfg, so);
        if (*staff_bind) return staff_command("bind-code", cfg, so);
        if (*staff_unbind) return staff_command("unbind", cfg, so);
        if (*stations) return print_stations(cfg);
        if (*discovery_import)
            return minsheng::admin::discovery_import(cfg, discovery_db, discovery_source,
                                                     discovery_file);
        if (*certificates) {
            if (cert_to.empty()) cert_to = cert_from;
            for (const auto* m : {&cert_from, &cert_to})
                if (!minsheng::dialog::parse_date(*m + "-01")) {
                    std::fprintf(stderr, "minsheng-admin: \"%s\" is not a month (YYYY-MM)\n",
                                 m->c_str());
                    return 2;
                }
            store_ns::reader r(cert_db.empty() ? cfg.db_path : cert_db, store_ns::store_options{});
            std::printf("month\titem\tanswered\tescalated\tdeflected\n");
            for (const auto& row : store_ns::certificate_answers_by_month(r, cert_from, cert_to))
                std::printf("%s\t%s\t%lld\t%lld\t%lld\n", row.month.c_str(), row.item.c_str(),
                            static_cast<long long>(row.answered),
                            static_cast<long long>(row.escalated),
                            static_cast<long long>(row.deflected()));
            return 0;
        }
        if (*migrate) {
            minsheng::adapters::db::store s(db.empty() ? cfg.db_path : db);
            std::printf("schema version %d: %s\n", s.schema_version(),
                        store_ns::describe_location(s.path()).c_str());
            return 0;
        }
        if (*check) {
            auto templates = minsheng::dialog::template_set::load(cfg.templates_dir);
            templates->require(minsheng::dialog::conversation::required_templates());
            std::printf("templates ok: %s\n", cfg.templates_dir.c_str());
            auto nlu = minsheng::dialog::nlu::engine::load(cfg.models_dir);
            std::printf("models ok: %s\n", cfg.models_dir.c_str());
            if (!check_db.empty()) cfg.db_path = check_db;
            minsheng::adapters::db::store s(cfg.db_path);
            std::printf("database ok: %s (schema version %d)\n",
                        store_ns::describe_location(cfg.db_path).c_str(), s.schema_version());
            if (cfg.using_dev_credentials)
                std::printf("warning: built-in development WeChat credentials are in use\n");
            if (cfg.operator_token.empty())
                std::printf("note: no operator token; the operator API is disabled\n");
            return 0;
        }
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "minsheng-admin: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "minsheng-admin: %s\n", e.what());
        return 1;
    }
    return 0;
}
