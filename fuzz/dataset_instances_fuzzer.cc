// Fuzzes instance counting (dataset/instances.h): the input is written to a scratch file, which
// CountInstances reads as every DataFormat in turn, and DetectFormat sniffs (the scratch file
// has no extension). A data file named with `trail run --data` is outside input.
//
// Checks, beyond "never crashes":
//   - kOther counts nothing; every other format gives a count or an error that is Corrupt or
//     InvalidArgument and names the file.
//   - Each count matches a model of the format's rule built from the bytes in memory:
//       JSON Lines: '\n'-separated lines holding anything but blanks (' ', '\t', '\r');
//       CSV/TSV without any '"': lines other than "" and "\r", less the header;
//       TFRecord: frames walked until the end, an error for a bad length checksum or a cut;
//       .npy: ParseNpyHeader on the bytes, the same success and the same leading dimension;
//       Parquet: the footer the trailer points at, through ParquetRowCountFromFooter;
//       .npz: ReadNpzInfo's first array.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "base/crc32c.h"
#include "datafile/format.h"
#include "datafile/input_file.h"
#include "datafile/instances.h"
#include "datafile/npy.h"
#include "datafile/npz.h"
#include "datafile/parquet.h"
#include "datafile/tfrecord_walk.h"
#include "fuzz/check.h"
#include "fuzz/scratch_file.h"

namespace trail::fuzz {
namespace {

using datafile::DataFormat;

// The model's answer: a count, or nullopt for an error.
using Expected = std::optional<uint64_t>;

Expected TextLines(std::string_view input, bool delimited) {
  uint64_t rows = 0;
  while (!input.empty()) {
    const size_t nl = input.find('\n');
    const std::string_view line = input.substr(0, nl);
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    const bool blank =
        delimited ? (line.empty() || line == "\r") : line.find_first_not_of(" \t\r") == std::string_view::npos;
    if (!blank) ++rows;
  }
  if (delimited && rows > 0) --rows;  // the header
  return rows;
}

uint64_t Le(std::string_view b, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

Expected TfRecords(std::string_view input) {
  uint64_t count = 0;
  while (!input.empty()) {
    if (input.size() < 12) return std::nullopt;
    if (MaskCrc(Crc32c(input.substr(0, 8))) != Le(input, 8, 4)) return std::nullopt;
    const uint64_t length = Le(input, 0, 8);
    if (length > input.size() - 12 || input.size() - 12 - length < 4) return std::nullopt;
    input.remove_prefix(static_cast<size_t>(length) + 16);
    ++count;
  }
  return count;
}

Expected Npy(std::string_view input) {
  StatusOr<datafile::NpyHeader> h = datafile::ParseNpyHeader(input, "model");
  if (!h.ok()) return std::nullopt;
  return datafile::NpyInstances(*h);
}

Expected Parquet(std::string_view input) {
  if (input.size() < 12 || input.substr(0, 4) != "PAR1" || input.substr(input.size() - 4) != "PAR1")
    return std::nullopt;
  const uint64_t length = Le(input, input.size() - 8, 4);
  if (length > input.size() - 12) return std::nullopt;
  StatusOr<uint64_t> rows =
      datafile::ParquetRowCountFromFooter(input.substr(input.size() - 8 - length, length), "model");
  if (!rows.ok()) return std::nullopt;
  return *rows;
}

Expected Npz() {
  StatusOr<datafile::InputFile> file = datafile::InputFile::Open(ScratchPath());
  FUZZ_CHECK(file.ok(), "cannot open the scratch file");
  StatusOr<datafile::NpzInfo> info = datafile::ReadNpzInfo(*file);
  if (!info.ok()) return std::nullopt;
  FUZZ_CHECK(!info->arrays.empty(), "an accepted .npz without arrays");
  bool differ = false;
  auto lead = [](const datafile::NpzArray& a) { return a.shape.empty() ? uint64_t{1} : a.shape[0]; };
  for (const datafile::NpzArray& a : info->arrays) differ |= lead(a) != lead(info->arrays[0]);
  FUZZ_CHECK(differ == info->leading_dims_differ, "leading_dims_differ is wrong");
  return lead(info->arrays[0]);
}

void CheckFormat(DataFormat format, std::string_view input, Expected want, bool exact) {
  const std::string name(datafile::FormatName(format));
  auto note = [&](const std::string& what) { return name + ": " + what + "\n  input: " + Escaped(input); };
  StatusOr<std::optional<uint64_t>> got = datafile::CountInstances(ScratchPath(), format);
  if (format == DataFormat::kOther) {
    FUZZ_CHECK(got.ok() && !got->has_value(), note("kOther counted something"));
    return;
  }
  if (got.ok()) {
    FUZZ_CHECK(got->has_value(), note("no count and no error"));
    if (exact) {
      FUZZ_CHECK(want.has_value(), note("counted " + std::to_string(**got) + " where the model finds an error"));
      FUZZ_CHECK(**got == *want, note("counted " + std::to_string(**got) + ", the model " + std::to_string(*want)));
    }
    return;
  }
  const Status& s = got.status();
  FUZZ_CHECK(s.code() == Code::kCorrupt || s.code() == Code::kInvalidArgument, note("error is " + s.message()));
  FUZZ_CHECK(s.message().starts_with(ScratchPath() + ":"),
             note("error does not name the file: " + Escaped(s.message())));
  if (exact) FUZZ_CHECK(!want.has_value(), note("error where the model counts: " + s.message()));
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  using datafile::DataFormat;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz::WriteScratch(input);

  const bool quotes = input.find('"') != std::string_view::npos;
  fuzz::CheckFormat(DataFormat::kCsv, input, fuzz::TextLines(input, true), !quotes);
  fuzz::CheckFormat(DataFormat::kTsv, input, fuzz::TextLines(input, true), !quotes);
  fuzz::CheckFormat(DataFormat::kJsonLines, input, fuzz::TextLines(input, false), true);
  fuzz::CheckFormat(DataFormat::kTfRecord, input, fuzz::TfRecords(input), true);
  fuzz::CheckFormat(DataFormat::kNpy, input, fuzz::Npy(input), true);
  fuzz::CheckFormat(DataFormat::kParquet, input, fuzz::Parquet(input), true);
  fuzz::CheckFormat(DataFormat::kNpz, input, fuzz::Npz(), true);
  fuzz::CheckFormat(DataFormat::kOther, input, std::nullopt, false);
  fuzz::CheckFormat(datafile::DetectFormat(fuzz::ScratchPath()), input, std::nullopt, false);
  return 0;
}
