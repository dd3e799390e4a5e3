// minsheng-fake-wechat: the local stand-in for the WeChat API (see fake_server.hpp), for demos
// and manual tests. Prints "listening on <host>:<port>" once bound; SIGINT/SIGTERM exit 0.
// Exits non-zero when it cannot start.

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>

#include "tools/fake_wechat/fake_server.hpp"

namespace fw = minsheng::tools::fake_wechat;

int main(int argc, char** argv) {
    CLI::App cli{"minsheng-fake-wechat: a local stand-in for the WeChat API"};
    std::string listen = "127.0.0.1:0";
    fw::fake_config cfg;
    long expires_in = cfg.expires_in.count();
    bool tls = false;
    std::string cert_out;
    cli.add_option("--listen", listen, "host:port; port 0 picks a free port")
        ->capture_default_str();
    cli.add_option("--appid", cfg.appid, "the AppID clients must send")->capture_default_str();
    cli.add_option("--secret", cfg.secret, "the AppSecret clients must send");
    cli.add_option("--expires-in", expires_in, "access_token lifetime in seconds")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cli.add_flag("--tls", tls, "serve https with a fresh self-signed certificate");
    cli.add_option("--cert-out", cert_out, "with --tls: write the certificate (PEM) here");
    CLI11_PARSE(cli, argc, argv);

    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    try {
        const auto colon = listen.rfind(':');
        if (colon == std::string::npos) throw std::invalid_argument("--listen wants host:port");
        cfg.host = listen.substr(0, colon);
        if (cfg.host.size() >= 2 && cfg.host.front() == '[' && cfg.host.back() == ']')
            cfg.host = cfg.host.substr(1, cfg.host.size() - 2);
        const unsigned long port = std::stoul(listen.substr(colon + 1));
        if (port > 65535) throw std::invalid_argument("--listen: port out of range");
        cfg.port = static_cast<unsigned short>(port);
        cfg.expires_in = std::chrono::seconds(expires_in);
        if (tls) {
            cfg.tls = fw::make_self_signed({"localhost"}, {"127.0.0.1", "::1"});
            if (!cert_out.empty()) {
                std::ofstream out(cert_out, std::ios::binary | std::ios::trunc);
                out << cfg.tls->certificate_pem;
                if (!out) throw std::runtime_error("cannot write " + cert_out);
            }
        }
        fw::fake_wechat_server server(cfg);
        std::string host = server.host();
        if (host.find(':') != std::string::npos) host = "[" + host + "]";
        std::printf("listening on %s:%u\n", host.c_str(), static_cast<unsigned>(server.port()));
        std::fflush(stdout);
        std::fprintf(stderr, "fake WeChat API at %s (appid %s)\n", server.base_url().c_str(),
                     cfg.appid.c_str());

        int sig = 0;
        sigwait(&signals, &sig);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "minsheng-fake-wechat: %s\n", e.what());
        return 1;
    }
}
