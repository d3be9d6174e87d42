// Where a stored run's metric series lives, named by its content: a file beside the record (its
// git blob id) or a file in the object store (its oid). A reader that caches parsed series keys
// them by this id, which changes whenever the content does, so a cache can never be stale.
#pragma once

#include <string>

#include "base/yaml.h"
#include "project/project.h"
#include "trail/status.h"

namespace trail {

struct SeriesContent {
  // "blob:<git blob id>" or "sha256:<hex>" (the store oid): distinct spaces, never equal.
  std::string id;
};

// The content id of a series `ref` (the record's metrics.series value: a file name beside the
// record, checked to stay in the run's folder, or {oid, size}). Reads one tree of the branch,
// not the series itself. NotFound when the record names a file the branch does not hold;
// Corrupt for a reference that is neither.
StatusOr<SeriesContent> LocateSeries(Project& project, const StoredRun& run, const Json& ref);

// The TSV bytes of a located series (at most 1 GiB, as Project::ReadSeries).
StatusOr<std::string> ReadSeriesContent(Project& project, const SeriesContent& content);

}  // namespace trail
