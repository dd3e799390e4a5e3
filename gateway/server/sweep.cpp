#include "gateway/server/sweep.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>

#include "adapters/db/retention.hpp"
#include "gateway/exchange.hpp"
#include "gateway/server/monthly_discovery.hpp"

namespace minsheng::gateway {

void run_sweep(const app_ptr& app,
               std::function<void(std::optional<dialog::cases::sweep_report>)> done) {
    struct sweep_result {
        dialog::cases::sweep_report cases;
        adapters::db::retention_report purged;
        std::optional<std::size_t> discovery;  // households on the month's new 主动发现 list
    };
    after_commit<sweep_result>(
        app, "sweep",
        [app](adapters::db::store& store) {
            sweep_result r;
            const std::int64_t t = app->now();
            // With several gateways on one PostgreSQL database one sweeps at a time; the others
            // find the lock taken and leave this minute to it.
            store.run_alone(
                "sweep", [&](dialog::unit_of_work& uow) { r.cases = app->service->sweep(uow, t); });
            const std::int64_t kept = std::int64_t{app->cfg.store.message_retention_days} * 86400;
            r.purged = adapters::db::purge_expired(store, t, t - kept);
            // Once a month (first working day), the 主动发现 list is kept and supervisors told.
            r.discovery = keep_month_discovery(*app, store, t);
            return r;
        },
        [app, done = std::move(done)](std::optional<sweep_result> result) {
            std::optional<dialog::cases::sweep_report> report;
            if (result) {
                report = result->cases;
                auto& s = app->stats;
                s.timer_actions.inc("messages_purged",
                                    static_cast<std::uint64_t>(result->purged.messages));
                s.timer_actions.inc("sessions_purged",
                                    static_cast<std::uint64_t>(result->purged.sessions));
                s.timer_actions.inc("bind_codes_purged",
                                    static_cast<std::uint64_t>(result->purged.bind_codes));
                s.timer_actions.inc("follower_reports_blanked",
                                    static_cast<std::uint64_t>(result->purged.follower_reports));
                s.timer_actions.inc("lease_expired", report->leases_expired);
                s.timer_actions.inc("reminder", report->reminders);
                s.timer_actions.inc("escalation", report->escalations);
                s.timer_actions.inc("confirm_notice", report->confirm_notices);
                s.timer_actions.inc("auto_confirm", report->auto_confirmed);
                s.timer_actions.inc("auto_close", report->auto_closed);
                s.timer_actions.inc("proposal_expired", report->proposals_expired);
                if (result->discovery) {
                    s.timer_actions.inc("discovery_month_listed");
                    app->log->info("sweep: this month's 主动发现 list kept, {} households",
                                   *result->discovery);
                }
                if (app->log->should_log(spdlog::level::info) &&
                    report->leases_expired + report->reminders + report->escalations +
                            report->confirm_notices + report->auto_confirmed + report->auto_closed +
                            report->proposals_expired >
                        0)
                    app->log->info(
                        "sweep: {} leases expired, {} reminders, {} escalations, {} confirm "
                        "notices, {} confirmed, {} closed, {} proposals expired",
                        report->leases_expired, report->reminders, report->escalations,
                        report->confirm_notices, report->auto_confirmed, report->auto_closed,
                        report->proposals_expired);
            }
            done(report);
        });
}

sweeper::sweeper(boost::asio::io_context& ioc, app_ptr app)
    : app_(std::move(app)), timer_(boost::asio::make_strand(ioc)) {}

void sweeper::start() {
    boost::asio::post(timer_.get_executor(), [self = shared_from_this()] { self->schedule(); });
}

void sweeper::stop() {
    boost::asio::post(timer_.get_executor(), [self = shared_from_this()] {
        self->stopped_ = true;
        self->timer_.cancel();
    });
}

void sweeper::schedule() {
    timer_.expires_after(std::chrono::seconds(app_->cfg.program.sweep_interval_seconds));
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->stopped_) return;  // cancelled: shutting down
        run_sweep(self->app_, [](std::optional<dialog::cases::sweep_report>) {});
        self->schedule();
    });
}

}  // namespace minsheng::gateway
