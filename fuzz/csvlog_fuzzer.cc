// Fuzzes the Keras CSVLogger readers: CsvLogParser (header, separator detection, quoted cells,
// numbers) and the incremental CsvLogReader.
//
// Checks, beyond "never crashes":
//   - ParseLine's count is exactly the points it added; the header adds none; every point has
//     the time the line was read at.
//   - CsvLogReader, reading the input as a file (Poll, then Finish), adds exactly the points of a
//     parser fed the input's '\n'-separated lines in memory, with the same warnings -- and so does
//     a reader that sees the file written in two parts (cut where the input's first byte says)
//     with a Poll in between.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/check.h"
#include "fuzz/scratch_file.h"
#include "ingest/csv_log_parser.h"
#include "ingest/csv_log_reader.h"
#include "metrics/metric_set.h"

namespace trail::fuzz {
namespace {

constexpr double kNow = 1700000000.5;

void CheckSameSets(const metrics::MetricSet& want, const metrics::MetricSet& got, const char* what) {
  FUZZ_CHECK(want.Keys() == got.Keys(), std::string(what) + ": keys differ from the model's");
  for (const std::string& key : want.Keys()) {
    const auto& a = *want.Series(key);
    const auto& b = *got.Series(key);
    FUZZ_CHECK(a.size() == b.size(), std::string(what) + ": series '" + Escaped(key) + "' has another length");
    for (size_t i = 0; i < a.size(); ++i) {
      FUZZ_CHECK(a[i].step == b[i].step && SameDouble(a[i].value, b[i].value),
                 std::string(what) + ": point " + std::to_string(i) + " of '" + Escaped(key) + "' differs");
    }
  }
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // Lines over the reader's 1 MiB cap are skipped by the reader only; inputs that large say
  // nothing new.
  if (size > (size_t{1} << 20)) return 0;

  // The model: the parser fed every line.
  ingest::CsvLogParser parser(fuzz::ScratchPath(), "p/");
  metrics::MetricSet model;
  std::vector<std::string> model_warnings;
  std::string_view rest = input;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    const int64_t before = model.TotalPoints();
    const bool had_header = parser.has_header();
    const int64_t n = parser.ParseLine(line, fuzz::kNow, model, &model_warnings);
    FUZZ_CHECK(n == model.TotalPoints() - before, "ParseLine's count is not the points added");
    FUZZ_CHECK(had_header || n == 0, "the header line added points");
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  }
  for (const std::string& key : model.Keys()) {
    for (const metrics::Point& p : *model.Series(key)) {
      FUZZ_CHECK(p.time == fuzz::kNow, "a point without the time it was read");
    }
  }

  for (int parts = 1; parts <= 2; ++parts) {
    const size_t cut = parts == 1 || size == 0 ? size : static_cast<size_t>(data[0]) * size / 256;
    fuzz::WriteScratch(input.substr(0, cut), /*append=*/false);
    ingest::CsvLogReader reader(fuzz::ScratchPath(), "p/");
    metrics::MetricSet set;
    std::vector<std::string> warnings;
    StatusOr<int64_t> first = reader.Poll(fuzz::kNow, set, &warnings);
    fuzz::WriteScratch(input.substr(cut), /*append=*/true);
    StatusOr<int64_t> second = reader.Finish(fuzz::kNow, set, &warnings);
    FUZZ_CHECK(first.ok() && second.ok(), "reading a plain file failed");
    FUZZ_CHECK(*first + *second == set.TotalPoints(), "the counts are not the points added");
    fuzz::CheckSameSets(model, set, parts == 1 ? "one read" : "two reads");
    FUZZ_CHECK(warnings == model_warnings, "the reader's warnings differ from the parser's");
    FUZZ_CHECK(reader.offset() == size, "Finish did not consume the whole file");
  }
  return 0;
}
