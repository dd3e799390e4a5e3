// Certificate requests answered from the city's list (schema step 17, adapters/db/
// certificate_stats.hpp) on a real database (SQLite or PostgreSQL): counted per item and
// China-time month, a retried message once, escalations apart.

#include "adapters/db/certificate_stats.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

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
