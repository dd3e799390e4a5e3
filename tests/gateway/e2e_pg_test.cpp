// End-to-end on PostgreSQL: two real minsheng-gateway processes on one database (a fresh schema
// on the test server of tests/support/pg_url.hpp), the same configuration otherwise, as two
// gateways behind one load balancer (docs/deploy.md). What must hold across processes:
// - one wish, many volunteers claiming it through both: exactly one wins, the others are told
//   it is taken;
// - one push (one MsgId) delivered to both at once: one message, one case, the same reply;
// - one gateway killed with SIGKILL under load: everything either answered 200 is in the
//   database, and the other keeps answering;
// - notifications in flight at the killed gateway: the other delivers each once the in-flight
//   lease has run out.
// Without a PostgreSQL server each case is skipped with a warning.

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "adapters/pg_store/pg_connection.hpp"
#include "tests/gateway/abuse_support.hpp"
#include "tests/support/pg_url.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;

namespace {

using clock_type = std::chrono::steady_clock;

std::unique_ptr<adapters::sql::connection> pg_connect(const std::string& url) {
    adapters::pg_store::pg_options o;
    o.url = url;
    return adapters::pg_store::connect(o);
}

// A schema of its own on the test server, named in its URL's search_path; dropped at the end.
class pg_schema {
public:
    explicit pg_schema(const std::string& base) : base_(base) {
        std::random_device rd;
        name_ = "e2e_" + std::to_string(::getpid()) + "_" + std::to_string(rd() % 1000000);
        pg_connect(base_)->exec("CREATE SCHEMA " + name_);
        url_ = base_ + (base_.find('?') == std::string::npos ? "?" : "&") +
               "options=-csearch_path%3D" + name_;
    }
    ~pg_schema() {
        try {
            pg_connect(base_)->exec("DROP SCHEMA " + name_ + " CASCADE");
        } catch (...) {
            // A schema left behind dies with the throwaway cluster.
        }
    }
    pg_schema(const pg_schema&) = delete;
    pg_schema& operator=(const pg_schema&) = delete;

    const std::string& url() const { return url_; }

