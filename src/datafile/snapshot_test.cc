#include "datafile/snapshot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "datafile/input_file.h"
#include "datafile/instances.h"
#include "datafile/test_files.h"

namespace trail::datafile {
namespace {

using testing::ReadAll;
using testing::TempDir;

SnapshotResult Snap(const std::string& in, DataFormat format, const std::string& out, SnapshotOptions options) {
  auto r = WriteSnapshot(in, format, out, options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : SnapshotResult{};
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string NumberedCsv(uint64_t rows, int classes = 0) {
  std::string csv = "id,label,text\n";
  for (uint64_t i = 0; i < rows; ++i) {
    // Class sizes differ a lot: class c gets rows where i % 10 < c + 1 ... via a skewed rule.
    std::string label = classes ? "c" + std::to_string((i * i + i / 7) % classes) : "x";
    csv += std::to_string(i) + "," + label + ",\"row " + std::to_string(i) + ", with a comma\"\n";
  }
  return csv;
}

TEST(BlockLength, ValidatesFraction) {
  EXPECT_EQ(*BlockLength(0.01), 100u);
  EXPECT_EQ(*BlockLength(1.0), 1u);
  EXPECT_EQ(*BlockLength(0.3), 3u);
  for (double bad : {0.0, -0.1, 1.5, std::nan("")}) EXPECT_EQ(BlockLength(bad).status().code(), Code::kInvalidArgument);
}

TEST(BlockSampler, OneRowPerBlockAndKeptAmongAgrees) {
  for (uint64_t seed : {0ull, 1ull, 99ull}) {
    BlockSampler s(7, seed, 0);
    const BlockSampler fresh(7, seed, 0);
    uint64_t in_block = 0;
    for (uint64_t i = 0; i < 7000; ++i) {
      in_block += s.Take();
      if (i % 7 == 6) {
        EXPECT_EQ(in_block, 1u);
        in_block = 0;
      }
      EXPECT_EQ(fresh.KeptAmong(i + 1), s.kept());
    }
  }
}

TEST(Snapshot, CsvIsDeterministicAndKeepsTheHeader) {
  TempDir dir;
  std::string in = dir.Write("in.csv", NumberedCsv(5000));
  Snap(in, DataFormat::kCsv, dir.File("a.csv"), {0.01, 7, ""});
  Snap(in, DataFormat::kCsv, dir.File("b.csv"), {0.01, 7, ""});
  Snap(in, DataFormat::kCsv, dir.File("c.csv"), {0.01, 8, ""});
  std::string a = ReadAll(dir.File("a.csv"));
  EXPECT_EQ(a, ReadAll(dir.File("b.csv")));
  EXPECT_NE(a, ReadAll(dir.File("c.csv")));
  ASSERT_EQ(Lines(a).size(), 51u);
  EXPECT_EQ(Lines(a)[0], "id,label,text");
  // Rows are copied whole, quoting and all, and come one from each block of 100, in order.
  for (size_t k = 1; k < 51; ++k) {
    uint64_t id = std::stoull(Lines(a)[k]);
    EXPECT_EQ(id / 100, k - 1);
    EXPECT_EQ(Lines(a)[k], std::to_string(id) + ",x,\"row " + std::to_string(id) + ", with a comma\"");
  }
  // No temporary files are left beside the output.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.File("")), {}), 4);
}

TEST(Snapshot, FractionAccuracyOnHundredThousandRows) {
  TempDir dir;
  std::string in = dir.Write("in.csv", NumberedCsv(100000));
  for (double fraction : {0.01, 0.003, 0.1, 0.5}) {
    uint64_t block = *BlockLength(fraction);
    SnapshotResult r = Snap(in, DataFormat::kCsv, dir.File("out.csv"), {fraction, 3, ""});
    EXPECT_EQ(r.rows_in, 100000u);
    uint64_t full = 100000 / block;
    EXPECT_GE(r.rows_kept, full) << fraction;
    EXPECT_LE(r.rows_kept, full + 1) << fraction;
    auto counted = CountInstances(dir.File("out.csv"), DataFormat::kCsv);
    ASSERT_TRUE(counted.ok());
    EXPECT_EQ(**counted, r.rows_kept);
  }
}

TEST(Snapshot, FractionOneKeepsEverythingVerbatim) {
  TempDir dir;
  std::string csv = "a,b\r\n1,\"x\ny\"\r\n2,3";
  SnapshotResult r = Snap(dir.Write("in.csv", csv), DataFormat::kCsv, dir.File("out.csv"), {1.0, 0, ""});
  EXPECT_EQ(r.rows_kept, 2u);
  EXPECT_EQ(ReadAll(dir.File("out.csv")), csv);
}

TEST(Snapshot, HeaderOnlyAndEmpty) {
  TempDir dir;
  Snap(dir.Write("h.csv", "a,b\n"), DataFormat::kCsv, dir.File("h_out.csv"), {});
  EXPECT_EQ(ReadAll(dir.File("h_out.csv")), "a,b\n");
  Snap(dir.Write("e.csv", ""), DataFormat::kCsv, dir.File("e_out.csv"), {});
  EXPECT_EQ(ReadAll(dir.File("e_out.csv")), "");
}

TEST(Snapshot, StratifiedKeepsEveryClassProportion) {
  TempDir dir;
  std::string in = dir.Write("in.csv", NumberedCsv(100000, 13));
  SnapshotResult r = Snap(in, DataFormat::kCsv, dir.File("out.csv"), {0.02, 5, "label"});
  ASSERT_EQ(r.classes.size(), 13u);
  uint64_t kept = 0;
  for (const auto& [label, count] : r.classes) {
    EXPECT_GE(count.rows_kept, count.rows_in / 50) << label;
    EXPECT_LE(count.rows_kept, count.rows_in / 50 + 1) << label;
    kept += count.rows_kept;
  }
  EXPECT_EQ(kept, r.rows_kept);
  // The output's own class counts agree with the report.
  std::map<std::string, uint64_t> seen;
  auto lines = Lines(ReadAll(dir.File("out.csv")));
  for (size_t k = 1; k < lines.size(); ++k)
    ++seen[lines[k].substr(lines[k].find(',') + 1,
                           lines[k].find(',', lines[k].find(',') + 1) - lines[k].find(',') - 1)];
  for (const auto& [label, count] : r.classes) EXPECT_EQ(seen[label], count.rows_kept) << label;
}

TEST(Snapshot, StratifyErrors) {
  TempDir dir;
  std::string in = dir.Write("in.csv", NumberedCsv(10));
  auto r = WriteSnapshot(in, DataFormat::kCsv, dir.File("o.csv"), {0.5, 0, "color"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("'color'"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("id, label, text"), std::string::npos) << r.status().message();
  EXPECT_FALSE(std::filesystem::exists(dir.File("o.csv")));
  auto many =
      WriteSnapshot(dir.Write("ids.csv", NumberedCsv(100001)), DataFormat::kCsv, dir.File("o.csv"), {0.5, 0, "id"});
  EXPECT_EQ(many.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(WriteSnapshot(in, DataFormat::kCsv, in, {}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(WriteSnapshot(in, DataFormat::kCsv, dir.File("o.csv"), {0.0, 0, ""}).status().code(),
            Code::kInvalidArgument);
}

TEST(Snapshot, JsonLinesStratifiedByKey) {
  TempDir dir;
  std::string jsonl;
  for (int i = 0; i < 3000; ++i) {
    jsonl += i % 3 == 0   ? "{\"y\": \"cat\", \"i\": " + std::to_string(i) + "}\n"
             : i % 3 == 1 ? "{\"y\": 1, \"i\": " + std::to_string(i) + "}\n\n"
                          : "{\"i\": " + std::to_string(i) + "}\r\n";
  }
  SnapshotResult r = Snap(dir.Write("in.jsonl", jsonl), DataFormat::kJsonLines, dir.File("o.jsonl"), {0.1, 1, "y"});
  EXPECT_EQ(r.rows_in, 3000u);
  ASSERT_EQ(r.classes.size(), 3u);
  EXPECT_EQ(r.classes["cat"].rows_kept, 100u);
  EXPECT_EQ(r.classes["1"].rows_kept, 100u);
  EXPECT_EQ(r.classes["null"].rows_kept, 100u);  // the key is missing
  auto bad = WriteSnapshot(dir.Write("bad.jsonl", "{\"y\": 1}\n{oops\n"), DataFormat::kJsonLines, dir.File("b.jsonl"),
                           {0.5, 0, "y"});
  EXPECT_EQ(bad.status().code(), Code::kCorrupt);
  EXPECT_NE(bad.status().message().find("row 2"), std::string::npos) << bad.status().message();
}

// run --data hashes a text file in the snapshot's own pass: the observer must see every byte,
// in order, across many read blocks; formats read by offset say they did not cover the file.
TEST(Snapshot, ObserverSeesTheWholeTextFileInOrder) {
  TempDir dir;
  const std::string csv = NumberedCsv(300000);  // over two 4 MiB read blocks
  ASSERT_GT(csv.size(), 2 * kStreamBlockSize);
  const std::string in = dir.Write("in.csv", csv);
  SnapshotOptions options{0.01, 3, ""};
  std::string seen;
  int blocks = 0;
  options.observe_blocks = [&](std::string_view b) {
    seen += b;
    ++blocks;
  };
  SnapshotResult r = Snap(in, DataFormat::kCsv, dir.File("o.csv"), options);
  EXPECT_TRUE(r.observed_whole_file);
  EXPECT_GE(blocks, 3);
  EXPECT_TRUE(seen == csv);
  EXPECT_EQ(r.rows_in, 300000u);

  std::string frames;
  for (int i = 0; i < 100; ++i) frames += testing::TfRecordFrame("record " + std::to_string(i));
  const std::string tf = dir.Write("in.tfrecord", frames);
  SnapshotResult t = Snap(tf, DataFormat::kTfRecord, dir.File("o.tfrecord"), options);
  EXPECT_FALSE(t.observed_whole_file);
  EXPECT_FALSE(Snap(in, DataFormat::kCsv, dir.File("p.csv"), {0.01, 3, ""}).observed_whole_file);  // no observer
}

TEST(Snapshot, TfRecordCopiesWholeFrames) {
  TempDir dir;
  std::string file;
  std::vector<std::string> frames;
  for (int i = 0; i < 1000; ++i) frames.push_back(testing::TfRecordFrame("record " + std::to_string(i)));
  for (const auto& f : frames) file += f;
  std::string in = dir.Write("in.tfrecord", file);
  SnapshotResult r = Snap(in, DataFormat::kTfRecord, dir.File("o.tfrecord"), {0.01, 4, ""});
  EXPECT_EQ(r.rows_in, 1000u);
  EXPECT_EQ(r.rows_kept, 10u);
  auto counted = CountInstances(dir.File("o.tfrecord"), DataFormat::kTfRecord);
  ASSERT_TRUE(counted.ok()) << counted.status().message();
  EXPECT_EQ(**counted, 10u);
  std::string out = ReadAll(dir.File("o.tfrecord"));
  std::set<std::string> all(frames.begin(), frames.end());
  size_t at = 0;
  while (at < out.size()) {
    uint64_t len = static_cast<unsigned char>(out[at]);  // the records are short
    ASSERT_TRUE(all.count(out.substr(at, len + 16))) << at;
    at += len + 16;
  }
  auto stratified = WriteSnapshot(in, DataFormat::kTfRecord, dir.File("s.tfrecord"), {0.1, 0, "label"});
  EXPECT_EQ(stratified.status().code(), Code::kInvalidArgument);
}

TEST(Snapshot, NpyRowsUnderANewHeader) {
  TempDir dir;
  std::string data;
  for (int i = 0; i < 1000; ++i) data += testing::Le(i, 4) + testing::Le(i * 2, 4);  // shape (1000, 2), <i4
  std::string in =
      dir.Write("in.npy", testing::NpyV1("{'descr': '<i4', 'fortran_order': False, 'shape': (1000, 2), }") + data);
  SnapshotResult r = Snap(in, DataFormat::kNpy, dir.File("o.npy"), {0.01, 9, ""});
  EXPECT_EQ(r.rows_kept, 10u);
  auto counted = CountInstances(dir.File("o.npy"), DataFormat::kNpy);
  ASSERT_TRUE(counted.ok()) << counted.status().message();
  EXPECT_EQ(**counted, 10u);
  std::string out = ReadAll(dir.File("o.npy"));
  EXPECT_EQ(out.size() % 64, 80u % 64);  // 64-byte aligned header + 10 rows of 8 bytes
  if (testing::HaveNumpy()) {
    std::string check = "import numpy as np\na = np.load('" + dir.File("o.npy") +
                        "')\nassert a.shape == (10, 2), a.shape\nassert (a[:, 1] == 2 * a[:, 0]).all()\n"
                        "assert (a[:, 0] // 100 == np.arange(10)).all(), a\n";
    EXPECT_EQ(testing::RunPython(check), 0);
  }
  std::string empty_rows = testing::NpyV1("{'descr': '<i4', 'fortran_order': False, 'shape': (5, 0), }");
  EXPECT_EQ(Snap(dir.Write("z.npy", empty_rows), DataFormat::kNpy, dir.File("zo.npy"), {0.5, 0, ""}).rows_in, 5u);
  std::string scalar = testing::NpyV1("{'descr': '<i4', 'fortran_order': False, 'shape': (), }") + "1234";
  EXPECT_EQ(WriteSnapshot(dir.Write("s.npy", scalar), DataFormat::kNpy, dir.File("x.npy"), {}).status().code(),
            Code::kInvalidArgument);
  std::string fortran = testing::NpyV1("{'descr': '<i4', 'fortran_order': True, 'shape': (1000, 2), }") + data;
  EXPECT_EQ(WriteSnapshot(dir.Write("f.npy", fortran), DataFormat::kNpy, dir.File("x.npy"), {}).status().code(),
            Code::kInvalidArgument);
}

TEST(Snapshot, UnsupportedFormats) {
  TempDir dir;
  for (auto [format, name] : {std::pair{DataFormat::kParquet, "parquet"}, std::pair{DataFormat::kNpz, "npz"},
                              std::pair{DataFormat::kOther, "other"}}) {
    auto r = WriteSnapshot(dir.Write("in", "x"), format, dir.File("out"), {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), std::string("snapshots of ") + name + " files are not supported yet");
  }
}

}  // namespace
}  // namespace trail::datafile
