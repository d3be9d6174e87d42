#include "query/column_filter.h"

#include <sqlite3.h>

#include <cmath>
#include <variant>

#include "query/field_sql.h"
#include "query/like_pattern.h"
#include "query/parser.h"
#include "query/query.h"

namespace trail::query {

// Truth values as SQL has them.
enum class Truth : uint8_t { kFalse, kTrue, kNull };

// SQLite's limit on a LIKE or GLOB pattern (SQLITE_MAX_LIKE_PATTERN_LENGTH): longer ones are an
// error there, so they are left to the SQL to report.
constexpr size_t kMaxPatternBytes = 50000;

struct ColumnFilter::Node {
  enum class Kind { kAnd, kOr, kNot, kCompare, kIn, kIsNull, kText };
  // What a kText node asks of each distinct value.
  enum class TextTest { kCompare, kIn, kLike, kGlob };
  Kind kind = Kind::kCompare;
  std::vector<std::unique_ptr<Node>> children;  // and/or: two or more; not: one
  size_t column = 0;
  CompareOp op = CompareOp::kEq;
  std::vector<double> values;  // compare: one; in: the list
  bool negated = false;        // NOT IN, IS NOT NULL, NOT LIKE
  TextTest test = TextTest::kCompare;
  std::vector<std::string> strings;  // text compare: one; in: the list; like/glob: the pattern
  std::vector<uint8_t> truth;        // kText, after Bind: the answer for each distinct value

  // kText: decides the test for every distinct value of `col`, as SQLite would for that value.
  void Decide(const Column& col) {
    truth.assign(col.strings.size(), 0);
    for (size_t i = 0; i < col.strings.size(); ++i) {
      const std::string_view v = col.strings[i];
      bool r = false;
      switch (test) {
        case TextTest::kCompare: {
          // BINARY collation: memcmp, then the shorter first (std::string_view::compare).
          const int c = v.compare(strings[0]);
          r = Holds(op, c);
          break;
        }
        case TextTest::kIn:
          for (const std::string& x : strings) r = r || v == x;
          break;
        case TextTest::kLike:
          // SQLite's own matcher, the one its LIKE calls: the same answer for every value. It
          // reads C strings, as LIKE does (sqlite3_value_text): both stop at a NUL.
          r = sqlite3_strlike(strings[0].c_str(), v.data(), '\\') == 0;
          break;
        case TextTest::kGlob:
          r = sqlite3_strglob(strings[0].c_str(), v.data()) == 0;
          break;
      }
      truth[i] = static_cast<uint8_t>(r != negated);
    }
  }

  static bool Holds(CompareOp op, int c) {
    switch (op) {
      case CompareOp::kEq:
        return c == 0;
      case CompareOp::kNe:
        return c != 0;
      case CompareOp::kLt:
        return c < 0;
      case CompareOp::kLe:
        return c <= 0;
      case CompareOp::kGt:
        return c > 0;
      case CompareOp::kGe:
        return c >= 0;
    }
    return false;
  }

  void Bind(const std::vector<const Column*>& cols) {
    for (auto& c : children) c->Bind(cols);
    if (kind == Kind::kText) Decide(*cols[column]);
  }

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
      case Kind::kText: {
        const Column& col = *cols[column];
        if (!col.Has(rowid)) return Truth::kNull;
        return truth[col.code[static_cast<size_t>(rowid)]] != 0 ? Truth::kTrue : Truth::kFalse;
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

// The column a string compares with, as MatchLiteral's text view reads the field (lower-cased
// first when `lowered`: true and false against text).
std::optional<ColumnSpec> TextColumn(const FieldRef& field, bool lowered) {
  auto value = [&](std::string expr) { return lowered ? "lower(" + expr + ")" : expr; };
  std::optional<ColumnSpec> spec;
  switch (field.kind) {
    case FieldKind::kMetric:
      return std::nullopt;
    case FieldKind::kParam:
      spec = Spec("SELECT run, " + value("text") + " FROM params WHERE key = ?", field.key);
      break;
    case FieldKind::kDerived:
    case FieldKind::kContext:
    case FieldKind::kModel:
      spec = Spec("SELECT run, " + value("text") + " FROM fields WHERE key = ?", FieldsKey(field));
      break;
    case FieldKind::kTag:
      spec = Spec("SELECT run, " + value("value") + " FROM tags WHERE key = ?", field.key);
      break;
    case FieldKind::kAttribute:
      // FieldSql's own expression (lower(r.status) for the attributes compared whatever their
      // case), over every run.
      spec = Spec("SELECT r.rowid, " + value(FieldSql(field, ValueView::kText).sql) + " FROM runs r", "");
      break;
  }
  if (spec) spec->text = true;
  return spec;
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
      return TextColumn(field, false);
    case FieldKind::kAttribute:
      if (field.attribute->type != AttributeType::kTime && field.attribute->type != AttributeType::kText) {
        return NumberColumn(field);
      }
      // Text, and times, whose natural view is their ISO text, sort as text: by dictionary code.
      if (for_sort) {
        ColumnSpec spec = Spec("SELECT r.rowid, r." + std::string(field.attribute->column) + " FROM runs r", "");
        spec.text = true;
        return spec;
      }
      return Spec("SELECT rowid, 1 FROM runs WHERE " + std::string(field.attribute->column) + " IS NOT NULL", "");
  }
  return std::nullopt;
}

// A bound number as a double, when comparing it as a double is exact (as SQLite compares an
// integer with a REAL column's value).
std::optional<double> NumberOf(const SqlValue& value) {
  if (const int64_t* i = std::get_if<int64_t>(&value)) {
    if (*i > (int64_t{1} << 53) || *i < -(int64_t{1} << 53)) return std::nullopt;
    return static_cast<double>(*i);
  }
  if (const double* d = std::get_if<double>(&value)) {
    if (!std::isfinite(*d)) return std::nullopt;
    return *d;
  }
  return std::nullopt;
}

class Planner {
 public:
  Planner(const Source& source, std::vector<ColumnSpec>* columns) : source_(source), columns_(columns) {}

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

