// ReadRunTable gives the rows ForEachRun gives, in its order, as typed columns: the same query
// engine read a table at a time.
#include "trail/run_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "test_repo.h"
#include "trail/project.h"
#include "trail/recording.h"
#include "trail/runs.h"

namespace trail::api {
namespace {

// One project for the suite: nine runs (more than ScanRuns reads by run for a page of one), with
// float, int, bool and text params, tags on some, metrics, one failed, one archived.
class RunTableTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string;
    project_ = testing::MakeProject("trail-run-table-test", root_);
    ASSERT_NE(project_, nullptr);
    testing::QuietObserver observer;
    for (int i = 1; i <= 9; ++i) {
      RunRequest request;
      const std::string loss = std::to_string(1.0 / i);
      request.argv = {"/bin/sh", "-c",
                      "echo '{\"step\": 0, \"loss\": 2}' >> \"$TRAIL_METRICS\"; echo '{\"step\": 1, \"loss\": " + loss +
                          "}' >> \"$TRAIL_METRICS\"; exit " + std::to_string(i == 3 ? 1 : 0)};
      request.params = {"lr=" + std::to_string(0.01 * i), "layers=" + std::to_string(i % 4)};
      if (i % 2 == 0) request.params.push_back("opt=adam");
      if (i == 5) request.params.push_back("amsgrad=true");
      if (i % 3 == 0) request.tags = {"stage=prod"};
      if (i == 7) request.name = "seventh";
      auto outcome = RecordRun(*project_, request, observer);
      ASSERT_TRUE(outcome.ok()) << outcome.status().message();
    }
    ASSERT_TRUE(ArchiveRun(*project_, "t-4", true).ok());
  }
  static void TearDownTestSuite() {
    delete project_;
    std::filesystem::remove_all(*root_);
    delete root_;
  }

  // The column named `name`, or null.
  static const ValueColumn* Column(const RunTable& t, const std::string& name) {
    for (const auto& c : t.columns) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }

  // Checks `query`'s table against ForEachRun's rows: the same runs in the same order, and each
  // param, tag and metric's last value where the row has it, missing where it has not.
  static void ExpectSameAsForEachRun(const RunQuery& query) {
    std::vector<RunRow> rows;
    ASSERT_TRUE(ForEachRun(*project_, query, [&](const RunRow& r) {
                  rows.push_back(r);
                  return Status::Ok();
                }).ok());
    auto table = ReadRunTable(*project_, query, true);
    ASSERT_TRUE(table.ok()) << table.status().message();
    ASSERT_EQ(table->rows, rows.size()) << query.where << " / " << query.sort;
    for (size_t i = 0; i < rows.size(); ++i) {
      SCOPED_TRACE(rows[i].id);
      EXPECT_EQ(table->id[i], rows[i].id);
      EXPECT_EQ(table->number[i], rows[i].number);
      EXPECT_EQ(table->status[i], rows[i].status);
      EXPECT_EQ(table->name[i], rows[i].name);
      EXPECT_EQ(table->archived[i] != 0, rows[i].archived);
      EXPECT_EQ(table->duration_s[i], rows[i].duration_s.value_or(NAN));
      EXPECT_NE(table->start_ns[i], RunTable::kNoTime);
      EXPECT_GE(table->end_ns[i], table->start_ns[i]);
      for (const auto& c : table->columns) {
        const std::string& n = c.name;
        const Json* want = nullptr;
        Json last;
        if (n.rfind("params.", 0) == 0 && rows[i].params.contains(n.substr(7))) want = &rows[i].params[n.substr(7)];
        if (n.rfind("tags.", 0) == 0 && rows[i].tags.contains(n.substr(5))) want = &rows[i].tags[n.substr(5)];
        if (n.rfind("metrics.", 0) == 0 && rows[i].metrics.contains(n.substr(8))) {
          last = rows[i].metrics[n.substr(8)]["last"];
          want = &last;
        }
        if (n.rfind("derived.", 0) == 0 && rows[i].derived.contains(n.substr(8))) want = &rows[i].derived[n.substr(8)];
        if (n.rfind("params.", 0) != 0 && n.rfind("tags.", 0) != 0 && n.rfind("metrics.", 0) != 0 &&
            n.rfind("derived.", 0) != 0) {
          continue;  // context.*, model.*, and min/max/count(...) are checked elsewhere
        }
        if (want == nullptr) {
          EXPECT_EQ(c.type[i], ValueColumn::kMissing) << n;
        } else if (want->is_string()) {
          ASSERT_EQ(c.type[i], ValueColumn::kText) << n;
          EXPECT_EQ(c.text[i], want->get<std::string>()) << n;
        } else if (want->is_boolean()) {
          ASSERT_EQ(c.type[i], ValueColumn::kBool) << n;
          EXPECT_EQ(c.number[i] != 0, want->get<bool>()) << n;
        } else if (want->is_number_integer()) {
          ASSERT_EQ(c.type[i], ValueColumn::kInt) << n;
          EXPECT_EQ(c.integer[i], want->get<int64_t>()) << n;
        } else {
          ASSERT_EQ(c.type[i], ValueColumn::kFloat) << n;
          EXPECT_EQ(c.number[i], want->get<double>()) << n;
        }
      }
    }
  }

