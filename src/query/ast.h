// The parsed form of a query: fields, literals and the condition tree over them.
//
// The parser resolves every name (prefixes, functions, attributes), so a tree that exists refers
// only to real fields; what is left for the compiler is checking literal types against them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "query/attributes.h"
#include "query/source.h"

namespace trail::query {

// kDerived, kContext and kModel are the index's `fields` rows (derived metrics, context facts,
// the primary model's summary): typed as params are, a number or text.
enum class FieldKind { kMetric, kParam, kTag, kAttribute, kDerived, kContext, kModel };

// Which summary of a metric's series a field reads; the metrics table stores one column each.
enum class MetricStat { kLast, kMin, kMax, kCount };

struct FieldRef {
  FieldKind kind = FieldKind::kAttribute;
  std::string key;                       // metric, param, tag, derived or context key
  const Attribute* attribute = nullptr;  // kAttribute only
  MetricStat stat = MetricStat::kLast;   // kMetric only
  Span span;
};

struct Literal {
  enum class Kind { kNumber, kString, kBool };
  Kind kind = Kind::kNumber;
  std::string text;                      // kString: decoded; kNumber: as written
  std::variant<int64_t, double> number;  // kNumber
  bool boolean = false;                  // kBool
  Span span;
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// A run of terms joined by the same operator, kept flat so long chains do not recurse deeply.
struct Junction {
  bool is_and = true;
  std::vector<ExprPtr> terms;  // two or more
};

struct Negation {
  ExprPtr operand;
};

struct Comparison {
  FieldRef field;
  CompareOp op = CompareOp::kEq;
  Literal value;
};

struct Like {
  FieldRef field;
  bool negated = false;
  bool case_insensitive = false;  // ILIKE
  Span op_span;
  Literal pattern;  // always a string
};

struct InList {
  FieldRef field;
  bool negated = false;
  std::vector<Literal> values;  // one or more
};

struct NullTest {
  FieldRef field;
  bool negated = false;  // IS NOT NULL
};

struct Expr {
  std::variant<Junction, Negation, Comparison, Like, InList, NullTest> node;
  Span span;  // the text it was parsed from, for errors about the node as a whole
};

// Deepest nesting of parentheses and `not`s the parser accepts; bounds its recursion. The SQL
// compiler has a tighter limit of its own (see sql_compiler.h).
inline constexpr int kMaxNesting = 48;

// A sort key; `descending` is set only when the key text says ASC or DESC.
struct SortKey {
  FieldRef field;
  std::optional<bool> descending;
};

// Lisp-like rendering, e.g. (and (< metric:loss 0.3) (not (= param:opt "adam"))), so tests can
// state a tree's shape in one line.
// The operator as written in SQL and in printed trees: "=", "!=", "<", ...
const char* ToString(CompareOp op);
std::string ToString(const Expr& expr);
std::string ToString(const FieldRef& field);

}  // namespace trail::query
