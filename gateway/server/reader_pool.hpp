#pragma once
// Read-only store connections for the reader threads, reused across requests. Thread-safe.

#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/db/store.hpp"

namespace minsheng::gateway {

class reader_pool {
public:
    // Keeps at most `keep` idle readers; a reader given back beyond that is closed.
    explicit reader_pool(std::string location, adapters::db::store_options options = {},
                         std::size_t keep = 8)
        : location_(std::move(location)), options_(std::move(options)), keep_(keep) {}

    // A free reader, or a new one. Throws store errors when the database cannot be opened.
    std::unique_ptr<adapters::db::reader> acquire();
    // Gives a reader back for the next request.
    void release(std::unique_ptr<adapters::db::reader> r);

    // Holds a reader for one scope and gives it back; a scope left by an exception closes it
    // instead (its connection may be mid-statement).
    class lease {
    public:
        explicit lease(reader_pool& pool)
            : pool_(pool), r_(pool.acquire()), exceptions_(std::uncaught_exceptions()) {}
        ~lease() {
            if (std::uncaught_exceptions() == exceptions_) pool_.release(std::move(r_));
        }
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;
        adapters::db::reader& operator*() const { return *r_; }

    private:
        reader_pool& pool_;
        std::unique_ptr<adapters::db::reader> r_;
        int exceptions_;
    };

private:
    std::string location_;
    adapters::db::store_options options_;
    std::size_t keep_;
    std::mutex mu_;
    std::vector<std::unique_ptr<adapters::db::reader>> free_;
};

}  // namespace minsheng::gateway
