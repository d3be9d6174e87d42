#include "query/parser.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "query/ascii.h"
#include "query/lexer.h"
#include "query/mlflow_forms.h"

namespace trail::query {
namespace {

// Words that cannot name an attribute, so a message can say "expected a field" instead of
// "unknown attribute 'and'".
constexpr std::string_view kKeywords[] = {"and", "or", "not", "like", "ilike", "in", "is", "null", "true", "false"};

bool IsKeyword(const Token& token) {
  if (token.kind != TokenKind::kWord) return false;
  for (std::string_view keyword : kKeywords) {
    if (EqualsIgnoreCase(token.text, keyword)) return true;
  }
  return false;
}

bool IsWord(const Token& token, std::string_view lower) {
  return token.kind == TokenKind::kWord && EqualsIgnoreCase(token.text, lower);
}

CompareOp ToCompareOp(std::string_view op) {
  if (op == "!=" || op == "<>") return CompareOp::kNe;
  if (op == "<") return CompareOp::kLt;
  if (op == "<=") return CompareOp::kLe;
  if (op == ">") return CompareOp::kGt;
  if (op == ">=") return CompareOp::kGe;
  return CompareOp::kEq;  // = and ==
}

template <typename Node>
ExprPtr MakeExpr(Node node, size_t begin, size_t end) {
  auto expr = std::make_unique<Expr>();
  expr->node = std::move(node);
  expr->span = {begin, end - begin};
  return expr;
}

class Parser {
 public:
  Parser(const Source& source, std::vector<Token> tokens) : source_(source), tokens_(std::move(tokens)) {}

  StatusOr<ExprPtr> ParseWholeCondition() {
    if (Peek().kind == TokenKind::kEnd) {
      return Error(Peek(), "expected a condition such as metrics.loss < 0.5");
    }
    TRAIL_ASSIGN_OR_RETURN(ExprPtr expr, ParseDisjunction(0));
    if (Peek().kind == TokenKind::kRightParen) return Error(Peek(), "unmatched ')'");
    if (Peek().kind != TokenKind::kEnd) {
      return Error(Peek(), "expected AND or OR between conditions");
    }
    return expr;
  }

  StatusOr<SortKey> ParseWholeSortKey() {
    if (Peek().kind == TokenKind::kEnd) {
      return Error(Peek(), "expected a field to sort by, such as metrics.loss");
    }
    TRAIL_ASSIGN_OR_RETURN(FieldRef field, ParseField());
    SortKey key{std::move(field), std::nullopt};
    if (IsWord(Peek(), "asc") || IsWord(Peek(), "desc")) {
      key.descending = IsWord(Advance(), "desc");
    }
    if (Peek().kind != TokenKind::kEnd) {
      return Error(Peek(), "expected the end of the sort key: one field, then optionally ASC or DESC");
    }
    return key;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    size_t index = std::min(next_ + ahead, tokens_.size() - 1);  // the last token is kEnd
    return tokens_[index];
  }

  const Token& Advance() {
    const Token& token = tokens_[next_];
    if (next_ + 1 < tokens_.size()) ++next_;
    consumed_end_ = token.span.end();
    return token;
  }

  // The token as the user wrote it, for "after '...'" in messages.
  std::string Text(const Token& token) const { return Printable(source_.Slice(token.span)); }

  Status Error(const Token& at, std::string_view detail) const { return SyntaxError(source_, at.span, detail); }

  // A condition can start here; used to blame the operator, not what follows, for "a and".
  bool CanStartCondition(const Token& token) const {
    return token.kind != TokenKind::kEnd && token.kind != TokenKind::kRightParen && !IsWord(token, "and") &&
           !IsWord(token, "or");
  }

  // OR of ANDs; `is_and` picks the level so both share one loop.
  StatusOr<ExprPtr> ParseJunction(int depth, bool is_and) {
    std::string_view word = is_and ? "and" : "or";
    TRAIL_ASSIGN_OR_RETURN(ExprPtr first, is_and ? ParseNegation(depth) : ParseJunction(depth, true));
    if (!IsWord(Peek(), word)) return first;
    size_t begin = first->span.offset;
    Junction junction{is_and, {}};
    junction.terms.push_back(std::move(first));
    while (IsWord(Peek(), word)) {
      const Token& op = Advance();
      if (!CanStartCondition(Peek())) {
        return Error(Peek(), "expected a condition after '" + Text(op) + "'");
      }
      TRAIL_ASSIGN_OR_RETURN(ExprPtr term, is_and ? ParseNegation(depth) : ParseJunction(depth, true));
      junction.terms.push_back(std::move(term));
    }
    return MakeExpr(std::move(junction), begin, consumed_end_);
  }

  StatusOr<ExprPtr> ParseDisjunction(int depth) { return ParseJunction(depth, /*is_and=*/false); }

