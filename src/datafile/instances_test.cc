#include "datafile/instances.h"

#include <gtest/gtest.h>

#include "datafile/input_file.h"
#include "datafile/npy.h"
#include "datafile/npz.h"
#include "datafile/parquet.h"
#include "datafile/test_files.h"

namespace trail::datafile {
namespace {

using testing::Le;
using testing::TempDir;
using testing::TfRecordFrame;
using testing::ThriftWriter;

std::optional<uint64_t> Count(const std::string& path, DataFormat format) {
  auto n = CountInstances(path, format);
  EXPECT_TRUE(n.ok()) << n.status().message();
  return n.ok() ? *n : std::optional<uint64_t>(999999);
}

Status CountError(const std::string& path, DataFormat format) {
  auto n = CountInstances(path, format);
  EXPECT_FALSE(n.ok());
  return n.ok() ? Status::Ok() : n.status();
}

TEST(CountCsv, RowsExcludeHeader) {
  TempDir dir;
  EXPECT_EQ(Count(dir.Write("a.csv", "x,y\n1,2\n3,4\n"), DataFormat::kCsv), 2u);
}

TEST(CountCsv, QuotedNewlinesAndEscapedQuotesStayInOneRow) {
  TempDir dir;
  std::string csv = "id,text\n1,\"line one\nline two\"\n2,\"say \"\"hi\"\"\nagain\"\n3,plain\n";
  EXPECT_EQ(Count(dir.Write("q.csv", csv), DataFormat::kCsv), 3u);
}

TEST(CountCsv, LiteralQuoteMidFieldDoesNotOpenAQuote) {
  TempDir dir;
  EXPECT_EQ(Count(dir.Write("q.csv", "h,w\n1,5\"\n2,6\"\n"), DataFormat::kCsv), 2u);
}

TEST(CountCsv, CrlfNoTrailingNewlineAndBlankLines) {
  TempDir dir;
  EXPECT_EQ(Count(dir.Write("a.csv", "x,y\r\n1,2\r\n3,4\r\n"), DataFormat::kCsv), 2u);
  EXPECT_EQ(Count(dir.Write("b.csv", "x,y\n1,2\n3,4"), DataFormat::kCsv), 2u);
  EXPECT_EQ(Count(dir.Write("c.csv", "x,y\n1,2\n3,4\n\n\r\n\n"), DataFormat::kCsv), 2u);
  EXPECT_EQ(Count(dir.Write("d.csv", "\nx,y\n\n1,2\n"), DataFormat::kCsv), 1u);
}

TEST(CountCsv, HeaderOnlyAndEmpty) {
  TempDir dir;
  EXPECT_EQ(Count(dir.Write("h.csv", "x,y\n"), DataFormat::kCsv), 0u);
  EXPECT_EQ(Count(dir.Write("h2.csv", "x,y"), DataFormat::kCsv), 0u);
  EXPECT_EQ(Count(dir.Write("e.csv", ""), DataFormat::kCsv), 0u);
}

TEST(CountCsv, UnclosedQuoteIsCorrupt) {
  TempDir dir;
  Status s = CountError(dir.Write("u.csv", "x,y\n1,\"open\n2,3\n"), DataFormat::kCsv);
  EXPECT_EQ(s.code(), Code::kCorrupt);
  EXPECT_NE(s.message().find("u.csv"), std::string::npos) << s.message();
}

TEST(CountCsv, RowsCrossingManyBlocks) {
  // Larger than one 4 MiB block, with quoted newlines everywhere, some of them on the boundary.
  TempDir dir;
  std::string csv = "id,text\n";
  const uint64_t rows = 120000;
  for (uint64_t i = 0; i < rows; ++i) {
    csv += std::to_string(i) + ",\"a\nb \"\"" + std::string(i % 37, 'z') + "\"\"\r\nc\"\r\n";
  }
  ASSERT_GT(csv.size(), size_t{kStreamBlockSize});
  EXPECT_EQ(Count(dir.Write("big.csv", csv), DataFormat::kCsv), rows);
}

TEST(CountTsv, Rows) {
  TempDir dir;
  EXPECT_EQ(Count(dir.Write("a.tsv", "x\ty\n1\t\"2\n\"\n3\t4\n"), DataFormat::kTsv), 2u);
}

TEST(CountJsonLines, NonBlankLines) {
  TempDir dir;
  std::string jsonl = "{\"a\": 1}\n\n  \n{\"a\": \"x,\\\"y\"}\r\n{\"a\": 3}";
  EXPECT_EQ(Count(dir.Write("a.jsonl", jsonl), DataFormat::kJsonLines), 3u);
  EXPECT_EQ(Count(dir.Write("e.ndjson", ""), DataFormat::kJsonLines), 0u);
}

TEST(CountNpy, HandWrittenHeaders) {
  TempDir dir;
  std::string v1 =
      testing::NpyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 3), }") + std::string(60, '\0');
  EXPECT_EQ(Count(dir.Write("a.npy", v1), DataFormat::kNpy), 5u);
  std::string d = "{'descr': [('a', '<i4'), ('b', '<f8')], 'fortran_order': True, 'shape': (7,), }";
  d.append((64 - (12 + d.size() + 1) % 64) % 64, ' ');
  d += '\n';
  std::string v2 = std::string("\x93NUMPY\x02\x00", 8) + Le(d.size(), 4) + d + std::string(7 * 12, '\0');
  EXPECT_EQ(Count(dir.Write("b.npy", v2), DataFormat::kNpy), 7u);
  // A 0-d array holds one value.
  std::string scalar = testing::NpyV1("{'descr': '<f8', 'fortran_order': False, 'shape': (), }") + std::string(8, '\0');
  EXPECT_EQ(Count(dir.Write("c.npy", scalar), DataFormat::kNpy), 1u);
}

