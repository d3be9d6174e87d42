#include "index/run_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <random>

#include "git/git_test_util.h"
#include "record/record.h"

namespace trail::index {
namespace {

using git::testing::GitRepoFixture;

class RunIndexTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("README", "code\n");
    CommitAll("init");
    auto r = git::Repo::Discover(root());
    ASSERT_TRUE(r.ok()) << r.status().message();
    repo_ = std::move(*r);
    index_path_ = root() + "/index.sqlite";
  }

  static Json MakeRecord(int n, double lr, const std::string& opt, double loss, const std::string& status) {
    Json r = Json::object();
    r["trail"] = 1;
    r["id"] = record::MakeRunId("p", n);
    r["number"] = n;
    r["uid"] = "uid" + std::to_string(n);
    r["status"] = status;
    r["started"] = "2026-11-0" + std::to_string(n % 9 + 1) + "T10:00:00.000Z";
    r["params"] = Json{{"lr", lr}, {"optimizer", opt}};
    r["metrics"] =
        Json{{"summary", Json{{"loss", Json{{"last", loss}, {"min", loss / 2}, {"max", 1.0}, {"count", 10}}}}}};
    return r;
  }

  void Commit(int n, double lr, const std::string& opt, double loss, const std::string& status = "finished") {
    std::string id = record::MakeRunId("p", n);
    auto c = repo_->CommitFiles("refs/heads/trail",
                                {{record::RecordPath(id, n), record::Serialize(MakeRecord(n, lr, opt, loss, status))}},
                                "run", {"T", "t@x"});
    ASSERT_TRUE(c.ok()) << c.status().message();
  }

  // The ids `q` lists from a RunIndex opened anew and brought up to date, as the next command
  // would see them; `check` then looks at that index's counters.
  std::vector<std::string> IdsInNewProcess(const ListQuery& q, const std::function<void(RunIndex&)>& check = {}) {
    auto idx = RunIndex::Open(index_path_);
    EXPECT_TRUE(idx.ok());
    if (!idx.ok()) return {};
    EXPECT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
    std::vector<std::string> ids = Ids(**idx, q);
    if (check) check(**idx);
    return ids;
  }

  std::vector<std::string> Ids(RunIndex& idx, const ListQuery& q) {
    auto rows = idx.List(q);
    EXPECT_TRUE(rows.ok()) << rows.status().message();
    std::vector<std::string> ids;
    if (rows.ok())
      for (const auto& r : *rows) ids.push_back(r.id);
    return ids;
  }

  std::unique_ptr<git::Repo> repo_;
  std::string index_path_;
};

TEST_F(RunIndexTest, SyncsIncrementallyAndQueries) {
  Commit(1, 0.001, "adam", 0.9);
  Commit(2, 0.1, "sgd", 0.3);
  auto idx = RunIndex::Open(index_path_);
  ASSERT_TRUE(idx.ok());
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 2);
  Commit(3, 0.05, "adam", 0.2);
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 3);

  ListQuery q;
  q.where = "metrics.loss < 0.5 and params.lr > 0.01";
  EXPECT_EQ(Ids(**idx, q), (std::vector<std::string>{"p-3", "p-2"}));
  q.where = "params.optimizer = 'adam'";
  q.sort = "metrics.loss";
  EXPECT_EQ(Ids(**idx, q), (std::vector<std::string>{"p-3", "p-1"}));
  q.where = "min(metrics.loss) < 0.2";
  q.sort.clear();
  EXPECT_EQ(Ids(**idx, q), (std::vector<std::string>{"p-3", "p-2"}));
  q.where = "metrics.loss <";
  auto bad = (*idx)->List(q);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("column"), std::string::npos);

  auto rows = (*idx)->List(ListQuery{});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].params["lr"], Json(0.05));
  EXPECT_EQ((*rows)[0].metrics["loss"]["count"], Json(10));
}

TEST_F(RunIndexTest, CorruptRecordIsAProblemNotAFailure) {
  Commit(1, 0.1, "adam", 0.5);
  auto c = repo_->CommitFiles("refs/heads/trail", {{"runs/000/p-2/run.yaml", "id: [broken\n"}}, "bad", {"T", "t@x"});
  ASSERT_TRUE(c.ok());
  auto idx = RunIndex::Open(index_path_);
  ASSERT_TRUE(idx.ok());
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 1);
  auto problems = (*idx)->Problems();
  ASSERT_TRUE(problems.ok());
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_NE((*problems)[0].find("runs/000/p-2/run.yaml"), std::string::npos);
  // Fixing the record on the branch clears the problem.
  Commit(2, 0.2, "sgd", 0.4);
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 2);
  EXPECT_TRUE((*idx)->Problems()->empty());
}

TEST_F(RunIndexTest, GarbageFileIsRebuilt) {
  Commit(1, 0.1, "adam", 0.5);
  std::ofstream(index_path_, std::ios::binary) << std::string(8192, 'x');
  auto idx = RunIndex::Open(index_path_);
  ASSERT_TRUE(idx.ok()) << idx.status().message();
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 1);
}

