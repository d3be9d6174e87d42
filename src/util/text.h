// Text hygiene for everything trail writes from outside input (argv, files, pipes).
#pragma once

#include <string>
#include <string_view>

namespace trail {

bool IsValidUtf8(std::string_view s);
// Copy of `s` with every invalid UTF-8 sequence replaced by U+FFFD, so JSON
// and YAML writers can never choke on a Latin-1 argument or a stray byte.
std::string SanitizeUtf8(std::string_view s);

}  // namespace trail
