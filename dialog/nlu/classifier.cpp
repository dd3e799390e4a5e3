#include "dialog/nlu/classifier.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace minsheng::dialog::nlu {
namespace {

// Format 2 added the head and word features to the feature configuration; format 3 is format 2
// followed by a neighbour index (written only by models that have one).
constexpr char magic[8] = {'M', 'S', 'N', 'L', 'U', 'C', 'L', '2'};
constexpr char magic_neighbours[8] = {'M', 'S', 'N', 'L', 'U', 'C', 'L', '3'};
constexpr std::string_view old_magic = "MSNLUCL1";
constexpr std::uint32_t max_labels = 256;
constexpr std::uint32_t max_label_bytes = 256;

// A hint to fetch memory that is needed a little later; no effect on results.
inline void prefetch(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

std::uint64_t slot_hash(std::uint64_t key) {
    // Keys are already hashes; a multiply spreads their low bits once more for the table index.
    return (key * 0x9E3779B97F4A7C15ull) >> 17;
}

// Little-endian writer and bounds-checked reader for the model file.
class writer {
public:
    void u32(std::uint32_t v) { bytes(v, 4); }
    void u64(std::uint64_t v) { bytes(v, 8); }
    void f32(float v) { u32(std::bit_cast<std::uint32_t>(v)); }
    void f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }
    void raw(std::string_view s) { out_.append(s); }
    void str(std::string_view s) {
        u32(static_cast<std::uint32_t>(s.size()));
        out_.append(s);
    }
    std::string take() { return std::move(out_); }

private:
    void bytes(std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    }
    std::string out_;
};

class reader {
public:
    explicit reader(std::string_view in) : in_(in) {}
    std::uint32_t u32() { return static_cast<std::uint32_t>(bytes(4)); }
    std::uint64_t u64() { return bytes(8); }
    float f32() { return std::bit_cast<float>(u32()); }
    double f64() { return std::bit_cast<double>(u64()); }
    std::string str(std::uint32_t max) {
        const std::uint32_t n = u32();
        if (n > max) throw std::runtime_error("string too long");
        need(n);
        std::string s(in_.substr(pos_, n));
        pos_ += n;
        return s;
    }
    // `count` little-endian values of T (4- or 8-byte integers or floats) into `out`: copied at
    // once on a little-endian machine (a model's millions of numbers load in milliseconds, also
    // in unoptimised builds), one by one otherwise.
    template <typename T>
    void values(std::vector<T>& out, std::uint64_t count) {
        static_assert(sizeof(T) == 4 || sizeof(T) == 8);
        need_items(count, sizeof(T));
        out.resize(static_cast<std::size_t>(count));
        if constexpr (std::endian::native == std::endian::little) {
            if (count > 0) std::memcpy(out.data(), in_.data() + pos_, out.size() * sizeof(T));
            pos_ += out.size() * sizeof(T);
        } else {
            for (auto& v : out) {
                if constexpr (sizeof(T) == 4) {
                    v = std::bit_cast<T>(u32());
                } else {
                    v = std::bit_cast<T>(u64());
                }
            }
        }
    }
    void expect(std::string_view what) {
        need(what.size());
        if (in_.substr(pos_, what.size()) != what) throw std::runtime_error("not a model file");
        pos_ += what.size();
    }
    // Fails unless at least `count` items of `size` bytes remain (guards huge allocations).
    void need_items(std::uint64_t count, std::uint64_t size) const {
        if (count > (in_.size() - pos_) / size) throw std::runtime_error("truncated");
    }
    bool at_end() const { return pos_ == in_.size(); }

private:
    void need(std::size_t n) const {
        if (in_.size() - pos_ < n) throw std::runtime_error("truncated");
    }
    std::uint64_t bytes(int n) {
        need(static_cast<std::size_t>(n));
        std::uint64_t v = 0;
        for (int i = 0; i < n; ++i) {
            v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[pos_ + i])) << (8 * i);
        }
        pos_ += static_cast<std::size_t>(n);
        return v;
    }
    std::string_view in_;
    std::size_t pos_ = 0;
};

}  // namespace

