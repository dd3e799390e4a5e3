#pragma once
// The address rules of the extractor: place names read backwards from their suffixes (省 市 区
// 县 镇 街道 社区 村 小区 路 ...), numbered parts (号 栋 单元 楼 室 ...), bare room numbers after
// a unit or floor, colloquial heads (我们村, 本小区) and anonymised names (A市K2区), chained
// into addresses, with the house, building, unit, floor and room numbers that masking hides.
// Immutable after construction: share freely.

#include <bitset>
#include <string_view>
#include <vector>

#include "dialog/nlu/detail/candidate.hpp"

namespace minsheng::dialog::nlu::detail {

class address_scanner {
public:
    address_scanner();

    // Appends to `out` the addresses in normalised `text` (rank_address, type "address", value
    // the text itself) that keep clear of the bytes marked in `taken` (text.size() + 1 flags:
    // other entities that already won those bytes). Addresses do not overlap each other.
    void scan(std::string_view text, const std::vector<bool>& taken,
              std::vector<candidate>& out) const;

private:
    // Code points (all in the BMP) that can begin an address suffix or a colloquial head.
    std::bitset<0x10000> starts_;
};

}  // namespace minsheng::dialog::nlu::detail
