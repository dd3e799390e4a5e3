// `minsheng-admin copy`: a SQLite database written through the real store (cases and their
// events, a wish claimed and completed with points in the ledger, a proposal with votes, outbox
// rows pending and delivered, staff and a token, a handled message) copied by the real program
// into a fresh PostgreSQL schema; the copy passes `minsheng-admin check`, reads the same through
// db::reader, refuses a second copy into the same place, and numbers its next case after the
// copied ones. Skips (with a warning) when there is no PostgreSQL server.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "adapters/db/outbox_delivery.hpp"
#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "adapters/pg_store/pg_connection.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tests/support/pg_url.hpp"

namespace {

using namespace minsheng;
using namespace minsheng::test;
namespace db = minsheng::adapters::db;

const dialog::person_ref alice{dialog::channel::wechat_oa, "copy-alice"};
const dialog::person_ref bob{dialog::channel::wechat_oa, "copy-bob"};
const dialog::person_ref carol{dialog::channel::hotline, "copy-carol"};

dialog::case_draft draft(const dialog::person_ref& who, const std::string& kind, std::int64_t at) {
    dialog::case_draft d;
    d.from = who.from;
    d.reporter_id = who.user_id;
    d.kind = kind;
    d.category = "城管";
    d.category_confidence = 0.75;
    d.urgency = "normal";
    d.description = "小区门口路灯不亮";
    d.address = "幸福路12号";
    d.contact_phone = "13800138000";
    d.source_key = "src-" + who.user_id + "-" + kind;
    d.created_at = at;
    return d;
}

dialog::notification note(const std::string& key, std::int64_t case_id, std::int64_t at) {
    dialog::notification n;
    n.audience = "resident";
    n.to = alice;
    n.template_key = "notify/case_claimed";
    n.vars_json = R"({"number":"WX1"})";
    n.text = "您的心愿已被认领";
    n.case_id = case_id;
    n.idempotency_key = key;
    n.created_at = at;
    return n;
}

struct built {
    std::int64_t wish_id = 0;
    std::int64_t proposal_id = 0;
    std::int64_t max_case_id = 0;
};

// A community's database as the gateway would have left it.
built fill(const std::string& path) {
    built b;
    db::store s(path);
    const std::int64_t t = now_s() - 3600;
    s.run([&](dialog::unit_of_work& uow) {
        auto complaint = uow.open_case(draft(carol, "complaint", t));
        uow.add_event({0, complaint.id, t, "system", "opened", "", "received", ""});
        uow.add_event({0, complaint.id, t + 5, "operator:王", "note", "", "", "已联系物业"});
        auto wish = uow.open_case(draft(bob, "wish", t + 10));
        b.wish_id = wish.id;
        uow.add_event({0, wish.id, t + 10, "system", "opened", "", "received", ""});
        const auto read_at = wish.updated_at;
        wish.claimer = alice.key();
        wish.claim_expires_at = t + 86400;
        wish.updated_at = t + 20;
        REQUIRE(uow.update_case(wish, wish.status, read_at));
        uow.add_event({0, wish.id, t + 20, alice.key(), "claim", "", "", ""});
        uow.add_event({0, wish.id, t + 30, alice.key(), "complete", "", "", "已送达"});
        REQUIRE(uow.post({0,
                          t + 40,
                          "wish_confirmed",
                          wish.id,
                          "case-" + std::to_string(wish.id),
                          {{"person:" + alice.key(), 10}, {"issued", -10}}}));
        REQUIRE(uow.post(
            {0, t + 50, "redeem", 0, "spend-1", {{"person:" + alice.key(), -3}, {"issued", 3}}}));
        b.max_case_id = uow.open_case(draft(alice, "consultation", t + 60)).id;
        dialog::proposal_draft p;
        p.proposer = alice;
        p.community = "东城社区";
        p.title = "加装电梯";
        p.description = "3栋老人多";
        p.threshold = 30;
        p.created_at = t + 70;
        p.closes_at = t + 14 * 86400;
        b.proposal_id = uow.create_proposal(p).id;
        REQUIRE(uow.add_vote(b.proposal_id, alice, {"k-alice"}, t + 80));
        REQUIRE(uow.add_vote(b.proposal_id, bob, {"k-bob"}, t + 81));
        REQUIRE(uow.add_vote(b.proposal_id, carol, {"k-carol"}, t + 82));
        REQUIRE(uow.enqueue(note("n-1", wish.id, t + 90)));
        REQUIRE(uow.enqueue(note("n-2", wish.id, t + 91)));
        uow.save_state(alice.from, alice.user_id, R"({"flow":"idle"})");
    });
    dialog::inbound_message m;
    m.from = alice.from;
    m.user_id = alice.user_id;
    m.dedup_key = "msg-1";
    m.text = "你好";
    m.create_time = t + 100;
    s.handle_once(m.from, m.dedup_key, m, [](dialog::unit_of_work&) { return "reply"; });
    db::outbox_delivery d(s);
    auto due = d.claim_due(now_s(), 1, 60);
    REQUIRE(due.size() == 1);
    REQUIRE(d.mark_delivered(due[0].n.id, now_s(), "customer_service"));
    db::staff_member w;
    w.id = "w-copy-01";
    w.name = "李四";
    w.role = "worker";
    w.community = "东城社区";
    db::save_staff(s, w, t);
    db::issue_token(s, w.id, 0, "phone", t);
    return b;
}

}  // namespace