TEST(CountNpy, CorruptHeaders) {
  TempDir dir;
  EXPECT_EQ(CountError(dir.Write("m.npy", "\x93NUMPX\x01\x00\x10\x00{}"), DataFormat::kNpy).code(), Code::kCorrupt);
  EXPECT_EQ(CountError(dir.Write("s.npy", "\x93NU"), DataFormat::kNpy).code(), Code::kCorrupt);
  std::string bad_shape = testing::NpyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (x, 3), }");
  EXPECT_EQ(CountError(dir.Write("b.npy", bad_shape), DataFormat::kNpy).code(), Code::kCorrupt);
  std::string cut = testing::NpyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 3), }").substr(0, 40);
  Status s = CountError(dir.Write("cut.npy", cut), DataFormat::kNpy);
  EXPECT_NE(s.message().find("cut.npy"), std::string::npos) << s.message();
}

TEST(CountNpy, MutatedHeadersNeverCrash) {
  const std::string good =
      testing::NpyV1("{'descr': [('a', '<i4'), ('b', '(2,)<f8')], 'fortran_order': False, 'shape': (5, 3), }");
  uint64_t state = 7;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string bytes = good;
    for (int k = 0; k < 1 + trial % 4; ++k) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      bytes[(state >> 33) % bytes.size()] = static_cast<char>(state >> 56);
    }
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    (void)ParseNpyHeader(bytes.substr(0, (state >> 33) % (bytes.size() + 1)), "mutated");
  }
}

