#include "query/query.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "query/ast.h"
#include "query/sql_compiler.h"
#include "query/test_db.h"

namespace trail::query {
namespace {

using Ids = std::vector<std::string>;

class QueryTest : public ::testing::Test {
 protected:
  // Ids of the runs `where` selects, in run-number order.
  Ids Where(std::string_view where) {
    StatusOr<SqlFragment> fragment = CompileWhere(where);
    EXPECT_TRUE(fragment.ok()) << where << ": " << fragment.status().message();
    if (!fragment.ok()) return {"<compile error>"};
    return db_.Ids(&*fragment, nullptr);
  }

  // Ids of all runs sorted by `key`.
  Ids SortedBy(std::string_view key, bool descending) {
    StatusOr<SqlFragment> fragment = CompileOrderBy(key, descending);
    EXPECT_TRUE(fragment.ok()) << key << ": " << fragment.status().message();
    if (!fragment.ok()) return {"<compile error>"};
    return db_.Ids(nullptr, &*fragment);
  }

  testing::TestDb db_;
};

std::string WhereError(std::string_view where) {
  StatusOr<SqlFragment> fragment = CompileWhere(where);
  EXPECT_FALSE(fragment.ok()) << where << " compiled to " << fragment->sql;
  if (fragment.ok()) return "";
  EXPECT_EQ(fragment.status().code(), Code::kInvalidArgument);
  return fragment.status().message();
}

std::string SortError(std::string_view key) {
  StatusOr<SqlFragment> fragment = CompileOrderBy(key, false);
  EXPECT_FALSE(fragment.ok()) << key << " compiled to " << fragment->sql;
  if (fragment.ok()) return "";
  EXPECT_EQ(fragment.status().code(), Code::kInvalidArgument);
  return fragment.status().message();
}

// --- The SQL itself -----------------------------------------------------------------------

TEST(QuerySqlTest, FieldsAreCorrelatedSubqueriesWithBoundKeys) {
  StatusOr<SqlFragment> fragment = CompileWhere("metrics.loss < 0.3");
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(fragment->sql, "((SELECT m.last FROM metrics m WHERE m.run = r.rowid AND m.key = ?) < ?)");
  EXPECT_EQ(fragment->binds, (std::vector<SqlValue>{std::string("loss"), 0.3}));
}

TEST(QuerySqlTest, DerivedAndContextFieldsReadTheFieldsTableAsParams) {
  StatusOr<SqlFragment> fragment = CompileWhere("derived.val_loss_min < 0.2 and context.python LIKE '3.11%'");
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(fragment->sql,
            "(((SELECT f.num FROM fields f WHERE f.run = r.rowid AND f.key = ?) < ?) AND "
            "((SELECT f.text FROM fields f WHERE f.run = r.rowid AND f.key = ?) GLOB ?))");
  EXPECT_EQ(fragment->binds, (std::vector<SqlValue>{std::string("derived.val_loss_min"), 0.2,
                                                    std::string("context.python"), std::string("3.11*")}));
  fragment = CompileWhere("context.code.dirty = true");
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(fragment->sql, "(lower((SELECT f.text FROM fields f WHERE f.run = r.rowid AND f.key = ?)) = ?)");
  EXPECT_EQ(fragment->binds, (std::vector<SqlValue>{std::string("context.code.dirty"), std::string("true")}));
  fragment = CompileOrderBy("derived.best_accuracy", true);
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(fragment->sql,
            "((SELECT coalesce(f.num, f.text) FROM fields f WHERE f.run = r.rowid AND f.key = ?)) IS NULL, "
            "((SELECT coalesce(f.num, f.text) FROM fields f WHERE f.run = r.rowid AND f.key = ?)) DESC");
  EXPECT_EQ(WhereError("min(derived.x) < 1"),
            "bad query at column 5: min() applies to metrics only (near 'derived.x')");
}

TEST(QuerySqlTest, SortPlansNameTheIndexedTable) {
  auto plan = PlanSort("metrics.loss DESC", false);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_TRUE(plan->has_value());
  EXPECT_EQ((*plan)->table, "metrics");
  EXPECT_EQ((*plan)->value, "s.last");
  EXPECT_EQ((*plan)->key, "loss");
  EXPECT_TRUE((*plan)->descending);
  plan = PlanSort("params.lr", false);
  ASSERT_TRUE(plan.ok() && plan->has_value());
  EXPECT_EQ((*plan)->value, "coalesce(s.num, s.text)");
  plan = PlanSort("context.gpu_count", true);
  ASSERT_TRUE(plan.ok() && plan->has_value());
  EXPECT_EQ((*plan)->table, "fields");
  EXPECT_EQ((*plan)->key, "context.gpu_count");
  plan = PlanSort("tags.stage", false);
  ASSERT_TRUE(plan.ok() && plan->has_value());
  EXPECT_EQ((*plan)->value, "s.value");
  // No (key, value) index: the caller sorts with CompileOrderBy.
  for (const char* key : {"started", "min(metrics.loss)", "count(metrics.loss)"}) {
    plan = PlanSort(key, false);
    ASSERT_TRUE(plan.ok()) << key;
    EXPECT_FALSE(plan->has_value()) << key;
  }
  plan = PlanSort("metrics.", false);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), Code::kInvalidArgument);
}

