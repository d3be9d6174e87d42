#include "trail/format.h"

#include "base/clock.h"
#include "base/display_width.h"
#include "base/numbers.h"
#include "base/text.h"
#include "base/yaml.h"
#include "record/record.h"

namespace trail::api {

std::string DumpJson(const Json& value, int indent) { return trail::DumpJson(value, indent); }
std::string RecordYaml(const Json& record) { return record::Serialize(record); }
std::string ScalarText(const Json& value) { return record::ScalarText(value); }
std::string GetString(const Json& record, const char* key) { return record::GetString(record, key); }
double GetNumber(const Json& record, const char* key, double fallback) {
  return record::GetNumber(record, key, fallback);
}

std::string FormatBytes(uint64_t bytes) { return trail::FormatBytes(bytes); }
std::string FormatDuration(double seconds) { return trail::FormatDuration(seconds); }
std::string FormatNumber(double value) { return FormatDouble(value); }
std::optional<double> ParseNumber(const std::string& text) { return ParseDouble(text); }
std::optional<double> ParseIsoTime(const std::string& iso) { return trail::ParseIsoTime(iso); }

std::string RedactUrlSecrets(const std::string& text) { return trail::RedactUrlSecrets(text); }
std::string SanitizeUtf8(const std::string& text) { return trail::SanitizeUtf8(text); }
size_t DisplayWidth(const std::string& text) { return trail::DisplayWidth(text); }
std::string TruncateToWidth(const std::string& text, size_t max_width) {
  return trail::TruncateToWidth(text, max_width);
}
std::string EscapeForMessage(const std::string& text) { return trail::EscapeForMessage(text); }

}  // namespace trail::api
