// `trail export`: the project's runs as flat tables other tools read (pandas, spreadsheets,
// Parquet converters): runs (one row per run), params, metrics (every series point) and tags
// (long form, one row per value), as CSV or JSON Lines (docs/export.md has the columns).
//
// Streamed: a table is written a run at a time, so memory does not grow with the number of runs
// (the runs table reads the listing twice: once for its column names, once for the rows).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "trail/project.h"
#include "trail/runs.h"
#include "trail/status.h"

namespace trail::api {

enum class ExportTable { kRuns, kParams, kMetrics, kTags };
enum class ExportFormat { kCsv, kJsonl };

// "runs" | "params" | "metrics" | "tags"; InvalidArgument naming the text otherwise.
StatusOr<ExportTable> ParseExportTable(const std::string& name);
// "csv" | "jsonl"; InvalidArgument naming the text otherwise.
StatusOr<ExportFormat> ParseExportFormat(const std::string& name);
// "runs", ... and the file a table gets in a folder: "runs.csv", "metrics.jsonl", ...
std::string ExportTableName(ExportTable table);
std::string ExportFileName(ExportTable table, ExportFormat format);

// Receives a table's text in pieces of a few tens of KB, in order; an error stops the export.
using ExportSink = std::function<Status(std::string_view)>;

// How many rows each table got.
struct ExportCounts {
  int64_t runs = 0, params = 0, metric_points = 0, tags = 0;
};

// Writes one table of the runs `query` selects (stored runs only: runs in progress are not on
// the branch yet) to `sink`. InvalidArgument for a bad query, before anything is written; a
// record whose series cannot be read is an error naming the run and the series.
Status ExportRunsTable(Project& project, const RunQuery& query, ExportTable table, ExportFormat format,
                       const ExportSink& sink, ExportCounts* counts = nullptr);

// Writes `tables` (by default all four) into the folder `dir` (created when missing, with its parents), each to
// a temporary file beside its final name, renamed into place only once all four are complete: on
// any error (a bad query, a folder that cannot be written, a full disk) no table file is left
// behind (all or none of the tables are), and a folder this call created is removed again. Existing files of the same
// names are replaced.
StatusOr<ExportCounts> ExportToFolder(Project& project, const RunQuery& query, ExportFormat format,
                                      const std::string& dir,
                                      const std::vector<ExportTable>& tables = {
                                          ExportTable::kRuns, ExportTable::kParams, ExportTable::kMetrics,
                                          ExportTable::kTags});

}  // namespace trail::api
