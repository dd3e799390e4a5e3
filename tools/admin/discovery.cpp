#include "tools/admin/discovery.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "adapters/db/discovery.hpp"
#include "adapters/db/staff.hpp"
#include "dialog/nlu/extractor.hpp"
#include "dialog/utf8.hpp"
#include "dialog/values/civil_time.hpp"
#include "gateway/server/station_scenes.hpp"

namespace minsheng::admin {

namespace {

namespace db = adapters::db;

// The header names each column may have (docs/discovery.md).
enum column { id_number, phone, indicator, amount, date, community, n_columns };
const std::vector<std::vector<std::string>> names = {
    {"身份证号", "id_number"}, {"手机号", "phone"}, {"指标", "indicator"},
    {"金额", "amount"},        {"日期", "date"},    {"社区", "community"},
};

// One line's fields (RFC 4180 quoting; a quoted field may not span lines). nullopt: a quote
// left open.
std::optional<std::vector<std::string>> fields_of(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char ch = line[i];
        if (quoted) {
            if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                out.back() += '"';
                ++i;
            } else if (ch == '"') {
                quoted = false;
            } else {
                out.back() += ch;
            }
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            out.emplace_back();
        } else {
            out.back() += ch;
        }
    }
    if (quoted) return std::nullopt;
    for (auto& f : out) {
        while (!f.empty() && (f.back() == ' ' || f.back() == '\t')) f.pop_back();
        while (!f.empty() && (f.front() == ' ' || f.front() == '\t')) f.erase(0, 1);
    }
    return out;
}

// Fen of "123", "123.4", "123.45"; nullopt otherwise (or beyond 10^12 yuan).
std::optional<std::int64_t> fen_of(const std::string& s) {
    std::int64_t yuan = 0, fen = 0;
    std::size_t i = 0;
    int digits = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
        if (digits >= 12) return std::nullopt;
        yuan = yuan * 10 + (s[i] - '0');
    }
    if (digits == 0) return std::nullopt;
    if (i < s.size()) {
        if (s[i] != '.' || i + 1 == s.size() || s.size() - i - 1 > 2) return std::nullopt;
        int scale = 10;
        for (++i; i < s.size(); ++i, scale /= 10) {
            if (s[i] < '0' || s[i] > '9') return std::nullopt;
            fen += (s[i] - '0') * scale;
        }
    }
    return yuan * 100 + fen;
}

bool mobile(const std::string& s) {
    if (s.size() != 11 || s[0] != '1') return false;
    for (char ch : s)
        if (ch < '0' || ch > '9') return false;
    return true;
}

std::string masked_phone(const std::string& s) { return s.substr(0, 3) + "****" + s.substr(7); }

}  // namespace

int discovery_import(const gateway::config& cfg, const std::string& db_location,
                     const std::string& source, const std::string& file) {
    std::vector<std::string> problems;
    auto problem = [&](int line, const std::string& why) {
        problems.push_back(file + ":" + std::to_string(line) + ": " + why);
    };
    if (source.empty() || !dialog::is_valid_utf8(source) || source.size() > 64) {
        std::fprintf(stderr, "minsheng-admin: --source must be a department's name (UTF-8)\n");
        return 2;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "minsheng-admin: cannot read %s\n", file.c_str());
        return 2;
    }
    auto served = cfg;
    if (!db_location.empty()) served.db_path = db_location;
    const db::discovery_keys keys(gateway::keying_secret(served));
    std::set<std::string> known_communities;
    for (const auto& c : cfg.communities) known_communities.insert(c.name);

    std::vector<db::discovery_row> rows;
    std::vector<int> at(n_columns, -1);
    std::string line;
    int number = 0;
    bool header = true;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
        if (!dialog::is_valid_utf8(line)) {
            problem(number, "not UTF-8 text (save the file as UTF-8)");
            continue;
        }
        if (line.find_first_not_of(" \t,") == std::string::npos) continue;  // blank line
        auto fields = fields_of(line);
        if (!fields) {
            problem(number, "a quoted field is not closed");
            continue;
        }
        if (header) {
            header = false;
            for (std::size_t i = 0; i < fields->size(); ++i)
                for (int c = 0; c < n_columns; ++c)
                    for (const auto& n : names[static_cast<std::size_t>(c)])
                        if ((*fields)[i] == n)
                            at[static_cast<std::size_t>(c)] = static_cast<int>(i);
            if (at[id_number] < 0) problem(number, "no column 身份证号 (id_number)");
            if (at[indicator] < 0) problem(number, "no column 指标 (indicator)");
            if (!problems.empty()) break;
            continue;
        }
        auto field = [&](column c) -> std::string {
            const int i = at[static_cast<std::size_t>(c)];
            return i >= 0 && static_cast<std::size_t>(i) < fields->size()
                       ? (*fields)[static_cast<std::size_t>(i)]
                       : std::string();
        };
        for (const auto& f : *fields)
            for (unsigned char ch : f)
                if (ch < 0x20 || ch == 0x7f) {
                    problem(number, "a field holds a control character");
                    goto next_line;
                }
        {
            db::discovery_row row;
            row.line = number;
            std::string id = field(id_number);
            if (!id.empty() && (id.back() == 'x')) id.back() = 'X';
            // The number itself is never quoted back: messages and logs must not hold it.
            if (id.size() != 18)
                problem(number, "身份证号 must have 18 characters");
            else if (!dialog::nlu::valid_id_number(id))
                problem(number, "身份证号 is not a valid ID number (check digit or birth date)");
            else
                row.household = keys.household_key(id);
            if (const auto p = field(phone); !p.empty()) {
                if (!mobile(p)) {
                    problem(number, "手机号 must be an 11-digit mobile number");
                } else {
                    row.phone_key = keys.phone_key(p);
                    row.phone_masked = masked_phone(p);
                }
            }
            row.indicator = field(indicator);
            if (row.indicator.empty())
                problem(number, "指标 is empty");
            else if (row.indicator.size() > 200)
                problem(number, "指标 is longer than 200 bytes");
            if (const auto a = field(amount); !a.empty()) {
                if (auto f = fen_of(a))
                    row.amount_fen = *f;
                else
                    problem(number, "金额 must be an amount in yuan like 1234.50");
            }
            if (const auto d = field(date); !d.empty()) {
                if (dialog::parse_date(d))
                    row.day = d;
                else
                    problem(number, "日期 must be a date like 2026-11-30");
            }
            row.community = field(community);
            if (!row.community.empty() && !known_communities.empty() &&
                !known_communities.count(row.community))
                problem(number,
                        "社区 \"" + row.community + "\" is not a [[community]] of the config");
            rows.push_back(std::move(row));
        }
    next_line:;
    }
    if (header && problems.empty()) problem(number == 0 ? 1 : number, "the file is empty");
    if (!problems.empty()) {
        for (const auto& p : problems) std::fprintf(stderr, "%s\n", p.c_str());
        std::fprintf(stderr, "minsheng-admin: nothing imported (%zu problems)\n", problems.size());
        return 2;
    }
    db::store s(served.db_path);
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    const auto result = db::import_discovery_rows(s, source, rows, now);
    db::append_audit(
        s, {0, now, "admin-cli", "discovery_import", source,
            "rows " + std::to_string(result.rows) + " new " + std::to_string(result.added) +
                " phone links " + std::to_string(result.links)});
    std::printf("imported %s: %lld rows, %lld new, %lld phone links\n", source.c_str(),
                static_cast<long long>(result.rows), static_cast<long long>(result.added),
                static_cast<long long>(result.links));
    return 0;
}

}  // namespace minsheng::admin
