#pragma once
// A small W3C WebDriver client for the browser tests (https://www.w3.org/TR/webdriver2/): one
// session on a running ChromeDriver, over gateway::http_client. Header-only; not thread-safe
// (one session per test thread). Every call throws webdriver::error when the driver answers
// with an error, so a test fails with the driver's own message.

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gateway/server/http_client.hpp"

namespace minsheng::test::webdriver {

using json = nlohmann::json;

struct error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Key code points of the WebDriver key table, UTF-8 encoded.
namespace keys {
inline constexpr const char* tab = "\xEE\x80\x84";    // U+E004
inline constexpr const char* enter = "\xEE\x80\x87";  // U+E007
inline constexpr const char* shift = "\xEE\x80\x88";  // U+E008
}  // namespace keys

// The key of an element reference in WebDriver JSON.
inline constexpr const char* element_key = "element-6066-11e4-a52e-4f735466cecf";

// Polls `done` until it returns true or `timeout` passes; false on timeout. Each poll is a round
// trip to the browser, so the pause between polls only keeps the loop from spinning.
inline bool poll_until(const std::function<bool()>& done,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (done()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

class session {
public:
    // Creates a session on the driver at 127.0.0.1:port with these capabilities (the
    // "alwaysMatch" object). Throws webdriver::error if the browser cannot be started.
    session(unsigned short port, json always_match)
        : http_("127.0.0.1", port, std::chrono::seconds(60)) {
        json body{{"capabilities", {{"alwaysMatch", std::move(always_match)}}}};
        json value = call("POST", "/session", body);
        id_ = value.at("sessionId").get<std::string>();
    }
    ~session() {
        try {
            call("DELETE", "/session/" + id_, nullptr);
        } catch (...) {
            // The driver is being torn down anyway; nothing to report from a destructor.
        }
    }
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    void navigate(const std::string& url) { command("POST", "/url", {{"url", url}}); }
    std::string url() { return command("GET", "/url").get<std::string>(); }
    std::string title() { return command("GET", "/title").get<std::string>(); }

    // The first element matching a CSS selector; throws when there is none.
    std::string find(const std::string& css) {
        return command("POST", "/element", {{"using", "css selector"}, {"value", css}})
            .at(element_key)
            .get<std::string>();
    }
    std::vector<std::string> find_all(const std::string& css) {
        std::vector<std::string> out;
        for (const auto& e :
             command("POST", "/elements", {{"using", "css selector"}, {"value", css}}))
            out.push_back(e.at(element_key).get<std::string>());
        return out;
    }
    bool exists(const std::string& css) { return !find_all(css).empty(); }

    void click(const std::string& element) {
        command("POST", "/element/" + element + "/click", json::object());
    }
    void clear(const std::string& element) {
        command("POST", "/element/" + element + "/clear", json::object());
    }
    void send_keys(const std::string& element, const std::string& text) {
        command("POST", "/element/" + element + "/value", {{"text", text}});
    }
    std::string text(const std::string& element) {
        return command("GET", "/element/" + element + "/text").get<std::string>();
    }
    json property(const std::string& element, const std::string& name) {
        return command("GET", "/element/" + element + "/property/" + name);
    }
    std::string active_element() {
        return command("GET", "/element/active").at(element_key).get<std::string>();
    }

    // Runs a synchronous script; `args` are its `arguments`. Use as_element() to pass elements.
    json execute(const std::string& script, json args = json::array()) {
        return command("POST", "/execute/sync", {{"script", script}, {"args", std::move(args)}});
    }
    static json as_element(const std::string& element) { return {{element_key, element}}; }

    // Presses and releases each key in turn on one keyboard (a string of UTF-8 characters; the
    // keys:: constants for Tab, Enter). Pure keyboard input, as a person types it.
    void press(const std::vector<std::string>& sequence) {
        json actions = json::array();
        for (const auto& k : sequence) {
            actions.push_back({{"type", "keyDown"}, {"value", k}});
            actions.push_back({{"type", "keyUp"}, {"value", k}});
        }
        perform(std::move(actions));
    }
    // Shift+Tab.
    void press_shift_tab() {
        perform(json::array({{{"type", "keyDown"}, {"value", keys::shift}},
                             {{"type", "keyDown"}, {"value", keys::tab}},
                             {{"type", "keyUp"}, {"value", keys::tab}},
                             {{"type", "keyUp"}, {"value", keys::shift}}}));
    }
    // Types ASCII text key by key.
    void type(const std::string& text) {
        std::vector<std::string> seq;
        for (char ch : text) seq.emplace_back(1, ch);
        press(seq);
    }

    void set_window_size(int width, int height) {
        command("POST", "/window/rect", {{"width", width}, {"height", height}});
    }

private:
    void perform(json key_actions) {
        command(
            "POST", "/actions",
            {{"actions",
              json::array(
                  {{{"type", "key"}, {"id", "keyboard"}, {"actions", std::move(key_actions)}}})}});
        command("DELETE", "/actions");
    }

    json command(const std::string& method, const std::string& path, json body = nullptr) {
        return call(method, "/session/" + id_ + path, body);
    }

    json call(const std::string& method, const std::string& path, const json& body) {
        auto res = http_.request(method, path, body.is_null() ? std::string() : body.dump(),
                                 {{"Content-Type", "application/json; charset=utf-8"}});
        json parsed = json::parse(res.body, nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("value"))
            throw error("webdriver " + method + " " + path + ": HTTP " +
                        std::to_string(res.status) + " " + res.body.substr(0, 500));
        json value = std::move(parsed["value"]);
        if (res.status != 200 ||
            (value.is_object() && value.contains("error") && value["error"].is_string()))
            throw error("webdriver " + method + " " + path + ": " +
                        value.value("error", std::string("HTTP ") + std::to_string(res.status)) +
                        ": " + value.value("message", std::string()).substr(0, 500));
        return value;
    }

    gateway::http_client http_;
    std::string id_;
};

}  // namespace minsheng::test::webdriver
