// End-to-end: 主动发现 (docs/discovery.md) on a generated city — a few thousand residents' cases
// filed in the real store, two department files imported by the real minsheng-admin, and the
// real gateway program ranking the households, each with why, for the supervisors of their
// street only; clear ID numbers appear neither in the database file nor in the gateway's log.

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "adapters/db/store.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tests/support/child_process.hpp"

using namespace minsheng;
using namespace minsheng::test;
using json = nlohmann::json;

namespace {

// A valid mainland ID number (GB 11643 check digit) for person `n`.
std::string id_number(int n) {
    char body[40];  // 17 digits; room for what the compiler cannot rule out
    std::snprintf(body, sizeof body, "44010019%02d%02d%02d%03d", 60 + n % 40, 1 + n % 12,
                  1 + n % 28, n % 1000);
    static const int weights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; ++i) sum += (body[i] - '0') * weights[i];
    return std::string(body, 17) + "10X98765432"[sum % 11];
}

std::string phone_of(int n) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "139%08d", n);
    return buf;
}

// What minsheng-admin printed on stdout and stderr, and its exit code.
cli_result admin_all(const std::string& args) {
    const std::string cmd = std::string("MINSHENG_CODE_SECRET=") + test_code_secret + " " +
                            MINSHENG_BIN_DIR + "/minsheng-admin " + args + " 2>&1";
    cli_result r;
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) r.out += buf;
    const int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

