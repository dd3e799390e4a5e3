#include "gateway/server/writer.hpp"

#include <cstdio>
#include <vector>

namespace minsheng::gateway {

writer::writer(std::unique_ptr<adapters::db::store> s, std::size_t max_queue)
    : store_(std::move(s)), max_queue_(max_queue), thread_([this] { run(); }) {}

writer::~writer() { stop(); }

writer::submitted writer::submit(task t, bool internal) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) return submitted::stopping;
        if (!internal && queue_.size() >= max_queue_) return submitted::full;
        queue_.push_back(std::move(t));
    }
    cv_.notify_one();
    return submitted::queued;
}

std::size_t writer::waiting() const {
    std::lock_guard lock(mu_);
    return queue_.size();
}

void writer::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    // Joined here, not only in the destructor: whoever stops the writer may then release what
    // its tasks use. A task that calls stop() on the writer thread itself cannot join it.
    std::lock_guard join_lock(join_mu_);
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void writer::run() {
    std::deque<task> batch;
    std::vector<continuation> after;
    for (;;) {
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty() && stopping_) return;
            while (!queue_.empty() && batch.size() < max_batch) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        bool committed = false;
        try {
            store_->begin_batch();
            for (auto& t : batch) {
                try {
                    if (auto c = t(*store_)) after.push_back(std::move(c));
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "writer task failed: %s\n", e.what());
                }
            }
            store_->commit_batch();
            committed = true;
        } catch (const std::exception& e) {
            store_->rollback_batch();
            std::fprintf(stderr, "writer batch of %zu failed: %s\n", batch.size(), e.what());
        }
        for (auto& c : after) c(committed);
        after.clear();
        batch.clear();
    }
}

}  // namespace minsheng::gateway