    std::int64_t count(const std::string& query, const std::string& param = "") const {
        auto c = pg_connect(url_);
        auto q = c->prepare(query);
        if (!param.empty()) q->bind(1, param);
        return q->executeStep() ? q->getColumn(0).getInt64() : 0;
    }
    std::string text(const std::string& query, const std::string& param = "") const {
        auto c = pg_connect(url_);
        auto q = c->prepare(query);
        if (!param.empty()) q->bind(1, param);
        return q->executeStep() ? q->getColumn(0).getString() : std::string();
    }

private:
    std::string base_, name_, url_;
};

// The real program with `--config <file>`, its stdout a pipe (only "listening on" is printed:
// log_level is off). Spawned by the constructor; listening() waits for its port, so two can
// start at once (and race for the migrations).
class gateway_child {
public:
    explicit gateway_child(const std::string& config) {
        std::vector<std::string> argv{MINSHENG_BIN_DIR "/minsheng-gateway", "--config", config};
        std::vector<std::string> envs;
        for (char** e = environ; e && *e; ++e)
            if (std::string_view(*e).rfind("MINSHENG_", 0) != 0) envs.emplace_back(*e);
        std::vector<char*> args, envp;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        for (auto& e : envs) envp.push_back(e.data());
        envp.push_back(nullptr);
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        const pid_t forked = ::fork();
        REQUIRE(forked >= 0);
        if (forked == 0) {
            ::dup2(fds[1], STDOUT_FILENO);
            const int null = ::open("/dev/null", O_WRONLY);
            if (null >= 0) ::dup2(null, STDERR_FILENO);
            for (int fd = 3; fd < 4096; ++fd) ::close(fd);
            ::execve(args[0], args.data(), envp.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        pid_ = forked;
        out_ = fds[0];
    }
    ~gateway_child() {
        if (pid_ > 0) kill9();
        if (out_ >= 0) ::close(out_);
    }
    gateway_child(const gateway_child&) = delete;
    gateway_child& operator=(const gateway_child&) = delete;

    unsigned short listening() {
        const std::string line = read_line(out_, std::chrono::seconds(60));
        std::smatch m;
        INFO("the gateway printed: " << line);
        REQUIRE(std::regex_match(line, m, std::regex(R"(listening on 127\.0\.0\.1:(\d+))")));
        port_ = static_cast<unsigned short>(std::stoi(m[1]));
        return port_;
    }
    unsigned short port() const { return port_; }

    // No drain, no goodbye.
    void kill9() {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

private:
    pid_t pid_ = -1;
    int out_ = -1;
    unsigned short port_ = 0;
};

// The account both gateways serve and wechat_peer plays.
gateway::config account() { return test_config(security_mode::safe, ""); }

// Writes the shared configuration of the gateways on `db` to a temporary file; its path.
std::string write_config(const std::string& db, const std::string& extra = "") {
    const std::string path = temp_db_path("pg") + ".toml";
    std::ofstream f(path);
    f << "db = \"" << db << "\"\nlisten = \"127.0.0.1:0\"\ndata_dir = \"" << MINSHENG_SOURCE_DIR
      << "\"\nlog_level = \"off\"\n"
      << wechat_toml(account()) << "[store]\ncode_secret = \"" << test_code_secret
      << "\"\npool_size = 4\n"
      << extra;
    return path;
}

// Two gateways on `db`, started at the same time.
struct two_gateways {
    std::string config;
    gateway_child a, b;
    two_gateways(const std::string& db, const std::string& extra = "")
        : config(write_config(db, extra)), a(config), b(config) {
        a.listening();
        b.listening();
    }
    ~two_gateways() { std::filesystem::remove(config); }
};

json api(unsigned short port, const std::string& method, const std::string& target) {
    gateway::http_client http("127.0.0.1", port);
    auto res = http.request(method, target, "", {{"Authorization", bearer(account())}});
    INFO(method << " " << target << " → " << res.status << " " << res.body);
    REQUIRE(res.status == 200);
    return json::parse(res.body);
}

std::string say(unsigned short port, const std::string& user, const std::string& text) {
    wechat_peer wx(account(), port);
    auto r = wx.say(user, text);
    INFO(user << ": " << text);
    REQUIRE(r.status == 200);
    return r.reply.text;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// The PostgreSQL server of this run, or a skip message (and nullopt).
std::optional<std::string> pg_or_skip() {
    auto found = find_pg_url();
    if (!found.url) {
        WARN("PostgreSQL end-to-end case skipped: " << found.reason);
        SUCCEED();
    }
    return found.url;
}

}  // namespace

TEST_CASE("postgres: fifty volunteers claiming one wish through two gateways, one wins",
          "[e2e][pg]") {
    const auto base = pg_or_skip();
    if (!base) return;
    pg_schema db(*base);
    two_gateways g(db.url());
    const unsigned short ports[2] = {g.a.port(), g.b.port()};

    // The wish, filed through A, read back through B.
    say(ports[0], "o_pg_resident",
        "我是独居老人，腿脚不便，希望有好心人帮我每周买一次菜。我住光明社区5栋，电话13900139000");
    auto list = api(ports[1], "GET", "/api/v1/cases?limit=1");
    REQUIRE(list["cases"].size() == 1);
    REQUIRE(list["cases"][0]["status"] == "accepted");
    const std::string number = list["cases"][0]["number"];

    constexpr int n = 50;
    const auto setup = clock_type::now();
    for (int i = 0; i < n; ++i) {
        const std::string user = "o_pg_vol_" + std::to_string(i);
        const unsigned short port = ports[i % 2];
        say(port, user, "我要当志愿者");
        say(port, user, "光明社区");
        approve_volunteer(account(), ports[(i + 1) % 2],
                          application_in(say(port, user, "会买菜、陪老人聊天")));
    }
    WARN("50 volunteers registered and approved in " << seconds_since(setup) << " s");

    // Every volunteer connected, then all claim at once, half through each gateway.
    std::atomic<bool> go{false};
    std::atomic<int> ready{0};
    std::vector<std::future<std::pair<int, std::string>>> claims;
    for (int i = 0; i < n; ++i)
        claims.push_back(std::async(std::launch::async, [&, i] {
            try {
                wechat_peer wx(account(), ports[i % 2]);
                ++ready;
                while (!go.load()) std::this_thread::yield();
                auto r = wx.say("o_pg_vol_" + std::to_string(i), "认领 " + number);
                return std::pair{r.status, r.reply.text};
            } catch (const std::exception& e) {
                ++ready;
                return std::pair{0, std::string(e.what())};
            }
        }));
    while (ready.load() < n) std::this_thread::sleep_for(ms(1));
    const auto started = clock_type::now();
    go = true;
    int winners = 0, taken = 0;
    std::string winner;
    for (int i = 0; i < n; ++i) {
        auto [status, text] = claims[static_cast<std::size_t>(i)].get();
        INFO("volunteer " << i << " → " << status << " " << text);
        CHECK(status == 200);
        if (contains(text, "认领成功")) {
            ++winners;
            winner = "o_pg_vol_" + std::to_string(i);
        } else {
            CHECK(contains(text, "已经被其他志愿者认领"));
            ++taken;
        }
    }
    WARN("50 concurrent claims answered in " << seconds_since(started) << " s");
    CHECK(winners == 1);
    CHECK(taken == n - 1);

    // The database agrees: one claimer, one claim event, the contact shown once.
    CHECK(db.text("SELECT claimer FROM cases WHERE number = ?1", number) == "wechat_oa:" + winner);
    CHECK(db.text("SELECT status FROM cases WHERE number = ?1", number) == "claimed");
    CHECK(db.count("SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id "
                   "WHERE c.number = ?1 AND e.action = 'claim'",
                   number) == 1);
    CHECK(db.count("SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id "
                   "WHERE c.number = ?1 AND e.action = 'contact_shown'",
                   number) <= 1);
}

TEST_CASE("postgres: one push delivered to both gateways at once makes one case, one reply",
          "[e2e][pg]") {
    const auto base = pg_or_skip();
    if (!base) return;
    pg_schema db(*base);
    two_gateways g(db.url());

    constexpr int rounds = 10;
    for (int k = 0; k < rounds; ++k) {
        const std::string user = "o_pg_twice_" + std::to_string(k);
        const std::string msg_id = std::to_string(9200000000000000000LL + k);
        const auto ts = now_s();
        // A light of another building each round: the same light would join the first case.
        const std::string text =
            "幸福小区" + std::to_string(k + 1) + "栋门口的路灯坏了一个星期了，晚上很黑";
        // WeChat's retry of one push: the same message (MsgId, CreateTime, text), signed anew.
        wechat_peer to_a(account(), g.a.port()), to_b(account(), g.b.port());
        const auto req_a = to_a.codec.text({to_a.account, user, text, ts, msg_id}, ts);
        const auto req_b = to_b.codec.text({to_b.account, user, text, ts, msg_id}, ts);
        std::atomic<int> ready{0};
        auto send = [&](wechat_peer& wx, const adapters::wechat_oa::client_request& req) {
            ++ready;
            while (ready.load() < 2) std::this_thread::yield();
            return wx.post(req);
        };
        auto fa = std::async(std::launch::async, [&] { return send(to_a, req_a); });
        auto fb = std::async(std::launch::async, [&] { return send(to_b, req_b); });
        const auto ra = fa.get();
        const auto rb = fb.get();
        INFO("round " << k << ": A " << ra.status << " " << ra.reply.text << "\nB " << rb.status
                      << " " << rb.reply.text);
        CHECK(ra.status == 200);
        CHECK(rb.status == 200);
        CHECK(ra.reply.text == rb.reply.text);
        CHECK(std::regex_search(ra.reply.text, std::regex(R"((MS|WX)\d{8}-\d{4})")));
        CHECK(db.count("SELECT count(*) FROM messages WHERE dedup_key = ?1", msg_id) == 1);
        CHECK(db.count("SELECT count(*) FROM cases WHERE source_key = ?1", msg_id) == 1);
    }
    CHECK(db.count("SELECT count(*) FROM cases") == rounds);
}

namespace {

// One push a gateway answered 200.
struct acknowledged {
    std::string user, msg_id, reply;
};

struct sender_result {
    std::vector<acknowledged> acked;
    int failed = 0;  // answered but not 200, or no answer while the gateway should be up
};

}  // namespace

TEST_CASE("postgres: one gateway killed under load loses nothing it answered; the other goes on",
          "[e2e][pg]") {
    const auto base = pg_or_skip();
    if (!base) return;
    pg_schema db(*base);
    two_gateways g(db.url());

    constexpr int per_gateway = 4;
    std::atomic<bool> a_killed{false}, stop{false};
    std::atomic<int> acked_a{0}, acked_b{0};
    auto sender = [&](unsigned short port, int t, bool on_a) {
        sender_result out;
        try {
            wechat_peer wx(account(), port);
            for (int k = 0; !stop.load() && k < 5000; ++k) {
                acknowledged m{
                    "o_pg_load_" + std::string(on_a ? "a" : "b") + std::to_string(t),
                    std::to_string(8300000000000000000LL + (on_a ? 0 : 500000000) + t * 100000 + k),
                    ""};
                const auto ts = now_s();
                auto r = wx.post(wx.codec.text(
                    {wx.account, m.user,
                     "幸福小区" + std::to_string(k % 30 + 1) + "栋门口的路灯坏了，晚上很黑", ts,
                     m.msg_id},
                    ts));
                if (r.status != 200) {
                    ++out.failed;
                    continue;
                }
                m.reply = r.reply.text;
                out.acked.push_back(std::move(m));
                ++(on_a ? acked_a : acked_b);
            }
        } catch (const std::exception&) {
            // No connection: expected only at the killed gateway, once it is killed.
            if (!(on_a && a_killed.load())) ++out.failed;
        }
        return out;
    };
    std::vector<std::future<sender_result>> at_a, at_b;
    for (int t = 0; t < per_gateway; ++t) {
        at_a.push_back(std::async(std::launch::async, sender, g.a.port(), t, true));
        at_b.push_back(std::async(std::launch::async, sender, g.b.port(), t, false));
    }

    // Under load on both: kill A once each has answered a good number.
    const auto load_started = clock_type::now();
    auto deadline = clock_type::now() + std::chrono::seconds(60);
    while ((acked_a.load() < 60 || acked_b.load() < 60) && clock_type::now() < deadline)
        std::this_thread::sleep_for(ms(5));
    REQUIRE(acked_a.load() >= 60);
    a_killed = true;
    g.a.kill9();
    const int b_at_kill = acked_b.load();
    WARN("A killed after " << seconds_since(load_started) << " s with " << acked_a.load()
                           << " answers by A and " << b_at_kill << " by B");

    // B goes on: another 60 answers at least, then stop.
    deadline = clock_type::now() + std::chrono::seconds(60);
    while (acked_b.load() < b_at_kill + 60 && clock_type::now() < deadline)
        std::this_thread::sleep_for(ms(5));
    CHECK(acked_b.load() >= b_at_kill + 60);
    stop = true;

    std::vector<acknowledged> by_a, by_b;
    int failed_a = 0, failed_b = 0;
    for (auto& f : at_a) {
        REQUIRE(f.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
        auto r = f.get();
        by_a.insert(by_a.end(), r.acked.begin(), r.acked.end());
        failed_a += r.failed;
    }
    for (auto& f : at_b) {
        REQUIRE(f.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
        auto r = f.get();
        by_b.insert(by_b.end(), r.acked.begin(), r.acked.end());
        failed_b += r.failed;
    }
    WARN(by_a.size() << " answered by A, " << by_b.size() << " by B in "
                     << seconds_since(load_started) << " s");
    CHECK(failed_a == 0);
    CHECK(failed_b == 0);

    // Everything answered 200, by either, is in the database, with the reply it was given.
    std::size_t missing = 0, other_reply = 0;
    auto conn = pg_connect(db.url());
    auto q = conn->prepare(
        "SELECT count(*) FROM messages WHERE channel = 'wechat_oa' AND "
        "dedup_key = ?1");
    for (const auto* list : {&by_a, &by_b})
        for (const auto& m : *list) {
            q->reset();
            q->bind(1, m.msg_id);
            REQUIRE(q->executeStep());
            if (q->getColumn(0).getInt64() != 1) {
                ++missing;
                UNSCOPED_INFO("missing: " << m.msg_id << " of " << m.user);
            }
        }
    CHECK(missing == 0);

    // The same pushes again, now at B (WeChat retrying what A answered): B answers what A did.
    wechat_peer wx(account(), g.b.port());
    for (std::size_t i = 0; i < by_a.size() && i < 20; ++i) {
        const auto& m = by_a[by_a.size() - 1 - i];  // the last ones A answered before it died
        const auto ts = now_s();
        auto r = wx.post(wx.codec.text(
            {wx.account, m.user, "retried text the gateway must not read", ts, m.msg_id}, ts));
        CHECK(r.status == 200);
        if (r.reply.text != m.reply) ++other_reply;
    }
    CHECK(other_reply == 0);
    CHECK(db.count("SELECT count(*) FROM messages") >=
          static_cast<std::int64_t>(by_a.size() + by_b.size()));
}

TEST_CASE("postgres: notifications in flight at a killed gateway are delivered once by the other",
          "[e2e][pg][outbox]") {
    const auto base = pg_or_skip();
    if (!base) return;
    namespace fw = tools::fake_wechat;
    fw::fake_wechat_server fake{fw::fake_config{}};
    pg_schema db(*base);
    constexpr int n = 20;
    constexpr int lease = 5;  // [wechat_api] in_flight_seconds
    {
        adapters::db::store s(db.url());
        s.run([&](dialog::unit_of_work& uow) {
            for (int i = 0; i < n; ++i) {
                dialog::notification note;
                note.audience = "resident";
                note.to = dialog::person_ref{dialog::channel::wechat_oa,
                                             "o_pg_killed_" + std::to_string(i)};
                note.template_key = "notify/case_accepted";
                note.text = "您反映的问题已受理。";
                note.idempotency_key = "pgkilled:" + std::to_string(i);
                uow.enqueue(note);
            }
        });
    }
    // Every send hangs: A claims the rows (one batch) and is killed mid-send.
    fw::injection hang;
    hang.path = "/cgi-bin/message/template/send";
    hang.hang = true;
    hang.times = -1;
    fake.inject(hang);
    const std::string delivery =
        "[wechat_api]\nbase_url = \"" + fake.base_url() + "\"\nappid = \"" + fake.config().appid +
        "\"\nsecret = \"" + fake.config().secret +
        "\"\ndefault_template = \"TPL\"\npoll_interval_ms = 20\n" +
        "request_timeout_ms = 60000\nin_flight_seconds = " + std::to_string(lease) + "\n";
    const std::string config = write_config(db.url(), delivery);
    gateway_child a(config);
    a.listening();
    REQUIRE(fake.wait_for("/cgi-bin/message/template/send", 1, std::chrono::seconds(20)));
    const auto claimed_at = fake.received("/cgi-bin/message/template/send").front().at;
    CHECK(db.count("SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts > 0") == n);
    a.kill9();
    const auto killed = clock_type::now();
    const std::size_t sent_by_a = fake.count("/cgi-bin/message/template/send");
    fake.clear_injections();

    gateway_child b(config);
    b.listening();
    const auto deadline = clock_type::now() + std::chrono::seconds(30);
    while (db.count("SELECT count(*) FROM outbox WHERE status = 'delivered'") < n &&
           clock_type::now() < deadline)
        std::this_thread::sleep_for(ms(50));
    WARN("all " << n << " delivered by B " << seconds_since(killed) << " s after A was killed");
    CHECK(db.count("SELECT count(*) FROM outbox WHERE status = 'delivered'") == n);
    CHECK(db.count("SELECT count(*) FROM outbox WHERE status <> 'delivered'") == 0);

    const auto sends = fake.received("/cgi-bin/message/template/send");
    REQUIRE(sends.size() >= sent_by_a);
    std::map<std::string, int> by_b;
    for (std::size_t i = sent_by_a; i < sends.size(); ++i) {
        ++by_b[sends[i].json.value("client_msg_id", "")];
        // Not before the lease A took ran out (next_attempt_at is in whole seconds).
        CHECK(sends[i].at - claimed_at >= std::chrono::milliseconds(lease * 1000 - 1500));
    }
    CHECK(by_b.size() == n);
    for (const auto& [key, count] : by_b) {
        INFO(key);
        CHECK(key.rfind("pgkilled:", 0) == 0);
        CHECK(count == 1);
    }
    std::filesystem::remove(config);
}