void softmax(std::span<const double> values, double scale, std::span<double> out) {
    double top = -std::numeric_limits<double>::infinity();
    for (double v : values) top = std::max(top, scale * v);
    double sum = 0.0;
    for (std::size_t k = 0; k < values.size(); ++k) {
        out[k] = std::exp(scale * values[k] - top);
        sum += out[k];
    }
    for (std::size_t k = 0; k < values.size(); ++k) out[k] /= sum;
}

classifier::classifier(parts p) : parts_(std::move(p)) {
    const std::size_t k = parts_.labels.size();
    const std::size_t n = parts_.keys.size();
    if (k < 2 || k > max_labels) throw std::invalid_argument("a classifier needs 2..256 labels");
    for (std::size_t i = 0; i < k; ++i) {
        const auto& l = parts_.labels[i];
        if (l.empty() || l.size() > max_label_bytes || l.find_first_of("\t\r\n") != l.npos) {
            throw std::invalid_argument("bad label name");
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (parts_.labels[j] == l) throw std::invalid_argument("duplicate label " + l);
        }
    }
    if (parts_.idf.size() != n || parts_.weights.size() != n * k || parts_.bias.size() != k) {
        throw std::invalid_argument("classifier parts have inconsistent sizes");
    }
    if (n >= 0xFFFFFFFFu) throw std::invalid_argument("too many features");
    for (std::size_t i = 0; i < n; ++i) {
        if (parts_.keys[i] == 0 || (i > 0 && parts_.keys[i] <= parts_.keys[i - 1])) {
            throw std::invalid_argument("feature keys must be non-zero and strictly increasing");
        }
    }
    const auto finite = [](float v) { return std::isfinite(v); };
    if (!std::all_of(parts_.idf.begin(), parts_.idf.end(), finite) ||
        !std::all_of(parts_.weights.begin(), parts_.weights.end(), finite) ||
        !std::all_of(parts_.bias.begin(), parts_.bias.end(), finite) ||
        !std::isfinite(parts_.scale) || !(parts_.scale > 0) ||
        !(parts_.unsure_below >= 0 && parts_.unsure_below <= 1)) {
        throw std::invalid_argument("classifier parameters must be finite");
    }
    const auto& f = parts_.features;
    if (f.min_n < 1 || f.max_n > 6 || f.min_n > f.max_n || f.max_chars == 0 || f.word_n > 3 ||
        f.head_chars > f.max_chars) {
        throw std::invalid_argument("bad feature configuration");
    }

    check_neighbours();

    // Load factor at most 0.5: most n-grams of a text are not in the vocabulary, and such a
    // lookup probes until an empty slot.
    std::size_t slots = 16;
    while (slots < 2 * n) slots *= 2;
    slots_.assign(slots, slot{});
    slot_mask_ = slots - 1;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t s = slot_hash(parts_.keys[i]) & slot_mask_;
        while (slots_[s].key != 0) s = (s + 1) & slot_mask_;
        slots_[s] = slot{parts_.keys[i], static_cast<std::uint32_t>(i), parts_.idf[i]};
    }
}

void classifier::check_neighbours() {
    const auto& nb = parts_.neighbours;
    const std::size_t k = parts_.labels.size();
    const std::size_t n = parts_.keys.size();
    if (nb.k == 0) {
        if (!nb.labels.empty() || !nb.offsets.empty() || !nb.postings.empty()) {
            throw std::invalid_argument("a neighbour index needs k > 0");
        }
        return;
    }
    if (nb.k > 64) throw std::invalid_argument("at most 64 neighbours vote");
    if (nb.labels.empty() || nb.labels.size() >= 0xFFFFFFFFu || nb.offsets.size() != n + 1 ||
        nb.offsets.front() != 0 || nb.offsets.back() != nb.postings.size()) {
        throw std::invalid_argument("neighbour index has inconsistent sizes");
    }
    if (!std::is_sorted(nb.offsets.begin(), nb.offsets.end()) ||
        std::any_of(nb.labels.begin(), nb.labels.end(), [&](auto l) { return l >= k; }) ||
        std::any_of(nb.postings.begin(), nb.postings.end(),
                    [&](const auto& p) { return p.text >= nb.labels.size(); })) {
        throw std::invalid_argument("neighbour index out of range");
    }
    if (!std::all_of(nb.postings.begin(), nb.postings.end(),
                     [](const auto& p) { return std::isfinite(p.value) && p.value > 0.0f; }) ||
        !std::isfinite(nb.power) || !(nb.power > 0) || !(nb.weight >= 0 && nb.weight <= 1) ||
        !std::isfinite(nb.feature_power) || !(nb.feature_power >= 0)) {
        throw std::invalid_argument("neighbour parameters must be finite and in range");
    }
    similarity_weight_ = similarity_weights(parts_.weights, k, nb.feature_power);
}

