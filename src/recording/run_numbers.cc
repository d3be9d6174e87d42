#include "recording/run_numbers.h"

#include <algorithm>

#include "base/files.h"
#include "base/numbers.h"
#include "record/record.h"
#include "recording/live_folder.h"

namespace trail {
namespace {

// In the shared state folder (.git/trail/): the last number handed out in this repository.
constexpr const char* kCounterFile = "counter";

int64_t MaxNumberOnBranch(Project& project) {
  auto tip = project.repo().ResolveRef(project.runs_ref());
  if (!tip.ok() || !*tip) return 0;
  return MaxRunNumberIn(project, **tip);
}

int64_t NextNumber(Project& project) {
  std::string counter_path = JoinPath(project.shared_dir(), kCounterFile);
  int64_t last = 0;
  if (auto text = project.env().ReadFile(counter_path); text.ok()) {
    std::string t = *text;
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
    last = ParseInt(t).value_or(0);
  }
  last = std::max(last, MaxNumberOnBranch(project));
  for (const auto& name : project.env().ListDir(project.live_dir())) {
    if (IsRunFolder(name)) last = std::max(last, record::RunNumberOf(name).value_or(0));
  }
  return last + 1;
}

Status SaveCounter(Project& project, int64_t number) {
  // Not synced: the live folder and the branch also hold the number.
  return WriteFileAtomic(project.env(), JoinPath(project.shared_dir(), kCounterFile), std::to_string(number) + "\n",
                         /*sync=*/false);
}

}  // namespace

int64_t MaxRunNumberIn(Project& project, const std::string& commit) {
  auto shards = project.repo().ListDir(commit, record::kRunsDir);
  if (!shards.ok() || shards->empty()) return 0;
  // Only the highest shard can hold the highest number: cost does not grow with the run count.
  std::string top;
  int64_t top_value = -1;
  for (const auto& e : *shards) {
    auto v = ParseInt(e.name);
    if (e.is_tree && v && *v > top_value) {
      top_value = *v;
      top = e.name;
    }
  }
  if (top.empty()) return 0;
  auto runs = project.repo().ListDir(commit, std::string(record::kRunsDir) + "/" + top);
  int64_t best = 0;
  if (runs.ok()) {
    for (const auto& e : *runs) best = std::max(best, record::RunNumberOf(e.name).value_or(0));
  }
  return best;
}

StatusOr<int64_t> TakeRunNumberLocked(Project& project, int64_t floor) {
  const int64_t number = std::max(NextNumber(project), floor + 1);
  TRAIL_RETURN_IF_ERROR(SaveCounter(project, number));
  return number;
}

void DropCodeRefIfOurs(Project& project, const std::string& old_id, const std::string& snapshot) {
  const std::string ref = "refs/trail/code/" + old_id;
  auto at = project.repo().ResolveRef(ref);
  if (at.ok() && *at && **at == snapshot) (void)project.repo().DeleteRef(ref);
}

}  // namespace trail
