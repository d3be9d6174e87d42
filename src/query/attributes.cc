#include "query/attributes.h"

#include "query/ascii.h"

namespace trail::query {
namespace {

// Aliases follow their main name; this order is the order error messages list them in.
constexpr Attribute kAttributes[] = {
    {"id", "id", AttributeType::kText, ""},
    {"run_id", "id", AttributeType::kText, ""},
    {"name", "name", AttributeType::kText, ""},
    {"run_name", "name", AttributeType::kText, ""},
    {"number", "number", AttributeType::kInteger, ""},
    {"uid", "uid", AttributeType::kText, ""},
    {"status", "status", AttributeType::kText, ""},
    {"user", "user", AttributeType::kText, ""},
    {"started", "started", AttributeType::kTime, "started_ts"},
    {"start_time", "started", AttributeType::kTime, "started_ts"},
    {"ended", "ended", AttributeType::kTime, "ended_ts"},
    {"end_time", "ended", AttributeType::kTime, "ended_ts"},
    {"duration", "duration_s", AttributeType::kReal, ""},
    {"duration_s", "duration_s", AttributeType::kReal, ""},
    {"exit_code", "exit_code", AttributeType::kInteger, ""},
    {"command", "command", AttributeType::kText, ""},
    {"host", "host", AttributeType::kText, ""},
    {"parent", "parent", AttributeType::kText, ""},
    {"archived", "archived", AttributeType::kBoolean, ""},
    {"branch", "branch", AttributeType::kText, ""},
    {"commit", "code_commit", AttributeType::kText, ""},
};

}  // namespace

const Attribute* FindAttribute(std::string_view name) {
  for (const Attribute& attribute : kAttributes) {
    if (EqualsIgnoreCase(name, attribute.name)) return &attribute;
  }
  return nullptr;
}

std::string AttributeNames() {
  std::string names;
  for (const Attribute& attribute : kAttributes) {
    if (!names.empty()) names += ", ";
    names += attribute.name;
  }
  return names;
}

}  // namespace trail::query