TEST(QuerySqlTest, AttributesAreColumns) {
  StatusOr<SqlFragment> fragment = CompileWhere("number = 3 and started > 1700000000");
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(fragment->sql, "((r.number = ?) AND (r.started_ts > ?))");
  EXPECT_EQ(fragment->binds, (std::vector<SqlValue>{int64_t{3}, int64_t{1700000000}}));
}

TEST(QuerySqlTest, ParamViewsFollowTheLiteral) {
  StatusOr<SqlFragment> fragment = CompileWhere("params.lr IN (0.1, 'x', true)");
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(fragment->sql,
            "((SELECT p.num FROM params p WHERE p.run = r.rowid AND p.key = ?) IN (?) OR "
            "(SELECT p.text FROM params p WHERE p.run = r.rowid AND p.key = ?) IN (?) OR "
            "lower((SELECT p.text FROM params p WHERE p.run = r.rowid AND p.key = ?)) IN (?))");
  EXPECT_EQ(fragment->binds, (std::vector<SqlValue>{std::string("lr"), 0.1, std::string("lr"), std::string("x"),
                                                    std::string("lr"), std::string("true")}));
}

TEST(QuerySqlTest, LikeIsGlobAndIlikeIsLike) {
  StatusOr<SqlFragment> like = CompileWhere("tags.note like 'a_%*'");
  ASSERT_TRUE(like.ok()) << like.status().message();
  EXPECT_EQ(like->sql, "((SELECT t.value FROM tags t WHERE t.run = r.rowid AND t.key = ?) GLOB ?)");
  EXPECT_EQ(like->binds, (std::vector<SqlValue>{std::string("note"), std::string("a?*[*]")}));

  StatusOr<SqlFragment> ilike = CompileWhere("name not ilike 'a_%'");
  ASSERT_TRUE(ilike.ok()) << ilike.status().message();
  EXPECT_EQ(ilike->sql, "(r.name NOT LIKE ? ESCAPE '\\')");
  EXPECT_EQ(ilike->binds, (std::vector<SqlValue>{std::string("a_%")}));
}

TEST(QuerySqlTest, NotIsTwoValued) {
  StatusOr<SqlFragment> fragment = CompileWhere("not user = 'x'");
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(fragment->sql, "((r.user = ?) IS NOT TRUE)");
  // status compares whatever its case (mlflow_forms.h).
  fragment = CompileWhere("not status = 'X'");
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(fragment->sql, "((lower(r.status) = ?) IS NOT TRUE)");
  EXPECT_EQ(fragment->binds, (std::vector<SqlValue>{std::string("x")}));
}

TEST(QuerySqlTest, OrderByPutsNullsLast) {
  StatusOr<SqlFragment> fragment = CompileOrderBy("max(metrics.acc)", true);
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(fragment->sql,
            "((SELECT m.max FROM metrics m WHERE m.run = r.rowid AND m.key = ?)) IS NULL, "
            "((SELECT m.max FROM metrics m WHERE m.run = r.rowid AND m.key = ?)) DESC");
  EXPECT_EQ(fragment->binds, (std::vector<SqlValue>{std::string("acc"), std::string("acc")}));

  fragment = CompileOrderBy("status", false);
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(fragment->sql, "(r.status) IS NULL, (r.status) ASC");
  EXPECT_TRUE(fragment->binds.empty());
}

