// LIKE patterns: % matches any run of characters, _ one character, and \ makes the next
// character literal (the ESCAPE '\' convention).
#pragma once

#include <string>
#include <string_view>

namespace trail::query {

// True if `pattern` ends in a backslash that escapes nothing. SQLite's LIKE never matches such a
// pattern, so the compiler rejects it rather than return nothing silently.
bool HasDanglingEscape(std::string_view pattern);

// The GLOB pattern that matches exactly the strings `pattern` LIKE-matches, but case-sensitively:
// SQLite's LIKE ignores ASCII case and its GLOB does not. GLOB's own metacharacters (* ? [ ])
// become one-character classes. Requires !HasDanglingEscape(pattern).
std::string LikeToGlob(std::string_view pattern);

}  // namespace trail::query