TEST_F(RunIndexTest, RewrittenHistoryTriggersFullRebuild) {
  Commit(1, 0.1, "adam", 0.5);
  std::string first = git::testing::Trim(GitOut("rev-parse trail"));
  Commit(2, 0.2, "adam", 0.4);
  auto idx = RunIndex::Open(index_path_);
  ASSERT_TRUE(idx.ok());
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 2);
  ASSERT_EQ(Git("update-ref refs/heads/trail " + first), 0);
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 1);
  // A missing branch means no runs.
  ASSERT_EQ(Git("update-ref -d refs/heads/trail"), 0);
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 0);
}

TEST_F(RunIndexTest, ArchivedHiddenUnlessAsked) {
  Commit(1, 0.1, "adam", 0.5);
  Json r = MakeRecord(2, 0.2, "adam", 0.4, "finished");
  r["archived"] = true;
  ASSERT_TRUE(
      repo_->CommitFiles("refs/heads/trail", {{record::RecordPath("p-2", 2), record::Serialize(r)}}, "a", {"T", "t@x"})
          .ok());
  auto idx = RunIndex::Open(index_path_);
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ(Ids(**idx, ListQuery{}), (std::vector<std::string>{"p-1"}));
  ListQuery all;
  all.include_archived = true;
  EXPECT_EQ(Ids(**idx, all).size(), 2u);
}