TEST(QuerySqlTest, UserTextNeverReachesTheSql) {
  StatusOr<SqlFragment> fragment = CompileWhere("params.`x'); DROP TABLE runs; --` = 'y''); DROP TABLE runs; --'");
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(fragment->sql.find("DROP"), std::string::npos);
  EXPECT_EQ(fragment->binds,
            (std::vector<SqlValue>{std::string("x'); DROP TABLE runs; --"), std::string("y'); DROP TABLE runs; --")}));
  testing::TestDb db;
  EXPECT_EQ(db.Ids(&*fragment, nullptr), Ids{});
  EXPECT_EQ(db.Ids(nullptr, nullptr).size(), 4u);
}

TEST(QuerySqlTest, LongChainsCompileToABalancedTree) {
  std::string where = "number = 0";
  for (int i = 1; i < 3000; ++i) where += " or number = " + std::to_string(i);
  testing::TestDb db;
  StatusOr<SqlFragment> fragment = CompileWhere(where);
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(fragment->binds.size(), 3000u);
  EXPECT_EQ(db.Ids(&*fragment, nullptr), (Ids{"r1", "r2", "r3", "r4"}));
}

// The heaviest predicate: a param compared with a mixed list reads three views of it.
constexpr const char* kHeavyPredicate = "params.layers in (4, 'auto', true)";

// Runs `fragment` the way the index does, inside one more pair of parentheses.
Ids RunWrapped(const SqlFragment& fragment) {
  testing::TestDb db;
  SqlFragment wrapped{"1 AND (" + fragment.sql + ")", fragment.binds};
  return db.Ids(&wrapped, nullptr);
}

TEST(QuerySqlTest, DeepestNotsStillRunInSqlite) {
  std::string where;
  for (int i = 0; i < kMaxNesting - 1; ++i) where += "not ";
  where += kHeavyPredicate;
  StatusOr<SqlFragment> fragment = CompileWhere(where);
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(RunWrapped(*fragment), (Ids{"r2", "r4"}));  // an odd number of nots
}

// Each level nests an AND inside an OR inside parentheses, all on the right, where SQLite's
// parser needs the most stack: two and/or levels per level.
std::string NestedJunctions(int levels, int nots = 0) {
  std::string where = kHeavyPredicate;
  for (int i = 0; i < nots; ++i) where = "not " + where;
  for (int i = 0; i < levels; ++i) where = "number = 9 or number = 8 and (" + where + ")";
  return where;
}

constexpr int kMaxNestedJunctions = kSqlNestingBudget / (2 * kJunctionCost);

TEST(QuerySqlTest, DeepestJunctionsStillRunInSqlite) {
  StatusOr<SqlFragment> fragment = CompileWhere(NestedJunctions(kMaxNestedJunctions));
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(RunWrapped(*fragment), Ids{});

  int spare = kSqlNestingBudget - 2 * kJunctionCost * (kMaxNestedJunctions - 1);
  fragment = CompileWhere(NestedJunctions(kMaxNestedJunctions - 1, spare / kNegationCost));
  ASSERT_TRUE(fragment.ok()) << fragment.status().message();
  EXPECT_EQ(RunWrapped(*fragment), Ids{});
}

TEST(QuerySqlTest, SqlNestingIsBounded) {
  std::string too_deep = NestedJunctions(kMaxNestedJunctions + 1);
  // The innermost OR is the join that would pass the budget.
  size_t inner_or = too_deep.rfind("number = 9 or");
  EXPECT_EQ(WhereError(too_deep), "bad query at column " + std::to_string(inner_or + 1) +
                                      ": conditions nested too deeply for SQLite; use fewer levels of and/or or not "
                                      "(near 'number = 9 or number = 8 and (params.lay...')");

  int spare = kSqlNestingBudget - 2 * kJunctionCost * kMaxNestedJunctions;
  std::string one_not_too_many = NestedJunctions(kMaxNestedJunctions, spare / kNegationCost + 1);
  // The negation is the whole parenthesized group, so the error points at its '('.
  size_t group = one_not_too_many.rfind("(not ");
  EXPECT_EQ(WhereError(one_not_too_many), "bad query at column " + std::to_string(group + 1) +
                                              ": conditions nested too deeply for SQLite; use fewer levels of and/or "
                                              "or not (near '(not params.layers in (4, 'auto', true))')");
}

