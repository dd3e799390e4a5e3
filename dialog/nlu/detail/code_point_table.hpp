#pragma once
// A compact two-level lookup table from every code point (U+0000..U+10FFFF) to a 32-bit entry:
// 4,352 blocks of 256 code points, identical blocks stored once. Two loads per lookup.
// Immutable after construction: share freely.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <vector>

namespace minsheng::dialog::nlu::detail {

class code_point_table {
public:
    static constexpr char32_t max_code_point = 0x10FFFF;
    static constexpr std::size_t blocks = (max_code_point + 1) >> 8;

    code_point_table() : code_point_table(std::vector<std::uint32_t>(max_code_point + 1, 0)) {}

    // `flat` holds one entry per code point, max_code_point + 1 of them.
    explicit code_point_table(const std::vector<std::uint32_t>& flat) {
        if (flat.size() != max_code_point + 1)
            throw std::invalid_argument("code_point_table: wrong number of entries");
        std::map<std::vector<std::uint32_t>, std::uint32_t> seen;
        for (std::size_t b = 0; b < blocks; ++b) {
            std::vector<std::uint32_t> block(
                flat.begin() + static_cast<std::ptrdiff_t>(b << 8),
                flat.begin() + static_cast<std::ptrdiff_t>((b + 1) << 8));
            auto [it, fresh] = seen.emplace(block, static_cast<std::uint32_t>(entries_.size()));
            if (fresh) entries_.insert(entries_.end(), block.begin(), block.end());
            index_[b] = it->second;
        }
    }

    // cp must be at most max_code_point.
    std::uint32_t operator[](char32_t cp) const { return entries_[index_[cp >> 8] + (cp & 0xFF)]; }

    std::size_t memory_bytes() const {
        return sizeof(index_) + entries_.size() * sizeof(std::uint32_t);
    }

private:
    std::array<std::uint32_t, blocks> index_{};
    std::vector<std::uint32_t> entries_;
};

}  // namespace minsheng::dialog::nlu::detail