// Keyed sorts walk a (key, value) index in two parts (runs with the field, then without it);
// every page of them must be the slice of the whole ordering CompileOrderBy defines: value
// (numbers before text), ties and runs without the field by number, highest first.
// The column evaluation (column_scan.cc) must give exactly the SQL's rows, in the SQL's order,
// for every query it takes: runs with and without each field, text params, NULL (NaN) metrics,
// archived runs, ties in the sort key.
TEST_F(RunIndexTest, ColumnEvaluationMatchesTheSql) {
  std::vector<git::FileWrite> files;
  for (int n = 1; n <= 60; ++n) {
    Json r = MakeRecord(n, 0.001 * (n % 7), n % 3 == 0 ? "adam" : "sgd", 0.1 * (n % 5), "finished");
    if (n % 11 == 0) r["params"]["lr"] = "auto";  // text: numeric comparisons never match it
    if (n % 13 == 0) r["params"].erase("lr");
    if (n % 4 == 0) r["params"]["batch"] = n % 8 == 0 ? 64 : 32;
    if (n % 9 == 0) r["metrics"]["summary"]["loss"]["last"] = std::numeric_limits<double>::quiet_NaN();
    if (n % 10 == 0) r["metrics"]["summary"].erase("loss");
    if (n % 6 == 0) r["archived"] = true;
    if (n % 5 != 0) r["duration_s"] = 1.5 * (n % 4);
    if (n % 7 == 0) r["exit_code"] = n % 2;
    // Text: tags some runs lack, status in either case (MLflow's imports say FINISHED), text
    // params that read as true or false in any case, or as numbers, or hold LIKE's own signs.
    static const char* kStages[] = {"final", "draft", "Final", "", "fin%al", "fin_al", "\u00e9t\u00e9"};
    if (n % 8 != 0) r["tags"] = Json{{"stage", kStages[n % 7]}, {"v", std::to_string(n % 3)}};
    if (n % 5 == 3) r["status"] = "FAILED";
    if (n % 5 == 4) r["status"] = "failed";
    static const char* kFlags[] = {"True", "false", "TRUE", "yes", "2"};
    if (n % 6 != 1) r["params"]["flag"] = kFlags[n % 5];
    if (n % 12 == 0) r["name"] = "run " + std::to_string(n);
    files.push_back({record::RecordPath(record::MakeRunId("p", n), n), record::Serialize(r), false});
  }
  ASSERT_TRUE(repo_->CommitFiles("refs/heads/trail", files, "runs", {"T", "t@x"}).ok());
  auto idx = RunIndex::Open(index_path_);
  ASSERT_TRUE(idx.ok());
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());

  const std::vector<std::string> wheres = {
      "",
      "params.lr > 0.002",
      "params.lr <= 0.003 and metrics.loss < 0.25",
      "not params.lr > 0.002",
      "params.lr > 0.002 or metrics.loss >= 0.3",
      "not (params.lr > 0.002 or metrics.loss >= 0.3)",
      "params.lr IS NULL",
      "params.lr IS NOT NULL and not metrics.loss IS NULL",
      "params.batch IN (32, 7)",
      "params.batch NOT IN (32)",
      "not params.batch NOT IN (64)",
      "min(metrics.loss) < 0.1 and count(metrics.loss) = 10",
      "max(metrics.loss) != 1",
      "duration_s >= 1.5",
      "not duration_s < 3",
      "exit_code = 1 or exit_code IS NULL",
      "archived = true",
      "archived = false and number > 30",
      "started > 1700000000 and number <= 40",
      "start_time > 1700000000000 and number <= 40",  // MLflow's milliseconds (query/mlflow_forms.h)
      "attributes.start_time < 1700000000001 or end_time IN (1700000000000.5) or number > 55",
      "ended IS NULL",
      "params.lr = 0.004 and params.lr != 0.004",
      "(params.lr > 0 or params.batch > 0) and not (metrics.loss > 0.2 and params.lr < 0.005)",
      // Text, by dictionary codes.
      "params.optimizer = 'adam'",
      "tags.stage = 'final' and status = 'failed'",
      "status = 'FAILED' or tags.stage != 'final'",
      "not tags.stage = 'final'",
      "tags.stage IS NULL or tags.stage = ''",
      "tags.stage IS NOT NULL and tags.stage < 'fin_'",
      "tags.stage >= 'final' and tags.stage <= 'z'",
      "tags.stage LIKE 'fin%'",
      "tags.stage ILIKE 'FIN%'",
      "tags.stage LIKE 'fin\\%al' or tags.stage LIKE 'fin_al'",
      "tags.stage NOT ILIKE '%a%'",
      "tags.stage LIKE '\u00e9%'",
      "tags.stage IN ('final', 'draft') and tags.v IN (1, '2')",
      "tags.stage NOT IN ('final', 'Final')",
      "tags.v = 2",
      "params.flag = true",
      "params.flag != false",
      "params.flag IN (true, 2, 'yes')",
      "params.flag NOT IN (true, 2, 'yes')",
      "params.lr IN (0.002, 'auto')",
      "params.lr NOT IN (0.002, 'auto') or params.optimizer > 'b'",
      "name LIKE 'run 1%' or name IS NULL",
      "status IN ('finished', 'FAILED') and not status = 'failed'",
      "started = '2026-11-03T10:00:00.000Z' or started < '2026-11-02'",
  };
  const std::vector<std::string> sorts = {
      "",          "params.lr", "metrics.loss",    "min(metrics.loss)", "params.batch", "duration_s", "number",
      "exit_code", "archived",  "metrics.nothing", "tags.stage",        "status",       "started",    "name"};
  const int64_t before = (*idx)->queries_by_columns();
  for (const std::string& where : wheres) {
    for (bool archived : {false, true}) {
      auto by_sql = (*idx)->CountMatching(where, archived, false);
      auto by_columns = (*idx)->CountMatching(where, archived, true);
      ASSERT_TRUE(by_sql.ok() && by_columns.ok()) << where;
      EXPECT_EQ(*by_sql, *by_columns) << where;
    }
    for (const std::string& sort : sorts) {
      for (bool desc : {false, true}) {
        for (auto [offset, limit] : std::vector<std::pair<int, int>>{{0, -1}, {0, 5}, {7, 9}, {50, 10}}) {
          ListQuery q;
          q.where = where;
          q.sort = sort;
          q.descending = desc;
          q.offset = offset;
          q.limit = limit;
          q.include_archived = offset == 7;
          q.walk_first = false;  // pages through the columns too
          ListQuery sql = q;
          sql.use_columns = false;
          const std::vector<std::string> expected = Ids(**idx, sql);
          EXPECT_EQ(Ids(**idx, q), expected) << "where '" << where << "' sort '" << sort << "' desc " << desc
                                             << " offset " << offset << " limit " << limit;
        }
      }
    }
  }
  // Every count above, and every listing but those sorted by params.lr (numbers and text there:
  // the SQL's), went through columns.
  EXPECT_EQ((*idx)->queries_by_columns() - before,
            static_cast<int64_t>(wheres.size() * (2 + (sorts.size() - 1) * 2 * 4)));
  const int64_t with_like = (*idx)->queries_by_columns();
  EXPECT_EQ(Ids(**idx, ListQuery{"params.optimizer LIKE 'a%'", "", false, -1, 0, false, 2000}).size(), 10u);
  EXPECT_EQ((*idx)->queries_by_columns(), with_like + 1);  // text too

  // Columns are read once and kept: a change to the index must still be seen.
  ASSERT_TRUE(repo_
                  ->CommitFiles("refs/heads/trail",
                                {{record::RecordPath(record::MakeRunId("p", 61), 61),
                                  record::Serialize(MakeRecord(61, 0.5, "sgd", 0.01, "finished"))}},
                                "run", {"T", "t@x"})
                  .ok());
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  ListQuery newest;
  newest.where = "params.lr > 0.4";
  EXPECT_EQ(Ids(**idx, newest), (std::vector<std::string>{"p-61"}));
}

