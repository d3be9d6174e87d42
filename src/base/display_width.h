// How many terminal columns text takes, as wcwidth(3) counts them but the same on every machine:
// East Asian Wide and Fullwidth characters (CJK, Hangul, most emoji) take 2, combining marks,
// zero-width joiners and variation selectors 0, the rest 1. Invalid UTF-8 counts 1 per byte
// (each shows as one replacement character).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace trail {

// Columns one code point takes: 0, 1 or 2. Control characters take 0.
int CodePointWidth(uint32_t code_point);

// Columns `text` (UTF-8) takes.
size_t DisplayWidth(std::string_view text);

// `text` cut to at most `max_width` columns, ending in "…" when cut. Never splits a code point
// or separates one from the combining marks after it.
std::string TruncateToWidth(std::string_view text, size_t max_width);

}  // namespace trail
