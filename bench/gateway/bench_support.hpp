#pragma once
// What the gateway benchmarks share: their input lines and their latency summary.

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <string>
#include <vector>

namespace minsheng::bench {

// The non-empty lines of a file (one appeal per line); empty when the file cannot be read.
inline std::vector<std::string> read_lines(const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

// Latency samples gathered per client thread, merged and read as percentiles.
class latencies {
public:
    // Merges the per-thread samples (milliseconds) and sorts them.
    explicit latencies(const std::vector<std::vector<double>>& per_thread) {
        for (const auto& l : per_thread) all_.insert(all_.end(), l.begin(), l.end());
        std::sort(all_.begin(), all_.end());
    }
    std::size_t count() const { return all_.size(); }
    // The p-quantile (p in [0, 1]); 0 when there are no samples.
    double at(double p) const {
        if (all_.empty()) return 0.0;
        auto i = static_cast<std::size_t>(p * static_cast<double>(all_.size()));
        return all_[std::min(all_.size() - 1, i)];
    }
    double max() const { return all_.empty() ? 0.0 : all_.back(); }

private:
    std::vector<double> all_;
};

}  // namespace minsheng::bench