// Generated conditions over text as well as numbers, with the values that differ between naive
// string handling and SQLite's (case, LIKE's signs and escapes, non-ASCII, empty strings, numbers
// written as text, true/false in any case): the columns must answer every one as the SQL does,
// and must take every one the compiler accepts.
TEST_F(RunIndexTest, GeneratedConditionsMatchTheSql) {
  static const std::vector<std::string> kText = {"final",  "Final",         "FINAL",         "",     "fin%al", "fin_al",
                                                 "finXal", "\u00e9t\u00e9", "\u00c9T\u00c9", "a\\b", "True",   "false",
                                                 "2",      "0.5",           "adam",          "sgd",  "z"};
  std::vector<git::FileWrite> files;
  for (int n = 1; n <= 80; ++n) {
    Json r = MakeRecord(n, 0.1 * (n % 6), n % 4 == 0 ? "sgd" : "adam", 0.1 * (n % 5), n % 3 ? "finished" : "FAILED");
    if (n % 9 != 0) r["tags"] = Json{{"stage", kText[n % kText.size()]}};
    if (n % 7 != 0) r["params"]["mode"] = kText[(n * 5) % kText.size()];
    if (n % 5 == 0) r["params"]["lr"] = kText[n % kText.size()];
    if (n % 4 != 0) r["name"] = kText[(n * 3) % kText.size()];
    files.push_back({record::RecordPath(record::MakeRunId("p", n), n), record::Serialize(r), false});
  }
  ASSERT_TRUE(repo_->CommitFiles("refs/heads/trail", files, "runs", {"T", "t@x"}).ok());
  auto idx = RunIndex::Open(index_path_);
  ASSERT_TRUE(idx.ok());
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());

  static const std::vector<std::string> kFields = {"tags.stage", "params.mode", "params.lr",    "params.optimizer",
                                                   "name",       "status",      "metrics.loss", "tags.none"};
  static const std::vector<std::string> kPatterns = {"fin%", "FIN%", "%al",     "fin_al",  "fin\\%al", "fin\\_al", "%",
                                                     "_",    "",     "\u00e9%", "\u00c9%", "a\\\\b",   "%[a]%",    "*"};
  static const std::vector<std::string> kLiterals = {"'final'", "'FINAL'", "''",       "'fin%al'", "'\u00e9t\u00e9'",
                                                     "'true'",  "true",    "false",    "2",        "0.5",
                                                     "'z'",     "'adam'",  "'failed'", "'FAILED'", "0"};
  std::mt19937 random(18);
  auto pick = [&](const std::vector<std::string>& v) { return v[random() % v.size()]; };
  std::function<std::string(int)> condition = [&](int depth) -> std::string {
    const unsigned what = random() % (depth > 0 ? 9 : 6);
    const std::string field = pick(kFields);
    switch (what) {
      case 0:
      case 1: {
        static const std::vector<std::string> kOps = {"=", "!=", "<", "<=", ">", ">="};
        return field + " " + pick(kOps) + " " + pick(kLiterals);
      }
      case 2: {
        static const std::vector<std::string> kLike = {"LIKE", "ILIKE", "NOT LIKE", "NOT ILIKE"};
        return field + " " + pick(kLike) + " '" + pick(kPatterns) + "'";
      }
      case 3: {
        std::string list = pick(kLiterals);
        for (unsigned i = random() % 3; i > 0; --i) list += ", " + pick(kLiterals);
        return field + (random() % 2 ? " NOT IN (" : " IN (") + list + ")";
      }
      case 4:
        return field + (random() % 2 ? " IS NULL" : " IS NOT NULL");
      case 5:
        return field + " = " + pick(kLiterals);
      case 6:
        return "not (" + condition(depth - 1) + ")";
      default:
        return "(" + condition(depth - 1) + (what == 7 ? " and " : " or ") + condition(depth - 1) + ")";
    }
  };
  static const std::vector<std::string> kSorts = {"", "tags.stage", "name", "status", "metrics.loss", "params.mode"};
  int valid = 0;
  const int64_t before = (*idx)->queries_by_columns();
  for (int i = 0; i < 600; ++i) {
    const std::string where = condition(2);
    auto by_sql = (*idx)->CountMatching(where, false, false);
    if (!by_sql.ok()) continue;  // a mismatched literal, say: the compiler's error, tested elsewhere
    ++valid;
    const int64_t counted = (*idx)->queries_by_columns();
    auto by_columns = (*idx)->CountMatching(where, false, true);
    ASSERT_TRUE(by_columns.ok()) << where << ": " << by_columns.status().message();
    EXPECT_EQ(*by_sql, *by_columns) << where;
    EXPECT_EQ((*idx)->queries_by_columns(), counted + 1) << "not by columns: " << where;
    ListQuery q;
    q.where = where;
    q.sort = pick(kSorts);
    q.descending = random() % 2 == 0;
    q.include_archived = true;
    q.walk_first = false;
    ListQuery sql = q;
    sql.use_columns = false;
    EXPECT_EQ(Ids(**idx, q), Ids(**idx, sql)) << where << " sorted by '" << q.sort << "'";
  }
  EXPECT_GT(valid, 300);
  // Every listing too, but those sorted by params.mode if its values read as numbers and text.
  EXPECT_GT((*idx)->queries_by_columns() - before, valid + valid / 2);
}