std::vector<float> similarity_weights(std::span<const float> weights, std::size_t labels,
                                      double power) {
    std::vector<float> out(weights.size() / labels);
    for (std::size_t r = 0; r < out.size(); ++r) {
        float top = 0.0f;
        for (std::size_t c = 0; c < labels; ++c)
            top = std::max(top, std::fabs(weights[r * labels + c]));
        out[r] = static_cast<float>(std::pow(static_cast<double>(top), power));
    }
    return out;
}

const classifier::slot* classifier::find(std::uint64_t key) const {
    std::uint64_t s = slot_hash(key) & slot_mask_;
    while (true) {
        const slot& candidate = slots_[s];
        if (candidate.key == key) return &candidate;
        if (candidate.key == 0) return nullptr;
        s = (s + 1) & slot_mask_;
    }
}

std::size_t classifier::index_of(std::string_view name) const {
    const auto& l = parts_.labels;
    return static_cast<std::size_t>(std::find(l.begin(), l.end(), name) - l.begin());
}

std::span<const classifier::feature> classifier::gather(
    std::span<const std::uint64_t> hashes) const {
    // The text's distinct hashes with their counts, in order of first occurrence, from a small
    // table that stays in cache (a long text repeats a third of its n-grams and words); then one
    // lookup of each in the model's table, its memory latency hidden by prefetching a few
    // lookups ahead. The features come out in text order, as each was first met.
    struct distinct_hash {
        std::uint64_t hash;
        std::uint32_t count;
        std::uint32_t at;  // its position in `table`
    };
    thread_local std::vector<std::uint64_t> table;  // all zero between calls (0: empty)
    thread_local std::vector<std::uint32_t> index;  // into `distinct`, where table is set
    thread_local std::vector<distinct_hash> distinct;
    thread_local std::vector<feature> out;
    constexpr std::size_t ahead = 8;

    std::size_t bits = 4;
    while ((std::size_t{1} << bits) < 2 * hashes.size()) ++bits;
    const std::size_t cap = std::size_t{1} << bits;
    // Every allocation before the table is written, so that it is left all zero whatever throws.
    distinct.clear();
    distinct.reserve(hashes.size());
    if (table.size() < cap) {
        table.resize(cap, 0);
        index.resize(cap);
    }
    for (const std::uint64_t h : hashes) {
        if (h == 0) continue;  // never a vocabulary key
        std::size_t p = static_cast<std::size_t>((h * 0x9E3779B97F4A7C15ull) >> (64 - bits));
        while (table[p] != 0 && table[p] != h) p = (p + 1) & (cap - 1);
        if (table[p] == 0) {
            table[p] = h;
            index[p] = static_cast<std::uint32_t>(distinct.size());
            distinct.push_back({h, 0, static_cast<std::uint32_t>(p)});
        }
        ++distinct[index[p]].count;
    }
    for (const auto& d : distinct) table[d.at] = 0;

    out.clear();
    out.reserve(distinct.size());
    const std::size_t n = distinct.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (i + ahead < n) prefetch(&slots_[slot_hash(distinct[i + ahead].hash) & slot_mask_]);
        if (const slot* s = find(distinct[i].hash)) {
            out.push_back({s->row, sublinear_tf(distinct[i].count) * s->idf});
        }
    }
    return out;
}

