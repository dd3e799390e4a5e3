// minsheng-chat: play a resident (or volunteer) against a running gateway through the real
// official-account protocol — signed, and AES-encrypted in safe mode — exactly as WeChat's
// servers would deliver the messages. Lines typed are sent as text messages; commands start
// with '/':
//   /subscribe [scene]   follow the account (optionally by scanning a QR code scene)
//   /click KEY           click a menu item (e.g. MY_CASES, HELP)
//   /location LAT LON [label]   send a location
//   /user OPENID         switch to another user
//   /quit                leave
// Reads from stdin, so it also works in scripts:  echo 你好 | minsheng-chat

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <ctime>
#include <iostream>

#include "adapters/wechat_oa/client_codec.hpp"
#include "adapters/wechat_oa/xml_message.hpp"
#include "gateway/server/config.hpp"
#include "gateway/server/http_client.hpp"

namespace oa = minsheng::adapters::wechat_oa;

int main(int argc, char** argv) {
    CLI::App cli{"minsheng-chat: chat with a running minsheng gateway as a WeChat user"};
    std::string config_file;
    std::string url_host;
    std::string user = "o_demo_resident";
    std::string account = "gh_minsheng_demo";
    bool quiet = false;
    cli.add_option("-c,--config", config_file, "the gateway's config (token, key, appid, listen)")
        ->check(CLI::ExistingFile);
    cli.add_option("--connect", url_host,
                   "host:port of the gateway (default: the config's listen)");
    cli.add_option("-u,--user", user, "the openid to chat as");
    cli.add_flag("-q,--quiet", quiet, "print only the replies");
    CLI11_PARSE(cli, argc, argv);

    try {
        auto cfg = minsheng::gateway::load_config(
            config_file.empty() ? std::nullopt : std::optional<std::string>(config_file),
            minsheng::gateway::minsheng_environment());
        auto [host, port] = minsheng::gateway::parse_listen(
            url_host.empty() ? cfg.host + ":" + std::to_string(cfg.port) : url_host);
        oa::oa_client_codec codec(cfg.wechat);
        minsheng::gateway::http_client http(host, port);
        bool interactive = isatty(STDIN_FILENO);
        if (!quiet)
            std::cout << "已连接 " << host << ":" << port << "，以用户 " << user
                      << " 的身份聊天。直接输入文字发送；/subscribe 关注，/click KEY 点菜单，"
                         "/location 纬度 经度 地点 发送位置，"
                         "/scan 场景值 扫带参数二维码（如驿站签到码），/quit 退出。\n";

        auto send = [&](const oa::client_request& req) {
            auto res = http.request("POST", req.target("/wechat/oa"), req.body,
                                    {{"Content-Type", "text/xml"}});
            if (res.status != 200) {
                std::cout << "[网关返回 " << res.status << "] " << res.body;
                return;
            }
            auto decoded = codec.decode_reply(res.body, req.query.at("nonce"));
            if (auto* r = std::get_if<oa::rejection>(&decoded)) {
                std::cout << "[无法解析回复: " << r->detail << "]\n";
                return;
            }
            const auto& reply = std::get<oa::client_reply>(decoded).reply;
            if (reply.kind == minsheng::dialog::reply::type::none) {
                if (!quiet) std::cout << "（无回复）\n";
                return;
            }
            std::string text = reply.kind == minsheng::dialog::reply::type::text
                                   ? reply.text
                                   : reply.title + "\n" + reply.description;
            std::cout << (quiet ? "" : "民生服务> ") << text << "\n";
        };

        std::string line;
        while (true) {
            if (interactive) std::cout << "您> " << std::flush;
            if (!std::getline(std::cin, line)) break;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty()) continue;
            auto now = static_cast<std::int64_t>(std::time(nullptr));
            if (line[0] == '/') {
                std::istringstream in(line.substr(1));
                std::string cmd, a, b, c;
                in >> cmd >> a >> b;
                std::getline(in >> std::ws, c);
                if (cmd == "quit" || cmd == "exit") break;
                if (cmd == "user" && !a.empty()) {
                    user = a;
                    continue;
                }
                if (cmd == "subscribe")
                    send(codec.event(
                        {account, user, "subscribe", a.empty() ? "" : "qrscene_" + a, now}, now));
                else if (cmd == "scan" && !a.empty())
                    send(codec.event({account, user, "SCAN", a, now}, now));
                else if (cmd == "click" && !a.empty())
                    send(codec.event({account, user, "CLICK", a, now}, now));
                else if (cmd == "location" && !b.empty())
                    send(codec.push(oa::render_location_push({account, user, a, b, c, now, ""}),
                                    account, user, now));
                else
                    std::cout << "未知命令。可用：/subscribe /click KEY /location 纬度 经度 地点 "
                                 "/scan 场景值 /user OPENID /quit\n";
                continue;
            }
            send(codec.text({account, user, line, now, ""}, now));
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "minsheng-chat: " << e.what() << "\n";
        return 1;
    }
}