  static std::string* root_;
  static Project* project_;
};

std::string* RunTableTest::root_ = nullptr;
Project* RunTableTest::project_ = nullptr;

TEST_F(RunTableTest, SameRowsAndValuesAsForEachRun) {
  ExpectSameAsForEachRun(RunQuery{});
  RunQuery q;
  q.include_archived = true;
  ExpectSameAsForEachRun(q);
  q = RunQuery{};
  q.where = "params.lr > 0.035 and tags.stage = 'prod' or params.opt = 'adam'";
  ExpectSameAsForEachRun(q);
  q = RunQuery{};
  q.sort = "metrics.loss";
  q.descending = true;
  ExpectSameAsForEachRun(q);
  q.sort = "params.opt DESC";
  q.descending = false;
  ExpectSameAsForEachRun(q);
  q = RunQuery{};
  q.sort = "params.lr";
  q.limit = 1;  // one run of nine: read by run, not by table
  ExpectSameAsForEachRun(q);
  q.limit = 3;
  q.offset = 2;
  ExpectSameAsForEachRun(q);
  q.where = "params.lr > 100";
  ExpectSameAsForEachRun(q);
}

TEST_F(RunTableTest, ColumnsAreOrderedAndTyped) {
  auto table = ReadRunTable(*project_, RunQuery{}, true);
  ASSERT_TRUE(table.ok()) << table.status().message();
  ASSERT_EQ(table->rows, 8u);  // t-4 is archived
  EXPECT_EQ(table->id[0], "t-9");
  EXPECT_EQ(table->id[5], "t-3");
  EXPECT_EQ(table->status[5], "failed");
  EXPECT_EQ(table->exit_code[5], 1);
  EXPECT_TRUE(table->has_exit_code[5]);
  std::vector<std::string> names;
  for (const auto& c : table->columns) {
    if (c.name.rfind("context.", 0) != 0 && c.name.rfind("derived.", 0) != 0) names.push_back(c.name);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"params.amsgrad", "params.layers", "params.lr", "params.opt", "metrics.loss",
                                      "min(metrics.loss)", "max(metrics.loss)", "count(metrics.loss)", "tags.stage"}));
  const ValueColumn* opt = Column(*table, "params.opt");
  ASSERT_NE(opt, nullptr);
  EXPECT_EQ(opt->count[ValueColumn::kText], 3);  // t-2, t-6, t-8 (t-4 archived)
  EXPECT_EQ(opt->count[ValueColumn::kMissing], 5);
  const ValueColumn* count = Column(*table, "count(metrics.loss)");
  ASSERT_NE(count, nullptr);
  EXPECT_EQ(count->count[ValueColumn::kInt], 8);
  EXPECT_EQ(count->integer[0], 2);
  const ValueColumn* min = Column(*table, "min(metrics.loss)");
  ASSERT_NE(min, nullptr);
  EXPECT_DOUBLE_EQ(min->number[0], 0.111111);  // as the command printed it

  auto plain = ReadRunTable(*project_, RunQuery{}, false);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(Column(*plain, "min(metrics.loss)"), nullptr);
  EXPECT_NE(Column(*plain, "metrics.loss"), nullptr);
}

TEST_F(RunTableTest, BadQueriesGiveTheEnginesMessage) {
  RunQuery q;
  q.where = "metrics.loss < and params.lr > 1";
  auto table = ReadRunTable(*project_, q, false);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(table.status().message(), CheckRunQuery(q).message());
  q.where.clear();
  q.sort = "metrics.loss SIDEWAYS";
  EXPECT_EQ(ReadRunTable(*project_, q, false).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace trail::api
