#include "ingest/csv_log_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace trail::ingest {
namespace {

using metrics::MetricSet;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::vector<double> CsvValues(const MetricSet& set, std::string_view key) {
  std::vector<double> values;
  if (const auto* s = set.Series(key)) {
    for (const metrics::Point& p : *s) values.push_back(p.value);
  }
  return values;
}

std::vector<int64_t> CsvSteps(const MetricSet& set, std::string_view key) {
  std::vector<int64_t> steps;
  if (const auto* s = set.Series(key)) {
    for (const metrics::Point& p : *s) steps.push_back(p.step);
  }
  return steps;
}

// Feeds `text` line by line (split at '\n'; a last piece without one is fed too).
int64_t Feed(CsvLogParser& parser, std::string_view text, MetricSet& set, std::vector<std::string>* warnings,
             double now = 100.0) {
  int64_t added = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    added += parser.ParseLine(line, now, set, warnings);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  return added;
}

TEST(CsvLogParserTest, KerasCsvLogger) {
  CsvLogParser parser("log.csv", "");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(Feed(parser,
                 "epoch,accuracy,loss,val_accuracy,val_loss\n"
                 "0,0.5123,0.6931471824645996,0.55,0.690\n"
                 "1,0.75,0.5,0.7,0.55\n",
                 set, &warnings),
            8);
  EXPECT_THAT(warnings, IsEmpty());
  EXPECT_THAT(set.Keys(), ElementsAre("accuracy", "loss", "val_accuracy", "val_loss"));
  EXPECT_THAT(CsvValues(set, "loss"), ElementsAre(0.6931471824645996, 0.5));
  EXPECT_THAT(CsvSteps(set, "val_loss"), ElementsAre(0, 1));
  EXPECT_EQ((*set.Series("loss"))[0].time, 100.0);
  EXPECT_EQ(parser.separator(), ',');
}

TEST(CsvLogParserTest, DetectsSeparators) {
  for (const char* sep : {",", ";", "\t"}) {
    CsvLogParser parser("log.csv", "");
    MetricSet set;
    std::string text = std::string("epoch") + sep + "loss" + sep + "acc\n" + "3" + sep + "0.5" + sep + "0.25\n";
    EXPECT_EQ(Feed(parser, text, set, nullptr), 2) << sep;
    EXPECT_EQ(parser.separator(), sep[0]);
    EXPECT_THAT(CsvValues(set, "acc"), ElementsAre(0.25)) << sep;
    EXPECT_THAT(CsvSteps(set, "acc"), ElementsAre(3)) << sep;
  }
}

TEST(CsvLogParserTest, SemicolonWithDecimalCommasInQuotes) {
  // A European spreadsheet: ';' separates, and a quoted cell holds a comma.
  CsvLogParser parser("log.csv", "");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(Feed(parser, "epoch;loss;note\n0;0.5;\"a,b\"\n", set, &warnings), 1);
  EXPECT_EQ(parser.separator(), ';');
  EXPECT_THAT(warnings, ElementsAre(HasSubstr("column 'note': 'a,b' is not a number")));
}

TEST(CsvLogParserTest, MissingEpochColumnUsesRowNumbers) {
  CsvLogParser parser("log.csv", "");
  MetricSet set;
  EXPECT_EQ(Feed(parser, "loss,acc\n0.9,0.1\n\n0.8,0.2\n0.7,0.3\n", set, nullptr), 6);
  EXPECT_THAT(CsvSteps(set, "loss"), ElementsAre(0, 1, 2));
}

TEST(CsvLogParserTest, BadCellsAreSkippedWithOneWarningPerColumn) {
  CsvLogParser parser("log.csv", "");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(Feed(parser, "epoch,loss,lr\n0,0.9,fast\n1,oops,slow\n2,0.7,0.1\n", set, &warnings), 3);
  EXPECT_THAT(CsvValues(set, "loss"), ElementsAre(0.9, 0.7));
  EXPECT_THAT(CsvSteps(set, "loss"), ElementsAre(0, 2));
  EXPECT_THAT(CsvValues(set, "lr"), ElementsAre(0.1));
  EXPECT_THAT(
      warnings,
      ElementsAre("log.csv: line 2: column 'lr': 'fast' is not a number; such cells in this column are skipped",
                  "log.csv: line 3: column 'loss': 'oops' is not a number; such cells in this column are skipped"));
}

TEST(CsvLogParserTest, NaCellsAndEmptyCellsAreSilent) {
  // CSVLogger writes NA for a metric an epoch did not report (val_* without validation).
  CsvLogParser parser("log.csv", "");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(Feed(parser, "epoch,loss,val_loss\n0,0.9,NA\n1,0.8,\n2,0.7,0.75\n", set, &warnings), 4);
  EXPECT_THAT(warnings, IsEmpty());
  EXPECT_THAT(CsvSteps(set, "val_loss"), ElementsAre(2));
}

TEST(CsvLogParserTest, NonFiniteValues) {
  CsvLogParser parser("log.csv", "");
  MetricSet set;
  EXPECT_EQ(Feed(parser, "epoch,loss\n0,nan\n1,inf\n2,-inf\n3,+1.5\n", set, nullptr), 4);
  std::vector<double> v = CsvValues(set, "loss");
  ASSERT_THAT(v, SizeIs(4));
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], INFINITY);
  EXPECT_EQ(v[2], -INFINITY);
  EXPECT_EQ(v[3], 1.5);
}

