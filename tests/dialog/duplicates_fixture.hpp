#pragma once
// The conversation with the engine over the real store on a temporary file, for the tests of one
// problem, one case (conversation_duplicates_test.cpp, intake/call_feedback_test.cpp).

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <random>
#include <system_error>

#include "tests/dialog/conversation_fixture.hpp"

namespace conversation_tests {

// The conversation with the engine (so that it looks for duplicates), over the real store on a
// temporary file, so that a reader sees the outbox.
struct with_duplicates {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("minsheng_dup_" + std::to_string(std::random_device{}()) + ".db");
    adapters::db::store db{path.string()};
    std::shared_ptr<const dialog::cases::case_service> service = make_service();
    dialog::conversation joining{shipped_templates(), service, nullptr,
                                 std::shared_ptr<const dialog::nlu::engine>(
                                     std::shared_ptr<const dialog::nlu::engine>(), &nlu())};
    int sequence = 0;

    ~with_duplicates() {
        for (const char* end : {"", "-wal", "-shm", ".secret"}) {
            std::error_code ec;
            std::filesystem::remove(path.string() + end, ec);
        }
    }

    dialog::step_outcome tell(const std::string& user, const std::string& text,
                              std::int64_t now = t0) {
        auto u = nlu().understand(text);
        inbound_message m;
        m.user_id = user;
        m.dedup_key = user + "-" + std::to_string(++sequence);
        m.kind = inbound_kind::text;
        m.text = text;
        m.create_time = now;
        dialog::step_outcome out;
        db.handle_once(m.from, m.dedup_key, m, [&](dialog::unit_of_work& uow) {
            out = joining.step(m, &u, uow, now);
            return out.answer.text;
        });
        return out;
    }

    void with(const std::function<void(dialog::unit_of_work&)>& fn) { db.run(fn); }

    std::optional<dialog::case_record> find(const std::string& number) {
        std::optional<dialog::case_record> c;
        with([&](dialog::unit_of_work& uow) { c = uow.find_case(number); });
        return c;
    }

    std::string status_of(const std::string& number) {
        auto c = find(number);
        return c ? c->status : "";
    }

    void operator_act(const std::string& number, dialog::cases::action a,
                      std::int64_t now = t0 + 3600) {
        auto c = find(number);
        REQUIRE(c);
        with([&](dialog::unit_of_work& uow) {
            dialog::cases::act_args args;
            args.assignee = "worker-1";
            auto r = service->act(uow, c->id, a, dialog::cases::actor::op("tester"), args, now);
            REQUIRE(r.ok());
        });
    }

    std::vector<dialog::case_event> events_of(const std::string& number) {
        std::vector<dialog::case_event> e;
        const auto c = find(number);
        REQUIRE(c);
        with([&](dialog::unit_of_work& uow) { e = uow.events_of(c->id); });
        return e;
    }

    std::vector<dialog::case_follower> followers(const std::string& number) {
        std::vector<dialog::case_follower> f;
        const auto c = find(number);
        REQUIRE(c);
        with([&](dialog::unit_of_work& uow) { f = uow.followers_of(c->id); });
        return f;
    }

    // The notifications to `user`, oldest first.
    std::vector<dialog::notification> outbox_to(const std::string& user) {
        adapters::db::reader r(path.string());
        adapters::db::outbox_filter filter;
        filter.limit = 1000;
        std::vector<dialog::notification> out;
        for (auto& row : r.list_outbox(filter))
            if (row.n.to && row.n.to->user_id == user) out.push_back(std::move(row.n));
        std::reverse(out.begin(), out.end());
        return out;
    }
};

}  // namespace conversation_tests