// --- What queries return --------------------------------------------------------------------

TEST_F(QueryTest, Metrics) {
  EXPECT_EQ(Where("metrics.loss < 0.3"), (Ids{"r1", "r3"}));
  EXPECT_EQ(Where("metrics.loss >= 0.25"), (Ids{"r1", "r2"}));
  EXPECT_EQ(Where("metrics.loss = 0.5"), (Ids{"r2"}));
  EXPECT_EQ(Where("metrics.loss == .5"), (Ids{"r2"}));
  EXPECT_EQ(Where("metrics.loss > -1"), (Ids{"r1", "r2", "r3"}));
  EXPECT_EQ(Where("metric.loss <= 25e-2"), (Ids{"r1", "r3"}));
  EXPECT_EQ(Where("metrics.`val loss` < 1"), (Ids{"r1"}));
  EXPECT_EQ(Where("metrics.\"val loss\" < 1"), (Ids{"r1"}));
  EXPECT_EQ(Where("metrics.loss IN (0.1, 0.5)"), (Ids{"r2", "r3"}));
  EXPECT_EQ(Where("metrics.loss NOT IN (0.1, 0.5)"), (Ids{"r1"}));
}

TEST_F(QueryTest, MetricStats) {
  EXPECT_EQ(Where("last(metrics.loss) < 0.3"), (Ids{"r1", "r3"}));
  EXPECT_EQ(Where("min(metrics.loss) <= 0.1"), (Ids{"r2", "r3"}));
  EXPECT_EQ(Where("max(metrics.loss) = 1"), (Ids{"r2"}));
  EXPECT_EQ(Where("count(metrics.loss) > 5"), (Ids{"r1", "r3"}));
  EXPECT_EQ(Where("max(metrics.acc) > 0.9"), (Ids{"r4"}));
}

TEST_F(QueryTest, MissingKeysFailComparisonsButNotNot) {
  EXPECT_EQ(Where("metrics.loss != 0.25"), (Ids{"r2", "r3"}));
  EXPECT_EQ(Where("not metrics.loss = 0.25"), (Ids{"r2", "r3", "r4"}));
  EXPECT_EQ(Where("metrics.loss IS NULL"), (Ids{"r4"}));
  EXPECT_EQ(Where("metrics.loss is not null"), (Ids{"r1", "r2", "r3"}));
  EXPECT_EQ(Where("metrics.nope < 100 or metrics.nope >= 100"), Ids{});
  EXPECT_EQ(Where("tags.stage != 'draft'"), (Ids{"r1", "r3"}));
  EXPECT_EQ(Where("not tags.stage = 'draft'"), (Ids{"r1", "r3", "r4"}));
  EXPECT_EQ(Where("tags.stage not in ('draft')"), (Ids{"r1", "r3"}));
  EXPECT_EQ(Where("not tags.stage in ('draft')"), (Ids{"r1", "r3", "r4"}));
  EXPECT_EQ(Where("tags.stage not like 'dr%'"), (Ids{"r1", "r3"}));
  EXPECT_EQ(Where("tags.stage IS NULL"), (Ids{"r4"}));
  EXPECT_EQ(Where("not (tags.stage = 'prod' or metrics.loss > 0.4)"), (Ids{"r4"}));
  EXPECT_EQ(Where("not not tags.stage = 'draft'"), (Ids{"r2"}));
}