TEST(CountNumpyFiles, WrittenByNumpy) {
  if (!testing::HaveNumpy()) GTEST_SKIP() << "numpy is not installed";
  TempDir dir;
  std::string code =
      "import numpy as np\n"
      "np.save('" +
      dir.File("x.npy") +
      "', np.zeros((1234, 5, 2), dtype=np.float32))\n"
      "np.save('" +
      dir.File("f.npy") +
      "', np.asfortranarray(np.zeros((321, 4))))\n"
      "np.savez('" +
      dir.File("s.npz") +
      "', x=np.zeros((100, 3)), y=np.arange(100))\n"
      "np.savez_compressed('" +
      dir.File("c.npz") +
      "', x=np.ones((2000, 32)), y=np.arange(2000))\n"
      "np.savez('" +
      dir.File("d.npz") + "', a=np.zeros((10, 2)), b=np.zeros(3))\n";
  ASSERT_EQ(testing::RunPython(code), 0);
  EXPECT_EQ(Count(dir.File("x.npy"), DataFormat::kNpy), 1234u);
  EXPECT_EQ(Count(dir.File("f.npy"), DataFormat::kNpy), 321u);
  EXPECT_EQ(Count(dir.File("s.npz"), DataFormat::kNpz), 100u);
  EXPECT_EQ(Count(dir.File("c.npz"), DataFormat::kNpz), 2000u);
  EXPECT_EQ(Count(dir.File("d.npz"), DataFormat::kNpz), 10u);

  auto file = InputFile::Open(dir.File("c.npz"));
  ASSERT_TRUE(file.ok());
  auto info = ReadNpzInfo(*file);
  ASSERT_TRUE(info.ok()) << info.status().message();
  ASSERT_EQ(info->arrays.size(), 2u);
  EXPECT_EQ(info->arrays[0].name, "x");
  EXPECT_EQ(info->arrays[0].shape, (std::vector<uint64_t>{2000, 32}));
  EXPECT_FALSE(info->leading_dims_differ);
  auto differ = InputFile::Open(dir.File("d.npz"));
  ASSERT_TRUE(differ.ok());
  EXPECT_TRUE(ReadNpzInfo(*differ)->leading_dims_differ);

  // Truncated archives: the directory is gone, or points past the end.
  std::string whole = testing::ReadAll(dir.File("s.npz"));
  for (size_t keep : {whole.size() / 2, whole.size() - 30, size_t{10}}) {
    Status s = CountError(dir.Write("t.npz", whole.substr(0, keep)), DataFormat::kNpz);
    EXPECT_EQ(s.code(), Code::kCorrupt) << keep;
    EXPECT_NE(s.message().find("t.npz"), std::string::npos) << s.message();
  }
}

TEST(CountNumpyFiles, Zip64ArchiveWithManyArrays) {
  if (!testing::HaveNumpy()) GTEST_SKIP() << "numpy is not installed";
  // Over 65,535 members: Python's zipfile writes the ZIP64 end-of-directory record and locator.
  TempDir dir;
  ASSERT_EQ(testing::RunPython("import numpy as np\nnp.savez('" + dir.File("many.npz") +
                               "', **{f'a{i:05}': np.zeros((5, 2)) for i in range(66000)})\n"),
            0);
  ASSERT_NE(testing::ReadAll(dir.File("many.npz")).rfind(std::string("PK\x06\x06", 4)), std::string::npos);
  auto file = InputFile::Open(dir.File("many.npz"));
  ASSERT_TRUE(file.ok());
  auto info = ReadNpzInfo(*file);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->arrays.size(), 66000u);
  EXPECT_EQ(info->arrays.back().name, "a65999");
}

TEST(CountNpz, Zip64ExtraFieldsInTheDirectory) {
  // Members over 4 GiB store 0xffffffff in the directory and the real sizes and offset in a
  // ZIP64 extra field; built by hand, as no small file makes a zip writer do that.
  std::string npy = testing::NpyV1("{'descr': '<u1', 'fortran_order': False, 'shape': (77,), }") + std::string(77, 'x');
  std::string name = "y.npy";
  std::string local = Le(0x04034b50, 4) + Le(45, 2) + Le(0, 2) + Le(0, 2) + Le(0, 4) + Le(0, 4) + Le(npy.size(), 4) +
                      Le(npy.size(), 4) + Le(name.size(), 2) + Le(0, 2) + name;
  std::string extra = Le(1, 2) + Le(24, 2) + Le(npy.size(), 8) + Le(npy.size(), 8) + Le(0, 8);
  std::string central = Le(0x02014b50, 4) + Le(45, 2) + Le(45, 2) + Le(0, 2) + Le(0, 2) + Le(0, 4) + Le(0, 4) +
                        Le(0xffffffff, 4) + Le(0xffffffff, 4) + Le(name.size(), 2) + Le(extra.size(), 2) + Le(0, 2) +
                        Le(0, 2) + Le(0, 2) + Le(0, 4) + Le(0xffffffff, 4) + name + extra;
  std::string body = local + npy;
  std::string end = Le(0x06054b50, 4) + Le(0, 2) + Le(0, 2) + Le(1, 2) + Le(1, 2) + Le(central.size(), 4) +
                    Le(body.size(), 4) + Le(0, 2);
  TempDir dir;
  EXPECT_EQ(Count(dir.Write("z.npz", body + central + end), DataFormat::kNpz), 77u);
  // The same directory with the extra field cut short is corrupt, not a read at offset 2^32-1.
  std::string short_extra = Le(1, 2) + Le(8, 2) + Le(npy.size(), 8);
  std::string bad = central.substr(0, 30) + Le(short_extra.size(), 2) + central.substr(32, 14) + name + short_extra;
  std::string bad_end =
      Le(0x06054b50, 4) + Le(0, 2) + Le(0, 2) + Le(1, 2) + Le(1, 2) + Le(bad.size(), 4) + Le(body.size(), 4) + Le(0, 2);
  EXPECT_EQ(CountError(dir.Write("b.npz", body + bad + bad_end), DataFormat::kNpz).code(), Code::kCorrupt);
}