TEST(CsvLogParserTest, BadEpochFallsBackToRowNumber) {
  CsvLogParser parser("log.csv", "");
  MetricSet set;
  std::vector<std::string> warnings;
  Feed(parser, "epoch,loss\n5,1\nfirst,2\n7.0,3\n", set, &warnings);
  EXPECT_THAT(CsvSteps(set, "loss"), ElementsAre(5, 1, 7));
  EXPECT_THAT(warnings, ElementsAre(HasSubstr("line 3: epoch 'first' is not an integer")));
}

TEST(CsvLogParserTest, RaggedRows) {
  CsvLogParser parser("log.csv", "");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(Feed(parser, "epoch,loss,acc\n0,0.5\n1,0.4,0.6,99\n", set, &warnings), 3);
  EXPECT_THAT(CsvValues(set, "acc"), ElementsAre(0.6));
  EXPECT_THAT(warnings, ElementsAre(HasSubstr("line 2: has 2 cells but the header has 3 columns")));
}

TEST(CsvLogParserTest, QuotedHeaderCrlfBomAndPrefix) {
  CsvLogParser parser("log.csv", "logs/");
  MetricSet set;
  EXPECT_EQ(Feed(parser, "\xEF\xBB\xBF\"epoch\",\"loss\",\"a \"\"q\"\"\"\r\n0,1,2\r\n", set, nullptr), 2);
  EXPECT_THAT(set.Keys(), ElementsAre("logs/loss", "logs/a \"q\""));
}

TEST(CsvLogParserTest, ColumnsWithoutNumbersMakeNoSeries) {
  CsvLogParser parser("log.csv", "");
  MetricSet set;
  Feed(parser, "epoch,loss,,val_loss\n0,1,2,NA\n", set, nullptr);
  EXPECT_THAT(set.Keys(), ElementsAre("loss"));
}

TEST(CsvLogParserTest, WarningsAreCapped) {
  CsvLogParser parser("log.csv", "");
  MetricSet set;
  std::vector<std::string> warnings;
  std::string text = "epoch";
  for (int c = 0; c < 50; ++c) text += ",c" + std::to_string(c);
  text += "\n0";
  for (int c = 0; c < 50; ++c) text += ",x";
  Feed(parser, text + "\n", set, &warnings);
  ASSERT_THAT(warnings, SizeIs(FileWarnings::kMaxPerFile + 1));
  EXPECT_EQ(warnings.back(), "log.csv: further warnings about this file are not shown");
}

}  // namespace
}  // namespace trail::ingest