void classifier::linear_values(std::span<const feature> f, std::span<double> out) const {
    constexpr std::size_t ahead = 8;
    const std::size_t k = parts_.labels.size();
    const float* weights = parts_.weights.data();
    std::fill(out.begin(), out.end(), 0.0);
    double norm2 = 0.0;
    for (std::size_t j = 0; j < f.size(); ++j) {
        if (j + ahead < f.size()) prefetch(weights + std::size_t{f[j + ahead].row} * k);
        const double x = f[j].x;
        norm2 += x * x;
        const float* w = weights + std::size_t{f[j].row} * k;
        for (std::size_t c = 0; c < k; ++c) out[c] += x * w[c];
    }
    const double inv = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
    for (std::size_t c = 0; c < k; ++c) out[c] = out[c] * inv + parts_.bias[c];
}

bool classifier::vote(std::span<const feature> f, std::span<double> out) const {
    const auto& nb = parts_.neighbours;
    const std::uint32_t* offsets = nb.offsets.data();
    const neighbour_index::posting* postings = nb.postings.data();
    const auto texts = static_cast<std::uint32_t>(nb.labels.size());
    // Similarities to the training texts, in a float array (a few thousand stay in cache). The
    // query's norm is left out: it scales every similarity alike, and the votes are normalised.
    // Few postings (short messages): the texts met are tracked, and only they are ranked and
    // reset. Many (long appeals): no branch per posting, and all texts are scanned.
    thread_local std::vector<float> similarity;
    thread_local std::vector<std::uint8_t> met;
    thread_local std::vector<std::uint32_t> touched;
    similarity.resize(texts, 0.0f);
    met.resize(texts, 0);
    float* sim = similarity.data();
    std::size_t total = 0;
    for (const feature& q : f) total += offsets[q.row + 1] - offsets[q.row];
    if (total == 0) return false;
    const bool sparse = total < texts / 4;
    touched.clear();
    constexpr std::size_t ahead = 4;  // posting lists are scattered: fetch a few ahead
    for (std::size_t j = 0; j < f.size(); ++j) {
        if (j + ahead < f.size()) prefetch(postings + offsets[f[j + ahead].row]);
        const std::uint32_t row = f[j].row;
        const std::uint32_t begin = offsets[row], end = offsets[row + 1];
        if (begin == end) continue;
        const auto x = static_cast<float>(f[j].x * similarity_weight_[row]);
        if (sparse) {
            for (std::uint32_t i = begin; i < end; ++i) {
                const std::uint32_t t = postings[i].text;
                if (!met[t]) {
                    met[t] = 1;
                    touched.push_back(t);
                }
                sim[t] += x * postings[i].value;
            }
        } else {
            for (std::uint32_t i = begin; i < end; ++i)
                sim[postings[i].text] += x * postings[i].value;
        }
    }
    if (!sparse) {
        for (std::uint32_t t = 0; t < texts; ++t) {
            if (sim[t] > 0.0f) touched.push_back(t);
        }
    }
    // The k most similar, by similarity then by text number (deterministic on ties): a small
    // sorted array, which most texts do not enter.
    constexpr std::size_t max_k = 64;
    const std::size_t k = std::min<std::size_t>(nb.k, max_k);
    std::array<std::uint32_t, max_k> best{};
    std::size_t found = 0;
    const auto better = [sim](std::uint32_t a, std::uint32_t b) {
        return sim[a] > sim[b] || (sim[a] == sim[b] && a < b);
    };
    for (const std::uint32_t t : touched) {
        if (!(sim[t] > 0.0f) || (found == k && !better(t, best[k - 1]))) continue;
        std::size_t at = found < k ? found++ : k - 1;
        while (at > 0 && better(t, best[at - 1])) {
            best[at] = best[at - 1];
            --at;
        }
        best[at] = t;
    }
    std::fill(out.begin(), out.end(), 0.0);
    double sum = 0.0;
    for (std::size_t i = 0; i < found; ++i) {
        const double v = std::pow(static_cast<double>(sim[best[i]]), nb.power);
        out[nb.labels[best[i]]] += v;
        sum += v;
    }
    if (sparse) {
        for (const std::uint32_t t : touched) {
            sim[t] = 0.0f;
            met[t] = 0;
        }
    } else {
        std::fill(similarity.begin(), similarity.end(), 0.0f);
    }
    if (!(sum > 0.0)) return false;
    for (double& v : out) v /= sum;
    return true;
}

