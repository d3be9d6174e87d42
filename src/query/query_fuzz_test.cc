// Randomized checks, run on every build with fixed seeds: whatever the input, the compiler
// returns a well-formed error or SQL that SQLite accepts, and the logic operators behave as
// two-valued set operations over the runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "query/query.h"
#include "query/source.h"
#include "query/test_db.h"

namespace trail::query {
namespace {

using Ids = std::vector<std::string>;

const Ids kAllRuns = {"r1", "r2", "r3", "r4"};

// Checks the error contract: InvalidArgument, one line, a column inside the text (or just past
// it).
void ExpectWellFormedError(const Status& status, std::string_view text, std::string_view what) {
  EXPECT_EQ(status.code(), Code::kInvalidArgument) << text;
  const std::string& message = status.message();
  std::string prefix = "bad " + std::string(what) + " at column ";
  ASSERT_EQ(message.substr(0, prefix.size()), prefix) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  size_t column = std::stoul(message.substr(prefix.size()));
  EXPECT_GE(column, 1u) << message;
  EXPECT_LE(column, ColumnAt(text, text.size())) << text << " -> " << message;
}

class Generator {
 public:
  explicit Generator(uint32_t seed) : random_(seed) {}

  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random_); }

  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(items.size())];
  }

  // Any sequence of plausible and implausible tokens.
  std::string Soup() {
    static const std::vector<std::string> kTokens = {"metrics.loss",
                                                     "params.lr",
                                                     "params.layers",
                                                     "tags.stage",
                                                     "status",
                                                     "started",
                                                     "archived",
                                                     "min(metrics.loss)",
                                                     "count(",
                                                     "metrics.`a b`",
                                                     "and",
                                                     "or",
                                                     "not",
                                                     "(",
                                                     ")",
                                                     "=",
                                                     "!=",
                                                     "<",
                                                     ">=",
                                                     "<>",
                                                     "==",
                                                     "like",
                                                     "ILIKE",
                                                     "in",
                                                     "is",
                                                     "null",
                                                     "true",
                                                     "false",
                                                     "1",
                                                     "-2.5",
                                                     "1e3",
                                                     ".5",
                                                     "'a%'",
                                                     "'x'",
                                                     "\"y\"",
                                                     ",",
                                                     "'\\\\'",
                                                     "number",
                                                     "foo",
                                                     "metrics.",
                                                     "'open",
                                                     "`",
                                                     ";",
                                                     "é",
                                                     "\n",
                                                     "!",
                                                     "&&",
                                                     "asc",
                                                     "DESC",
                                                     "attr.bogus"};
    std::string text;
    size_t length = 1 + Below(12);
    for (size_t i = 0; i < length; ++i) {
      if (i > 0 && Below(4) != 0) text += ' ';
      text += Pick(kTokens);
    }
    return text;
  }

  // A syntactically valid condition, nested up to `depth` more levels.
  std::string Condition(int depth) {
    size_t choice = depth > 0 ? Below(6) : 0;
    switch (choice) {
      case 1:
        return Condition(depth - 1) + " and " + Condition(depth - 1);
      case 2:
        return Condition(depth - 1) + " or " + Condition(depth - 1);
      case 3:
        return "not " + Condition(depth - 1);
      case 4:
        return "(" + Condition(depth - 1) + ")";
      default:
        return Predicate();
    }
  }

  std::string Predicate() {
    static const std::vector<std::string> kFields = {"metrics.loss",
                                                     "min(metrics.loss)",
                                                     "metrics.acc",
                                                     "params.lr",
                                                     "params.layers",
                                                     "params.optimizer",
                                                     "params.use_bn",
                                                     "tags.stage",
                                                     "tags.v",
                                                     "tags.note",
                                                     "status",
                                                     "number",
                                                     "started",
                                                     "ended",
                                                     "archived",
                                                     "exit_code",
                                                     "metrics.`val loss`"};
    static const std::vector<std::string> kValues = {"0.25",  "1",      "0",         "-1",         "4",
                                                     "0.001", "'prod'", "'adam'",    "'auto'",     "'2'",
                                                     "true",  "false",  "'2024-02'", "1706745600", "'FINISHED'"};
    static const std::vector<std::string> kOps = {"=", "!=", "<", "<=", ">", ">="};
    static const std::vector<std::string> kPatterns = {"'a%'", "'%o%'", "'ADAM'", "'_'", "'%'"};
    const std::string& field = Pick(kFields);
    switch (Below(5)) {
      case 0:
        return field + (Below(2) ? " is null" : " is not null");
      case 1:
        return field + (Below(2) ? " like " : " not ilike ") + Pick(kPatterns);
      case 2:
        return field + (Below(2) ? " in (" : " not in (") + Pick(kValues) + ", " + Pick(kValues) + ")";
      default:
        return field + " " + Pick(kOps) + " " + Pick(kValues);
    }
  }

 private:
  std::mt19937 random_;
};