TEST_F(RunIndexTest, KeyedSortPagesMatchTheWholeOrdering) {
  struct Expected {
    int n;
    std::optional<Json> value;  // the sort field's value
  };
  std::vector<Expected> runs;
  std::vector<git::FileWrite> writes;
  for (int n = 1; n <= 30; ++n) {
    Json r = MakeRecord(n, 0.1, "adam", 0.0, "finished");
    Json value;
    if (n % 7 == 0) {
      r["params"].erase("lr");  // no value: last
    } else if (n % 5 == 0) {
      r["params"]["lr"] = "text" + std::to_string(n % 3);  // text sorts after numbers
      value = r["params"]["lr"];
    } else {
      r["params"]["lr"] = (n % 4) * 0.5;  // ties
      value = r["params"]["lr"];
    }
    r["metrics"]["derived"] = Json{{"val_loss_min", (n % 3) * 1.0}, {"sources", "x"}};
    r["context"] = Json{{"dataset", n % 2 ? "a" : "b"}};
    r["environment"] = Json{{"python", Json{{"version", "3.11.2"}}}};
    r["code"] = Json{{"branch", "main"}, {"dirty", n % 2 == 0}};
    writes.push_back({record::RecordPath(r["id"].get<std::string>(), n), record::Serialize(r)});
    runs.push_back({n, value.is_null() ? std::nullopt : std::optional<Json>(value)});
  }
  auto c = repo_->CommitFiles("refs/heads/trail", writes, "runs", {"T", "t@x"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto idx = RunIndex::Open(index_path_);
  ASSERT_TRUE(idx.ok());
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());

  for (bool desc : {false, true}) {
    std::vector<Expected> want = runs;
    auto rank = [](const Json& v) { return v.is_number() ? 0 : 1; };
    std::stable_sort(want.begin(), want.end(), [&](const Expected& a, const Expected& b) {
      if (a.value.has_value() != b.value.has_value()) return a.value.has_value();
      if (a.value && *a.value != *b.value) {
        if (rank(*a.value) != rank(*b.value))
          return desc ? rank(*a.value) > rank(*b.value) : rank(*a.value) < rank(*b.value);
        return desc ? *a.value > *b.value : *a.value < *b.value;
      }
      return a.n > b.n;
    });
    std::vector<std::string> all;
    for (const auto& e : want) all.push_back(record::MakeRunId("p", e.n));
    ListQuery q;
    q.sort = "params.lr";
    q.descending = desc;
    ASSERT_EQ(Ids(**idx, q), all) << (desc ? "desc" : "asc");
    for (int offset = 0; offset <= 32; offset += 3) {
      for (int limit : {1, 4, 9}) {
        q.offset = offset;
        q.limit = limit;
        std::vector<std::string> page(all.begin() + std::min<size_t>(all.size(), offset),
                                      all.begin() + std::min<size_t>(all.size(), offset + limit));
        EXPECT_EQ(Ids(**idx, q), page) << "offset " << offset << " limit " << limit << (desc ? " desc" : "");
      }
    }
  }

  // A filtered keyed sort: within the walk budget, or past it (then every match is sorted), the
  // same rows. Budgets 1 and 3 cut inside the tie groups of lr.
  for (int64_t budget : {1, 3, 2000}) {
    for (bool desc : {false, true}) {
      ListQuery whole;
      whole.where = "number > 2 and number != 20";
      whole.sort = "params.lr";
      whole.descending = desc;
      std::vector<std::string> all = Ids(**idx, whole);
      ASSERT_EQ(all.size(), 27u);
      for (int offset = 0; offset <= 28; offset += 2) {
        for (int limit : {1, 2, 5}) {
          ListQuery q = whole;
          q.walk_budget = budget;
          q.use_columns = false;  // the SQL's keyed walk and its fallback
          q.offset = offset;
          q.limit = limit;
          std::vector<std::string> page(all.begin() + std::min<size_t>(all.size(), offset),
                                        all.begin() + std::min<size_t>(all.size(), offset + limit));
          EXPECT_EQ(Ids(**idx, q), page) << "budget " << budget << " offset " << offset << " limit " << limit;
        }
      }
    }
  }

  // derived./context. fields: filled from the record, queried like params.
  ListQuery q;
  q.where = "derived.val_loss_min = 2 and context.dataset = 'a' and context.python = '3.11.2'";
  q.sort = "number";
  EXPECT_EQ(Ids(**idx, q), (std::vector<std::string>{"p-5", "p-11", "p-17", "p-23", "p-29"}));
  q.where = "context.code.dirty = true and derived.sources IS NULL";  // sources is not a number
  EXPECT_EQ(Ids(**idx, q).size(), 15u);
  auto rows = (*idx)->List(ListQuery{"number = 4", "", false, -1, 0, false, 2000});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].derived, (Json{{"val_loss_min", 1}}));
  EXPECT_EQ((*rows)[0].context,
            (Json{{"code.branch", "main"}, {"code.dirty", true}, {"dataset", "b"}, {"python", "3.11.2"}}));
  auto count = (*idx)->CountMatching("context.dataset = 'b'", false);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 15);
  auto keys = (*idx)->ListKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->params.size(), 2u);
  EXPECT_EQ(keys->params[0].key, "lr");
  EXPECT_EQ(keys->params[0].runs, 26);  // 30 less the 4 multiples of 7
  ASSERT_EQ(keys->derived.size(), 1u);
  EXPECT_EQ(keys->derived[0].key, "val_loss_min");
  ASSERT_EQ(keys->context.size(), 4u);
  EXPECT_EQ(keys->context[0].key, "code.branch");
  EXPECT_TRUE((*idx)->CheckAgainst(*repo_, "refs/heads/trail").ok());
}