void classifier::decision_values(std::span<const std::uint64_t> hashes,
                                 std::span<double> out) const {
    linear_values(gather(hashes), out);
}

void classifier::probabilities(std::span<const std::uint64_t> hashes, std::span<double> out) const {
    thread_local std::vector<double> values;
    thread_local std::vector<double> votes;
    const std::size_t k = parts_.labels.size();
    values.resize(k);
    const auto f = gather(hashes);
    linear_values(f, values);
    softmax(values, parts_.scale, out);
    if (parts_.neighbours.k == 0) return;
    // The vote (at most 1 for a label) can overturn the SVM's best label only when its lead over
    // the second is below (1 − w) / w; beyond that the SVM's probabilities stand, and the index
    // is not read (most messages: the vote costs more than the rest of the classifier).
    const double w = parts_.neighbours.weight;
    double first = 0.0, second = 0.0;
    for (const double p : out) {
        if (p > first) {
            second = first;
            first = p;
        } else if (p > second) {
            second = p;
        }
    }
    if (w * (first - second) > 1.0 - w) return;
    votes.resize(k);
    if (!vote(f, votes)) return;
    for (std::size_t c = 0; c < k; ++c) out[c] = w * out[c] + (1.0 - w) * votes[c];
}

prediction classifier::predict(std::span<const std::uint64_t> hashes) const {
    thread_local std::vector<double> p;
    p.resize(parts_.labels.size());
    probabilities(hashes, p);
    prediction best;
    best.index = static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
    best.confidence = p[best.index];
    best.unsure = best.confidence < parts_.unsure_below;
    return best;
}

prediction predict_blended(const classifier& first, std::span<const std::uint64_t> first_hashes,
                           const classifier& second, std::span<const std::uint64_t> second_hashes,
                           double share) {
    const auto& labels = first.labels();
    const std::size_t k = labels.size();
    if (second.labels().size() != k) throw std::invalid_argument("the two models' labels differ");
    thread_local std::vector<std::size_t> to_first;  // second's label index -> first's
    to_first.resize(k);
    for (std::size_t c = 0; c < k; ++c) {
        to_first[c] = first.index_of(second.labels()[c]);
        if (to_first[c] == k) throw std::invalid_argument("the two models' labels differ");
    }
    if (share <= 0.0) return first.predict(first_hashes);
    if (share >= 1.0) {
        auto p = second.predict(second_hashes);
        p.index = to_first[p.index];
        p.unsure = p.confidence < first.unsure_below();
        return p;
    }
    thread_local std::vector<double> a;
    thread_local std::vector<double> b;
    a.resize(k);
    b.resize(k);
    first.probabilities(first_hashes, a);
    second.probabilities(second_hashes, b);
    for (std::size_t c = 0; c < k; ++c) a[c] *= 1.0 - share;
    for (std::size_t c = 0; c < k; ++c) a[to_first[c]] += share * b[c];
    prediction best;
    best.index = static_cast<std::size_t>(std::max_element(a.begin(), a.end()) - a.begin());
    best.confidence = a[best.index];
    best.unsure = best.confidence < first.unsure_below();
    return best;
}

prediction classifier::predict(std::string_view normalised,
                               std::span<const std::string> tokens) const {
    thread_local std::vector<std::uint64_t> hashes;
    hashes.clear();
    append_features(normalised, tokens, parts_.features, hashes);
    return predict(std::span<const std::uint64_t>(hashes));
}