Ids Sorted(Ids ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(QueryFuzzTest, TokenSoupGivesErrorsOrRunnableSql) {
  testing::TestDb db;
  Generator generator(12345);
  int compiled = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string text = generator.Soup();
    StatusOr<SqlFragment> where = CompileWhere(text);
    if (where.ok()) {
      ++compiled;
      EXPECT_NE(db.Ids(&*where, nullptr), Ids{"<error>"}) << text;
    } else {
      ExpectWellFormedError(where.status(), text, "query");
    }
    StatusOr<SqlFragment> order = CompileOrderBy(text, i % 2 == 0);
    if (order.ok()) {
      EXPECT_EQ(db.Ids(nullptr, &*order).size(), 4u) << text;
    } else {
      ExpectWellFormedError(order.status(), text, "sort key");
    }
  }
  EXPECT_GT(compiled, 0);
}

TEST(QueryFuzzTest, RandomBytesGiveErrorsOrRunnableSql) {
  testing::TestDb db;
  std::mt19937 random(777);
  for (int i = 0; i < 5000; ++i) {
    std::string text(std::uniform_int_distribution<size_t>(0, 24)(random), '\0');
    for (char& c : text) c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(random));
    StatusOr<SqlFragment> where = CompileWhere(text);
    if (where.ok()) {
      EXPECT_NE(db.Ids(&*where, nullptr), Ids{"<error>"});
    } else {
      ExpectWellFormedError(where.status(), text, "query");
    }
  }
}

// `not`, `and` and `or` are complement, intersection and union over the runs, whatever fields
// are missing; this pins the two-valued `not`.
TEST(QueryFuzzTest, LogicIsSetAlgebra) {
  testing::TestDb db;
  Generator generator(2024);
  int checked = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string a = generator.Condition(3);
    std::string b = generator.Condition(3);
    auto ids = [&](const std::string& text) -> std::optional<Ids> {
      StatusOr<SqlFragment> where = CompileWhere(text);
      if (!where.ok()) {
        ExpectWellFormedError(where.status(), text, "query");
        return std::nullopt;  // a type error such as metrics.loss = 'prod'
      }
      return Sorted(db.Ids(&*where, nullptr));
    };
    std::optional<Ids> in_a = ids(a);
    std::optional<Ids> in_b = ids(b);
    if (!in_a || !in_b) continue;
    ++checked;

    Ids complement;
    std::set_difference(kAllRuns.begin(), kAllRuns.end(), in_a->begin(), in_a->end(), std::back_inserter(complement));
    EXPECT_EQ(ids("not (" + a + ")"), complement) << a;

    Ids both, either;
    std::set_intersection(in_a->begin(), in_a->end(), in_b->begin(), in_b->end(), std::back_inserter(both));
    std::set_union(in_a->begin(), in_a->end(), in_b->begin(), in_b->end(), std::back_inserter(either));
    EXPECT_EQ(ids("(" + a + ") and (" + b + ")"), both) << a << " AND " << b;
    EXPECT_EQ(ids("(" + a + ") or (" + b + ")"), either) << a << " OR " << b;
  }
  EXPECT_GT(checked, 300);
}

}  // namespace
}  // namespace trail::query