// A CLI command is one process: the columns one command read are kept on disk for the next
// (column_scan.cc), only while the index is unchanged, and a damaged file is made again.
TEST_F(RunIndexTest, ColumnsAreKeptOnDiskForTheNextProcessOfTheSameIndex) {
  for (int n = 1; n <= 30; ++n) Commit(n, 0.001 * n, n % 2 ? "adam" : "sgd", 1.0 / n);
  ListQuery q;
  q.where = "params.lr > 0.01";
  q.sort = "metrics.loss";
  q.walk_first = false;
  const std::vector<std::string> first =
      IdsInNewProcess(q, [](RunIndex& idx) { EXPECT_EQ(idx.columns_from_disk(), 0); });
  ASSERT_EQ(first.size(), 20u);
  EXPECT_EQ(first.front(), "p-30");  // the lowest loss
  const std::vector<std::string> generations = ListDirectory(index_path_ + ".columns");
  ASSERT_EQ(generations.size(), 1u);
  const std::string dir = index_path_ + ".columns/" + generations[0];
  EXPECT_GE(ListDirectory(dir).size(), 4u);  // runs, archived, number, the sort and the filter's

  {  // the next process reads them back and gives the same rows, pages included (no walk first)
    auto idx = RunIndex::Open(index_path_);
    ASSERT_TRUE(idx.ok());
    ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
    ListQuery page = q;
    page.walk_first = true;
    page.limit = 5;
    EXPECT_EQ(Ids(**idx, page), std::vector<std::string>(first.begin(), first.begin() + 5));
    EXPECT_GE((*idx)->columns_from_disk(), 4);
    EXPECT_EQ((*idx)->queries_by_columns(), 1);
    EXPECT_EQ(Ids(**idx, q), first);
  }
  {  // a damaged or foreign file is not used
    for (const std::string& name : ListDirectory(dir)) {
      auto bytes = ReadFile(dir + "/" + name);
      ASSERT_TRUE(bytes.ok());
      ASSERT_TRUE(WriteFileAtomic(dir + "/" + name, bytes->substr(0, bytes->size() - 3), false).ok());
    }
    auto idx = RunIndex::Open(index_path_);
    ASSERT_TRUE(idx.ok());
    ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
    EXPECT_EQ(Ids(**idx, q), first);
    EXPECT_EQ((*idx)->columns_from_disk(), 0);
  }
  // A new run changes the index: the kept columns are of the old one; they are not used as they
  // are but brought up to date from the journal of changed rows.
  Commit(31, 0.5, "adam", 0.001);
  {
    auto idx = RunIndex::Open(index_path_);
    ASSERT_TRUE(idx.ok());
    ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
    const std::vector<std::string> now = Ids(**idx, q);
    EXPECT_EQ((*idx)->columns_from_disk(), 0);
    EXPECT_GE((*idx)->columns_caught_up(), 4);
    ASSERT_FALSE(now.empty());
    EXPECT_EQ(now.front(), "p-31");
    ListQuery sql = q;
    sql.use_columns = false;
    EXPECT_EQ(now, Ids(**idx, sql));
  }
  // Of the earlier states' folders, only the latest copy of each column stays, to catch up from.
  for (int n = 32; n <= 35; ++n) {
    Commit(n, 0.5, "sgd", 0.5);
    auto idx = RunIndex::Open(index_path_);
    ASSERT_TRUE(idx.ok());
    ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
    (void)Ids(**idx, q);
  }
  const std::vector<std::string> after = ListDirectory(index_path_ + ".columns");
  EXPECT_EQ(after.size(), 2u);  // this state's and the one before
  EXPECT_EQ(std::count(after.begin(), after.end(), generations[0]), 0);
}