std::string classifier::to_bytes() const {
    writer w;
    const auto& nb = parts_.neighbours;
    w.raw(nb.k > 0 ? std::string_view(magic_neighbours, sizeof magic_neighbours)
                   : std::string_view(magic, sizeof magic));
    w.u32(static_cast<std::uint32_t>(parts_.labels.size()));
    for (const auto& l : parts_.labels) w.str(l);
    w.u32(parts_.features.min_n);
    w.u32(parts_.features.max_n);
    w.u32(parts_.features.edges ? 1 : 0);
    w.u32(parts_.features.max_chars);
    w.u32(parts_.features.head_chars);
    w.u32(parts_.features.word_n);
    w.f64(parts_.scale);
    w.f64(parts_.unsure_below);
    w.u32(static_cast<std::uint32_t>(parts_.keys.size()));
    for (auto key : parts_.keys) w.u64(key);
    for (float v : parts_.idf) w.f32(v);
    for (float v : parts_.weights) w.f32(v);
    for (float v : parts_.bias) w.f32(v);
    if (nb.k > 0) {
        w.u32(nb.k);
        w.f64(nb.power);
        w.f64(nb.weight);
        w.f64(nb.feature_power);
        w.u32(static_cast<std::uint32_t>(nb.labels.size()));
        for (auto l : nb.labels) w.u32(l);
        w.u32(static_cast<std::uint32_t>(nb.postings.size()));
        for (auto o : nb.offsets) w.u32(o);
        for (const auto& p : nb.postings) w.u32(p.text);
        for (const auto& p : nb.postings) w.f32(p.value);
    }
    return w.take();
}

classifier classifier::from_bytes(std::string_view bytes) {
    try {
        if (bytes.starts_with(old_magic)) {
            throw std::runtime_error(
                "model file format 1 (MSNLUCL1) is no longer read; retrain the models with "
                "minsheng-nlu train");
        }
        const bool with_neighbours =
            bytes.starts_with(std::string_view(magic_neighbours, sizeof magic_neighbours));
        reader r(bytes);
        r.expect(with_neighbours ? std::string_view(magic_neighbours, sizeof magic_neighbours)
                                 : std::string_view(magic, sizeof magic));
        parts p;
        const std::uint32_t k = r.u32();
        if (k < 2 || k > max_labels) throw std::runtime_error("bad label count");
        for (std::uint32_t i = 0; i < k; ++i) p.labels.push_back(r.str(max_label_bytes));
        p.features.min_n = r.u32();
        p.features.max_n = r.u32();
        p.features.edges = r.u32() != 0;
        p.features.max_chars = r.u32();
        p.features.head_chars = r.u32();
        p.features.word_n = r.u32();
        p.scale = r.f64();
        p.unsure_below = r.f64();
        const std::uint32_t n = r.u32();
        r.need_items(n, 12 + 4ull * k);
        r.values(p.keys, n);
        r.values(p.idf, n);
        r.values(p.weights, static_cast<std::uint64_t>(n) * k);
        r.values(p.bias, k);
        if (with_neighbours) {
            auto& nb = p.neighbours;
            nb.k = r.u32();
            if (nb.k == 0) throw std::runtime_error("neighbour index with k = 0");
            nb.power = r.f64();
            nb.weight = r.f64();
            nb.feature_power = r.f64();
            r.values(nb.labels, r.u32());
            const std::uint32_t postings = r.u32();
            r.need_items(static_cast<std::uint64_t>(n) + 1 + 2ull * postings, 4);
            r.values(nb.offsets, static_cast<std::uint64_t>(n) + 1);
            std::vector<std::uint32_t> texts;
            std::vector<float> values;
            r.values(texts, postings);
            r.values(values, postings);
            nb.postings.resize(postings);
            for (std::size_t i = 0; i < postings; ++i) nb.postings[i] = {texts[i], values[i]};
        }
        if (!r.at_end()) throw std::runtime_error("trailing bytes");
        return classifier(std::move(p));
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(e.what());
    }
}

classifier classifier::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw std::runtime_error("cannot open model file " + path);
    // One read of the whole file (a byte-wise iterator took seconds in unoptimised builds).
    const std::streamoff size = in.tellg();
    if (size < 0) throw std::runtime_error("cannot read model file " + path);
    std::string bytes(static_cast<std::size_t>(size), '\0');
    in.seekg(0);
    in.read(bytes.data(), size);
    if (!in || in.gcount() != size) throw std::runtime_error("cannot read model file " + path);
    try {
        return from_bytes(bytes);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error("malformed model file " + path + ": " + e.what());
    }
}

void classifier::save(const std::string& path) const {
    const std::string bytes = to_bytes();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw std::runtime_error("cannot write model file " + path);
}

}  // namespace minsheng::dialog::nlu
