// Capture of a run's context: who ran what, where, on which code and machine,
// with which functions (the paper's Tables 1 and 3), filtered by the
// project's `context:` configuration. Shared by `trail run` and the dry run
// `trail context`.
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"
#include "project/context_config.h"
#include "project/project.h"

namespace trail {

struct CaptureOptions {
  std::vector<std::string> argv;  // the command (may be empty for `trail context`)
  std::string cwd;                // absolute
  // Write the code snapshot commit (and its ref, named after run_id). A dry
  // run only finds what differs from HEAD and writes nothing.
  bool dry_run = false;
  std::string run_id;
  // Output folders (relative to the root) kept as artifacts: not copied into the code snapshot.
  std::vector<std::string> artifact_dirs;
  // NAME=VALUE the command is started with over this process's environment
  // (`trail run --seed`): the environment captured is the command's.
  std::vector<std::string> env_overrides;
  // A resumed run: the snapshot of its previous attempt, made the new snapshot's second parent
  // (the first stays HEAD), so every attempt's code stays reachable from refs/trail/code/<id>.
  std::string previous_snapshot;
  // false: the snapshot commit is written but its ref is not set (a job with node-local locks
  // updates no ref; the login node names it when it commits the run, recording/ended_run.h).
  bool set_code_ref = true;
};

// The record fragment: user, host, command, cwd, code, environment (with
// the determinism `variables`), functions, seeds and context (custom fields), after include/exclude. Fail-soft:
// problems become `warnings`; the result is always usable.
Json CaptureContext(Project& project, const ContextConfig& config, const CaptureOptions& options,
                    std::vector<std::string>* warnings);

// Path of `p` relative to `root` when it lies inside it; "." for root itself.
std::string RelativeTo(const std::string& root, const std::string& p);

}  // namespace trail
