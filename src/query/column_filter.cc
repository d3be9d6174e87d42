#include "query/column_filter.h"

#include <cmath>
#include <variant>

#include "query/field_sql.h"
#include "query/parser.h"
#include "query/query.h"

namespace trail::query {

// Truth values as SQL has them.
enum class Truth : uint8_t { kFalse, kTrue, kNull };

struct ColumnFilter::Node {
  enum class Kind { kAnd, kOr, kNot, kCompare, kIn, kIsNull };
  Kind kind = Kind::kCompare;
  std::vector<std::unique_ptr<Node>> children;  // and/or: two or more; not: one
  size_t column = 0;
  CompareOp op = CompareOp::kEq;
  std::vector<double> values;  // compare: one; in: the list
  bool negated = false;        // NOT IN, IS NOT NULL

  Truth Eval(const std::vector<const Column*>& cols, int64_t rowid) const {
    switch (kind) {
      case Kind::kAnd: {
        Truth out = Truth::kTrue;
        for (const auto& c : children) {
          const Truth t = c->Eval(cols, rowid);
          if (t == Truth::kFalse) return Truth::kFalse;
          if (t == Truth::kNull) out = Truth::kNull;
        }
        return out;
      }
      case Kind::kOr: {
        Truth out = Truth::kFalse;
        for (const auto& c : children) {
          const Truth t = c->Eval(cols, rowid);
          if (t == Truth::kTrue) return Truth::kTrue;
          if (t == Truth::kNull) out = Truth::kNull;
        }
        return out;
      }
      case Kind::kNot:  // (x) IS NOT TRUE
        return children[0]->Eval(cols, rowid) == Truth::kTrue ? Truth::kFalse : Truth::kTrue;
      case Kind::kIsNull: {
        const bool null = !cols[column]->Has(rowid);
        return null != negated ? Truth::kTrue : Truth::kFalse;
      }
      case Kind::kCompare: {
        const Column& col = *cols[column];
        if (!col.Has(rowid)) return Truth::kNull;
        const double v = col.value[static_cast<size_t>(rowid)];
        const double x = values[0];
        bool r = false;
        switch (op) {
          case CompareOp::kEq:
            r = v == x;
            break;
          case CompareOp::kNe:
            r = v != x;
            break;
          case CompareOp::kLt:
            r = v < x;
            break;
          case CompareOp::kLe:
            r = v <= x;
            break;
          case CompareOp::kGt:
            r = v > x;
            break;
          case CompareOp::kGe:
            r = v >= x;
            break;
        }
        return r ? Truth::kTrue : Truth::kFalse;
      }
      case Kind::kIn: {
        const Column& col = *cols[column];
        if (!col.Has(rowid)) return Truth::kNull;
        const double v = col.value[static_cast<size_t>(rowid)];
        bool found = false;
        for (double x : values) found = found || v == x;
        return found != negated ? Truth::kTrue : Truth::kFalse;
      }
    }
    return Truth::kNull;
  }
};

namespace {

using Node = ColumnFilter::Node;

std::string_view StatColumn(MetricStat stat) {
  switch (stat) {
    case MetricStat::kLast:
      return "last";
    case MetricStat::kMin:
      return "min";
    case MetricStat::kMax:
      return "max";
    case MetricStat::kCount:
      return "count";
  }
  return "last";
}

ColumnSpec Spec(std::string sql, std::string key, bool natural = false) {
  ColumnSpec spec;
  spec.sql = std::move(sql);
  spec.key = std::move(key);
  spec.id = spec.sql + '\n' + spec.key;
  spec.natural = natural;
  return spec;
}

ColumnSpec AttributeSpec(std::string_view column) {
  return Spec("SELECT rowid, " + std::string(column) + " FROM runs", "");
}

// The column a number compares with, as MatchLiteral's number view reads the field.
std::optional<ColumnSpec> NumberColumn(const FieldRef& field) {
  switch (field.kind) {
    case FieldKind::kMetric:
      return Spec("SELECT run, " + std::string(StatColumn(field.stat)) + " FROM metrics WHERE key = ?", field.key);
    case FieldKind::kParam:
      return Spec("SELECT run, num FROM params WHERE key = ?", field.key);
    case FieldKind::kDerived:
    case FieldKind::kContext:
    case FieldKind::kModel:
      return Spec("SELECT run, num FROM fields WHERE key = ?", FieldsKey(field));
    case FieldKind::kTag:
      return std::nullopt;
    case FieldKind::kAttribute:
      switch (field.attribute->type) {
        case AttributeType::kInteger:
        case AttributeType::kReal:
        case AttributeType::kBoolean:
          return AttributeSpec(field.attribute->column);
        case AttributeType::kTime:
          return AttributeSpec(field.attribute->seconds_column);
        case AttributeType::kText:
          return std::nullopt;
      }
  }
  return std::nullopt;
}

// The column of the natural view (IS NULL, sorting): FieldSql(field, kNatural).
std::optional<ColumnSpec> NaturalColumn(const FieldRef& field, bool for_sort) {
  switch (field.kind) {
    case FieldKind::kMetric:
      return NumberColumn(field);
    case FieldKind::kParam:
      return Spec("SELECT run, num, text FROM params WHERE key = ?", field.key, true);
    case FieldKind::kDerived:
    case FieldKind::kContext:
    case FieldKind::kModel:
      return Spec("SELECT run, num, text FROM fields WHERE key = ?", FieldsKey(field), true);
    case FieldKind::kTag:
      return std::nullopt;
    case FieldKind::kAttribute:
      if (field.attribute->type != AttributeType::kTime && field.attribute->type != AttributeType::kText) {
        return NumberColumn(field);
      }
      // Text (and times, whose natural view is their ISO text) sorts as text: only IS NULL can be
      // answered, from presence.
      if (for_sort) return std::nullopt;
      return Spec("SELECT rowid, 1 FROM runs WHERE " + std::string(field.attribute->column) + " IS NOT NULL", "");
  }
  return std::nullopt;
}

// A literal as the number the SQL binds, when comparing it as a double is exact.
std::optional<double> NumberOf(const FieldRef& field, const Literal& literal) {
  if (literal.kind == Literal::Kind::kBool) {
    if (field.kind == FieldKind::kAttribute && field.attribute->type == AttributeType::kBoolean) {
      return literal.boolean ? 1.0 : 0.0;
    }
    return std::nullopt;
  }
  if (literal.kind != Literal::Kind::kNumber) return std::nullopt;
  if (const int64_t* i = std::get_if<int64_t>(&literal.number)) {
    if (*i > (int64_t{1} << 53) || *i < -(int64_t{1} << 53)) return std::nullopt;
    return static_cast<double>(*i);
  }
  const double d = std::get<double>(literal.number);
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

class Planner {
 public:
  explicit Planner(std::vector<ColumnSpec>* columns) : columns_(columns) {}

  std::unique_ptr<Node> Plan(const Expr& expr) {
    return std::visit([&](const auto& n) { return PlanNode(n); }, expr.node);
  }

 private:
  size_t Use(const ColumnSpec& spec) {
    for (size_t i = 0; i < columns_->size(); ++i) {
      if ((*columns_)[i].id == spec.id) return i;
    }
    columns_->push_back(spec);
    return columns_->size() - 1;
  }

  std::unique_ptr<Node> PlanNode(const Junction& j) {
    auto node = std::make_unique<Node>();
    node->kind = j.is_and ? Node::Kind::kAnd : Node::Kind::kOr;
    for (const ExprPtr& term : j.terms) {
      auto child = Plan(*term);
      if (!child) return nullptr;
      node->children.push_back(std::move(child));
    }
    return node;
  }

  std::unique_ptr<Node> PlanNode(const Negation& n) {
    auto child = Plan(*n.operand);
    if (!child) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kNot;
    node->children.push_back(std::move(child));
    return node;
  }

  std::unique_ptr<Node> PlanNode(const Comparison& c) {
    const std::optional<double> x = NumberOf(c.field, c.value);
    if (!x) return nullptr;
    const std::optional<ColumnSpec> spec = NumberColumn(c.field);
    if (!spec) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kCompare;
    node->column = Use(*spec);
    node->op = c.op;
    node->values = {*x};
    return node;
  }

  std::unique_ptr<Node> PlanNode(const Like&) { return nullptr; }

  std::unique_ptr<Node> PlanNode(const InList& in) {
    const std::optional<ColumnSpec> spec = NumberColumn(in.field);
    if (!spec) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kIn;
    node->negated = in.negated;
    for (const Literal& value : in.values) {
      const std::optional<double> x = NumberOf(in.field, value);
      if (!x) return nullptr;  // a string in the list reads the text view: the SQL's job
      node->values.push_back(*x);
    }
    node->column = Use(*spec);
    return node;
  }

  std::unique_ptr<Node> PlanNode(const NullTest& t) {
    const std::optional<ColumnSpec> spec = NaturalColumn(t.field, /*for_sort=*/false);
    if (!spec) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kIsNull;
    node->negated = t.negated;
    node->column = Use(*spec);
    return node;
  }

  std::vector<ColumnSpec>* columns_;
};

}  // namespace

ColumnFilter::ColumnFilter() = default;
ColumnFilter::~ColumnFilter() = default;
ColumnFilter::ColumnFilter(ColumnFilter&&) noexcept = default;
ColumnFilter& ColumnFilter::operator=(ColumnFilter&&) noexcept = default;

bool ColumnFilter::Matches(const std::vector<const Column*>& loaded, int64_t rowid) const {
  return root_->Eval(loaded, rowid) == Truth::kTrue;
}

StatusOr<std::optional<ColumnFilter>> PlanColumnFilter(std::string_view text) {
  TRAIL_RETURN_IF_ERROR(CompileWhere(text).status());  // the same checks and errors as the SQL
  Source source{text, "query"};
  TRAIL_ASSIGN_OR_RETURN(ExprPtr expr, ParseCondition(source));
  ColumnFilter filter;
  filter.root_ = Planner(&filter.columns_).Plan(*expr);
  if (!filter.root_) return std::optional<ColumnFilter>();
  return std::optional<ColumnFilter>(std::move(filter));
}

StatusOr<std::optional<ColumnSort>> PlanColumnSort(std::string_view key, bool descending) {
  TRAIL_RETURN_IF_ERROR(CompileOrderBy(key, descending).status());
  Source source{key, "sort key"};
  TRAIL_ASSIGN_OR_RETURN(SortKey sort, ParseSortKey(source));
  std::optional<ColumnSpec> spec = NaturalColumn(sort.field, /*for_sort=*/true);
  if (!spec) return std::optional<ColumnSort>();
  return std::optional<ColumnSort>(ColumnSort{std::move(*spec), sort.descending.value_or(descending)});
}

ColumnSpec RunsColumn() { return Spec("SELECT rowid, 1 FROM runs", ""); }
ColumnSpec ArchivedColumn() { return AttributeSpec("archived"); }
ColumnSpec NumberColumn() { return AttributeSpec("number"); }
ColumnSpec StartedColumn() { return AttributeSpec("started_ts"); }

}  // namespace trail::query