  // A node reading `field` as `match` says (MatchLiteral's view), with nothing to test yet.
  std::unique_ptr<Node> NodeFor(const FieldRef& field, const LiteralMatch& match) {
    const std::optional<ColumnSpec> spec =
        match.view == ValueView::kNumber ? NumberColumn(field) : TextColumn(field, match.lowered);
    if (!spec) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = spec->text ? Node::Kind::kText : Node::Kind::kCompare;
    node->column = Use(*spec);
    return node;
  }

  std::unique_ptr<Node> PlanNode(const Comparison& c) {
    StatusOr<LiteralMatch> match = ClassifyLiteral(source_, c.field, c.value);
    if (!match.ok()) return nullptr;
    auto node = NodeFor(c.field, *match);
    if (!node) return nullptr;
    node->op = c.op;
    if (node->kind == Node::Kind::kText) {
      node->test = Node::TextTest::kCompare;
      node->strings = {std::get<std::string>(match->value)};
    } else {
      const std::optional<double> x = NumberOf(match->value);
      if (!x) return nullptr;
      node->values = {*x};
    }
    return node;
  }

  std::unique_ptr<Node> PlanNode(const Like& like) {
    const std::optional<ColumnSpec> spec = TextColumn(like.field, false);
    if (!spec) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kText;
    node->column = Use(*spec);
    node->negated = like.negated;
    // As the compiler binds it: LIKE's pattern, or the GLOB that is its case-sensitive form.
    node->test = like.case_insensitive ? Node::TextTest::kLike : Node::TextTest::kGlob;
    node->strings = {like.case_insensitive ? like.pattern.text : LikeToGlob(like.pattern.text)};
    if (node->strings[0].size() > kMaxPatternBytes) return nullptr;
    return node;
  }

  std::unique_ptr<Node> PlanNode(const InList& in) {
    // As the compiler splits it: one IN per view of the field, in order of first appearance,
    // joined by OR (NOT IN: by AND).
    struct Group {
      LiteralMatch view;
      std::unique_ptr<Node> node;
    };
    std::vector<Group> groups;
    for (const Literal& value : in.values) {
      StatusOr<LiteralMatch> match = ClassifyLiteral(source_, in.field, value);
      if (!match.ok()) return nullptr;
      Group* group = nullptr;
      for (Group& g : groups) {
        if (g.view.view == match->view && g.view.lowered == match->lowered) group = &g;
      }
      if (group == nullptr) {
        auto node = NodeFor(in.field, *match);
        if (!node) return nullptr;
        node->negated = in.negated;
        if (node->kind == Node::Kind::kText) {
          node->test = Node::TextTest::kIn;
        } else {
          node->kind = Node::Kind::kIn;
        }
        group = &groups.emplace_back(Group{*match, std::move(node)});
      }
      if (group->node->kind == Node::Kind::kText) {
        group->node->strings.push_back(std::get<std::string>(match->value));
      } else {
        const std::optional<double> x = NumberOf(match->value);
        if (!x) return nullptr;
        group->node->values.push_back(*x);
      }
    }
    if (groups.size() == 1) return std::move(groups[0].node);
    auto node = std::make_unique<Node>();
    node->kind = in.negated ? Node::Kind::kAnd : Node::Kind::kOr;
    for (Group& g : groups) node->children.push_back(std::move(g.node));
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

  const Source& source_;
  std::vector<ColumnSpec>* columns_;
};

}  // namespace

ColumnFilter::ColumnFilter() = default;
ColumnFilter::~ColumnFilter() = default;
ColumnFilter::ColumnFilter(ColumnFilter&&) noexcept = default;
ColumnFilter& ColumnFilter::operator=(ColumnFilter&&) noexcept = default;

void ColumnFilter::Bind(const std::vector<const Column*>& loaded) {
  loaded_ = loaded;
  root_->Bind(loaded_);
}

bool ColumnFilter::Matches(int64_t rowid) const { return root_->Eval(loaded_, rowid) == Truth::kTrue; }

StatusOr<std::optional<ColumnFilter>> PlanColumnFilter(std::string_view text) {
  TRAIL_RETURN_IF_ERROR(CompileWhere(text).status());  // the same checks and errors as the SQL
  Source source{text, "query"};
  TRAIL_ASSIGN_OR_RETURN(ExprPtr expr, ParseCondition(source));
  ColumnFilter filter;
  filter.root_ = Planner(source, &filter.columns_).Plan(*expr);
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
