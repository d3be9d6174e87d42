// Data snapshots: a small, reproducible sample of a training file kept with a run ("keep a 1%
// snapshot of the data"), so the run's data can be inspected or re-used after the original is
// gone. docs/formats/data-snapshots.md specifies the sampling rule and its guarantee.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "datafile/format.h"
#include "datafile/sampler.h"
#include "trail/status.h"

namespace trail::datafile {

struct SnapshotOptions {
  double fraction = 0.01;  // in (0, 1]; the kept fraction is 1/round(1/fraction) (sampler.h)
  uint64_t seed = 0;
  // CSV/TSV: a header column name; JSON Lines: a top-level key. Empty: no stratification.
  std::string stratify_column;
  // When set, sees every block of the input in order where the format is read in one sequential
  // pass (CSV, TSV, JSON Lines), so the caller can hash the file in the same pass.
  std::function<void(std::string_view)> observe_blocks = nullptr;
};

struct SnapshotResult {
  uint64_t rows_in = 0;  // instances read (CSV/TSV: without the header)
  uint64_t rows_kept = 0;
  std::map<std::string, ClassCount> classes;  // per class value, when stratified
  bool observed_whole_file = false;           // observe_blocks saw every byte of the input, in order
};

// Writes the sample of `in_path` to `out_path`, replacing it atomically (a temporary file beside
// it, renamed when complete). One pass over the input in bounded memory (the stratified
// samplers aside, at most 100,000 classes). The same input, fraction and seed always give
// byte-identical output. Supported: CSV, TSV, JSON Lines, TFRecord (no stratification), .npy
// (C order, no stratification). Others are InvalidArgument. `out_path` must not be the input.
StatusOr<SnapshotResult> WriteSnapshot(const std::string& in_path, DataFormat format, const std::string& out_path,
                                       const SnapshotOptions& options);

}  // namespace trail::datafile
