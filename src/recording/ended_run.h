// Runs recorded where flock(2) locks do not hold between nodes (`cluster.locks: node-local`,
// docs/cluster.md). There, a lock free on the login node says nothing about a process on a
// compute node, so nothing may be decided or serialized by one across nodes:
//
//   on the job's node   the job's `trail run --queued-run ID` writes only into its own live folder
//                       and into the content-addressed object store (files written whole and
//                       renamed). It takes no repository lock, allocates no number and updates no
//                       ref: when its command has ended, ParkRun collects the run as FinalizeRun
//                       would (exit record, metrics, output, artifacts and long series stored)
//                       and writes the result as `ended.yaml`, the folder's last file.
//   on the login node   whoever follows the job (the sweep driver, `trail run --slurm --wait`) or
//                       the next command that recovers live runs commits it (CommitEndedRun):
//                       the code ref, then the record, under the writer lock, which holds there
//                       because every committer runs on that one node. A folder without
//                       `ended.yaml` is finalized from what it holds only when Slurm says its job
//                       has ended (MayRecoverNodeLocal), never because its lock looked free.
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"
#include "cluster/slurm.h"
#include "project/project.h"
#include "recording/finalize.h"
#include "recording/live_folder.h"
#include "trail/status.h"

namespace trail {

// True when this process runs inside a Slurm job (SLURM_JOB_ID) of a project whose locks are
// node-local: it must not commit, allocate or recover; its runs end with ParkRun.
bool RecordsInNodeLocalJob(const Project& project);

// Collects and stores `run` as FinalizeRun does, then writes it into the live folder as
// ended.yaml instead of committing it. Returns the record (canonical) as it will be committed.
// The folder stays, with the run's lock still held by the caller until it exits.
StatusOr<Json> ParkRun(Project& project, const LiveRun& run, const Json& start_record, const FinalizeOptions& options);

// Whether a live folder holds an ended run waiting to be committed.
bool IsEndedFolder(Env& env, const std::string& live_dir);

// Commits the ended run in `run` (its lock held by the caller): sets its code ref, commits the
// record and its files (CommitRun: idempotent, renumbered when its number was taken), removes
// the folder. ended.yaml is read as untrusted: its id must be the folder's and every file it
// names must lie under the run's `metrics/` folder. Returns the committed record.
StatusOr<Json> CommitEndedRun(Project& project, const LiveRun& run, std::vector<std::string>* warnings);

// Node-local locks, on the login node: whether live run `run` (not queued, not ended; start
// record `start`) may be finalized from what its folder holds. A run of a Slurm job may when
// Slurm says the job has ended (`job`, or asked now when null; a scheduler that does not answer
// means no), and then Slurm's verdict is written as job.json; a run of no job only when it
// was started on this host (its lock then says whether it is live).
bool MayRecoverNodeLocal(const LiveRun& run, const Json& start, const cluster::JobInfo* job);

}  // namespace trail
