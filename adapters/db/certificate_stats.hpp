#pragma once
// Certificate requests answered from the city's list without a case, per item and China-time
// month (docs/certificates.md): the figure a 减证便民 office reports. Read-only.

#include <cstdint>
#include <string>
#include <vector>

namespace minsheng::adapters::db {

class reader;

struct certificate_month {
    std::string month;           // "2026-11"
    std::string item;            // the list's item id
    std::int64_t answered = 0;   // requests answered from the list
    std::int64_t escalated = 0;  // of those, followed by a case ("还是需要社区帮忙")
    std::int64_t deflected() const { return answered - escalated; }
    friend bool operator==(const certificate_month&, const certificate_month&) = default;
};

// The months from `first` to `last` ("YYYY-MM", both included), by month then item. Throws
// store_error.
std::vector<certificate_month> certificate_answers_by_month(reader& r, const std::string& first,
                                                            const std::string& last);

}  // namespace minsheng::adapters::db
