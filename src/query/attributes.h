// The run attributes a query can name, and the runs columns they map to.
#pragma once

#include <string>
#include <string_view>

namespace trail::query {

enum class AttributeType {
  kText,
  kInteger,
  kReal,
  kBoolean,  // stored as 0/1; true/false literals mean 1/0
  kTime,     // ISO-8601 UTC text in `column`, unix seconds in `seconds_column`
};

struct Attribute {
  std::string_view name;    // as the user writes it (aliases have their own entry)
  std::string_view column;  // column of runs
  AttributeType type;
  std::string_view seconds_column;  // kTime only
};

// The attribute called `name` (ASCII case ignored), or nullptr. The result points into a static
// table and lives forever.
const Attribute* FindAttribute(std::string_view name);

// Every valid name, aliases included, comma-separated, for error messages.
std::string AttributeNames();

}  // namespace trail::query
