#include "gateway/server/reader_pool.hpp"

namespace minsheng::gateway {

std::unique_ptr<adapters::db::reader> reader_pool::acquire() {
    {
        std::lock_guard lock(mu_);
        if (!free_.empty()) {
            auto r = std::move(free_.back());
            free_.pop_back();
            return r;
        }
    }
    return std::make_unique<adapters::db::reader>(location_, options_);
}

void reader_pool::release(std::unique_ptr<adapters::db::reader> r) {
    if (!r) return;
    std::lock_guard lock(mu_);
    if (free_.size() >= keep_) return;  // r closes its connection
    free_.push_back(std::move(r));
}

}  // namespace minsheng::gateway
