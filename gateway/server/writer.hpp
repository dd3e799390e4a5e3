#pragma once
// The single writer: one thread that owns the store's write connection and runs write tasks in
// order, so SQLite writes never run on an I/O thread. Tasks that queue up while a commit is in
// progress are run together in one transaction (group commit), each in its own savepoint; a
// task's continuation runs only after that commit, so nothing is answered before it is durable.
// Thread-safe: submit() from any thread.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "adapters/db/store.hpp"

namespace minsheng::gateway {

class writer {
public:
    // Runs after the batch's commit with committed = true, or with false if the commit failed
    // (the task's writes are then gone and its message must not be acknowledged).
    using continuation = std::function<void(bool committed)>;
    // Does the task's writes; returns what to do once they are committed (may be empty).
    using task = std::function<continuation(adapters::db::store&)>;

    // Takes ownership of the store and starts the thread. At most `max_queue` tasks wait at a
    // time (submit() refuses more).
    explicit writer(std::unique_ptr<adapters::db::store> s, std::size_t max_queue = 1 << 20);
    // Runs every task already submitted, then joins.
    ~writer();

    enum class submitted { queued, stopping, full };
    // Queues a task. Tasks should catch their own exceptions; one that escapes has its writes
    // rolled back and is logged to stderr. Not queued (and never run) once stop() was called, or
    // while max_queue tasks are already waiting: the caller answers 503. `internal` tasks (the
    // outbox worker's claims and records, whose number it bounds itself) are never refused for
    // a full queue.
    submitted submit(task t, bool internal = false);
    // Tasks waiting now (a gauge; any thread).
    std::size_t waiting() const;
    // Stops accepting tasks, lets the thread finish the queue (every continuation run) and joins
    // it. Idempotent; any thread.
    void stop();
    // Most tasks grouped into one commit.
    static constexpr std::size_t max_batch = 256;

private:
    void run();

    std::unique_ptr<adapters::db::store> store_;
    const std::size_t max_queue_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<task> queue_;
    bool stopping_ = false;
    std::mutex join_mu_;  // one joiner at a time
    std::thread thread_;
};

}  // namespace minsheng::gateway
