#include "query/mlflow_forms.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "query/ascii.h"

namespace trail::query {
namespace {

// The literal's text, as the parse tree shows it: the shortest that reads back exactly.
std::string Text(double seconds) {
  char buf[32];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, seconds);
    if (std::strtod(buf, nullptr) == seconds) break;
  }
  return buf;
}

}  // namespace

bool FoldsCase(const FieldRef& field) {
  return field.kind == FieldKind::kAttribute && field.attribute != nullptr && field.attribute->column == "status";
}

void NormalizeLiteral(const FieldRef& field, Literal& literal) {
  if (literal.kind == Literal::Kind::kString && FoldsCase(field)) {
    for (char& c : literal.text) c = AsciiLower(c);
    return;
  }
  if (literal.kind != Literal::Kind::kNumber || field.kind != FieldKind::kAttribute || field.attribute == nullptr ||
      field.attribute->type != AttributeType::kTime) {
    return;
  }
  if (const int64_t* integer = std::get_if<int64_t>(&literal.number)) {
    const int64_t ms = *integer;  // copied: assigning literal.number below replaces what it points to
    if (static_cast<double>(ms) < kMillisecondsFrom && static_cast<double>(ms) > -kMillisecondsFrom) return;
    if (ms % 1000 == 0) {
      literal.number = ms / 1000;
      literal.text = std::to_string(ms / 1000);
    } else {
      literal.number = static_cast<double>(ms) / 1000.0;
      literal.text = Text(static_cast<double>(ms) / 1000.0);
    }
    return;
  }
  const double ms = std::get<double>(literal.number);
  if (!std::isfinite(ms) || std::fabs(ms) < kMillisecondsFrom) return;
  literal.number = ms / 1000.0;
  literal.text = Text(ms / 1000.0);
}

}  // namespace trail::query
