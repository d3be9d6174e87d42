#include "datafile/format.h"

#include <gtest/gtest.h>

#include "datafile/test_files.h"

namespace trail::datafile {
namespace {

TEST(FormatFromName, Extensions) {
  EXPECT_EQ(FormatFromName("data/train.csv"), DataFormat::kCsv);
  EXPECT_EQ(FormatFromName("TRAIN.CSV"), DataFormat::kCsv);
  EXPECT_EQ(FormatFromName("a.tsv"), DataFormat::kTsv);
  EXPECT_EQ(FormatFromName("a.jsonl"), DataFormat::kJsonLines);
  EXPECT_EQ(FormatFromName("a.ndjson"), DataFormat::kJsonLines);
  EXPECT_EQ(FormatFromName("x.npy"), DataFormat::kNpy);
  EXPECT_EQ(FormatFromName("x.npz"), DataFormat::kNpz);
  EXPECT_EQ(FormatFromName("t.tfrecord"), DataFormat::kTfRecord);
  EXPECT_EQ(FormatFromName("t.tfrecords"), DataFormat::kTfRecord);
  EXPECT_EQ(FormatFromName("t.tfrec"), DataFormat::kTfRecord);
  EXPECT_EQ(FormatFromName("p.parquet"), DataFormat::kParquet);
  EXPECT_EQ(FormatFromName("README"), DataFormat::kOther);
  EXPECT_EQ(FormatFromName(".csv"), DataFormat::kOther);  // a hidden file, not an extension
  EXPECT_EQ(FormatFromName("dir.csv/file"), DataFormat::kOther);
  EXPECT_EQ(FormatName(DataFormat::kJsonLines), "jsonl");
}

TEST(DetectFormat, SniffsFilesWithoutAKnownExtension) {
  testing::TempDir dir;
  EXPECT_EQ(DetectFormat(dir.Write("a", std::string("\x93NUMPY\x01\x00", 8) + "xx")), DataFormat::kNpy);
  EXPECT_EQ(DetectFormat(dir.Write("b", std::string("PK\x03\x04", 4) + "rest")), DataFormat::kNpz);
  EXPECT_EQ(DetectFormat(dir.Write("c", std::string("PAR1 footer \x05\x00\x00\x00PAR1", 20))), DataFormat::kParquet);
  EXPECT_EQ(DetectFormat(dir.Write("d", "PAR1")), DataFormat::kOther);
  EXPECT_EQ(DetectFormat(dir.Write("e", "plain text")), DataFormat::kOther);
  EXPECT_EQ(DetectFormat(dir.File("missing")), DataFormat::kOther);
  EXPECT_EQ(DetectFormat(dir.File("missing.csv")), DataFormat::kCsv);  // the name is enough
}

}  // namespace
}  // namespace trail::datafile
