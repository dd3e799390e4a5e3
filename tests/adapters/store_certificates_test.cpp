// Certificate requests answered from the city's list (schema step 17, adapters/db/
// certificate_stats.hpp) on a real database (SQLite or PostgreSQL): counted per item and
// China-time month, a retried message once, escalations apart; each answer's community (step 19)
// scopes the statistics.

#include "adapters/db/certificate_stats.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "adapters/db/statistics.hpp"
#include "adapters/db/store.hpp"
#include "tests/adapters/store_test_support.hpp"

namespace {

using namespace minsheng;
using namespace minsheng::adapters::db;
using namespace minsheng::adapters::db::testing;

// 2026-10-31 23:30 China time (15:30 UTC): still October in China.
constexpr std::int64_t oct_end = 1793460600;
constexpr std::int64_t hour = 3600;

}  // namespace

TEST_CASE("Certificate answers are counted per item and China-time month, a retry once",
          "[adapters][certificates]") {
    temp_db file;
    store s{file.path(), options_at(oct_end)};
    s.run([&](dialog::unit_of_work& uow) {
        uow.count_certificate_answer("residence", dialog::channel::wechat_oa, "m1", oct_end);
        uow.count_certificate_answer("residence", dialog::channel::wechat_oa, "m1", oct_end);
        uow.count_certificate_answer("kinship", dialog::channel::miniprogram, "m2", oct_end);
        // 00:30 on 1 November in China (still 31 October in UTC).
        uow.count_certificate_answer("residence", dialog::channel::hotline, "m3", oct_end + hour);
        uow.count_certificate_answer("residence", dialog::channel::wechat_oa, "", oct_end + hour);
        uow.count_certificate_answer("residence", dialog::channel::wechat_oa, "", oct_end + hour);
        uow.certificate_answer_escalated("m3");
        uow.certificate_answer_escalated("");  // names nothing
        uow.certificate_answer_escalated("unknown");
    });
    reader r(file.path());
    const auto rows = certificate_answers_by_month(r, "2026-01", "2026-12");
    CHECK(rows == std::vector<certificate_month>{{"2026-10", "kinship", 1, 0},
                                                 {"2026-10", "residence", 1, 0},
                                                 {"2026-11", "residence", 3, 1}});
    CHECK(rows[2].deflected() == 2);
    CHECK(certificate_answers_by_month(r, "2026-11", "2026-11").size() == 1);
    CHECK(certificate_answers_by_month(r, "2027-01", "2027-12").empty());
}

TEST_CASE("A certificate answer keeps its resident's community and the statistics scope by it",
          "[adapters][certificates]") {
    temp_db file;
    store s{file.path(), options_at(oct_end)};
    s.run([&](dialog::unit_of_work& uow) {
        dialog::person p;
        p.who = {dialog::channel::wechat_oa, "o_gm"};
        p.community = "光明社区";
        p.updated_at = oct_end;
        uow.save_person(p);
        // A resident of 东城社区 who verified the phone a 12345 caller then calls from.
        dialog::person q;
        q.who = {dialog::channel::wechat_oa, "o_dc"};
        q.community = "东城社区";
        q.phone = "13800138000";
        q.phone_verified_at = oct_end;
        q.updated_at = oct_end;
        uow.save_person(q);
    });
    auto answer = [&](dialog::channel from, const std::string& user, const std::string& key) {
        dialog::inbound_message m;
        m.from = from;
        m.user_id = user;
        m.dedup_key = key;
        m.kind = dialog::inbound_kind::text;
        m.text = "居住证明";
        m.create_time = oct_end;
        s.handle_once(from, key, m, [&](dialog::unit_of_work& uow) {
            uow.count_certificate_answer("residence", from, key, oct_end);
            return std::string("answered");
        });
    };
    answer(dialog::channel::wechat_oa, "o_gm", "gm-1");
    answer(dialog::channel::hotline, "13800138000", "call-1");
    answer(dialog::channel::hotline, "13900139000", "call-2");  // nobody verified it
    answer(dialog::channel::wechat_oa, "o_stranger", "st-1");   // no community declared

    reader r(file.path());
    stats_query q;
    q.since = oct_end - 86400;
    q.until = oct_end + 86400;
    q.now = oct_end;
    CHECK(compute_statistics(r, q).certificates ==
          std::vector<certificate_month>{{"2026-10", "residence", 4, 0}});
    q.communities = {"光明社区"};
    CHECK(compute_statistics(r, q).certificates ==
          std::vector<certificate_month>{{"2026-10", "residence", 1, 0}});
    q.communities = {"东城社区", "光明社区"};
    CHECK(compute_statistics(r, q).certificates ==
          std::vector<certificate_month>{{"2026-10", "residence", 2, 0}});
    q.communities = {"西城社区"};
    CHECK(compute_statistics(r, q).certificates.empty());
    q.communities = {};
    q.since = oct_end + 3600;  // the window leaves them out
    CHECK(compute_statistics(r, q).certificates.empty());
}
