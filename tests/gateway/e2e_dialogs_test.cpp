// End-to-end: the dialog test set (tests/gateway/dialogs.txt), multi-turn conversations of
// residents, volunteers and workers in Simplified, Traditional, Cantonese and with typos, each
// message sent through the real gateway on 127.0.0.1 over the encrypted official-account
// protocol, each reply checked for its key words and each step for its effect on the store
// (cases and proposals opened, the newest case's kind, category, urgency, handling and text).
//
// The file's lines:
//   === title                  a conversation; its people are "dlg<n>_<role>"
//   > role text                role sends text; $WX $MS $YS become the last such number replied
//   !volunteer role            the application number in the last reply is approved
//   !staff role community      a worker of community is added and binds role's WeChat by code
//   !verify role phone         role's phone is marked verified
//   < a & b                    the last reply contains a and b
//   <! a                       ... and not a
//   = cases +N | = proposals +N    opened since the conversation began
//   = last FIELD value         the newest case's kind, category, urgency, status, mode
//   = last text ~ words        the newest case's description contains words (!~: does not)

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;

namespace {

struct step {
    int line = 0;
    std::string text;
};

struct dialog_case {
    std::string title;
    int line = 0;
    std::vector<step> steps;
};

std::vector<dialog_case> load_dialogs(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in.good());
    std::vector<dialog_case> out;
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        if (line.rfind("=== ", 0) == 0) {
            out.push_back({line.substr(4), n, {}});
            continue;
        }
        REQUIRE_FALSE(out.empty());
        out.back().steps.push_back({n, line});
    }
    return out;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    return s.substr(i);
}

std::vector<std::string> split(const std::string& s, const std::string& sep) {
    std::vector<std::string> parts;
    std::size_t at = 0;
    for (auto next = s.find(sep); next != std::string::npos; next = s.find(sep, at)) {
        parts.push_back(trim(s.substr(at, next - at)));
        at = next + sep.size();
    }
    parts.push_back(trim(s.substr(at)));
    return parts;
}

// "role rest" → {role, rest}
std::pair<std::string, std::string> head(const std::string& s) {
    const auto sp = s.find(' ');
    if (sp == std::string::npos) return {s, ""};
    return {s.substr(0, sp), trim(s.substr(sp + 1))};
}

struct runner {
    runner(running_gateway& gw, wechat_peer& peer) : g(gw), wx(peer) {}

    running_gateway& g;
    wechat_peer& wx;
    int index = 0;
    std::string reply;
    std::map<std::string, std::string> numbers;  // "$WX" → last wish number replied
    std::int64_t cases_at_start = 0;
    std::int64_t proposals_at_start = 0;

    std::string user(const std::string& role) const {
        return "dlg" + std::to_string(index) + "_" + role;
    }

    std::int64_t count(const char* table) {
        SQLite::Database db(g.cfg.db_path, SQLite::OPEN_READONLY);
        return db.execAndGet(std::string("SELECT count(*) FROM ") + table).getInt64();
    }

    std::string newest(const std::string& field) {
        static const std::map<std::string, std::string> columns = {
            {"kind", "kind"},      {"category", "category"},  {"urgency", "urgency"},
            {"status", "status"},  {"mode", "handling_mode"}, {"text", "description"},
            {"channel", "channel"}};
        const auto c = columns.find(field);
        REQUIRE(c != columns.end());
        SQLite::Database db(g.cfg.db_path, SQLite::OPEN_READONLY);
        SQLite::Statement q(
            db, "SELECT coalesce(" + c->second + ", '') FROM cases ORDER BY id DESC LIMIT 1");
        REQUIRE(q.executeStep());
        return q.getColumn(0).getString();
    }

    std::string substitute(std::string text) const {
        for (const auto& [var, value] : numbers) {
            for (auto at = text.find(var); at != std::string::npos; at = text.find(var, at)) {
                text.replace(at, var.size(), value);
                at += value.size();
            }
        }
        return text;
    }

