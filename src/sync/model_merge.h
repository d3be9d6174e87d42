// The model registry's part of merging another clone's runs branch (docs/formats/model-registry.md,
// "Merging").
//
// Version records are `models/<name>/versions/<n>.yaml`: two clones that registered versions of
// one model offline both wrote version n. As with runs, the remote's record keeps its number
// (it is already pushed, others may use it) and the local one moves to the next number free on
// both sides, with `renumbered_from`. Alias moves name versions by uid, so they keep pointing
// at the right record; their `version` / `from_version` numbers, kept for people reading the
// file, are rewritten to follow. Alias move files have unique names and merge as a union.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "git/repo.h"
#include "trail/status.h"

namespace trail {

struct ModelVersionMove {
  std::string name;
  int64_t from = 0, to = 0;
  std::string local_oid;  // the local record's blob
};

// True when `path` is a version record both sides added with records of different uids.
// Corrupt when either record does not parse.
StatusOr<bool> IsVersionCollision(const git::Repo& repo, const std::string& path, const std::string& local_oid,
                                  const std::string& remote_oid);

// Gives each colliding version (`path` -> local blob) its new number, above every version of its
// model on `local` and `remote`, in the order of the old numbers.
StatusOr<std::vector<ModelVersionMove>> PlanVersionMoves(const git::Repo& repo, const std::string& local,
                                                         const std::string& remote,
                                                         const std::map<std::string, std::string>& colliding);

// The writes that put each moved version at its new path (renumbered record, its `run` following
// `renamed_runs`).
StatusOr<std::vector<git::FileWrite>> MovedVersionWrites(const git::Repo& repo,
                                                         const std::vector<ModelVersionMove>& moves,
                                                         const std::map<std::string, std::string>& renamed_runs);

// A version record written here whose run was renumbered by the same merge (old id -> new id):
// its `run` follows. Unchanged text otherwise.
StatusOr<std::string> FollowRenamedRun(const std::string& path, const std::string& text,
                                       const std::map<std::string, std::string>& renamed_runs);

// An alias move written here, its version numbers following `moves` (by uid); unchanged text when
// it names none of them.
StatusOr<std::string> FollowMovedVersions(const git::Repo& repo, const std::string& path, const std::string& text,
                                          const std::vector<ModelVersionMove>& moves);

}  // namespace trail