TEST_F(QueryTest, ParamsCompareAsNumbersOrText) {
  EXPECT_EQ(Where("params.lr = 0.001"), (Ids{"r1", "r3"}));  // '1e-3' is the same number
  EXPECT_EQ(Where("params.lr = '0.001'"), (Ids{"r1"}));
  EXPECT_EQ(Where("params.lr < 0.05"), (Ids{"r1", "r2", "r3"}));
  EXPECT_EQ(Where("params.layers > 5"), (Ids{"r2"}));
  EXPECT_EQ(Where("params.layers = 'auto'"), (Ids{"r3"}));
  EXPECT_EQ(Where("params.layers != 4"), (Ids{"r2"}));         // 'auto' is no number
  EXPECT_EQ(Where("params.layers > '5'"), (Ids{"r2", "r3"}));  // text: '8' and 'auto'
  EXPECT_EQ(Where("params.optimizer = 'adam'"), (Ids{"r1"}));
  EXPECT_EQ(Where("param.optimizer = \"sgd\""), (Ids{"r3"}));
}

TEST_F(QueryTest, ParamBooleansIgnoreCase) {
  EXPECT_EQ(Where("params.use_bn = true"), (Ids{"r1"}));
  EXPECT_EQ(Where("params.use_bn = FALSE"), (Ids{"r2"}));
  EXPECT_EQ(Where("params.use_bn != true"), (Ids{"r2"}));
}

TEST_F(QueryTest, SpecialKeys) {
  EXPECT_EQ(Where("params.\"a-b\" = 'x'"), (Ids{"r1"}));
  EXPECT_EQ(Where("params.a-b = 'x'"), (Ids{"r1"}));
  EXPECT_EQ(Where("params.train.lr = 0.1"), (Ids{"r1"}));
  EXPECT_EQ(Where("params.`train.lr` = 0.1"), (Ids{"r1"}));
}

TEST_F(QueryTest, InLists) {
  EXPECT_EQ(Where("params.optimizer IN ('adam', 'sgd')"), (Ids{"r1", "r3"}));
  EXPECT_EQ(Where("params.optimizer NOT IN ('adam', 'sgd')"), (Ids{"r2", "r4"}));
  EXPECT_EQ(Where("params.layers IN (4, 'auto')"), (Ids{"r1", "r3"}));
  EXPECT_EQ(Where("params.layers NOT IN (4, 'auto')"), (Ids{"r2"}));
  EXPECT_EQ(Where("id in ('r2')"), (Ids{"r2"}));
  EXPECT_EQ(Where("archived in (true)"), (Ids{"r3"}));
}

TEST_F(QueryTest, TagsAreText) {
  EXPECT_EQ(Where("tags.v = 2"), (Ids{"r1"}));  // '2.0' is different text
  EXPECT_EQ(Where("tags.v = 2.0"), (Ids{"r2"}));
  EXPECT_EQ(Where("tags.v < 3"), (Ids{"r1", "r2", "r4"}));  // '10' < '3' as text
  EXPECT_EQ(Where("tags.v IN (2, 10)"), (Ids{"r1", "r4"}));
  EXPECT_EQ(Where("tag.note = 'Hello World'"), (Ids{"r1"}));
}

TEST_F(QueryTest, LikeIsCaseSensitiveAndIlikeIsNot) {
  EXPECT_EQ(Where("params.optimizer LIKE 'adam%'"), (Ids{"r1", "r4"}));
  EXPECT_EQ(Where("params.optimizer ILIKE 'adam%'"), (Ids{"r1", "r2", "r4"}));
  EXPECT_EQ(Where("params.optimizer NOT LIKE 'adam%'"), (Ids{"r2", "r3"}));
  EXPECT_EQ(Where("params.optimizer NOT ILIKE 'ADAM%'"), (Ids{"r3"}));
  EXPECT_EQ(Where("params.optimizer like 'ada_'"), (Ids{"r1"}));
  EXPECT_EQ(Where("tags.note LIKE 'hello%'"), (Ids{"r2"}));
  EXPECT_EQ(Where("tags.note ILIKE 'hello%'"), (Ids{"r1", "r2"}));
  EXPECT_EQ(Where("name like 'baseline%'"), (Ids{"r1"}));
  EXPECT_EQ(Where("name ilike 'baseline%'"), (Ids{"r1", "r2"}));
}

