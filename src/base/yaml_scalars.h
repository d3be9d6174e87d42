// What trail's YAML writer (yaml.cc) and reader (yaml_read.cc) agree on: how a plain scalar
// resolves, and which characters a YAML stream may hold as they are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/yaml.h"

namespace trail {

// YAML 1.2 core-schema resolution of a plain (unquoted) scalar: null, bool, int, float or text.
Json ResolveYamlPlain(const std::string& s);

// YAML's printable set, which libyaml's reader enforces: tab, LF, CR, U+0020-U+007E, U+0085,
// U+00A0-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF. Anything else in a stream is refused, so the
// writer escapes it in a double-quoted scalar.
bool IsYamlPrintable(uint32_t code_point);

// Characters a double-quoted scalar must escape beyond JSON's: those outside the printable set,
// and the line breaks YAML folds (U+0085, U+2028, U+2029). True when `s` (valid UTF-8) has any.
bool HasYamlUnsafeChars(std::string_view s);

// The code point starting at s[i] of valid UTF-8 `s`, with `i` moved past it.
uint32_t NextCodePoint(std::string_view s, size_t& i);

}  // namespace trail
