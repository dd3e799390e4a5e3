// Ingestion benchmark of the 12345 transcript feed.
//
// Starts the real gateway in-process on 127.0.0.1:0 with a temporary SQLite file, pre-builds
// signed JSON batches of realistic calls (agent greeting, the caller's appeal, the agent's
// closing; unique call ids), posts them over C keep-alive connections, and reports calls
// ingested per second and batch latency. Every answer is checked: a call that is not
// "accepted" counts as a failure.
//
//   bench_hotline [--calls N] [--batch B] [--connections C] [--appeals FILE]

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "adapters/hotline/auth.hpp"
#include "bench/gateway/bench_support.hpp"
#include "gateway/server/app.hpp"
#include "gateway/server/http_client.hpp"
#include "gateway/server/metrics.hpp"

using clock_type = std::chrono::steady_clock;
using json = nlohmann::json;

int main(int argc, char** argv) {
    CLI::App cli{"bench_hotline: 12345 transcript ingestion benchmark"};
    std::size_t calls = 5000;
    std::size_t batch_size = 50;
    std::size_t connections = 4;
    std::string appeals_file = MINSHENG_SOURCE_DIR "/bench/data/appeals.txt";
    cli.add_option("-n,--calls", calls, "calls to ingest");
    cli.add_option("-b,--batch", batch_size, "calls per request (1..500)");
    cli.add_option("-c,--connections", connections, "concurrent keep-alive connections");
    cli.add_option("--appeals", appeals_file, "one appeal per line");
    std::string durability = "full";
    cli.add_option("--durability", durability, "the store's durability: full or normal")
        ->check(CLI::IsMember({"full", "normal"}));
    CLI11_PARSE(cli, argc, argv);
    batch_size = std::clamp<std::size_t>(batch_size, 1, 500);

    const auto appeals = minsheng::bench::read_lines(appeals_file);
    if (appeals.empty()) {
        std::fprintf(stderr, "no appeals in %s\n", appeals_file.c_str());
        return 1;
    }

    auto db = (std::filesystem::temp_directory_path() /
               ("minsheng-bench-hotline-" + std::to_string(::getpid()) + ".db"))
                  .string();
    const std::string secret = "bench-hotline-secret-0123456789";
    minsheng::gateway::config cfg;
    cfg.host = "127.0.0.1";
    cfg.port = 0;
    cfg.threads = 2;
    cfg.db_path = db;
    cfg.templates_dir = MINSHENG_SOURCE_DIR "/templates";
    cfg.models_dir = MINSHENG_SOURCE_DIR "/models";
    cfg.program.calendar_dir = MINSHENG_SOURCE_DIR "/calendar";
    cfg.log_level = "off";
    cfg.store.durability = durability;
    cfg.body_limit = 4 << 20;
    // One client sends everything: the per-address bucket would measure itself, not the feed.
    cfg.limits.hotline_per_minute = 100000000;
    cfg.limits.hotline_burst = 100000000;
    cfg.wechat.token = "bench-token";
    cfg.hotline.secrets["default"] = secret;

    // Signed bodies are built when sent (the timestamp must be fresh); the JSON is built now.
    std::vector<std::string> bodies;
    for (std::size_t first = 0; first < calls; first += batch_size) {
        json batch = json::array();
        for (std::size_t i = first; i < std::min(calls, first + batch_size); ++i)
            batch.push_back(
                {{"call_id", "BENCH-" + std::to_string(i)},
                 {"hotline", "12345"},
                 {"caller", {{"phone", std::to_string(13800000000ULL + i)}}},
                 {"turns",
                  {{{"speaker", "agent"}, {"text", "您好，12345热线，请问有什么可以帮您？"}},
                   {{"speaker", "caller"}, {"text", appeals[i % appeals.size()]}},
                   {{"speaker", "agent"}, {"text", "好的，已经为您记录，会尽快转交处理。"}}}}});
        bodies.push_back(batch.dump());
    }

    int rc = 0;
    {
        minsheng::gateway::app gateway(cfg);
        gateway.start();
        auto port = gateway.endpoint().port();
        std::vector<std::vector<double>> latencies(connections);
        std::atomic<std::size_t> next{0};
        std::atomic<std::size_t> accepted{0};
        std::atomic<std::size_t> failures{0};
        auto start = clock_type::now();
        std::vector<std::thread> workers;
        for (std::size_t c = 0; c < connections; ++c)
            workers.emplace_back([&, c] {
                minsheng::gateway::http_client http("127.0.0.1", port, std::chrono::seconds(60));
                for (std::size_t i; (i = next.fetch_add(1)) < bodies.size();) {
                    const auto& body = bodies[i];
                    auto ts = std::to_string(std::time(nullptr));
                    auto t0 = clock_type::now();
                    auto res = http.request(
                        "POST", "/hotline/transcripts", body,
                        {{"Content-Type", "application/json"},
                         {"X-Minsheng-Timestamp", ts},
                         {"X-Minsheng-Signature", minsheng::adapters::hotline::sign_v2(
                                                      secret, "POST", "/hotline/transcripts",
                                                      "application/json", ts, body)}});
                    latencies[c].push_back(
                        std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
                    if (res.status != 200) {
                        failures.fetch_add(batch_size);
                        continue;
                    }
                    const json answer = json::parse(res.body);  // outlives the loop
                    for (const auto& r : answer["results"]) {
                        if (r["status"] == "accepted")
                            accepted.fetch_add(1);
                        else
                            failures.fetch_add(1);
                    }
                }
            });
        for (auto& w : workers) w.join();
        double secs = std::chrono::duration<double>(clock_type::now() - start).count();

        const minsheng::bench::latencies all(latencies);
        auto pct = [&](double p) { return all.at(p); };
        std::printf(
            "bench_hotline: POST /hotline/transcripts, %zu calls in batches of %zu, %zu "
            "connections, %u cores\n",
            calls, batch_size, connections, std::thread::hardware_concurrency());
        std::printf("  ingested     %.0f calls/s\n", static_cast<double>(accepted.load()) / secs);
        std::printf("  batch p50    %.1f ms\n", pct(0.50));
        std::printf("  batch p99    %.1f ms\n", pct(0.99));
        std::printf("  cases opened %llu, accepted %zu, failures %zu\n",
                    static_cast<unsigned long long>(gateway.stats().cases_opened.value("hotline")),
                    accepted.load(), failures.load());
        rc = failures.load() == 0 ? 0 : 1;
        gateway.stop();
        gateway.wait();
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    return rc;
}
