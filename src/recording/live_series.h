// Reading a run in progress from outside its recorder: the web UI's first draw of a live chart
// and its watchers that poll for new points. Readers take no lock and write nothing (the
// recorder must never wait for a viewer), read complete lines only, and take the live folder
// disappearing at any moment as what it means: the run has finished (its record is on the branch).
// The files are named in record/live_files.h (docs/formats/live-runs.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "metrics/series_columns.h"
#include "project/project.h"
#include "trail/status.h"

namespace trail {

// The id of a run of `project` that `ref` names, "<project>-<number>", for a ref that comes from
// outside (an HTTP request): the id itself or its number ("58"), checked before any path is made
// from it (no '/', no "..", nothing but this project's id form). InvalidArgument otherwise. Does
// not look at the disk.
StatusOr<std::string> LiveRunId(const Project& project, const std::string& ref);

// The start record (start.yaml) of the live run `ref` names (LiveRunId); NotFound "<ref> is not
// running" when it has no live folder (never started, or finished).
StatusOr<Json> ReadLiveStart(Project& project, const std::string& ref);

// Where a reader got to in one of the live metric files.
struct LiveFileCursor {
  int64_t offset = 0;  // bytes consumed: the end of the last complete line read
  // Points read so far per metric: a line without step or epoch numbers its points by their
  // metric's own count, which goes on from here (MetricSet::ContinueCount).
  std::map<std::string, int64_t> counts;
};

struct LiveFileCursors {
  LiveFileCursor metrics;  // metrics.jsonl: the program's own lines
  LiveFileCursor output;   // output_metrics.jsonl: metrics trail parsed from the output
  LiveFileCursor files;    // file_metrics.jsonl: TensorBoard and CSVLogger files
  LiveFileCursor system;   // system_metrics.jsonl: the sampled system/... series
};

struct LiveSeries {
  std::map<std::string, metrics::SeriesColumns> metrics;  // new points per metric, in file order
  bool running = true;  // false: no live folder (any more); the run is on the branch or never was
};

// The points of the live run `ref` names appended since `cursors`, which it advances. The same
// parser and step rules as the recorder, so the chart agrees with the final record: steps from
// the line's step or epoch, else the metric's own count; a line without its own time gets the
// time the recorder read it at (metrics.marks), or now if it has not yet. As in the record, a
// name the program reports itself hides the same name from the output or metric files (from
// the time the reader has seen the program report it), metric files hide the output, and all of
// them hide the system sampler's series.
// Malformed lines are skipped (the record lists them as warnings). A file that shrank is read
// again from its start. Not an error when the run is not live: running = false, no points.
StatusOr<LiveSeries> ReadLiveSeries(Project& project, const std::string& ref, LiveFileCursors* cursors);

// Ids of the live folders, newest first, from one listing of .trail/live/ (no lock taken: a
// folder whose recorder died and that the next trail command will finalize is listed too).
std::vector<std::string> ListLiveRunIds(Project& project);

}  // namespace trail
