#include "query/sql_compiler.h"

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "query/field_sql.h"
#include "query/like_pattern.h"

namespace trail::query {
namespace {

void Append(const SqlFragment& part, SqlFragment* out) {
  out->sql += part.sql;
  out->binds.insert(out->binds.end(), part.binds.begin(), part.binds.end());
}

std::string_view OperatorSql(CompareOp op) { return ToString(op); }

// Every node compiles to a parenthesized expression, so callers can combine fragments (and
// embed the result in a larger WHERE) without thinking about precedence.
class Compiler {
 public:
  explicit Compiler(const Source& source) : source_(source) {}

  // `cost` is what the SQL around `expr` already takes of kSqlNestingBudget.
  StatusOr<SqlFragment> Compile(const Expr& expr, int cost) {
    return std::visit([&](const auto& node) { return CompileNode(node, expr.span, cost); }, expr.node);
  }

 private:
  Status TooDeep(Span span) const {
    return SyntaxError(source_, span, "conditions nested too deeply for SQLite; use fewer levels of and/or or not");
  }

  StatusOr<SqlFragment> CompileNode(const Junction& junction, Span, int cost) {
    return Join(junction.terms, 0, junction.terms.size(), junction.is_and ? " AND " : " OR ", cost);
  }

  // Joins terms [begin, end) as a balanced tree: SQLite parses a flat chain left-deep, and a
  // long one would pass its expression depth limit. Each level opens one parenthesis.
  StatusOr<SqlFragment> Join(const std::vector<ExprPtr>& terms, size_t begin, size_t end, std::string_view op,
                             int cost) {
    if (end - begin == 1) return Compile(*terms[begin], cost);
    cost += kJunctionCost;
    if (cost > kSqlNestingBudget) {
      return TooDeep({terms[begin]->span.offset, terms[end - 1]->span.end() - terms[begin]->span.offset});
    }
    size_t middle = begin + (end - begin) / 2;
    TRAIL_ASSIGN_OR_RETURN(SqlFragment left, Join(terms, begin, middle, op, cost));
    TRAIL_ASSIGN_OR_RETURN(SqlFragment right, Join(terms, middle, end, op, cost));
    SqlFragment out{"(", {}};
    Append(left, &out);
    out.sql += op;
    Append(right, &out);
    out.sql += ")";
    return out;
  }

  StatusOr<SqlFragment> CompileNode(const Negation& negation, Span span, int cost) {
    if (cost + kNegationCost > kSqlNestingBudget) return TooDeep(span);
    TRAIL_ASSIGN_OR_RETURN(SqlFragment operand, Compile(*negation.operand, cost + kNegationCost));
    // A missing field makes the comparison inside NULL; `not` must read that as false, so
    // `not tags.stage = 'draft'` also matches runs with no stage tag. IS NOT TRUE is
    // NOT coalesce(x, 0) with one parenthesis less, which matters for SQLite's parser stack.
    SqlFragment out{"(", {}};
    Append(operand, &out);
    out.sql += " IS NOT TRUE)";
    return out;
  }

  StatusOr<SqlFragment> CompileNode(const Comparison& comparison, Span, int) {
    if (comparison.value.kind == Literal::Kind::kBool && comparison.op != CompareOp::kEq &&
        comparison.op != CompareOp::kNe) {
      return SyntaxError(source_, comparison.value.span, "true and false can only be compared with =, != or IN");
    }
    TRAIL_ASSIGN_OR_RETURN(Operand operand, MatchLiteral(source_, comparison.field, comparison.value));
    SqlFragment out{"(", {}};
    Append(operand.field, &out);
    out.sql += " ";
    out.sql += OperatorSql(comparison.op);
    out.sql += " ?)";
    out.binds.push_back(std::move(operand.value));
    return out;
  }

  StatusOr<SqlFragment> CompileNode(const Like& like, Span, int) {
    TRAIL_ASSIGN_OR_RETURN(SqlFragment target, PatternTarget(source_, like.field, like.op_span));
    if (HasDanglingEscape(like.pattern.text)) {
      return SyntaxError(source_, like.pattern.span, "the pattern ends with a backslash that escapes nothing");
    }
    SqlFragment out{"(", {}};
    Append(target, &out);
    if (like.negated) out.sql += " NOT";
    if (like.case_insensitive) {
      out.sql += " LIKE ? ESCAPE '\\')";
      out.binds.push_back(like.pattern.text);
    } else {
      // GLOB alone gives case-sensitive LIKE; SQLite's LIKE would ignore ASCII case.
      out.sql += " GLOB ?)";
      out.binds.push_back(LikeToGlob(like.pattern.text));
    }
    return out;
  }

  StatusOr<SqlFragment> CompileNode(const InList& in, Span, int) {
    // Elements of different types read different views of the field (p.num vs p.text), so the
    // list splits into one IN per view, in order of first appearance.
    struct Group {
      SqlFragment field;
      std::vector<SqlValue> values;
    };
    std::vector<Group> groups;
    for (const Literal& value : in.values) {
      TRAIL_ASSIGN_OR_RETURN(Operand operand, MatchLiteral(source_, in.field, value));
      Group* group = nullptr;
      for (Group& existing : groups) {
        if (existing.field.sql == operand.field.sql) group = &existing;
      }
      if (group == nullptr) group = &groups.emplace_back(Group{std::move(operand.field), {}});
      group->values.push_back(std::move(operand.value));
    }
    // x NOT IN (a, b) is NOT (x IN (a, b)); by De Morgan, split groups join with AND.
    SqlFragment out{"(", {}};
    for (size_t i = 0; i < groups.size(); ++i) {
      if (i > 0) out.sql += in.negated ? " AND " : " OR ";
      Append(groups[i].field, &out);
      out.sql += in.negated ? " NOT IN (" : " IN (";
      for (size_t j = 0; j < groups[i].values.size(); ++j) out.sql += j == 0 ? "?" : ", ?";
      out.sql += ")";
      out.binds.insert(out.binds.end(), groups[i].values.begin(), groups[i].values.end());
    }
    out.sql += ")";
    return out;
  }

  StatusOr<SqlFragment> CompileNode(const NullTest& test, Span, int) {
    SqlFragment out{"(", {}};
    Append(FieldSql(test.field, ValueView::kNatural), &out);
    out.sql += test.negated ? " IS NOT NULL)" : " IS NULL)";
    return out;
  }

  const Source& source_;
};

}  // namespace

StatusOr<SqlFragment> CompileCondition(const Source& source, const Expr& expr) {
  return Compiler(source).Compile(expr, 0);
}

SqlFragment CompileSortKey(const FieldRef& field, bool descending) {
  SqlFragment value = FieldSql(field, ValueView::kNatural);
  SqlFragment out{"(", {}};
  Append(value, &out);
  out.sql += ") IS NULL, (";
  Append(value, &out);
  out.sql += descending ? ") DESC" : ") ASC";
  return out;
}

}  // namespace trail::query