TEST_CASE("minsheng-admin copy moves a SQLite database to PostgreSQL whole and checks it",
          "[gateway][e2e]") {
    const auto found = find_pg_url();
    if (!found.url) {
        WARN("skipped: no PostgreSQL server (" << found.reason << ")");
        SUCCEED("skipped");
        return;
    }
    const std::string src = temp_db_path("copy-src");
    const auto b = fill(src);

    std::random_device rd;
    const std::string schema = "copy_" + std::to_string(rd()) + "_" + std::to_string(::getpid());
    adapters::pg_store::pg_options o;
    o.url = *found.url;
    adapters::pg_store::connect(o)->exec("CREATE SCHEMA " + schema);
    const std::string dst = *found.url + (found.url->find('?') == std::string::npos ? "?" : "&") +
                            "options=-csearch_path%3D" + schema;

    auto copied = admin("copy --from '" + src + "' --to '" + dst + "'");
    INFO(copied.out);
    REQUIRE(copied.code == 0);
    CHECK(copied.out.find("cases\t3\n") != std::string::npos);
    CHECK(copied.out.find("votes\t3\n") != std::string::npos);
    CHECK(copied.out.find("ledger_entries\t4\n") != std::string::npos);
    CHECK(copied.out.find("copied ") != std::string::npos);
    // Rows counts only: no row value, no password.
    CHECK(copied.out.find("13800138000") == std::string::npos);
    CHECK(copied.out.find("copy-alice") == std::string::npos);

    ::setenv("MINSHENG_DATA_DIR", MINSHENG_SOURCE_DIR, 1);
    auto checked = admin("check --db '" + dst + "'");
    ::unsetenv("MINSHENG_DATA_DIR");
    INFO(checked.out);
    CHECK(checked.code == 0);
    CHECK(checked.out.find("database ok") != std::string::npos);

    {
        db::reader from(src);
        db::reader to(dst, db::store_options{});
        const auto a = from.list_cases(db::case_filter{});
        const auto c = to.list_cases(db::case_filter{});
        REQUIRE(a.size() == 3);
        REQUIRE(c.size() == a.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            CHECK(c[i].id == a[i].id);
            CHECK(c[i].number == a[i].number);
            CHECK(c[i].status == a[i].status);
            CHECK(c[i].claimer == a[i].claimer);
            CHECK(c[i].version == a[i].version);
            CHECK(c[i].category_confidence == a[i].category_confidence);
            CHECK(c[i].description == a[i].description);
            const auto ea = from.events_of(a[i].id);
            const auto ec = to.events_of(a[i].id);
            REQUIRE(ec.size() == ea.size());
            for (std::size_t j = 0; j < ea.size(); ++j) {
                CHECK(ec[j].id == ea[j].id);
                CHECK(ec[j].action == ea[j].action);
                CHECK(ec[j].note == ea[j].note);
            }
        }
        CHECK(to.balance("person:" + alice.key()) == 7);
        CHECK(to.balance("issued") == -7);
        const auto pa = from.get_proposal(b.proposal_id);
        const auto pc = to.get_proposal(b.proposal_id);
        REQUIRE(pa);
        REQUIRE(pc);
        CHECK(pa->votes == 3);
        CHECK(pc->votes == 3);  // not counted again by the votes trigger
        CHECK(pc->number == pa->number);
        CHECK(to.count_outbox("delivered") == 1);
        CHECK(to.count_outbox("pending") == 1);
    }

    // A second copy into the same place is refused, and changes nothing.
    auto again = admin("copy --from '" + src + "' --to '" + dst + "'");
    CHECK(again.code == 2);
    CHECK(db::reader(dst, db::store_options{}).count_cases() == 3);

    // The copy goes on where the source stopped: new ids after the copied ones.
    {
        db::store s(dst);
        s.run([&](dialog::unit_of_work& uow) {
            const auto next = uow.open_case(draft(bob, "complaint", now_s()));
            CHECK(next.id > b.max_case_id);
            CHECK(uow.add_event({0, next.id, now_s(), "system", "opened", "", "received", ""}) > 0);
        });
    }

    adapters::pg_store::connect(o)->exec("DROP SCHEMA " + schema + " CASCADE");
    for (const char* suffix : {"", "-wal", "-shm", ".secret"})
        std::filesystem::remove(src + suffix);
}
