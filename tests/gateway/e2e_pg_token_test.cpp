// End-to-end: two real minsheng-gateway processes on one PostgreSQL database share the WeChat
// access token (the shared_tokens row): started together on a full outbox, both deliver, each
// notification reaches (a fake of) WeChat exactly once, and the platform issues one token.

#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "adapters/db/store.hpp"
#include "adapters/pg_store/pg_connection.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/pg_url.hpp"
#include "tools/fake_wechat/fake_server.hpp"

namespace {

using minsheng::test::child;
using minsheng::test::read_line;
using minsheng::test::wait_exit;
namespace fw = minsheng::tools::fake_wechat;

constexpr const char* template_send = "/cgi-bin/message/template/send";

// A schema of its own on the test server, dropped at the end; `url` names it.
struct pg_schema {
    std::string base, name, url;
    explicit pg_schema(std::string server) : base(std::move(server)) {
        std::random_device rd;
        name = "e2e_token_" + std::to_string(rd());
        connect(base)->exec("CREATE SCHEMA " + name);
        url = base + (base.find('?') == std::string::npos ? "?" : "&") +
              "options=-csearch_path%3D" + name;
    }
    ~pg_schema() {
        try {
            connect(base)->exec("DROP SCHEMA " + name + " CASCADE");
        } catch (...) {
            // The server is gone; the cluster is thrown away with it.
        }
    }
    static std::unique_ptr<minsheng::adapters::sql::connection> connect(const std::string& u) {
        minsheng::adapters::pg_store::pg_options o;
        o.url = u;
        return minsheng::adapters::pg_store::connect(o);
    }
};

child spawn_gateway(const std::string& config, const std::string& db) {
    minsheng::test::spawn_options o;
    o.clean_minsheng_env = true;
    o.env_extra = {"MINSHENG_LISTEN=127.0.0.1:0", "MINSHENG_DB=" + db,
                   "MINSHENG_DATA_DIR=" MINSHENG_SOURCE_DIR,
                   std::string("MINSHENG_CODE_SECRET=") + minsheng::test::test_code_secret};
    return minsheng::test::spawn({MINSHENG_BIN_DIR "/minsheng-gateway", "--config", config}, o);
}

// The notifications the gateway on `port` delivered, as its /metrics counts them.
long delivered_by(unsigned short port) {
    minsheng::gateway::http_client http("127.0.0.1", port);
    const auto res = http.request("GET", "/metrics");
    REQUIRE(res.status == 200);
    long total = 0;
    std::istringstream lines(res.body);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("minsheng_notifications_delivered_total{", 0) == 0)
            total += std::stol(line.substr(line.rfind(' ') + 1));
    return total;
}

}  // namespace

TEST_CASE(
    "two gateway processes on one PostgreSQL database fetch one access token and deliver "
    "each notification once",
    "[e2e][outbox][pg]") {
    const auto server = minsheng::test::find_pg_url();
    if (!server.url) {
        WARN("skipped: no PostgreSQL server: " << server.reason);
        return;
    }
    pg_schema schema(*server.url);
    fw::fake_wechat_server fake{fw::fake_config{}};

    constexpr int n = 1000;
    {
        // The schema, and the outbox full before either gateway starts: both start delivering
        // at once, both need a token at once.
        minsheng::adapters::db::store s(schema.url);
        s.run([&](minsheng::dialog::unit_of_work& uow) {
            for (int i = 0; i < n; ++i) {
                minsheng::dialog::notification note;
                note.audience = "resident";
                note.to = minsheng::dialog::person_ref{minsheng::dialog::channel::wechat_oa,
                                                       "o_pgtoken_" + std::to_string(i)};
                note.template_key = "notify/case_accepted";
                note.text = "您反映的问题已受理。";
                note.idempotency_key = "pgtoken:" + std::to_string(i);
                uow.enqueue(note);
            }
        });
    }

    const std::string config = minsheng::test::temp_db_path("pgtoken") + ".toml";
    {
        std::ofstream f(config);
        f << "[wechat]\ntoken = \"t\"\nappid = \"wxpgtoken000001\"\n"
          << "aes_key = \"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG\"\n"
          << "[wechat_api]\nbase_url = \"" << fake.base_url() << "\"\nappid = \""
          << fake.config().appid << "\"\nsecret = \"" << fake.config().secret << "\"\n"
          << "default_template = \"TPL\"\npoll_interval_ms = 20\nrequest_timeout_ms = 5000\n";
    }
    std::vector<child> gateways{spawn_gateway(config, schema.url),
                                spawn_gateway(config, schema.url)};
    std::vector<unsigned short> ports;
    for (auto& g : gateways) {
        const auto line = read_line(g.out, std::chrono::seconds(20));
        REQUIRE(line.rfind("listening on 127.0.0.1:", 0) == 0);
        ports.push_back(static_cast<unsigned short>(std::stoi(line.substr(line.rfind(':') + 1))));
    }

    minsheng::adapters::db::reader r(schema.url, minsheng::adapters::db::store_options{});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (r.count_outbox("delivered") < n && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(r.count_outbox("delivered") == n);

    // Both gateways delivered: the token was needed by both.
    for (const auto port : ports) {
        const auto sent = delivered_by(port);
        INFO("gateway on port " << port << " delivered " << sent);
        CHECK(sent > 0);
    }
    for (auto& g : gateways) {
        kill(g.pid, SIGTERM);
        CHECK(wait_exit(g.pid, std::chrono::seconds(20)) == 0);
        close(g.out);
    }
    std::filesystem::remove(config);

    // Each notification reached WeChat once (by its client_msg_id, the row's idempotency key).
    std::map<std::string, int> by_key;
    const auto sends = fake.received(template_send);
    for (const auto& req : sends) ++by_key[req.json.value("client_msg_id", "")];
    CHECK(by_key.size() == n);
    int repeated = 0;
    for (const auto& [key, count] : by_key) {
        if (count != 1 || key.rfind("pgtoken:", 0) != 0) ++repeated;
    }
    CHECK(repeated == 0);
    CHECK(sends.size() == n);
    // One token between the two gateways: one fetch, every send carried it and was accepted.
    const auto fetches = fake.count("/cgi-bin/stable_token") + fake.count("/cgi-bin/token");
    CHECK(fetches == 1);
    std::map<std::string, int> tokens;
    int refused = 0;
    for (const auto& req : sends) {
        const auto t = req.query.find("access_token");
        ++tokens[t == req.query.end() ? "" : t->second];
        if (req.answered_status != 200 || req.answered_errcode != 0) ++refused;
    }
    CHECK(tokens.size() == 1);
    CHECK(refused == 0);
    CHECK(minsheng::adapters::db::reader(schema.url, minsheng::adapters::db::store_options{})
              .count_outbox("pending") == 0);
}