TEST_F(QueryTest, LikeEscapesAndGlobCharacters) {
  EXPECT_EQ(Where("tags.note LIKE '50\\% done'"), (Ids{"r3"}));
  EXPECT_EQ(Where("tags.note LIKE '%\\%%'"), (Ids{"r3"}));
  EXPECT_EQ(Where("tags.note ILIKE '%\\%%'"), (Ids{"r3"}));
  EXPECT_EQ(Where("name LIKE 'sweep\\_%'"), (Ids{"r3"}));
  EXPECT_EQ(Where("name LIKE 'sweep_%'"), (Ids{"r3", "r4"}));
  EXPECT_EQ(Where("tags.note LIKE 'x*y?[z]'"), (Ids{"r4"}));
  EXPECT_EQ(Where("tags.note LIKE '%*%'"), (Ids{"r4"}));
  EXPECT_EQ(Where("tags.note LIKE '%[%'"), (Ids{"r4"}));
  EXPECT_EQ(Where("name = 'sweep*star'"), (Ids{"r4"}));
}

TEST_F(QueryTest, LogicAndParentheses) {
  EXPECT_EQ(Where("tags.stage = 'prod' and metrics.loss < 0.2"), (Ids{"r3"}));
  EXPECT_EQ(Where("tags.stage = 'prod' and (metrics.loss < 0.2 or params.lr = 0.001)"), (Ids{"r1", "r3"}));
  EXPECT_EQ(Where("tags.stage = 'draft' or metrics.acc > 0.9 and archived = false"), (Ids{"r2", "r4"}));
  EXPECT_EQ(Where("(tags.stage = 'draft' or metrics.acc > 0.9) and number > 2"), (Ids{"r4"}));
  EXPECT_EQ(Where("metrics.loss < 0.3 AND NOT params.optimizer = 'sgd'"), (Ids{"r1"}));
}

TEST_F(QueryTest, TextAttributes) {
  EXPECT_EQ(Where("status = 'FINISHED'"), (Ids{"r1", "r4"}));
  EXPECT_EQ(Where("attributes.status = 'FINISHED'"), (Ids{"r1", "r4"}));
  EXPECT_EQ(Where("attributes.status = 'finished'"), (Ids{"r1", "r4"}));  // any case (MLflow's or trail's)
  EXPECT_EQ(Where("status LIKE 'fin%'"), (Ids{"r1", "r4"}));
  EXPECT_EQ(Where("id = 'r2'"), (Ids{"r2"}));
  EXPECT_EQ(Where("run_id IN ('r1', 'r4')"), (Ids{"r1", "r4"}));
  EXPECT_EQ(Where("run_name = 'baseline'"), (Ids{"r1"}));
  EXPECT_EQ(Where("uid = 'u3'"), (Ids{"r3"}));
  EXPECT_EQ(Where("user = 'alice'"), (Ids{"r1", "r3"}));
  EXPECT_EQ(Where("command LIKE '%sweep%'"), (Ids{"r3"}));
  EXPECT_EQ(Where("host = 'gpu1'"), (Ids{"r1", "r3"}));
  EXPECT_EQ(Where("parent = 'r1'"), (Ids{"r2", "r3"}));
  EXPECT_EQ(Where("parent IS NULL"), (Ids{"r1", "r4"}));
  EXPECT_EQ(Where("branch = 'feature/x'"), (Ids{"r4"}));
  EXPECT_EQ(Where("commit = 'abc123'"), (Ids{"r1", "r3"}));
  EXPECT_EQ(Where("attr.commit LIKE 'abc%'"), (Ids{"r1", "r3"}));
  EXPECT_EQ(Where("commit = 0123"), (Ids{"r4"}));  // the number as written, leading zero kept
}

TEST_F(QueryTest, NumericAttributes) {
  EXPECT_EQ(Where("number >= 3"), (Ids{"r3", "r4"}));
  EXPECT_EQ(Where("number = 2"), (Ids{"r2"}));
  EXPECT_EQ(Where("duration > 1000"), (Ids{"r4"}));
  EXPECT_EQ(Where("duration_s < 1000"), (Ids{"r1"}));
  EXPECT_EQ(Where("exit_code = 0"), (Ids{"r1", "r4"}));
  EXPECT_EQ(Where("exit_code != 0"), (Ids{"r2"}));
  EXPECT_EQ(Where("exit_code IS NULL"), (Ids{"r3"}));
  EXPECT_EQ(Where("archived = true"), (Ids{"r3"}));
  EXPECT_EQ(Where("archived = false"), (Ids{"r1", "r2", "r4"}));
  EXPECT_EQ(Where("archived != true"), (Ids{"r1", "r2", "r4"}));
  EXPECT_EQ(Where("archived = 1"), (Ids{"r3"}));
}