// A column kept by one process and brought up to date by the next, over runs added, rewritten
// (a run that ended, tagged, archived) and removed, in many small steps and some large ones: each
// step's answers are the SQL's, and every step after the first catches up rather than reads anew.
// A rebuild starts a new lineage: nothing from before it is used.
TEST_F(RunIndexTest, KeptColumnsCatchUpWithEveryChange) {
  std::mt19937 random(7);
  std::map<int, Json> runs;  // what the branch holds, by number
  int next = 1;
  int last = 0;  // the run written last, which has the highest rowid: rewritten, it may keep it
  auto commit = [&](int add, int rewrite, int remove) {
    std::vector<git::FileWrite> files;
    if (add == 0 && runs.count(last)) {  // the newest run, rewritten without its tag and lr
      Json& r = runs[last];
      r.erase("tags");
      r["params"].erase("lr");
      r["status"] = "killed";
      files.push_back({record::RecordPath(r["id"].get<std::string>(), last), record::Serialize(r), false});
      ASSERT_TRUE(repo_->CommitFiles("refs/heads/trail", files, "step", {"T", "t@x"}).ok());
      return;
    }
    for (int i = 0; i < add; ++i, ++next) {
      Json r = MakeRecord(next, 0.001 * (random() % 50), random() % 3 ? "adam" : "sgd", 0.01 * (random() % 100),
                          random() % 4 ? "finished" : "failed");
      if (random() % 3) r["tags"] = Json{{"stage", random() % 2 ? "final" : "draft"}};
      runs[next] = r;
      last = next;
      files.push_back({record::RecordPath(r["id"].get<std::string>(), next), record::Serialize(r), false});
    }
    for (int i = 0; i < rewrite && !runs.empty(); ++i) {
      auto it = std::next(runs.begin(), static_cast<long>(random() % runs.size()));
      Json& r = it->second;
      r["status"] = "failed";
      r["archived"] = random() % 5 == 0;
      r["tags"] = Json{{"stage", "s" + std::to_string(random() % 7)}};  // new strings too
      r["params"]["lr"] = 0.5 + 0.001 * (random() % 9);
      files.push_back({record::RecordPath(r["id"].get<std::string>(), it->first), record::Serialize(r), false});
    }
    for (int i = 0; i < remove && !runs.empty(); ++i) {
      auto it = std::next(runs.begin(), static_cast<long>(random() % runs.size()));
      files.push_back({record::RecordPath(it->second["id"].get<std::string>(), it->first), "", true});
      runs.erase(it);
    }
    ASSERT_TRUE(repo_->CommitFiles("refs/heads/trail", files, "step", {"T", "t@x"}).ok());
  };
  const std::vector<ListQuery> queries = {
      {"params.lr > 0.02 and tags.stage != 'draft'", "metrics.loss", false, 20, 0, false, 2000},
      {"status = 'failed' or tags.stage IN ('s1', 's3')", "tags.stage", true, -1, 0, true, 2000},
      {"", "params.lr", true, 7, 3, false, 2000},
      {"tags.stage IS NULL or status = 'killed'", "tags.stage", false, -1, 0, false, 2000},
  };
  commit(200, 0, 0);
  for (int step = 0; step < 40; ++step) {
    if (step == 25) {  // trail index --rebuild: a new index file, numbered anew
      auto idx = RunIndex::Recreate(index_path_);
      ASSERT_TRUE(idx.ok());
      ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
    } else if (step > 0) {
      const bool large = step % 10 == 0;
      commit(large           ? 150
             : step % 3 == 0 ? 0
                             : 1 + static_cast<int>(random() % 2),
             large ? 40 : static_cast<int>(random() % 3), large ? 30 : static_cast<int>(random() % 2));
    }
    auto idx = RunIndex::Open(index_path_);  // a new process
    ASSERT_TRUE(idx.ok());
    ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
    if (step % 5 == 0) {  // a query of its own, every fifth step: its columns wait in older states
      ListQuery rare{
          "tags.stage ILIKE 'S%' or params.optimizer = 'sgd'", "min(metrics.loss)", false, 10, 0, false, 2000};
      rare.walk_first = false;
      ListQuery sql = rare;
      sql.use_columns = false;
      EXPECT_EQ(Ids(**idx, rare), Ids(**idx, sql)) << "step " << step;
      if (step > 0 && step != 25) {
        EXPECT_EQ((*idx)->columns_caught_up(), 6) << "step " << step;  // all it reads
      }
    }
    for (ListQuery q : queries) {
      q.walk_first = false;
      ListQuery sql = q;
      sql.use_columns = false;
      EXPECT_EQ(Ids(**idx, q), Ids(**idx, sql)) << "step " << step << ": " << q.where;
      auto count = (*idx)->CountMatching(q.where, q.include_archived, true);
      auto count_sql = (*idx)->CountMatching(q.where, q.include_archived, false);
      ASSERT_TRUE(count.ok() && count_sql.ok());
      EXPECT_EQ(*count, *count_sql) << "step " << step;
    }
    if (step == 0 || step == 25) {
      EXPECT_EQ((*idx)->columns_caught_up(), 0) << "step " << step;  // nothing before to build on
    } else {
      EXPECT_GE((*idx)->columns_caught_up(), 8) << "step " << step;
    }
  }
}