  StatusOr<ExprPtr> ParseNegation(int depth) {
    if (depth >= kMaxNesting) {
      return Error(Peek(), "conditions nested too deeply (the limit is " + std::to_string(kMaxNesting) + " levels)");
    }
    // A leading `not` is always negation: `not like` and `not in` only ever follow a field.
    if (IsWord(Peek(), "not")) {
      const Token& op = Advance();
      if (!CanStartCondition(Peek())) {
        return Error(Peek(), "expected a condition after '" + Text(op) + "'");
      }
      TRAIL_ASSIGN_OR_RETURN(ExprPtr operand, ParseNegation(depth + 1));
      return MakeExpr(Negation{std::move(operand)}, op.span.offset, consumed_end_);
    }
    if (Peek().kind == TokenKind::kLeftParen) {
      const Token& open = Advance();
      if (!CanStartCondition(Peek())) {
        return Error(Peek(), "expected a condition after '('");
      }
      TRAIL_ASSIGN_OR_RETURN(ExprPtr inner, ParseDisjunction(depth + 1));
      if (Peek().kind != TokenKind::kRightParen) {
        return Error(Peek(), "expected ')' to close the '(' at column " +
                                 std::to_string(ColumnAt(source_.text, open.span.offset)));
      }
      Advance();
      inner->span = {open.span.offset, consumed_end_ - open.span.offset};
      return inner;
    }
    return ParsePredicate();
  }

  StatusOr<ExprPtr> ParsePredicate() {
    TRAIL_ASSIGN_OR_RETURN(FieldRef field, ParseField());
    const Token& op = Peek();
    if (op.kind == TokenKind::kOperator) {
      Advance();
      TRAIL_ASSIGN_OR_RETURN(Literal value, ParseValue(op));
      NormalizeLiteral(field, value);
      size_t begin = field.span.offset;
      return MakeExpr(Comparison{std::move(field), ToCompareOp(op.text), std::move(value)}, begin, consumed_end_);
    }
    if (IsWord(op, "is")) {
      Advance();
      bool negated = false;
      if (IsWord(Peek(), "not")) {
        Advance();
        negated = true;
      }
      if (!IsWord(Peek(), "null")) return Error(Peek(), "expected NULL or NOT NULL after 'is'");
      Advance();
      size_t begin = field.span.offset;
      return MakeExpr(NullTest{std::move(field), negated}, begin, consumed_end_);
    }
    bool negated = false;
    if (IsWord(op, "not")) {
      Advance();
      negated = true;
      if (!IsWord(Peek(), "like") && !IsWord(Peek(), "ilike") && !IsWord(Peek(), "in")) {
        return Error(Peek(), "expected LIKE, ILIKE or IN after '" + Text(op) + "'");
      }
    }
    if (IsWord(Peek(), "like") || IsWord(Peek(), "ilike")) return ParseLikeRest(std::move(field), negated);
    if (IsWord(Peek(), "in")) return ParseInRest(std::move(field), negated);
    return Error(Peek(), "expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN or IS) after '" +
                             Printable(source_.Slice(field.span)) + "'");
  }

  StatusOr<ExprPtr> ParseLikeRest(FieldRef field, bool negated) {
    const Token& op = Advance();
    if (Peek().kind != TokenKind::kString) {
      return Error(Peek(), "expected a quoted pattern after '" + Text(op) + "'");
    }
    TRAIL_ASSIGN_OR_RETURN(Literal pattern, ParseValue(op));
    size_t begin = field.span.offset;
    const bool fold = IsWord(op, "ilike") || FoldsCase(field);
    return MakeExpr(Like{std::move(field), negated, fold, op.span, std::move(pattern)}, begin, consumed_end_);
  }

  StatusOr<ExprPtr> ParseInRest(FieldRef field, bool negated) {
    const Token& op = Advance();
    if (Peek().kind != TokenKind::kLeftParen) {
      return Error(Peek(), "expected '(' after '" + Text(op) + "'");
    }
    const Token* previous = &Advance();
    InList in{std::move(field), negated, {}};
    while (true) {
      TRAIL_ASSIGN_OR_RETURN(Literal value, ParseValue(*previous));
      NormalizeLiteral(in.field, value);
      in.values.push_back(std::move(value));
      if (Peek().kind == TokenKind::kRightParen) break;
      if (Peek().kind != TokenKind::kComma) {
        return Error(Peek(), "expected ',' or ')' in the list after '" + Text(op) + "'");
      }
      previous = &Advance();
    }
    Advance();
    size_t begin = in.field.span.offset;
    return MakeExpr(std::move(in), begin, consumed_end_);
  }

  // A literal, which must follow `after` (named in the message when it is missing).
  StatusOr<Literal> ParseValue(const Token& after) {
    const Token& token = Peek();
    Literal literal;
    literal.span = token.span;
    switch (token.kind) {
      case TokenKind::kNumber:
        literal.kind = Literal::Kind::kNumber;
        literal.text = token.text;
        literal.number = token.number;
        Advance();
        return literal;
      case TokenKind::kString:
        literal.kind = Literal::Kind::kString;
        literal.text = token.text;
        Advance();
        return literal;
      case TokenKind::kWord:
        if (IsWord(token, "true") || IsWord(token, "false")) {
          literal.kind = Literal::Kind::kBool;
          literal.boolean = IsWord(token, "true");
          Advance();
          return literal;
        }
        if (IsWord(token, "null")) {
          return Error(token, "use IS NULL or IS NOT NULL to test for a missing value");
        }
        if (!IsKeyword(token)) {
          return Error(token, "expected a value after '" + Text(after) + "'; put text in quotes");
        }
        break;
      default:
        break;
    }
    return Error(token, "expected a value after '" + Text(after) + "'");
  }