TEST_F(QueryTest, TimesCompareAsTextOrUnixSeconds) {
  EXPECT_EQ(Where("started >= '2024-02'"), (Ids{"r2", "r3", "r4"}));
  EXPECT_EQ(Where("started < '2024-01-01T12:00:00Z'"), (Ids{"r1"}));
  EXPECT_EQ(Where("started like '2024-03-%'"), (Ids{"r3", "r4"}));
  EXPECT_EQ(Where("started < 1706745600"), (Ids{"r1"}));
  EXPECT_EQ(Where("start_time > 1709251200"), (Ids{"r4"}));
  EXPECT_EQ(Where("started in (1706745600, '2024-03-01T00:00:00Z')"), (Ids{"r2", "r3"}));
  EXPECT_EQ(Where("ended IS NULL"), (Ids{"r2", "r3"}));
  EXPECT_EQ(Where("end_time > '2024-03'"), (Ids{"r4"}));
  EXPECT_EQ(Where("ended < 1704103600.5"), (Ids{"r1"}));
}

TEST_F(QueryTest, SortAscendingPutsNullsLast) {
  EXPECT_EQ(SortedBy("metrics.loss", false), (Ids{"r3", "r1", "r2", "r4"}));
  EXPECT_EQ(SortedBy("min(metrics.loss)", false), (Ids{"r2", "r3", "r1", "r4"}));
  EXPECT_EQ(SortedBy("count(metrics.loss)", false), (Ids{"r2", "r1", "r3", "r4"}));
  EXPECT_EQ(SortedBy("tags.stage", false), (Ids{"r2", "r1", "r3", "r4"}));
  EXPECT_EQ(SortedBy("ended", false), (Ids{"r1", "r4", "r2", "r3"}));
  EXPECT_EQ(SortedBy("attributes.started", false), (Ids{"r1", "r2", "r3", "r4"}));
  EXPECT_EQ(SortedBy("name", false), (Ids{"r2", "r1", "r4", "r3"}));  // binary order: 'B' < 'b'
}

TEST_F(QueryTest, SortDescendingStillPutsNullsLast) {
  EXPECT_EQ(SortedBy("metrics.loss", true), (Ids{"r2", "r1", "r3", "r4"}));
  EXPECT_EQ(SortedBy("started", true), (Ids{"r4", "r3", "r2", "r1"}));
  EXPECT_EQ(SortedBy("exit_code", true), (Ids{"r2", "r1", "r4", "r3"}));
  EXPECT_EQ(SortedBy("duration", true), (Ids{"r4", "r1", "r2", "r3"}));
}

TEST_F(QueryTest, ParamsSortNumbersBeforeText) {
  EXPECT_EQ(SortedBy("params.layers", false), (Ids{"r1", "r2", "r3", "r4"}));
  EXPECT_EQ(SortedBy("params.layers", true), (Ids{"r3", "r2", "r1", "r4"}));
  EXPECT_EQ(SortedBy("params.lr", false), (Ids{"r1", "r3", "r2", "r4"}));
}

TEST_F(QueryTest, SortKeyDirectionOverridesTheFlag) {
  EXPECT_EQ(SortedBy("metrics.loss DESC", false), (Ids{"r2", "r1", "r3", "r4"}));
  EXPECT_EQ(SortedBy("metrics.loss asc", true), (Ids{"r3", "r1", "r2", "r4"}));
}

// --- Type errors ----------------------------------------------------------------------------

