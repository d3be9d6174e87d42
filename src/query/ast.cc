#include "query/ast.h"

namespace trail::query {

const char* ToString(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

namespace {

std::string ToString(const Literal& literal) {
  switch (literal.kind) {
    case Literal::Kind::kNumber:
      return literal.text;
    case Literal::Kind::kString:
      return "\"" + literal.text + "\"";
    case Literal::Kind::kBool:
      return literal.boolean ? "true" : "false";
  }
  return "?";
}

struct Printer {
  std::string operator()(const Junction& junction) const {
    std::string out = junction.is_and ? "(and" : "(or";
    for (const ExprPtr& term : junction.terms) out += " " + ToString(*term);
    return out + ")";
  }
  std::string operator()(const Negation& negation) const { return "(not " + ToString(*negation.operand) + ")"; }
  std::string operator()(const Comparison& comparison) const {
    return std::string("(") + ToString(comparison.op) + " " + ToString(comparison.field) + " " +
           ToString(comparison.value) + ")";
  }
  std::string operator()(const Like& like) const {
    std::string op = like.case_insensitive ? "ilike" : "like";
    if (like.negated) op = "not-" + op;
    return "(" + op + " " + ToString(like.field) + " " + ToString(like.pattern) + ")";
  }
  std::string operator()(const InList& in) const {
    std::string out = in.negated ? "(not-in " : "(in ";
    out += ToString(in.field);
    for (const Literal& value : in.values) out += " " + ToString(value);
    return out + ")";
  }
  std::string operator()(const NullTest& test) const {
    return std::string(test.negated ? "(is-not-null " : "(is-null ") + ToString(test.field) + ")";
  }
};

}  // namespace

std::string ToString(const FieldRef& field) {
  switch (field.kind) {
    case FieldKind::kMetric: {
      std::string metric = "metric:" + field.key;
      switch (field.stat) {
        case MetricStat::kLast:
          return metric;
        case MetricStat::kMin:
          return "min(" + metric + ")";
        case MetricStat::kMax:
          return "max(" + metric + ")";
        case MetricStat::kCount:
          return "count(" + metric + ")";
      }
      return metric;
    }
    case FieldKind::kParam:
      return "param:" + field.key;
    case FieldKind::kTag:
      return "tag:" + field.key;
    case FieldKind::kDerived:
      return "derived:" + field.key;
    case FieldKind::kContext:
      return "context:" + field.key;
    case FieldKind::kModel:
      return "model:" + field.key;
    case FieldKind::kAttribute:
      return "attr:" + std::string(field.attribute->name);
  }
  return "?";
}

std::string ToString(const Expr& expr) { return std::visit(Printer{}, expr.node); }

}  // namespace trail::query
