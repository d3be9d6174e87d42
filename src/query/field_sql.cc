#include "query/field_sql.h"

#include <cctype>
#include <string>

#include "query/mlflow_forms.h"

namespace trail::query {
namespace {

std::string_view MetricColumn(MetricStat stat) {
  switch (stat) {
    case MetricStat::kLast:
      return "m.last";
    case MetricStat::kMin:
      return "m.min";
    case MetricStat::kMax:
      return "m.max";
    case MetricStat::kCount:
      return "m.count";
  }
  return "m.last";
}

SqlFragment Keyed(std::string_view value, std::string_view table, char alias, const std::string& key) {
  std::string a(1, alias);
  return {"(SELECT " + std::string(value) + " FROM " + std::string(table) + " " + a + " WHERE " + a +
              ".run = r.rowid AND " + a + ".key = ?)",
          {key}};
}

AttributeType TypeOf(const FieldRef& field) { return field.attribute->type; }

bool HoldsNumbers(const FieldRef& field) {
  switch (field.kind) {
    case FieldKind::kMetric:
    case FieldKind::kParam:
    case FieldKind::kDerived:
    case FieldKind::kContext:
    case FieldKind::kModel:
      return true;
    case FieldKind::kTag:
      return false;
    case FieldKind::kAttribute:
      return TypeOf(field) != AttributeType::kText;
  }
  return false;
}

bool HoldsText(const FieldRef& field) {
  switch (field.kind) {
    case FieldKind::kMetric:
      return false;
    case FieldKind::kParam:
    case FieldKind::kTag:
    case FieldKind::kDerived:
    case FieldKind::kContext:
    case FieldKind::kModel:
      return true;
    case FieldKind::kAttribute:
      return TypeOf(field) == AttributeType::kText || TypeOf(field) == AttributeType::kTime;
  }
  return false;
}

// For a field that is not text: what it holds and what to compare it with, for messages.
struct Nature {
  std::string holds;
  std::string wants;
};

Nature NatureOf(const Source& source, const FieldRef& field) {
  if (field.kind == FieldKind::kMetric) {
    return {"metrics are numbers", "compare " + Printable(source.Slice(field.span)) + " with a number"};
  }
  std::string name = "'" + std::string(field.attribute->name) + "'";
  switch (TypeOf(field)) {
    case AttributeType::kBoolean:
      return {name + " is true or false", "compare it with true or false"};
    case AttributeType::kTime:
      return {name + " is a time", "compare it with a date string or unix seconds"};
    default:
      return {name + " is a number", "compare it with a number"};
  }
}

Status Mismatch(const Source& source, const FieldRef& field, const Literal& literal, std::string_view literal_kind) {
  Nature nature = NatureOf(source, field);
  return SyntaxError(source, literal.span, nature.holds + "; " + nature.wants + ", not " + std::string(literal_kind));
}

SqlValue ToSqlValue(const std::variant<int64_t, double>& number) {
  if (const int64_t* integer = std::get_if<int64_t>(&number)) return *integer;
  return std::get<double>(number);
}

// A param-like field (a number or text, as params are) read from `table`.
SqlFragment TypedKeyed(std::string_view table, char alias, const std::string& key, ValueView view) {
  std::string a(1, alias);
  switch (view) {
    case ValueView::kNumber:
      return Keyed(a + ".num", table, alias, key);
    case ValueView::kText:
      return Keyed(a + ".text", table, alias, key);
    case ValueView::kNatural:
      break;
  }
  // SQLite orders numbers before text, so numeric values sort numerically and come first.
  // Non-NULL exactly when the key exists, as text is always set.
  return Keyed("coalesce(" + a + ".num, " + a + ".text)", table, alias, key);
}

}  // namespace

std::string FieldsKey(const FieldRef& field) {
  switch (field.kind) {
    case FieldKind::kDerived:
      return "derived." + field.key;
    case FieldKind::kModel:
      return "model." + field.key;
    default:
      return "context." + field.key;
  }
}

SqlFragment FieldSql(const FieldRef& field, ValueView view) {
  switch (field.kind) {
    case FieldKind::kDerived:
    case FieldKind::kContext:
    case FieldKind::kModel:
      return TypedKeyed("fields", 'f', FieldsKey(field), view);
    case FieldKind::kMetric:
      return Keyed(MetricColumn(field.stat), "metrics", 'm', field.key);
    case FieldKind::kParam:
      return TypedKeyed("params", 'p', field.key, view);
    case FieldKind::kTag:
      return Keyed("t.value", "tags", 't', field.key);
    case FieldKind::kAttribute:
      if (view == ValueView::kNumber && TypeOf(field) == AttributeType::kTime) {
        return {"r." + std::string(field.attribute->seconds_column), {}};
      }
      // Compared whatever its case (records imported from MLflow say FINISHED); the parser
      // lower-cases the literals (mlflow_forms.h).
      if (view == ValueView::kText && FoldsCase(field))
        return {"lower(r." + std::string(field.attribute->column) + ")", {}};
      return {"r." + std::string(field.attribute->column), {}};
  }
  return {"NULL", {}};
}

std::optional<SortPlan> IndexedSort(const FieldRef& field, bool descending) {
  // Values must be exactly FieldSql(field, kNatural)'s, and match the index expressions of
  // index/run_index.cc, or SQLite sorts instead of walking the index.
  switch (field.kind) {
    case FieldKind::kMetric:
      if (field.stat != MetricStat::kLast) return std::nullopt;
      return SortPlan{"metrics", "s.last", field.key, descending};
    case FieldKind::kParam:
      return SortPlan{"params", "coalesce(s.num, s.text)", field.key, descending};
    case FieldKind::kTag:
      return SortPlan{"tags", "s.value", field.key, descending};
    case FieldKind::kDerived:
    case FieldKind::kContext:
    case FieldKind::kModel:
      return SortPlan{"fields", "coalesce(s.num, s.text)", FieldsKey(field), descending};
    case FieldKind::kAttribute:
      return std::nullopt;
  }
  return std::nullopt;
}

StatusOr<LiteralMatch> ClassifyLiteral(const Source& source, const FieldRef& field, const Literal& literal) {
  switch (literal.kind) {
    case Literal::Kind::kNumber:
      if (HoldsNumbers(field)) return LiteralMatch{ValueView::kNumber, false, ToSqlValue(literal.number)};
      // Text fields compare with the number as written, so tags.v = 2 finds the tag "2".
      return LiteralMatch{ValueView::kText, false, literal.text};
    case Literal::Kind::kString:
      if (HoldsText(field)) return LiteralMatch{ValueView::kText, false, literal.text};
      return Mismatch(source, field, literal, "a string");
    case Literal::Kind::kBool:
      if (field.kind == FieldKind::kAttribute && TypeOf(field) == AttributeType::kBoolean) {
        return LiteralMatch{ValueView::kNumber, false, int64_t{literal.boolean ? 1 : 0}};
      }
      if (field.kind == FieldKind::kParam || field.kind == FieldKind::kTag || field.kind == FieldKind::kDerived ||
          field.kind == FieldKind::kContext || field.kind == FieldKind::kModel ||
          (field.kind == FieldKind::kAttribute && TypeOf(field) == AttributeType::kText)) {
        return LiteralMatch{ValueView::kText, true, std::string(literal.boolean ? "true" : "false")};
      }
      return Mismatch(source, field, literal, "true or false");
  }
  return Internal("unhandled literal kind");
}

StatusOr<Operand> MatchLiteral(const Source& source, const FieldRef& field, const Literal& literal) {
  TRAIL_ASSIGN_OR_RETURN(LiteralMatch match, ClassifyLiteral(source, field, literal));
  SqlFragment sql = FieldSql(field, match.view);
  if (match.lowered) sql.sql = "lower(" + sql.sql + ")";
  return Operand{std::move(sql), std::move(match.value)};
}

StatusOr<SqlFragment> PatternTarget(const Source& source, const FieldRef& field, Span op_span) {
  if (HoldsText(field)) return FieldSql(field, ValueView::kText);
  std::string op = Printable(source.Slice(op_span));
  for (char& c : op) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return SyntaxError(source, op_span, op + " needs text, but " + NatureOf(source, field).holds);
}

}  // namespace trail::query
