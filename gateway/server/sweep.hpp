#pragma once
// The timer sweep: every cfg.program.sweep_interval_seconds, the case service's sweep (lease
// expiry, reminders, escalations, auto-close, proposal expiry) runs on the writer, in the same
// group commit as messages, and its figures go to minsheng_timer_actions_total.
//
// Thread-safety: start() and stop() from any thread; the timer lives on its own strand of the I/O
// threads and holds itself and the application state by shared_ptr.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "gateway/server/app_state.hpp"

namespace minsheng::gateway {

// Queues one sweep on the writer; `done` gets the report on an I/O thread after the commit, or
// nullopt when the sweep failed (counted and logged) or the writer is stopping.
void run_sweep(const app_ptr& app,
               std::function<void(std::optional<dialog::cases::sweep_report>)> done);

class sweeper : public std::enable_shared_from_this<sweeper> {
public:
    sweeper(boost::asio::io_context& ioc, app_ptr app);
    // Schedules the first sweep one interval from now.
    void start();
    // Cancels the timer (no sweep is started afterwards). Idempotent.
    void stop();

private:
    void schedule();

    app_ptr app_;
    boost::asio::steady_timer timer_;  // on a strand: touched only there
    bool stopped_ = false;             // on the strand
};

}  // namespace minsheng::gateway
