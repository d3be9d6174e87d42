// How trail writes values for people and machines, so every front end (the CLI, the server)
// shows a record the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "trail/json.h"

namespace trail::api {

// JSON text (`--format json`): invalid UTF-8 replaced, never throws. indent -1: one line.
std::string DumpJson(const Json& value, int indent = 2);
// A record as its canonical YAML, exactly as run.yaml holds it.
std::string RecordYaml(const Json& record);
// Text of a scalar as people and `params.x = '...'` queries see it (strings unquoted).
std::string ScalarText(const Json& value);
// record[key] as text ("" when absent), and as a number (`fallback` when absent or not one).
std::string GetString(const Json& record, const char* key);
double GetNumber(const Json& record, const char* key, double fallback = 0);

std::string FormatBytes(uint64_t bytes);     // "1.5 MiB"
std::string FormatDuration(double seconds);  // "3m 12s"
// The shortest text that reads back as `value` ("0.1", "nan", "inf").
std::string FormatNumber(double value);
// A whole-string number, or nullopt.
std::optional<double> ParseNumber(const std::string& text);
// Seconds since the epoch of an ISO-8601 UTC time ("2026-11-26T07:30:12Z"), or nullopt.
std::optional<double> ParseIsoTime(const std::string& iso);

// Passwords and tokens in URLs inside `text` replaced: for every message that reaches a terminal.
std::string RedactUrlSecrets(const std::string& text);
// Invalid UTF-8 replaced.
std::string SanitizeUtf8(const std::string& text);
// Terminal columns `text` takes: CJK and emoji 2, combining marks 0 (for aligned tables).
size_t DisplayWidth(const std::string& text);
// `text` cut to at most `max_width` columns, ending in "…" when cut; never splits a character.
std::string TruncateToWidth(const std::string& text, size_t max_width);
// A path or name quoted for a one-line message when it holds control characters.
std::string EscapeForMessage(const std::string& text);

}  // namespace trail::api
