// Load benchmark of the safe-mode official-account webhook.
//
// Starts the real gateway in-process on 127.0.0.1:0 with a temporary SQLite file (or, with --db
// URL, a fresh schema on that PostgreSQL server, dropped at the end), pre-builds N signed and
// AES-encrypted pushes (unique MsgIds, one realistic Chinese appeal each, from many residents),
// then sends them over C keep-alive connections and reports requests/s and latency percentiles.
// Every reply is decrypted and checked, so a fast wrong answer cannot count. --gateways G starts
// G gateways in this process on the same database (each its own port, writer and pools, as G
// processes would have) and connection c talks to gateway c % G.
//
//   bench_webhook [--requests N] [--connections C] [--server-threads T] [--appeals FILE]
//                 [--db postgresql://...] [--gateways G]

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "adapters/pg_store/pg_connection.hpp"
#include "adapters/wechat_oa/client_codec.hpp"
#include "bench/gateway/bench_support.hpp"
#include "gateway/server/app.hpp"
#include "gateway/server/http_client.hpp"
#include "gateway/server/metrics.hpp"

namespace oa = minsheng::adapters::wechat_oa;
using clock_type = std::chrono::steady_clock;

int main(int argc, char** argv) {
    CLI::App cli{"bench_webhook: safe-mode webhook load benchmark"};
    std::size_t requests = 20000;
    std::size_t connections = 8;
    int server_threads = 2;
    std::string appeals_file = MINSHENG_SOURCE_DIR "/bench/data/appeals.txt";
    cli.add_option("-n,--requests", requests, "requests to send");
    cli.add_option("-c,--connections", connections, "concurrent keep-alive connections");
    cli.add_option("-t,--server-threads", server_threads, "gateway I/O threads");
    cli.add_option("--appeals", appeals_file, "one appeal per line");
    std::string durability = "full";
    cli.add_option("--durability", durability, "the store's durability: full or normal")
        ->check(CLI::IsMember({"full", "normal"}));
    std::string location;
    cli.add_option("--db", location,
                   "a postgresql:// URL: the gateways use a fresh schema there (default: a "
                   "temporary SQLite file)");
    std::size_t gateways = 1;
    cli.add_option("-g,--gateways", gateways, "gateways on the one database")
        ->check(CLI::Range(1, 16));
    CLI11_PARSE(cli, argc, argv);
    namespace pg = minsheng::adapters::pg_store;
    const bool on_postgres = !location.empty();
    if (on_postgres && !pg::is_postgres_url(location)) {
        std::fprintf(stderr, "--db must be a postgresql:// URL\n");
        return 1;
    }

    const auto appeals = minsheng::bench::read_lines(appeals_file);
    if (appeals.empty()) {
        std::fprintf(stderr, "no appeals in %s\n", appeals_file.c_str());
        return 1;
    }

    const auto admin = [&] {
        pg::pg_options o;
        o.url = location;
        return pg::connect(o);
    };
    std::string db, schema;
    if (on_postgres) {
        schema = "bench_webhook_" + std::to_string(::getpid());
        admin()->exec("CREATE SCHEMA " + schema);
        db = location + (location.find('?') == std::string::npos ? "?" : "&") +
             "options=-csearch_path%3D" + schema;
    } else {
        db = (std::filesystem::temp_directory_path() /
              ("minsheng-bench-" + std::to_string(::getpid()) + ".db"))
                 .string();
    }
    minsheng::gateway::config cfg;
    cfg.host = "127.0.0.1";
    cfg.port = 0;
    cfg.threads = server_threads;
    cfg.db_path = db;
    cfg.templates_dir = MINSHENG_SOURCE_DIR "/templates";
    cfg.models_dir = MINSHENG_SOURCE_DIR "/models";
    cfg.program.calendar_dir = MINSHENG_SOURCE_DIR "/calendar";
    cfg.log_level = "off";
    cfg.store.durability = durability;
    cfg.wechat.token = "bench-token";
    cfg.wechat.appid = "wxbench000000001";
    cfg.wechat.encoding_aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    cfg.wechat.mode = oa::security_mode::safe;
    cfg.wechat.max_clock_skew = 3600;
    cfg.store.code_secret = "bench-code-secret-bench-code-secret-0123456789";

    int rc = 0;
    {
        std::vector<std::unique_ptr<minsheng::gateway::app>> apps;
        std::vector<std::uint16_t> ports;
        for (std::size_t g = 0; g < gateways; ++g) {
            apps.push_back(std::make_unique<minsheng::gateway::app>(cfg));
            apps.back()->start();
            ports.push_back(apps.back()->endpoint().port());
        }

        oa::oa_client_codec codec(cfg.wechat);
        auto now = static_cast<std::int64_t>(std::time(nullptr));
        std::vector<oa::client_request> batch;
        batch.reserve(requests);
        for (std::size_t i = 0; i < requests; ++i) {
            oa::user_text_message m{"gh_bench", "o_bench_resident_" + std::to_string(i),
                                    appeals[i % appeals.size()], now,
                                    std::to_string(8000000000000000000ULL + i)};
            batch.push_back(codec.text(m, now));
        }

        std::vector<std::vector<double>> latencies(connections);
        std::atomic<std::size_t> next{0};
        std::atomic<std::size_t> failures{0};
        auto start = clock_type::now();
        std::vector<std::thread> workers;
        for (std::size_t c = 0; c < connections; ++c)
            workers.emplace_back([&, c] {
                minsheng::gateway::http_client http("127.0.0.1", ports[c % ports.size()]);
                for (std::size_t i; (i = next.fetch_add(1)) < batch.size();) {
                    const auto& req = batch[i];
                    auto t0 = clock_type::now();
                    auto res = http.request("POST", req.target("/wechat/oa"), req.body);
                    auto t1 = clock_type::now();
                    latencies[c].push_back(
                        std::chrono::duration<double, std::milli>(t1 - t0).count());
                    bool ok = res.status == 200;
                    if (ok) {
                        auto decoded = codec.decode_reply(res.body, req.query.at("nonce"));
                        auto* r = std::get_if<oa::client_reply>(&decoded);
                        ok = r && r->reply.kind == minsheng::dialog::reply::type::text;
                    }
                    if (!ok && failures.fetch_add(1) == 0)
                        std::fprintf(stderr, "first failure: HTTP %d %.200s\n", res.status,
                                     res.body.c_str());
                }
            });
        for (auto& w : workers) w.join();
        double secs = std::chrono::duration<double>(clock_type::now() - start).count();

        const minsheng::bench::latencies all(latencies);
        auto pct = [&](double p) { return all.at(p); };
        std::printf(
            "bench_webhook: safe-mode POST /wechat/oa, %zu requests, %zu connections, %d "
            "server threads, %u cores, %s, %zu gateway(s)\n",
            all.count(), connections, server_threads, std::thread::hardware_concurrency(),
            on_postgres ? "PostgreSQL" : ("SQLite, durability " + durability).c_str(), gateways);
        std::printf("  throughput   %.0f requests/s\n", static_cast<double>(all.count()) / secs);
        std::printf("  latency p50  %.3f ms\n", pct(0.50));
        std::printf("  latency p90  %.3f ms\n", pct(0.90));
        std::printf("  latency p99  %.3f ms\n", pct(0.99));
        std::printf("  latency max  %.3f ms\n", all.max());
        unsigned long long opened = 0;
        for (auto& a : apps) opened += a->stats().cases_opened.value("wechat_oa");
        std::printf("  cases opened %llu, failures %zu\n", opened, failures.load());
        rc = failures.load() == 0 ? 0 : 1;
        for (auto& a : apps) a->stop();
        for (auto& a : apps) a->wait();
    }
    if (on_postgres) {
        admin()->exec("DROP SCHEMA " + schema + " CASCADE");
    } else {
        for (const char* suffix : {"", "-wal", "-shm", ".secret"})
            std::filesystem::remove(db + suffix);
    }
    return rc;
}
