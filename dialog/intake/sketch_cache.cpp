#include "dialog/intake/sketch_cache.hpp"

#include <algorithm>

namespace minsheng::dialog::intake {

namespace {

// FNV-1a, 64 bits: enough to tell one version of a description from the next.
std::uint64_t hash_of(std::string_view text) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

}  // namespace

sketch_cache::sketch_cache(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

std::optional<cases::appeal_sketch> sketch_cache::find(std::int64_t case_id,
                                                       std::string_view description) {
    const std::uint64_t h = hash_of(description);
    const auto fits = [&](const entry& e) { return e.hash == h && e.length == description.size(); };
    std::lock_guard lock(mu_);
    if (const auto it = by_case_.find(case_id); it != by_case_.end() && fits(*it->second)) {
        order_.splice(order_.begin(), order_, it->second);
        ++hits_;
        return it->second->sketch;
    }
    // The appeal that opened this case, kept by its text: adopted by the case.
    if (const auto t = by_text_.find(h); case_id != 0 && t != by_text_.end() && fits(*t->second)) {
        auto e = t->second;
        by_text_.erase(t);
        if (const auto old = by_case_.find(case_id); old != by_case_.end()) {
            order_.erase(old->second);
            by_case_.erase(old);
        }
        e->case_id = case_id;
        by_case_[case_id] = e;
        order_.splice(order_.begin(), order_, e);
        ++hits_;
        return e->sketch;
    }
    ++misses_;
    return std::nullopt;
}

void sketch_cache::push(entry e) {
    order_.push_front(std::move(e));
    if (order_.front().case_id != 0)
        by_case_[order_.front().case_id] = order_.begin();
    else
        by_text_[order_.front().hash] = order_.begin();
    if (order_.size() > capacity_) {
        const auto& old = order_.back();
        if (old.case_id != 0)
            by_case_.erase(old.case_id);
        else
            by_text_.erase(old.hash);
        order_.pop_back();
    }
}

void sketch_cache::keep(std::int64_t case_id, std::string_view description,
                        const cases::appeal_sketch& s) {
    entry e{case_id, hash_of(description), description.size(), s};
    std::lock_guard lock(mu_);
    if (const auto it = by_case_.find(case_id); it != by_case_.end()) {
        *it->second = std::move(e);
        order_.splice(order_.begin(), order_, it->second);
        return;
    }
    push(std::move(e));
}

void sketch_cache::keep_text(std::string_view text, const cases::appeal_sketch& s) {
    entry e{0, hash_of(text), text.size(), s};
    std::lock_guard lock(mu_);
    if (const auto it = by_text_.find(e.hash); it != by_text_.end()) {
        *it->second = std::move(e);
        order_.splice(order_.begin(), order_, it->second);
        return;
    }
    push(std::move(e));
}

std::size_t sketch_cache::size() const {
    std::lock_guard lock(mu_);
    return order_.size();
}

std::uint64_t sketch_cache::hits() const {
    std::lock_guard lock(mu_);
    return hits_;
}

std::uint64_t sketch_cache::misses() const {
    std::lock_guard lock(mu_);
    return misses_;
}

}  // namespace minsheng::dialog::intake
