// The files of a live run folder, `.trail/live/<id>/` (docs/formats/live-runs.md): the one place
// their names are spelled. The recorder, the Python client's sessions, crash recovery, gc's roots
// and the sweep driver all read or write them; a name changed here is an on-disk format change.
//
//   lock           flock held by `trail run` and inherited by the child: while
//                  either lives the run is live; once both are gone the next
//                  trail command finalizes it (as crashed if no exit.json)
//   start.yaml     the record as known at start (atomic write)
//   metrics.jsonl  the TRAIL_METRICS file the child appends to
//   metrics.marks  (byte offset, time) pairs: when trail read which bytes
//   output.tail    last 64 KiB of output, rewritten every second
//   exit.reserve   blank space set aside for exit.json on a full disk
//   exit.json      the child's exit status, written before the final commit
//   stop           written by `trail sweep` before it stops a trial early: its
//                  text is the reason, and the run is recorded as pruned
//   output_metrics.jsonl  metrics trail parsed from the child's output
//   file_metrics.jsonl    metrics trail read from the TensorBoard and CSVLogger
//                  files the child writes, while it runs (the record reads the
//                  files themselves once more)
//   system_metrics.jsonl  the run's system metrics (CPU, memory, IO, network,
//                  GPUs) that trail samples every few seconds, as system/...
//                  metrics protocol lines
//   annotations.jsonl     what the program logged through the Python client
//                  ({"params": {...}}, {"tags": {...}}, {"function": {...}},
//                  {"artifact": {...}}), merged into the record
//   artifacts.json the state (size, mtime) of the artifact files at the start
//   resume.json    only in a resumed run: its earlier attempts, this attempt's
//                  start and the last recorded step (recording/resume.h)
//   output.previous  only in a resumed run: the output.log of its earlier
//                  attempts, which this attempt's output is appended to
//   queued         only while a run submitted to a batch scheduler waits for
//                  its job (`trail run --slurm`, a sweep's `executor: slurm`):
//                  the folder's lock is free and the run is not abandoned; the
//                  job's `trail run` removes it when it takes the run over
//   job.json       the scheduler's word on how the run's job ended ({status,
//                  state, reason}), merged into the record's `executor:`
#pragma once

namespace trail::record::live {

inline constexpr const char* kLockFile = "lock";
inline constexpr const char* kStartFile = "start.yaml";
inline constexpr const char* kMetricsFile = "metrics.jsonl";
inline constexpr const char* kMetricsMarksFile = "metrics.marks";
inline constexpr const char* kOutputTailFile = "output.tail";
inline constexpr const char* kExitReserveFile = "exit.reserve";
inline constexpr const char* kExitFile = "exit.json";
inline constexpr const char* kStopFile = "stop";
inline constexpr const char* kOutputMetricsFile = "output_metrics.jsonl";
inline constexpr const char* kFileMetricsFile = "file_metrics.jsonl";
inline constexpr const char* kSystemMetricsFile = "system_metrics.jsonl";
// Params, tags, Table 1 functions and artifacts the program logged through
// the Python client, one JSON object per line; merged into the record.
inline constexpr const char* kAnnotationsFile = "annotations.jsonl";
inline constexpr const char* kArtifactsStateFile = "artifacts.json";
inline constexpr const char* kResumeFile = "resume.json";
inline constexpr const char* kPreviousOutputFile = "output.previous";
inline constexpr const char* kQueuedFile = "queued";
inline constexpr const char* kJobOutcomeFile = "job.json";
// cluster.locks: node-local (recording/ended_run.h): the run ended and was collected on its node;
// the record and its files wait here for the login node to commit them.
inline constexpr const char* kEndedFile = "ended.yaml";

// Live folders being created (`.new-<id>-<pid>`) or removed (`.done-<id>-<pid>`) carry these
// prefixes: their leading dot tells every reader they are not runs.
inline constexpr const char* kCreatingPrefix = ".new-";
inline constexpr const char* kRemovingPrefix = ".done-";

}  // namespace trail::record::live
