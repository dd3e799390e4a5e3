#pragma once
// The single writer: one thread that owns the store's write connection and runs write tasks in
// order, so SQLite writes never run on an I/O thread. Thread-safe: submit() from any thread.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "adapters/sqlite_store/store.hpp"

namespace minsheng::gateway {

class writer {
public:
    using task = std::function<void(adapters::sqlite_store::store&)>;

    // Takes ownership of the store and starts the thread.
    explicit writer(std::unique_ptr<adapters::sqlite_store::store> s);
    // Runs every task already submitted, then joins.
    ~writer();

    // Queues a task. Tasks must catch their own exceptions; one that escapes is logged to stderr
    // and dropped. Returns false once stop() was called (the task is not run).
    bool submit(task t);
    // Stops accepting tasks; the thread finishes the queue and exits. Idempotent.
    void stop();
    std::size_t queued() const;

private:
    void run();

    std::unique_ptr<adapters::sqlite_store::store> store_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<task> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace minsheng::gateway