struct api {
    unsigned short port;
    struct reply {
        int status = 0;
        std::string raw;
        json body;
    };
    reply call(const std::string& token, const std::string& method, const std::string& target,
               const std::string& body = "") const {
        gateway::http_client http("127.0.0.1", port);
        auto res = http.request(
            method, target, body,
            {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
        reply r{res.status, res.body, {}};
        r.body = json::parse(res.body, nullptr, false);
        return r;
    }
};

// The seeded households: person numbers below `seeded` get overlapping signals.
constexpr int residents = 3000;
constexpr int seeded = 12;
const char* const communities[] = {"东城社区", "西城社区", "南山社区"};  // streets: 东,东,南

}  // namespace

TEST_CASE(
    "discovery ranks the seeded households first, explains them, hides ID numbers, and "
    "keeps to the supervisor of the street",
    "[e2e][discovery]") {
    const std::string db = temp_db_path("discovery");
    const std::string config = db + ".toml";
    const std::string log = db + ".log";
    {
        std::ofstream f(config);
        f << "[[community]]\nname = \"东城社区\"\nstreet = \"东城街道\"\n"
          << "[[community]]\nname = \"西城社区\"\nstreet = \"东城街道\"\n"
          << "[[community]]\nname = \"南山社区\"\nstreet = \"南山街道\"\n";
    }
    const auto now = now_s();
    std::mt19937 rng(17);
    {
        // The city: every resident has a verified phone and files one to three cases; most are
        // about the neighbourhood, some wishes with no hardship in them, and a scattering of one
        // hardship signal each (noise that must rank below the overlaps).
        adapters::db::store s(db);
        const char* plain[] = {"小区门口路灯不亮", "楼道垃圾没人清", "希望加装电梯",
                               "想要一套儿童绘本", "广场舞太吵了",   "井盖松动"};
        const char* hardship[] = {"老伴住院，医药费负担太重", "孩子的学费交不上", "房租交不起了"};
        int seq = 0;
        s.run([&](dialog::unit_of_work& uow) {
            for (int n = 0; n < residents; ++n) {
                const std::string user = "o_city_" + std::to_string(n);
                const std::string community = communities[n % 3];
                dialog::person p;
                p.who = {dialog::channel::wechat_oa, user};
                p.phone = phone_of(n);
                p.phone_verified_at = now - 86400;
                p.community = community;
                p.updated_at = now - 86400;
                uow.save_person(p);
                const int cases = 1 + static_cast<int>(rng() % 3);
                for (int k = 0; k < cases; ++k) {
                    dialog::case_draft d;
                    d.from = dialog::channel::wechat_oa;
                    d.reporter_id = user;
                    const bool noise = n >= seeded && rng() % 40 == 0;
                    d.kind = noise || rng() % 3 == 0 ? "wish" : "complaint";
                    d.description = noise ? hardship[rng() % 3] : plain[rng() % 6];
                    d.urgency = "normal";
                    d.community = community;
                    d.source_key = "city-" + std::to_string(seq++);
                    d.created_at = now - 86400 * static_cast<std::int64_t>(2 + rng() % 200);
                    uow.open_case(d);
                }
            }
            // The seeded households' own cases: a wish about medical bills, a call to 12345
            // about unpaid wages (the even ones).
            for (int n = 0; n < seeded; ++n) {
                dialog::case_draft d;
                d.from = dialog::channel::wechat_oa;
                d.reporter_id = "o_city_" + std::to_string(n);
                d.kind = "wish";
                d.urgency = "normal";
                d.description = "家里有人长期住院，医药费负担很重";
                d.community = communities[n % 3];
                d.source_key = "seed-" + std::to_string(n);
                d.created_at = now - 86400 * 20;
                uow.open_case(d);
                if (n % 2 != 0) continue;
                d.from = dialog::channel::hotline;
                d.reporter_id = phone_of(n);
                d.kind = "complaint";
                d.description = "工地老板拖欠工资三个月了";
                d.source_key = "seed-call-" + std::to_string(n);
                d.source_ref = "12345:seed-" + std::to_string(n);
                uow.open_case(d);
            }
        });
    }

    // Two department files. 医保: the seeded households' high medical costs, and noise rows of
    // other people. 民政: the even seeded ones applied for temporary relief; person 1 is already
    // on 低保 (在册), so not listed.
    std::vector<std::string> ids;
    const std::string yibao = db + "-yibao.csv", minzheng = db + "-minzheng.csv";
    {
        std::ofstream f(yibao);
        f << "\xEF\xBB\xBF身份证号,手机号,指标,金额,日期,社区\r\n";
        for (int n = 0; n < seeded; ++n) {
            ids.push_back(id_number(n));
            f << id_number(n) << "," << phone_of(n) << ",大病自付费用高," << 20000 + n * 100
              << ".50,2026-10-0" << 1 + n % 9 << "," << communities[n % 3] << "\r\n";
        }
        for (int n = 500; n < 560; ++n) {
            ids.push_back(id_number(n));
            f << id_number(n) << ",,门诊费用高,3000,2026-09-15," << communities[n % 3] << "\r\n";
        }
    }
    {
        std::ofstream f(minzheng);
        f << "id_number,phone,indicator,amount,date,community\n";
        for (int n = 0; n < seeded; n += 2)
            f << id_number(n) << "," << phone_of(n) << ",临时救助申请,,2026-11-0" << 1 + n % 9
              << "," << communities[n % 3] << "\n";
        f << id_number(1) << "," << phone_of(1) << ",低保在册,,2026-01-01," << communities[1]
          << "\n";
    }
    const std::string base = "-c " + config + " discovery import --db " + db;
    auto imported = admin_all(base + " --source 医保 " + yibao);
    INFO(imported.out);
    REQUIRE(imported.code == 0);
    CHECK(imported.out.find("72 rows, 72 new, 12 phone links") != std::string::npos);
    REQUIRE(admin_all(base + " --source 民政 " + minzheng).code == 0);
    // Importing again changes nothing.
    CHECK(admin_all(base + " --source 医保 " + yibao).out.find("72 rows, 0 new, 0 phone links") !=
          std::string::npos);

    {
        // A file with a wrong check digit on line 3 and a bad date on line 4: refused with the
        // file and line, the number never quoted, nothing written.
        const std::string bad = db + "-bad.csv";
        std::string wrong = id_number(900);
        wrong.back() = wrong.back() == '1' ? '2' : '1';
        {
            std::ofstream f(bad);
            f << "身份证号,指标,日期\n"
              << id_number(901) << ",低保在册,2026-01-01\n"
              << wrong << ",大病,2026-01-01\n"
              << id_number(902) << ",大病,2026-13-01\n";
        }
        auto refused = admin_all(base + " --source 残联 " + bad);
        INFO(refused.out);
        CHECK(refused.code == 2);
        CHECK(refused.out.find(bad + ":3: 身份证号 is not a valid ID number") != std::string::npos);
        CHECK(refused.out.find(bad + ":4: 日期") != std::string::npos);
        CHECK(refused.out.find(wrong) == std::string::npos);
        ids.push_back(id_number(901));
        ids.push_back(id_number(902));
        ids.push_back(wrong);
        // The file's valid line 2 was not written either: no row names the source.
        std::string stored;
        for (const char* suffix : {"", "-wal"}) stored += file_bytes(db + suffix);
        CHECK(stored.find("残联") == std::string::npos);
        std::filesystem::remove(bad);
    }

    // Staff: a supervisor of each street and a worker of 东城社区.
    const std::string staff = "-c " + config + " staff add --db " + db;
    REQUIRE(admin_all(staff + " --id s-east --name 东 --role supervisor --street 东城街道").code ==
            0);
    REQUIRE(admin_all(staff + " --id s-south --name 南 --role supervisor --street 南山街道").code ==
            0);
    REQUIRE(admin_all(staff + " --id w-east --name 工 --role worker --community 东城社区").code ==
            0);
    auto token = [&](const std::string& id) {
        auto r = admin_all("-c " + config + " token issue --db " + db + " --staff " + id);
        REQUIRE(r.code == 0);
        return trimmed(r.out);
    };
    const auto east = token("s-east"), south = token("s-south"), worker = token("w-east");

    spawn_options o;
    o.clean_minsheng_env = true;
    o.stderr_to_stdout = true;
    o.log_file = log;
    o.env_extra = {"MINSHENG_LISTEN=127.0.0.1:0",
                   "MINSHENG_DB=" + db,
                   "MINSHENG_DATA_DIR=" MINSHENG_SOURCE_DIR,
                   "MINSHENG_LOG_LEVEL=debug",
                   std::string("MINSHENG_CODE_SECRET=") + test_code_secret,
                   "MINSHENG_OPERATOR_TOKEN=discovery-operator-token-for-e2e-only",
                   "MINSHENG_WECHAT_TOKEN=t",
                   "MINSHENG_WECHAT_APPID=wxdiscovery00001",
                   "MINSHENG_WECHAT_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"};
    child c = spawn({MINSHENG_BIN_DIR "/minsheng-gateway", "--config", config}, o);
    // The log goes to a file: wait for the listening line there.
    unsigned short port = 0;
    for (int i = 0; i < 400 && port == 0; ++i) {
        std::smatch m;
        const auto text = file_bytes(log);
        if (std::regex_search(text, m, std::regex(R"(listening on 127\.0\.0\.1:(\d+))")))
            port = static_cast<unsigned short>(std::stoi(m[1]));
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(port != 0);
    const api a{port};

    auto list = a.call(east, "GET", "/api/v1/discovery");
    INFO(list.raw.substr(0, 600));
    REQUIRE(list.status == 200);
    const auto& hs = list.body["households"];
    // 东城街道's seeded households: persons 0, 3, 4, 6, 7, 9, 10 (n % 3 != 2), less person 1
    // (on 低保) — the even ones with four sources (医保, 民政, 民生平台, 12345热线), the odd ones
    // with two (医保, 民生平台).
    std::vector<int> expected_four, expected_two;
    for (int n = 0; n < seeded; ++n) {
        if (n % 3 == 2 || n == 1) continue;
        (n % 2 == 0 ? expected_four : expected_two).push_back(n);
    }
    const auto top = expected_four.size() + expected_two.size();
    REQUIRE(hs.size() > top);
    std::set<std::string> seeded_phones;
    for (int n = 0; n < seeded; ++n)
        seeded_phones.insert(phone_of(n).substr(0, 3) + "****" + phone_of(n).substr(7));
    for (std::size_t i = 0; i < top; ++i) {
        INFO(hs[i].dump());
        CHECK(seeded_phones.count(hs[i]["phone"].get<std::string>()) == 1);
        CHECK(hs[i]["overlap"] == (i < expected_four.size() ? 4 : 2));
        const std::string why = hs[i]["why"];
        CHECK(why.find("医保") != std::string::npos);
        CHECK(why.find("大病自付费用高") != std::string::npos);
        CHECK(why.find("民生平台") != std::string::npos);
        if (i < expected_four.size()) {
            CHECK(why.find("12345热线") != std::string::npos);
            CHECK(why.find("临时救助申请") != std::string::npos);
        }
        CHECK(hs[i]["community"] != "南山社区");
    }
    // Below them, only one-source noise; person 1 (在册) nowhere.
    for (std::size_t i = top; i < hs.size(); ++i) CHECK(hs[i]["overlap"] == 1);
    const std::string masked1 = phone_of(1).substr(0, 3) + "****" + phone_of(1).substr(7);
    for (const auto& h : hs) CHECK(h["phone"] != masked1);

    // The other street's supervisor sees only their street; the worker nothing.
    auto other = a.call(south, "GET", "/api/v1/discovery");
    REQUIRE(other.status == 200);
    for (const auto& h : other.body["households"]) CHECK(h["community"] == "南山社区");
    CHECK(
        a.call(south, "GET",
               "/api/v1/discovery?community=" + std::string("%E4%B8%9C%E5%9F%8E%E7%A4%BE%E5%8C%BA"))
            .status == 403);
    CHECK(a.call(worker, "GET", "/api/v1/discovery").status == 403);
    CHECK(a.call(worker, "GET", "/api/v1/discovery.csv").status == 403);
    const std::string first = hs[0]["household"];
    const std::string visit_first = json{{"household", first}, {"outcome", "granted"}}.dump();
    CHECK(a.call(south, "POST", "/api/v1/discovery/visits", visit_first).status == 403);
    CHECK(a.call(worker, "POST", "/api/v1/discovery/visits", visit_first).status == 403);
    // Nothing of it on a public view.
    CHECK(a.call("", "GET", "/api/v1/discovery").status == 401);

    // The CSV, masked.
    auto csv = a.call(east, "GET", "/api/v1/discovery.csv");
    REQUIRE(csv.status == 200);
    CHECK(csv.raw.find("大病自付费用高") != std::string::npos);

    // Visits feed the list: granted drops out, referred goes below the unvisited.
    REQUIRE(a.call(east, "POST", "/api/v1/discovery/visits", visit_first).status == 200);
    const std::string second = hs[1]["household"];
    REQUIRE(a.call(east, "POST", "/api/v1/discovery/visits",
                   json{{"household", second}, {"outcome", "referred"}}.dump())
                .status == 200);
    CHECK(a.call(east, "POST", "/api/v1/discovery/visits",
                 json{{"household", second}, {"outcome", "done"}}.dump())
              .status == 400);
    auto after = a.call(east, "GET", "/api/v1/discovery").body["households"];
    std::size_t second_at = 0;
    for (std::size_t i = 0; i < after.size(); ++i) {
        CHECK(after[i]["household"] != first);
        if (after[i]["household"] == second) second_at = i;
    }
    CHECK(second_at == after.size() - 1);
    CHECK(after[second_at]["referred"] == true);

    // Every view, export and visit is in the audit trail.
    auto audit = a.call("discovery-operator-token-for-e2e-only", "GET", "/api/v1/audit");
    std::multiset<std::string> actions;
    for (const auto& e : audit.body["entries"]) actions.insert(e["action"].get<std::string>());
    CHECK(actions.count("discovery_view") == 3);  // east twice, south once (refusals are not)
    CHECK(actions.count("discovery_export") == 1);
    CHECK(actions.count("discovery_visit") == 2);
    CHECK(actions.count("discovery_import") == 3);

    kill(c.pid, SIGTERM);
    CHECK(wait_exit(c.pid, std::chrono::seconds(20)) == 0);

    // No clear ID number anywhere: the database file (and its WAL) and the gateway's log.
    std::string stored;
    for (const char* suffix : {"", "-wal", "-shm"}) stored += file_bytes(db + suffix);
    const std::string logged = file_bytes(log);
    REQUIRE(stored.size() > 100000);
    REQUIRE(logged.find(" api 200 ") != std::string::npos);  // the log is on
    for (const auto& id : ids) {
        INFO(id);
        CHECK(stored.find(id) == std::string::npos);
        CHECK(logged.find(id) == std::string::npos);
        CHECK(list.raw.find(id) == std::string::npos);
        CHECK(csv.raw.find(id) == std::string::npos);
    }
    for (const char* suffix :
         {"", "-wal", "-shm", ".secret", ".toml", ".log", "-yibao.csv", "-minzheng.csv"})
        std::filesystem::remove(db + suffix);
}
