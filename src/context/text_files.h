// Small readers shared by the context layer: bounded file reads and the
// "key: value" line formats of /proc, os-release, METADATA and pyvenv.cfg.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The base helpers every reader here uses (Trim, SanitizeUtf8, BaseName, DirName, ErrnoMessage).
#include "base/errors.h"
#include "base/paths.h"
#include "base/text.h"

namespace trail::context {

// Up to `limit` bytes from the start of a file; nullopt when it cannot be
// opened or read (errno tells why). Reads until EOF, so /proc files, whose
// size reads as 0, work too.
std::optional<std::string> ReadHead(const std::string& path, size_t limit = 1 << 20);

// Splits "key<sep>value" at the first `sep` and trims both sides; false when
// there is no `sep`.
bool SplitKeyValue(std::string_view line, char sep, std::string_view* key, std::string_view* value);

// Calls fn(line) for each line of `text`, without the line end.
template <typename Fn>
void ForEachLine(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

std::vector<std::string> SplitString(std::string_view s, char sep);
// Splits on runs of spaces and tabs, dropping empty pieces.
std::vector<std::string> SplitWhitespace(std::string_view s);

// realpath(3), or nullopt.
std::optional<std::string> RealPath(const std::string& path);
bool IsRegularFile(const std::string& path);
bool IsExecutableFile(const std::string& path);

// Parses a whole decimal number; nullopt for anything else.
std::optional<unsigned long long> ParseUnsigned(std::string_view s);

}  // namespace trail::context