TEST(QueryErrorTest, MetricsAreNumbers) {
  EXPECT_EQ(WhereError("metrics.loss = 'x'"),
            "bad query at column 16: metrics are numbers; compare metrics.loss with a number, not "
            "a string (near ''x'')");
  EXPECT_EQ(WhereError("min(metrics.loss) = true"),
            "bad query at column 21: metrics are numbers; compare min(metrics.loss) with a "
            "number, not true or false (near 'true')");
  EXPECT_EQ(WhereError("metrics.loss in (1, 'x')"),
            "bad query at column 21: metrics are numbers; compare metrics.loss with a number, not "
            "a string (near ''x'')");
  EXPECT_EQ(WhereError("metrics.loss like 'a%'"),
            "bad query at column 14: LIKE needs text, but metrics are numbers (near 'like')");
  EXPECT_EQ(WhereError("metrics.loss not ilike 'a%'"),
            "bad query at column 18: ILIKE needs text, but metrics are numbers (near 'ilike')");
}

TEST(QueryErrorTest, AttributeTypes) {
  EXPECT_EQ(WhereError("number = '3'"),
            "bad query at column 10: 'number' is a number; compare it with a number, not a string "
            "(near ''3'')");
  EXPECT_EQ(WhereError("exit_code = true"),
            "bad query at column 13: 'exit_code' is a number; compare it with a number, not true "
            "or false (near 'true')");
  EXPECT_EQ(WhereError("duration ilike '1%'"),
            "bad query at column 10: ILIKE needs text, but 'duration' is a number "
            "(near 'ilike')");
  EXPECT_EQ(WhereError("archived = 'yes'"),
            "bad query at column 12: 'archived' is true or false; compare it with true or false, "
            "not a string (near ''yes'')");
  EXPECT_EQ(WhereError("archived LIKE 't%'"),
            "bad query at column 10: LIKE needs text, but 'archived' is true or false "
            "(near 'LIKE')");
  EXPECT_EQ(WhereError("started = true"),
            "bad query at column 11: 'started' is a time; compare it with a date string or unix "
            "seconds, not true or false (near 'true')");
}

TEST(QueryErrorTest, BooleansOnlyCompareForEquality) {
  EXPECT_EQ(WhereError("tags.x < true"),
            "bad query at column 10: true and false can only be compared with =, != or IN "
            "(near 'true')");
  EXPECT_EQ(WhereError("archived >= false"),
            "bad query at column 13: true and false can only be compared with =, != or IN "
            "(near 'false')");
}

TEST(QueryErrorTest, DanglingEscapeInPattern) {
  EXPECT_EQ(WhereError("tags.x like 'abc\\\\'"),
            "bad query at column 13: the pattern ends with a backslash that escapes nothing "
            "(near ''abc\\\\'')");
  EXPECT_EQ(WhereError("tags.x ilike '\\\\'"),
            "bad query at column 14: the pattern ends with a backslash that escapes nothing "
            "(near ''\\\\'')");
}

TEST(QueryErrorTest, ErrorsInsideLogicReportTheirOwnColumn) {
  EXPECT_EQ(WhereError("status = 'x' and (not number = 'y')"),
            "bad query at column 32: 'number' is a number; compare it with a number, not a string "
            "(near ''y'')");
}

TEST(QueryErrorTest, SyntaxErrorsUseTheBriefsFormat) {
  EXPECT_EQ(WhereError("params.lr = 1 and metrics.loss < and"),
            "bad query at column 34: expected a value after '<' (near 'and')");
  EXPECT_EQ(WhereError("   "),
            "bad query at column 4: expected a condition such as metrics.loss < 0.5 "
            "(at end of query)");
}

TEST(QueryErrorTest, SortKeys) {
  EXPECT_EQ(SortError(""),
            "bad sort key at column 1: expected a field to sort by, such as metrics.loss "
            "(at end of sort key)");
  EXPECT_EQ(SortError("metrics.loss, params.lr"),
            "bad sort key at column 13: expected the end of the sort key: one field, then "
            "optionally ASC or DESC (near ',')");
  EXPECT_EQ(SortError("median(metrics.loss)"),
            "bad sort key at column 1: unknown function 'median'; use min, max, count or last "
            "(near 'median')");
  EXPECT_EQ(SortError("metrics."),
            "bad sort key at column 1: expected a key after 'metrics.'; quote a key with other "
            "characters, as in metrics.`val loss` (near 'metrics.')");
  EXPECT_EQ(SortError("attributes.bogus").substr(0, 53), "bad sort key at column 1: unknown attribute 'bogus'; ");
}

}  // namespace
}  // namespace trail::query
