// The start of a run, shared by `trail run` and in-process sessions: params
// and config checked, id allocated, record begun with the whole context
// captured (code snapshot included), start.yaml written atomically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "project/project.h"
#include "recording/live_run.h"
#include "trail/status.h"

namespace trail {

struct RunStart {
  std::vector<std::string> argv;  // the command (what the record's `command` says)
  std::string cwd;                // absolute
  std::string name;
  std::string parent;
  std::string reproduces;        // the run this one reproduces (`trail reproduce`)
  Json params = Json::object();  // merged over params files and the command's own options
  bool params_from_args = true;  // read --key value options of argv
  Json tags = Json::object();
  Json hyperparameters;                     // a sweep's searched space, or null
  Json data;                                // the record's `data:` list (run_data.h), or null
  std::vector<std::string> artifact_paths;  // --artifact, absolute
  std::optional<int64_t> seed;              // `trail run --seed N`: recorded as `seed: N`
  // NAME=VALUE the command runs with over this process's environment; the
  // record's environment.variables are captured from the result.
  std::vector<std::string> env_overrides;
  // Continue this run (id, number or uid) instead of starting one (recording/resume.h);
  // `force`: even a finished one.
  std::string resume;
  bool force = false;
  // One rank of several processes recording one run (rank_group.h): the record's `ranks:` block.
  Json ranks;
  // Take over this queued run (an id; recording/queued_run.h) instead of allocating one: the
  // job's `trail run --queued-run ID` on a batch node.
  std::string queued_run;
};

struct BegunRun {
  LiveRun run;
  Json record;  // as written to start.yaml
  // A resumed run: the last recorded step of any metric (-1: none). Empty for a new run.
  std::optional<int64_t> resume_step;
};

// Bad params or config fail before anything is written. Warnings met while
// capturing go into the record's `warnings` and into `*warnings`.
StatusOr<BegunRun> BeginRun(Project& project, const RunStart& start, std::vector<std::string>* warnings);

}  // namespace trail