TEST(CountTfRecord, RecordsAndCorruption) {
  TempDir dir;
  std::string file;
  for (int i = 0; i < 1000; ++i) file += TfRecordFrame(std::string(i % 300, static_cast<char>(i)));
  EXPECT_EQ(Count(dir.Write("a.tfrecord", file), DataFormat::kTfRecord), 1000u);
  EXPECT_EQ(Count(dir.Write("e.tfrecord", ""), DataFormat::kTfRecord), 0u);

  std::string two = TfRecordFrame("first") + TfRecordFrame("second record");
  Status cut = CountError(dir.Write("t.tfrecord", two.substr(0, two.size() - 3)), DataFormat::kTfRecord);
  EXPECT_EQ(cut.code(), Code::kCorrupt);
  EXPECT_NE(cut.message().find("offset 21"), std::string::npos) << cut.message();  // 5 + 16
  EXPECT_NE(cut.message().find("t.tfrecord"), std::string::npos);
  Status header_cut = CountError(dir.Write("h.tfrecord", two.substr(0, 21 + 5)), DataFormat::kTfRecord);
  EXPECT_NE(header_cut.message().find("offset 21"), std::string::npos) << header_cut.message();
  Status garbage = CountError(dir.Write("g.tfrecord", "this is not a tfrecord file at all"), DataFormat::kTfRecord);
  EXPECT_NE(garbage.message().find("checksum"), std::string::npos) << garbage.message();
}

// A FileMetaData with every Thrift type in it, known and unknown fields, num_rows where the
// spec puts it (field 3) or, in `num_rows_last`, after fields 20-26 (a long-form field id).
std::string Footer(int64_t rows, bool num_rows_last) {
  ThriftWriter w;
  w.Field(1, 5), w.ZigZag(1);          // version
  w.Field(1, 9), w.ListHeader(2, 12);  // schema
  w.Field(4, 8), w.Binary("schema"), w.Field(1, 5), w.ZigZag(1), w.Stop();
  w.Field(1, 5), w.ZigZag(2), w.Field(3, 8), w.Binary("x"), w.Stop();
  int last = 2;
  if (!num_rows_last) w.Field(1, 6), w.ZigZag(rows), last = 3;
  w.Field(4 - last, 9), w.ListHeader(1, 12);  // row_groups
  w.Field(1, 9), w.ListHeader(0, 12), w.Field(1, 6), w.ZigZag(100), w.Field(1, 6), w.ZigZag(rows), w.Stop();
  w.Field(1, 9), w.ListHeader(1, 12), w.Field(1, 8), w.Binary("k"), w.Field(1, 8), w.Binary("v"), w.Stop();
  w.Field(1, 8), w.Binary("trail test writer");  // created_by (6)
  w.Field(0, 11), w.ZigZag(20), w.Varint(2), w.Raw(std::string(1, static_cast<char>((8 << 4) | 1)));
  w.Binary("a"), w.Raw("\x01"), w.Binary("b"), w.Raw("\x02");                  // map<binary, bool>
  w.Field(1, 7), w.Raw(std::string(8, '\x11'));                                // double
  w.Field(1, 10), w.ListHeader(3, 5), w.ZigZag(1), w.ZigZag(-2), w.ZigZag(3);  // set<i32>
  w.Field(1, 1);                                                               // bool true
  w.Field(1, 3), w.Raw("\x7f");                                                // byte
  w.Field(1, 9), w.ListHeader(15, 5), w.Varint(20);                            // list of 20 i32
  for (int i = 0; i < 20; ++i) w.ZigZag(i * 1000);
  w.Field(1, 12), w.Field(1, 12), w.Field(1, 5), w.ZigZag(7), w.Stop(), w.Stop();  // nested struct
  w.Field(1, 9), w.ListHeader(2, 1), w.Raw("\x01\x02");                            // list<bool>
  if (num_rows_last) w.Field(0, 6), w.ZigZag(3), w.ZigZag(rows);
  w.Stop();
  return w.bytes();
}

