// minsheng-gateway: the webhook server. Prints "listening on <host>:<port>" once bound;
// SIGINT/SIGTERM drain in-flight work and exit 0. Exits non-zero when it cannot start.

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "gateway/server/app.hpp"

int main(int argc, char** argv) {
    CLI::App cli{"minsheng-gateway: WeChat / hotline webhook gateway for community services"};
    std::string config_file;
    cli.add_option("-c,--config", config_file,
                   "TOML config file (see config/minsheng.example.toml)")
        ->check(CLI::ExistingFile);
    CLI11_PARSE(cli, argc, argv);

    // Signals are taken synchronously by the main thread; the I/O threads inherit the mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    try {
        auto cfg = minsheng::gateway::load_config(
            config_file.empty() ? std::nullopt : std::optional<std::string>(config_file),
            minsheng::gateway::minsheng_environment());
        minsheng::gateway::app gateway(cfg);
        gateway.start();
        auto ep = gateway.endpoint();
        std::string host = ep.address().to_string();
        if (ep.address().is_v6()) host = "[" + host + "]";
        std::printf("listening on %s:%u\n", host.c_str(), static_cast<unsigned>(ep.port()));
        std::fflush(stdout);

        int sig = 0;
        sigwait(&signals, &sig);
        std::fprintf(stderr, "signal %d: draining and shutting down\n", sig);
        gateway.stop();
        gateway.wait();
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "minsheng-gateway: %s\n", e.what());
        return 1;
    }
}
