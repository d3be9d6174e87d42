#include "datafile/row_splitter.h"

#include <gtest/gtest.h>

#include <vector>

#include "datafile/csv_fields.h"

namespace trail::datafile {
namespace {

// Splits `text` fed in blocks of `block` bytes.
std::vector<std::string> Split(const std::string& text, size_t block, bool quoting = true) {
  RowSplitter splitter(',', quoting);
  std::vector<std::string> rows;
  std::string_view row;
  for (size_t at = 0; at < text.size(); at += block) {
    std::string piece = text.substr(at, block);  // a fresh buffer: views must not outlive it
    splitter.SetBlock(piece);
    while (splitter.NextRow(&row)) rows.emplace_back(row);
  }
  if (splitter.FinishRow(&row)) rows.emplace_back(row);
  return rows;
}

TEST(RowSplitter, SameRowsWhateverTheBlockSize) {
  const std::string text = "a,b\r\n\"x\ny\",\"q\"\"\n\"\"\"\n5\",6\"\n\n\"\",\"\"\"\"\r\nlast,\"row\"";
  const std::vector<std::string> want = {"a,b\r\n", "\"x\ny\",\"q\"\"\n\"\"\"\n", "5\",6\"\n",
                                         "\n",      "\"\",\"\"\"\"\r\n",          "last,\"row\""};
  for (size_t block = 1; block <= text.size(); ++block) EXPECT_EQ(Split(text, block), want) << block;
}

TEST(RowSplitter, WithoutQuotingLinesAreLines) {
  EXPECT_EQ(Split("{\"a\":\"\\\"\"}\n\"\n", 3, false), (std::vector<std::string>{"{\"a\":\"\\\"\"}\n", "\"\n"}));
}

TEST(RowSplitter, ReportsAnUnclosedQuote) {
  RowSplitter splitter(',', true);
  std::string text = "a,\"b\nc";
  splitter.SetBlock(text);
  std::string_view row;
  EXPECT_FALSE(splitter.NextRow(&row));
  EXPECT_TRUE(splitter.FinishRow(&row));
  EXPECT_TRUE(splitter.ended_in_quotes());
}

TEST(RowSplitter, Blank) {
  EXPECT_TRUE(RowSplitter::IsBlank("\n"));
  EXPECT_TRUE(RowSplitter::IsBlank("\r\n"));
  EXPECT_FALSE(RowSplitter::IsBlank(",\n"));
}

TEST(CsvFields, Unquotes) {
  EXPECT_EQ(SplitCsvFields("a,\"b,c\",\"d\"\"e\",5\"\r\n", ','), (std::vector<std::string>{"a", "b,c", "d\"e", "5\""}));
  EXPECT_EQ(SplitCsvFields("a,b,c,d\n", ',', 2), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(SplitCsvFields("a\t\tc", '\t'), (std::vector<std::string>{"a", "", "c"}));
  EXPECT_EQ(SplitCsvFields("\n", ','), (std::vector<std::string>{""}));
  EXPECT_EQ(SplitCsvFields("\"open,x", ','), (std::vector<std::string>{"open,x"}));
}

TEST(CsvFields, FieldAtAgreesWithSplit) {
  const std::string row = "a,\"b,\"\"c\"\"\",,\"\",5\"x,\"q\"tail,z\r\n";
  std::vector<std::string> all = SplitCsvFields(row, ',');
  ASSERT_EQ(all.size(), 7u);
  std::string field;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_TRUE(CsvFieldAt(row, ',', i, &field));
    EXPECT_EQ(field, all[i]) << i;
  }
  EXPECT_EQ(all[5], "qtail");
  EXPECT_FALSE(CsvFieldAt(row, ',', 7, &field));
}

}  // namespace
}  // namespace trail::datafile
