// Delivery benchmark of the outbox worker against the local fake WeChat API.
//
// Writes N pending notifications (one per resident, as case changes write them) into a fresh
// SQLite file, starts the real gateway on it with delivery pointed at the fake (real HTTP on
// 127.0.0.1), and reports notifications delivered per second until the outbox is empty. The
// fake counts what it accepted: every notification must arrive exactly once.
//
//   bench_outbox [--notifications N] [--batch B]

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/db/store.hpp"
#include "gateway/server/app.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using clock_type = std::chrono::steady_clock;

int main(int argc, char** argv) {
    CLI::App cli{"bench_outbox: notifications delivered per second against the fake API"};
    std::size_t notifications = 2000;
    int batch = 64;
    cli.add_option("-n,--notifications", notifications, "notifications to deliver");
    cli.add_option("-b,--batch", batch, "rows claimed per poll");
    CLI11_PARSE(cli, argc, argv);

    auto db = (std::filesystem::temp_directory_path() /
               ("minsheng-bench-outbox-" + std::to_string(::getpid()) + ".db"))
                  .string();
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    {
        minsheng::adapters::db::store s(db);
        s.run([&](minsheng::dialog::unit_of_work& uow) {
            for (std::size_t i = 0; i < notifications; ++i) {
                minsheng::dialog::notification n;
                n.audience = "resident";
                n.to = minsheng::dialog::person_ref{minsheng::dialog::channel::wechat_oa,
                                                    "o_bench_" + std::to_string(i)};
                n.template_key = "notify/case_accepted";
                n.vars_json = R"({"number":"MS20261123-0001"})";
                n.text = "您反映的问题（编号 MS20261123-0001）已受理，我们会尽快安排处理。";
                n.idempotency_key = "bench:" + std::to_string(i);
                n.created_at = now;
                uow.enqueue(n);
            }
        });
    }

    minsheng::tools::fake_wechat::fake_wechat_server fake{
        minsheng::tools::fake_wechat::fake_config{}};
    minsheng::gateway::config cfg;
    cfg.host = "127.0.0.1";
    cfg.port = 0;
    cfg.db_path = db;
    cfg.templates_dir = MINSHENG_SOURCE_DIR "/templates";
    cfg.models_dir = MINSHENG_SOURCE_DIR "/models";
    cfg.program.calendar_dir = MINSHENG_SOURCE_DIR "/calendar";
    cfg.log_level = "off";
    cfg.wechat.token = "bench-token";
    cfg.delivery.base_url = fake.base_url();
    cfg.delivery.appid = fake.config().appid;
    cfg.delivery.secret = fake.config().secret;
    cfg.delivery.default_template = "TPL-BENCH";  // outside any window: template messages
    cfg.delivery.poll_interval_ms = 5;
    cfg.delivery.batch = batch;

    int rc = 0;
    {
        minsheng::adapters::db::reader r(db);
        minsheng::gateway::app gateway(cfg);
        auto start = clock_type::now();
        gateway.start();
        while (r.count_outbox("pending") > 0 && clock_type::now() - start < std::chrono::minutes(5))
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        double secs = std::chrono::duration<double>(clock_type::now() - start).count();
        const auto delivered = r.count_outbox("delivered");
        const auto sent = fake.count("/cgi-bin/message/template/send");
        std::printf(
            "bench_outbox: %zu notifications, template messages to the fake WeChat API over "
            "HTTP, batch %d, %u cores\n",
            notifications, batch, std::thread::hardware_concurrency());
        std::printf("  delivered    %.0f notifications/s\n", static_cast<double>(delivered) / secs);
        std::printf("  delivered %lld, sends received by the fake %zu, token fetches %zu\n",
                    static_cast<long long>(delivered), sent, fake.count("/cgi-bin/stable_token"));
        rc = static_cast<std::size_t>(delivered) == notifications && sent == notifications ? 0 : 1;
        gateway.stop();
        gateway.wait();
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    return rc;
}