  StatusOr<FieldRef> ParseField() {
    const Token& token = Peek();
    if (token.kind == TokenKind::kField) {
      Advance();
      return ResolveQualified(token);
    }
    if (token.kind == TokenKind::kWord && !IsKeyword(token)) {
      if (Peek(1).kind == TokenKind::kLeftParen) return ParseStatField();
      Advance();
      FieldRef field;
      field.kind = FieldKind::kAttribute;
      field.attribute = FindAttribute(token.text);
      field.span = token.span;
      if (field.attribute == nullptr) {
        const std::string& word = token.text;
        return Error(token, "unknown attribute '" + word + "'; write metrics." + word + ", params." + word +
                                " or tags." + word + " for a recorded value, or use one of: " + AttributeNames());
      }
      return field;
    }
    return Error(token, "expected a field such as metrics.loss, params.lr or status");
  }

  // Resolves a prefix.key token; the caller has consumed it.
  StatusOr<FieldRef> ResolveQualified(const Token& token) const {
    std::string_view prefix = token.text;
    FieldRef field;
    field.key = token.key;
    field.span = token.span;
    if (EqualsIgnoreCase(prefix, "metrics") || EqualsIgnoreCase(prefix, "metric")) {
      field.kind = FieldKind::kMetric;
    } else if (EqualsIgnoreCase(prefix, "params") || EqualsIgnoreCase(prefix, "param")) {
      field.kind = FieldKind::kParam;
    } else if (EqualsIgnoreCase(prefix, "tags") || EqualsIgnoreCase(prefix, "tag")) {
      field.kind = FieldKind::kTag;
    } else if (EqualsIgnoreCase(prefix, "derived")) {
      field.kind = FieldKind::kDerived;
    } else if (EqualsIgnoreCase(prefix, "context")) {
      field.kind = FieldKind::kContext;
    } else if (EqualsIgnoreCase(prefix, "model")) {
      field.kind = FieldKind::kModel;
    } else if (EqualsIgnoreCase(prefix, "attributes") || EqualsIgnoreCase(prefix, "attribute") ||
               EqualsIgnoreCase(prefix, "attr")) {
      field.kind = FieldKind::kAttribute;
      field.attribute = FindAttribute(token.key);
      field.key.clear();
      if (field.attribute == nullptr) {
        return Error(token, "unknown attribute '" + Printable(token.key) + "'; attributes are " + AttributeNames());
      }
    } else {
      return Error(token, "unknown prefix '" + std::string(prefix) + ".'; use metrics., params., tags. or attributes.");
    }
    return field;
  }

  // min(metrics.k) and friends.
  StatusOr<FieldRef> ParseStatField() {
    const Token& name = Advance();
    MetricStat stat;
    if (IsWord(name, "min")) {
      stat = MetricStat::kMin;
    } else if (IsWord(name, "max")) {
      stat = MetricStat::kMax;
    } else if (IsWord(name, "count")) {
      stat = MetricStat::kCount;
    } else if (IsWord(name, "last")) {
      stat = MetricStat::kLast;
    } else {
      return Error(name, "unknown function '" + name.text + "'; use min, max, count or last");
    }
    Advance();  // '('
    const Token& argument = Peek();
    if (argument.kind != TokenKind::kField) {
      return Error(argument, "expected a metric such as metrics.loss after '" + name.text + "('");
    }
    Advance();
    TRAIL_ASSIGN_OR_RETURN(FieldRef field, ResolveQualified(argument));
    if (field.kind != FieldKind::kMetric) {
      return Error(argument, name.text + "() applies to metrics only");
    }
    const Token& close = Peek();
    if (close.kind != TokenKind::kRightParen) {
      return Error(close, "expected ')' after '" + Text(argument) + "'");
    }
    Advance();
    field.stat = stat;
    field.span = {name.span.offset, close.span.end() - name.span.offset};
    return field;
  }

  const Source& source_;
  std::vector<Token> tokens_;
  size_t next_ = 0;
  size_t consumed_end_ = 0;  // end of the last token Advance() returned
};

}  // namespace

StatusOr<ExprPtr> ParseCondition(const Source& source) {
  TRAIL_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(source));
  return Parser(source, std::move(tokens)).ParseWholeCondition();
}

StatusOr<SortKey> ParseSortKey(const Source& source) {
  TRAIL_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(source));
  return Parser(source, std::move(tokens)).ParseWholeSortKey();
}

}  // namespace trail::query