// Text columns are kept too (their dictionary after the codes), and a kept file whose codes point
// past its dictionary is refused, not read out of bounds.
TEST_F(RunIndexTest, TextColumnsAreKeptAndCheckedOnDisk) {
  for (int n = 1; n <= 30; ++n) Commit(n, 0.001 * n, n % 3 ? "adam" : "sgd", 1.0 / n, n % 4 ? "finished" : "failed");
  ListQuery q;
  q.where = "params.optimizer = 'adam' and status != 'running'";
  q.sort = "status";
  q.walk_first = false;
  const std::vector<std::string> first =
      IdsInNewProcess(q, [](RunIndex& idx) { EXPECT_EQ(idx.queries_by_columns(), 1); });
  ASSERT_EQ(first.size(), 20u);
  EXPECT_EQ(first.front(), "p-28");  // failed sorts first, then the highest number
  const std::vector<std::string> generations = ListDirectory(index_path_ + ".columns");
  ASSERT_EQ(generations.size(), 1u);
  const std::string dir = index_path_ + ".columns/" + generations[0];
  EXPECT_EQ(IdsInNewProcess(q,
                            [](RunIndex& idx) {
                              EXPECT_GE(idx.columns_from_disk(), 6);  // runs, archived, number, status (2), optimizer
                            }),
            first);
  int damaged = 0;
  for (const std::string& name : ListDirectory(dir)) {
    auto bytes = ReadFile(dir + "/" + name);
    ASSERT_TRUE(bytes.ok());
    std::string b = *bytes;
    const size_t flags_at = std::string_view("trail-column 4\n").size() + 2 * sizeof(int64_t);
    ASSERT_GT(b.size(), flags_at + 6);
    if ((b[flags_at] & 4) == 0) continue;  // a numeric column
    const size_t lineage_size = static_cast<uint8_t>(b[flags_at + 1]);
    uint32_t id_size = 0;
    std::memcpy(&id_size, b.data() + flags_at + 2 + lineage_size, sizeof id_size);
    const size_t head = (flags_at + 2 + lineage_size + sizeof id_size + id_size + 7) / 8 * 8;
    const uint32_t bad = 0xffffffffu;
    std::memcpy(b.data() + head + 16 + 5 * sizeof(uint32_t), &bad, sizeof bad);  // run 5's code
    ASSERT_TRUE(WriteFileAtomic(dir + "/" + name, b, false).ok());
    ++damaged;
  }
  EXPECT_EQ(damaged, 3);  // status as compared, status as sorted, params.optimizer
  auto idx = RunIndex::Open(index_path_);
  ASSERT_TRUE(idx.ok());
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ(Ids(**idx, q), first);
  EXPECT_EQ((*idx)->columns_from_disk(), 3);  // the numeric ones only
}

// The earlier states' kept columns are a cache with a size limit: past it, the older ones go.
TEST_F(RunIndexTest, KeptColumnsOfEarlierStatesStayUnderTheirLimit) {
  for (int n = 1; n <= 40; ++n) Commit(n, 0.001 * n, n % 2 ? "adam" : "sgd", 1.0 / n);
  const std::string dir = index_path_ + ".columns";
  auto earlier_bytes = [&](const std::string& current) {
    uint64_t total = 0;
    for (const std::string& state : ListDirectory(dir)) {
      if (state == current) continue;
      for (const std::string& file : ListDirectory(dir + "/" + state)) {
        auto bytes = ReadFile(dir + "/" + state + "/" + file);
        if (bytes.ok()) total += bytes->size();
      }
    }
    return total;
  };
  uint64_t limit = 0;
  std::string current;
  for (int step = 0; step < 6; ++step) {
    if (step > 0) Commit(40 + step, 0.5, "adam", 0.5);
    auto idx = RunIndex::Open(index_path_);
    ASSERT_TRUE(idx.ok());
    ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
    if (step == 0) {
      ListQuery q{"params.lr > 0.01", "metrics.loss", false, 5, 0, false, 2000};
      q.walk_first = false;
      (void)Ids(**idx, q);
      const std::vector<std::string> states = ListDirectory(dir);
      ASSERT_EQ(states.size(), 1u);
      const std::vector<std::string> files = ListDirectory(dir + "/" + states[0]);
      ASSERT_GE(files.size(), 5u);
      auto one = ReadFile(dir + "/" + states[0] + "/" + files[0]);
      ASSERT_TRUE(one.ok());
      limit = 3 * one->size() + 10;  // room for three columns of this size
    }
    (*idx)->set_kept_column_bytes(limit);
    // Each step reads other fields, so every state leaves columns of its own behind.
    ListQuery q{
        "min(metrics.loss) > " + std::to_string(step) + " or params.optimizer = 'x" + std::to_string(step) + "'",
        step % 2 ? "max(metrics.loss)" : "count(metrics.loss)",
        false,
        5,
        0,
        false,
        2000};
    q.walk_first = false;
    ListQuery sql = q;
    sql.use_columns = false;
    EXPECT_EQ(Ids(**idx, q), Ids(**idx, sql));
    std::vector<std::string> states = ListDirectory(dir);
    std::sort(states.begin(), states.end());
    current = states.back();
    EXPECT_LE(earlier_bytes(current), limit) << "step " << step;
  }
  EXPECT_GT(earlier_bytes(current), 0u);  // the limit keeps some, not none
}

}  // namespace
}  // namespace trail::index
