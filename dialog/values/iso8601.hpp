#pragma once
// ISO-8601 / RFC 3339 timestamps with an explicit offset, as Unix seconds.
// Pure functions: safe from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minsheng::dialog {

// Parses "YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)", e.g. "2026-02-13T10:00:00+08:00",
// "2026-02-13T02:00:00Z", "2026-02-13T02:00:00.250+00:00". 't', 'z' and a space instead of 'T'
// are accepted; the fraction (any number of digits) is dropped; second 60 (a leap second) reads
// as 59. Returns nullopt if the text is anything else: no offset, a date that does not exist,
// hour 24, an offset beyond ±23:59, surrounding spaces.
std::optional<std::int64_t> parse_iso8601(std::string_view text);

// "2026-02-27T23:59:59+08:00": the instant in the zone offset_minutes east of UTC ("Z" for 0).
// The instant must lie in years 1–9999 in that zone.
std::string format_iso8601(std::int64_t unix, int offset_minutes = 8 * 60);

}  // namespace minsheng::dialog
