// Fuzzes the Parquet footer reader (dataset/parquet.h, ParquetRowCountFromFooter) and the Thrift
// compact reader under it (dataset/thrift_compact.h) on arbitrary FileMetaData bytes. The file
// path around them (magic, trailer) is fuzzed by dataset_instances_fuzzer.
//
// Checks, beyond "never crashes":
//   - Errors are Corrupt and name the file.
//   - The row count is read from a well-formed struct: whenever ParquetRowCountFromFooter
//     succeeds, skipping the bytes as one struct succeeds too (unless that nests one level too
//     deep: the count walks the top level itself); whenever skipping succeeds, the count
//     succeeds or reports a missing or negative num_rows.
//   - A failed read says why, and the reader never moves past the end of its bytes.
#include <cstdint>
#include <string>
#include <string_view>

#include "datafile/parquet.h"
#include "datafile/thrift_compact.h"
#include "fuzz/check.h"

namespace trail::fuzz {
namespace {

const std::string kName = "data/train.parquet";

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto note = [&](const std::string& what) { return what + "\n  input: " + fuzz::Escaped(input); };

  datafile::ThriftCompactReader reader(input);
  const bool skipped = reader.Skip(datafile::ThriftType::kStruct);
  FUZZ_CHECK(reader.position() <= input.size(), note("the reader moved past the end"));
  FUZZ_CHECK(skipped == reader.error().empty(), note("success and error disagree: " + reader.error()));

  StatusOr<uint64_t> rows = datafile::ParquetRowCountFromFooter(input, fuzz::kName);
  if (rows.ok()) {
    FUZZ_CHECK(skipped || reader.error().starts_with("nesting deeper"),
               note("a row count from a footer that is not a struct: " + reader.error()));
    return 0;
  }
  const std::string& m = rows.status().message();
  FUZZ_CHECK(rows.status().code() == Code::kCorrupt, note("error is not Corrupt: " + m));
  FUZZ_CHECK(m.starts_with(fuzz::kName + ": "), note("error does not name the file: " + fuzz::Escaped(m)));
  if (skipped) {
    FUZZ_CHECK(m.find("no num_rows") != std::string::npos || m.find("num_rows is -") != std::string::npos,
               note("a well-formed struct rejected: " + m));
  }
  return 0;
}