    void remember_numbers() {
        static const std::regex number(R"((MS|WX|YS)[0-9]{6,}(-[0-9]+)?)");
        for (std::sregex_iterator it(reply.begin(), reply.end(), number), end; it != end; ++it)
            numbers["$" + (*it)[1].str()] = it->str();
    }

    void run(const step& s) {
        INFO("dialogs.txt line " << s.line << ": " << s.text << "\nlast reply: " << reply);
        const std::string& t = s.text;
        if (t.rfind("> ", 0) == 0) {
            auto [role, text] = head(t.substr(2));
            auto r = wx.say(user(role), substitute(text));
            REQUIRE(r.status == 200);
            reply = r.reply.text;
            remember_numbers();
        } else if (t.rfind("<! ", 0) == 0) {
            for (const auto& w : split(substitute(t.substr(3)), " & "))
                CHECK(reply.find(w) == std::string::npos);
        } else if (t.rfind("< ", 0) == 0) {
            for (const auto& w : split(substitute(t.substr(2)), " & "))
                CHECK(reply.find(w) != std::string::npos);
        } else if (t.rfind("!volunteer ", 0) == 0) {
            approve_volunteer(g.cfg, g.port, application_in(reply));
        } else if (t.rfind("!staff ", 0) == 0) {
            auto [role, community] = head(t.substr(7));
            std::string id = "w-" + user(role);
            std::replace(id.begin(), id.end(), '_', '-');
            REQUIRE(admin("staff add --db '" + g.cfg.db_path + "' --id " + id +
                          " --name 网格员 --role worker --community " + community)
                        .code == 0);
            const auto code =
                trimmed(admin("staff bind-code --db '" + g.cfg.db_path + "' --id " + id).out);
            REQUIRE(code.size() == 8);
            auto r = wx.say(user(role), "绑定工号 " + code);
            REQUIRE(r.status == 200);
            reply = r.reply.text;
        } else if (t.rfind("!verify ", 0) == 0) {
            auto [role, phone] = head(t.substr(8));
            verify_phone_in_db(g.cfg, {dialog::channel::wechat_oa, user(role)}, phone);
        } else if (t.rfind("= cases ", 0) == 0) {
            CHECK(count("cases") - cases_at_start == std::stoll(t.substr(8)));
        } else if (t.rfind("= proposals ", 0) == 0) {
            CHECK(count("proposals") - proposals_at_start == std::stoll(t.substr(12)));
        } else if (t.rfind("= last ", 0) == 0) {
            auto [field, expected] = head(t.substr(7));
            const std::string actual = newest(field);
            if (expected.rfind("~ ", 0) == 0)
                CHECK(actual.find(expected.substr(2)) != std::string::npos);
            else if (expected.rfind("!~ ", 0) == 0)
                CHECK(actual.find(expected.substr(3)) == std::string::npos);
            else
                CHECK(actual == expected);
        } else {
            FAIL("dialogs.txt line " << s.line << ": unknown step");
        }
    }
};

}  // namespace

TEST_CASE("the dialog test set, through the real gateway", "[e2e][dialogs]") {
    const auto dialogs =
        load_dialogs(std::string(MINSHENG_SOURCE_DIR) + "/tests/gateway/dialogs.txt");
    REQUIRE(dialogs.size() >= 40);
    running_gateway g(test_config(security_mode::safe, temp_db_path("dialogs")));
    wechat_peer wx(g.cfg, g.port);
    runner r(g, wx);
    for (const auto& d : dialogs) {
        ++r.index;
        INFO("conversation " << r.index << " (line " << d.line << "): " << d.title);
        r.reply.clear();
        r.cases_at_start = r.count("cases");
        r.proposals_at_start = r.count("proposals");
        for (const auto& s : d.steps) r.run(s);
    }
}
