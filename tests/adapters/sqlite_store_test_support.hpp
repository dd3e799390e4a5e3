#pragma once
// Helpers shared by the sqlite_store tests: a temporary database file that cleans up after
// itself, a settable clock, and message/draft builders. Test-only.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

#include "adapters/db/keyed_codes.hpp"
#include "adapters/db/store.hpp"
#include "dialog/message.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::db::testing {

// The code book the store tests key staff binding codes with, and the hash the case service
// passes the store for a code sent by chat (case_service::staff_code_hash: "" unless eight
// digits).
inline const keyed_code_book& test_codes() {
    static const keyed_code_book book(std::string(32, 'k'));
    return book;
}
inline std::string staff_hash(std::string_view code) {
    if (code.size() != dialog::staff_code_digits ||
        code.find_first_not_of("0123456789") != std::string_view::npos)
        return "";
    return test_codes().hash(dialog::staff_code_scope, code);
}

// A unique path under the system temp directory; removes the file and its -wal/-shm siblings
// when destroyed. Nothing is created until a store opens it.
class temp_db {
public:
    temp_db() {
        static std::atomic<unsigned> counter{0};
        std::random_device rd;
        path_ = (std::filesystem::temp_directory_path() /
                 ("minsheng_store_test_" + std::to_string(rd()) + "_" +
                  std::to_string(counter.fetch_add(1)) + ".db"))
                    .string();
        remove_all();
    }
    ~temp_db() { remove_all(); }
    temp_db(const temp_db&) = delete;
    temp_db& operator=(const temp_db&) = delete;

    const std::string& path() const { return path_; }

private:
    void remove_all() {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            std::filesystem::remove(path_ + suffix, ec);
    }

    std::string path_;
};

class fixed_clock final : public dialog::clock {
public:
    explicit fixed_clock(std::int64_t t) : t_(t) {}
    std::int64_t now() const override { return t_.load(); }
    void set(std::int64_t t) { t_.store(t); }

private:
    std::atomic<std::int64_t> t_;
};

// Store options with the clock fixed at `t`.
inline store_options options_at(std::int64_t t) {
    store_options o;
    o.clock = std::make_shared<fixed_clock>(t);
    return o;
}

// 2026-11-22T16:30:00Z, which is 2026-11-23 00:30 in China.
inline constexpr std::int64_t nov23_china_0030 = 1795365000;

inline dialog::inbound_message text_message(const std::string& user, const std::string& key,
                                            const std::string& text = "路灯坏了") {
    dialog::inbound_message m;
    m.from = dialog::channel::wechat_oa;
    m.user_id = user;
    m.dedup_key = key;
    m.create_time = nov23_china_0030;
    m.kind = dialog::inbound_kind::text;
    m.text = text;
    return m;
}

inline dialog::case_draft draft_for(const std::string& reporter, std::int64_t created_at,
                                    const std::string& kind = "complaint",
                                    const std::string& category = "城管") {
    dialog::case_draft d;
    d.from = dialog::channel::wechat_oa;
    d.reporter_id = reporter;
    d.kind = kind;
    d.category = category;
    d.category_confidence = 0.8;
    d.urgency = "normal";
    d.description = "小区门口路灯不亮";
    d.address = "幸福路12号";
    d.contact_phone = "13800138000";
    d.source_key = "src";
    d.created_at = created_at;
    return d;
}

}  // namespace minsheng::adapters::db::testing
