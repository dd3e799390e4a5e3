#include "gateway/writer.hpp"

#include <cstdio>

namespace minsheng::gateway {

writer::writer(std::unique_ptr<adapters::sqlite_store::store> s)
    : store_(std::move(s)), thread_([this] { run(); }) {}

writer::~writer() {
    stop();
    if (thread_.joinable()) thread_.join();
}

bool writer::submit(task t) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) return false;
        queue_.push_back(std::move(t));
    }
    cv_.notify_one();
    return true;
}

void writer::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
}

std::size_t writer::queued() const {
    std::lock_guard lock(mu_);
    return queue_.size();
}

void writer::run() {
    std::deque<task> batch;
    for (;;) {
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty() && stopping_) return;
            batch.swap(queue_);
        }
        for (auto& t : batch) {
            try {
                t(*store_);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "writer task failed: %s\n", e.what());
            }
        }
        batch.clear();
    }
}

}  // namespace minsheng::gateway
