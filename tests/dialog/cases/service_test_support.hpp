#pragma once
// What the case service tests share: the real SQLite store on a temporary file (so a reader can
// look at the outbox the service wrote), the shipped templates and calendar, fixed instants and
// draft builders. Test-only.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "adapters/db/store.hpp"
#include "dialog/cases/service.hpp"
#include "dialog/values/iso8601.hpp"

namespace minsheng::dialog::cases::testing {

namespace store = adapters::db;

inline std::int64_t at(const char* iso) {
    const auto t = parse_iso8601(iso);
    REQUIRE(t);
    return *t;
}

inline std::string iso(std::int64_t t) { return format_iso8601(t); }

// A database file under the temp directory, removed (with -wal/-shm) when destroyed.
class temp_file {
public:
    temp_file() {
        static std::atomic<unsigned> counter{0};
        std::random_device rd;
        path_ = (std::filesystem::temp_directory_path() /
                 ("minsheng_cases_test_" + std::to_string(rd()) + "_" +
                  std::to_string(counter.fetch_add(1)) + ".db"))
                    .string();
        remove();
    }
    ~temp_file() { remove(); }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
    const std::string& path() const { return path_; }

private:
    void remove() {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            std::filesystem::remove(path_ + suffix, ec);
    }
    std::string path_;
};

inline const std::shared_ptr<const template_set>& shipped_templates() {
    static const auto t = template_set::load(MINSHENG_SOURCE_DIR "/templates");
    return t;
}

inline const std::shared_ptr<const working_calendar>& shipped_calendar() {
    static const auto c = std::make_shared<const working_calendar>(
        working_calendar::load(MINSHENG_SOURCE_DIR "/calendar"));
    return c;
}

inline person_ref resident(const std::string& id) { return {channel::wechat_oa, id}; }

inline case_draft draft(const person_ref& reporter, std::string kind, std::string description,
                        std::int64_t created_at, std::string urgency = "normal") {
    case_draft d;
    d.from = reporter.from;
    d.reporter_id = reporter.user_id;
    d.kind = std::move(kind);
    d.category = "民政";
    d.category_confidence = 0.8;
    d.urgency = std::move(urgency);
    d.description = std::move(description);
    d.address = "东城街道光明社区5栋";
    d.source_key = "m-" + std::to_string(created_at) + "-" + reporter.user_id;
    d.created_at = created_at;
    return d;
}

// A store, a case service on the shipped data, and helpers to run one transaction.
struct world {
    explicit world(program_settings settings = {})
        : service(shipped_templates(), shipped_calendar(), working_hours::standard(),
                  std::move(settings)) {}

    temp_file file;
    store::store db{file.path()};
    case_service service;

    // Runs f(uow) in one committed transaction and returns what it returned.
    template <typename F>
    auto tx(F&& f) {
        using result = std::invoke_result_t<F&, unit_of_work&>;
        if constexpr (std::is_void_v<result>) {
            db.run([&](unit_of_work& u) { f(u); });
        } else {
            std::optional<result> out;
            db.run([&](unit_of_work& u) { out.emplace(f(u)); });
            return std::move(*out);
        }
    }

    case_record open(const case_draft& d, std::int64_t now) {
        return tx([&](unit_of_work& u) { return service.open(u, d, d.description, now); });
    }
    act_result act(std::int64_t id, action a, const actor& who, std::int64_t now,
                   act_args args = {}) {
        return tx([&](unit_of_work& u) { return service.act(u, id, a, who, args, now); });
    }
    act_result rate(std::int64_t id, const person_ref& who, int stars, std::int64_t now) {
        act_args args;
        args.rating = stars;
        return act(id, action::rate, actor::of(who), now, args);
    }
    sweep_report sweep(std::int64_t now) {
        return tx([&](unit_of_work& u) { return service.sweep(u, now); });
    }
    person volunteer(const person_ref& who, std::string community = "光明社区",
                     std::string name = "志愿者", std::int64_t registered_at = 1767225600) {
        // An application, approved by an admin: only approved volunteers claim and check in.
        return tx([&](unit_of_work& u) {
            auto p = service.register_volunteer(u, who, name, community, "理发", registered_at);
            volunteer_decider admin;
            admin.actor = "operator:admin";
            admin.all = true;
            return service.decide_volunteer(u, p.volunteer_number, true, admin, registered_at)
                .after;
        });
    }
    void profile(const person_ref& who, std::string community) {
        tx([&](unit_of_work& u) {
            person p;
            p.who = who;
            p.community = std::move(community);
            u.save_person(p);
        });
    }
    // A resident of `community` whose phone was verified (an SMS code, or WeChat's
    // getPhoneNumber): a vote needs one.
    void verified(const person_ref& who, std::string community, const std::string& phone,
                  std::int64_t at = 1767225600) {
        profile(who, std::move(community));
        tx([&](unit_of_work& u) { service.bind_verified_phone(u, who, phone, at); });
    }
    case_record get(std::int64_t id) {
        return tx([&](unit_of_work& u) { return u.get_case(id).value(); });
    }
    std::vector<case_event> events(std::int64_t id) {
        return tx([&](unit_of_work& u) { return u.events_of(id); });
    }
    std::int64_t balance(const std::string& account) {
        return tx([&](unit_of_work& u) { return u.balance(account); });
    }

    // The outbox as the operator API shows it, oldest first; of one case, or all.
    std::vector<notification> outbox(std::optional<std::int64_t> case_id = std::nullopt) {
        store::reader r(file.path());
        store::outbox_filter f;
        f.case_id = case_id;
        f.limit = 1000;
        std::vector<notification> out;
        for (auto& row : r.list_outbox(f)) out.push_back(std::move(row.n));
        std::reverse(out.begin(), out.end());
        return out;
    }
};

// Notifications of `template_key` (e.g. "notify/wish_claimed").
inline std::vector<notification> with_template(const std::vector<notification>& all,
                                               const std::string& template_key) {
    std::vector<notification> out;
    for (const auto& n : all)
        if (n.template_key == template_key) out.push_back(n);
    return out;
}

// Whether one of `all` of `template_key` went to person `to`.
inline bool sent_to(const std::vector<notification>& all, const std::string& template_key,
                    const person_ref& to) {
    for (const auto& n : all)
        if (n.template_key == template_key && n.to && *n.to == to) return true;
    return false;
}

inline std::vector<std::string> actions_of(const std::vector<case_event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.action);
    return out;
}

}  // namespace minsheng::dialog::cases::testing