std::string ParquetFile(const std::string& footer) {
  return "PAR1" + std::string("column chunks would be here") + footer + Le(footer.size(), 4) + "PAR1";
}

TEST(CountParquet, HandEncodedFooters) {
  // No Parquet writer (pyarrow, fastparquet) is installed on the build machines and no .parquet
  // file ships with Debian, so the footers are encoded by hand from parquet.thrift.
  TempDir dir;
  EXPECT_EQ(Count(dir.Write("a.parquet", ParquetFile(Footer(123456789012, false))), DataFormat::kParquet),
            123456789012u);
  EXPECT_EQ(Count(dir.Write("b.parquet", ParquetFile(Footer(42, true))), DataFormat::kParquet), 42u);
  EXPECT_EQ(Count(dir.Write("c.parquet", ParquetFile(Footer(0, false))), DataFormat::kParquet), 0u);
}

TEST(CountParquet, BadFooters) {
  TempDir dir;
  std::string good = ParquetFile(Footer(5, false));
  std::string long_len = good;
  long_len.replace(long_len.size() - 8, 4, Le(1u << 30, 4));
  Status s = CountError(dir.Write("len.parquet", long_len), DataFormat::kParquet);
  EXPECT_EQ(s.code(), Code::kCorrupt);
  EXPECT_NE(s.message().find("footer length"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("len.parquet"), std::string::npos) << s.message();

  EXPECT_EQ(CountError(dir.Write("m.parquet", good.substr(0, good.size() - 1) + "X"), DataFormat::kParquet).code(),
            Code::kCorrupt);
  EXPECT_EQ(CountError(dir.Write("s.parquet", "PAR1PAR1"), DataFormat::kParquet).code(), Code::kCorrupt);
  ThriftWriter no_rows;
  no_rows.Field(1, 5), no_rows.ZigZag(1), no_rows.Stop();
  Status missing = CountError(dir.Write("n.parquet", ParquetFile(no_rows.bytes())), DataFormat::kParquet);
  EXPECT_NE(missing.message().find("num_rows"), std::string::npos) << missing.message();
  // Every truncation of the footer is an error, never a crash or a wrong answer.
  std::string footer = Footer(5, true);
  for (size_t n = 0; n + 1 < footer.size(); ++n) {
    EXPECT_FALSE(ParquetRowCountFromFooter(footer.substr(0, n), "x").ok()) << n;
  }
}

TEST(CountParquet, RandomBytesNeverCrash) {
  uint64_t state = 1;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string bytes;
    int len = trial % 64;
    for (int i = 0; i < len; ++i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      bytes += static_cast<char>(state >> 56);
    }
    (void)ParquetRowCountFromFooter(bytes, "random");
  }
}

TEST(CountOther, UnknownIsNullopt) {
  TempDir dir;
  auto n = CountInstances(dir.Write("a.bin", "whatever"), DataFormat::kOther);
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(n->has_value());
}

TEST(CountInstances, MissingFileIsNotFound) {
  EXPECT_EQ(CountInstances("/nonexistent/x.csv", DataFormat::kCsv).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace trail::datafile
