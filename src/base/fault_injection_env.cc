#include "base/fault_injection_env.h"

#include <cmath>
#include <cstring>
#include <filesystem>

#include "base/paths.h"

namespace trail {
namespace {

std::string Parent(const std::string& path) { return std::filesystem::path(path).parent_path().string(); }

Status Failure(const char* op, const std::string& path, int err) {
  return IoError(std::string("cannot ") + op + " " + path + ": " + std::strerror(err));
}

}  // namespace

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionEnv* env, std::unique_ptr<WritableFile> base, std::string path, int node, bool append,
                    size_t offset, uint64_t generation)
      : env_(env),
        base_(std::move(base)),
        path_(std::move(path)),
        node_(node),
        append_(append),
        offset_(offset),
        generation_(generation) {}

  Status Append(std::string_view data) override {
    if (auto s = env_->Injected("append", path_)) return *s;
    TRAIL_RETURN_IF_ERROR(base_->Append(data));
    std::lock_guard<std::mutex> lock(env_->mu_);
    if (generation_ != env_->generation_) return Status::Ok();
    std::string& bytes = env_->nodes_[node_].data;
    if (append_) offset_ = bytes.size();
    if (bytes.size() < offset_ + data.size()) bytes.resize(offset_ + data.size());
    bytes.replace(offset_, data.size(), data);
    offset_ += data.size();
    return Status::Ok();
  }

  Status Sync() override {
    if (auto s = env_->Injected("sync", path_)) return *s;
    TRAIL_RETURN_IF_ERROR(base_->Sync());
    std::lock_guard<std::mutex> lock(env_->mu_);
    if (generation_ != env_->generation_) return Status::Ok();
    FaultInjectionEnv::Node& n = env_->nodes_[node_];
    n.synced = n.data;
    return Status::Ok();
  }

  Status Close() override {
    if (auto s = env_->Injected("close", path_)) return *s;
    return base_->Close();
  }

 private:
  FaultInjectionEnv* env_;
  std::unique_ptr<WritableFile> base_;
  std::string path_;
  int node_;
  bool append_;
  size_t offset_;
  uint64_t generation_;
};

void FaultInjectionEnv::FailAfter(uint64_t n, int err) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_after_ = n;
  fail_after_err_ = err;
}

void FaultInjectionEnv::FailMatching(std::function<bool(const Call&)> pred, int err) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_pred_ = std::move(pred);
  fail_pred_err_ = err;
}

void FaultInjectionEnv::ClearFailures() {
  std::lock_guard<std::mutex> lock(mu_);
  fail_after_.reset();
  fail_pred_ = nullptr;
}

uint64_t FaultInjectionEnv::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

void FaultInjectionEnv::SetTime(double unix_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  time_ = unix_seconds;
}

double FaultInjectionEnv::NowUnixSeconds() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (time_) return *time_;
  }
  return base_->NowUnixSeconds();
}

uint64_t FaultInjectionEnv::NowMicros() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (time_) return static_cast<uint64_t>(std::llround(*time_ * 1e6));
  }
  return base_->NowMicros();
}

std::optional<Status> FaultInjectionEnv::Injected(const char* op, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t index = ++calls_;
  if (fail_after_ && index > *fail_after_) return Failure(op, path, fail_after_err_);
  if (fail_pred_ && fail_pred_(Call{index, op, path})) return Failure(op, path, fail_pred_err_);
  return std::nullopt;
}

// ---- the shadow of the file system ------------------------------------------------------------
// A path is tracked from the first time a call touches it; what it held then counts as durable.

void FaultInjectionEnv::TrackLocked(const std::string& path) {
  if (now_.count(path)) return;
  int node = kAbsent;
  if (base_->IsDir(path)) {
    node = NewNodeLocked(/*dir=*/true);
  } else if (auto text = base_->ReadFile(path); text.ok()) {
    node = NewNodeLocked(/*dir=*/false);
    nodes_[node].data = nodes_[node].synced = *text;
  }
  now_[path] = durable_[path] = node;
}

void FaultInjectionEnv::TrackTreeLocked(const std::string& path) {
  TrackLocked(path);
  if (!base_->IsDir(path)) return;
  for (const std::string& name : base_->ListDir(path)) TrackTreeLocked(path + "/" + name);
}

int FaultInjectionEnv::NewNodeLocked(bool dir) {
  const int id = next_node_++;
  nodes_[id].dir = dir;
  return id;
}

// `path` now leads to `node`; durable once `folder` is synced.
void FaultInjectionEnv::SetNameLocked(const std::string& path, int node, const std::string& folder) {
  now_[path] = node;
  pending_[path].insert(folder);
}

bool FaultInjectionEnv::DurablyPresentLocked(const std::string& path) const {
  auto it = durable_.find(path);
  if (it == durable_.end() || it->second == kAbsent) return false;
  // A name inside a folder that a power cut takes away goes with it.
  for (std::string p = Parent(path); !p.empty() && p != "/"; p = Parent(p)) {
    auto up = durable_.find(p);
    if (up != durable_.end() && (up->second == kAbsent || !nodes_.at(up->second).dir)) return false;
  }
  return true;
}

// ---- calls ------------------------------------------------------------------------------------

StatusOr<std::unique_ptr<WritableFile>> FaultInjectionEnv::OpenForWrite(const std::string& path, OpenMode mode) {
  if (auto s = Injected("open", path)) return *s;
  std::lock_guard<std::mutex> lock(mu_);
  TrackLocked(path);  // before the open creates it: what was there before is what is durable
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, base_->OpenForWrite(path, mode));
  int node = now_[path];
  if (node == kAbsent) {
    node = NewNodeLocked(/*dir=*/false);
    SetNameLocked(path, node, Parent(path));
  } else if (mode == OpenMode::kTruncate) {
    nodes_[node].data.clear();
  }
  return std::unique_ptr<WritableFile>(
      new FaultWritableFile(this, std::move(file), path, node, mode == OpenMode::kAppend, 0, generation_));
}

StatusOr<std::string> FaultInjectionEnv::ReadFile(const std::string& path) {
  if (auto s = Injected("read", path)) return *s;
  return base_->ReadFile(path);
}

Status FaultInjectionEnv::Rename(const std::string& from, const std::string& to) {
  if (auto s = Injected("rename", from)) return *s;
  std::lock_guard<std::mutex> lock(mu_);
  TrackTreeLocked(from);
  TrackTreeLocked(to);
  TRAIL_RETURN_IF_ERROR(base_->Rename(from, to));
  // The whole subtree moves; its names inside it stay as durable as they were, but each is
  // reached through the renamed entry, durable once the two parents are synced.
  std::vector<std::pair<std::string, std::string>> moves;  // old path, new path
  for (const auto& [path, node] : now_) {
    if (path == from || IsBelow(path, from)) moves.emplace_back(path, to + path.substr(from.size()));
  }
  for (auto& [path, node] : now_) {
    if ((path == to || IsBelow(path, to)) && node != kAbsent) SetNameLocked(path, kAbsent, Parent(to));  // replaced
  }
  std::map<std::string, int> moved_nodes;
  for (const auto& [old_path, new_path] : moves) moved_nodes[new_path] = now_[old_path];
  for (const auto& [old_path, new_path] : moves) {
    if (now_[old_path] != kAbsent) SetNameLocked(old_path, kAbsent, Parent(from));
  }
  for (const auto& [old_path, new_path] : moves) {
    if (!durable_.count(new_path)) durable_[new_path] = kAbsent;
    std::set<std::string> folders = {Parent(to)};
    for (const std::string& f : pending_[old_path]) {
      if (f == Parent(from) && old_path == from) continue;
      folders.insert(f == from || IsBelow(f, from) ? to + f.substr(from.size()) : f);
    }
    now_[new_path] = moved_nodes[new_path];
    pending_[new_path].insert(folders.begin(), folders.end());
  }
  return Status::Ok();
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  if (auto s = Injected("remove", path)) return *s;
  std::lock_guard<std::mutex> lock(mu_);
  TrackLocked(path);
  TRAIL_RETURN_IF_ERROR(base_->RemoveFile(path));
  SetNameLocked(path, kAbsent, Parent(path));
  return Status::Ok();
}

Status FaultInjectionEnv::RemoveAll(const std::string& path) {
  if (auto s = Injected("remove_all", path)) return *s;
  std::lock_guard<std::mutex> lock(mu_);
  TrackTreeLocked(path);
  TRAIL_RETURN_IF_ERROR(base_->RemoveAll(path));
  for (auto& [p, node] : now_) {
    if ((p == path || IsBelow(p, path)) && node != kAbsent) SetNameLocked(p, kAbsent, Parent(p));
  }
  return Status::Ok();
}

Status FaultInjectionEnv::MakeDirs(const std::string& path) {
  if (auto s = Injected("make_dirs", path)) return *s;
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> missing;  // deepest first
  for (std::string p = path; !p.empty() && p != "/" && !base_->IsDir(p); p = Parent(p)) missing.push_back(p);
  for (const std::string& p : missing) TrackLocked(p);
  TRAIL_RETURN_IF_ERROR(base_->MakeDirs(path));
  for (const std::string& p : missing) SetNameLocked(p, NewNodeLocked(/*dir=*/true), Parent(p));
  return Status::Ok();
}

Status FaultInjectionEnv::SyncDir(const std::string& path) {
  if (auto s = Injected("sync_dir", path)) return *s;
  TRAIL_RETURN_IF_ERROR(base_->SyncDir(path));
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = pending_.begin(); it != pending_.end();) {
    it->second.erase(path);
    if (it->second.empty()) {
      durable_[it->first] = now_[it->first];
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return Status::Ok();
}

StatusOr<uint64_t> FaultInjectionEnv::FileSize(const std::string& path) {
  if (auto s = Injected("size", path)) return *s;
  return base_->FileSize(path);
}

StatusOr<double> FaultInjectionEnv::ModifiedTime(const std::string& path) {
  if (auto s = Injected("mtime", path)) return *s;
  return base_->ModifiedTime(path);
}

// The base's lock may block, so mu_ is not held while waiting for it.
StatusOr<FileLock> FaultInjectionEnv::Lock(const std::string& path, LockMode mode) {
  if (auto s = Injected("lock", path)) return *s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    TrackLocked(path);
  }
  TRAIL_ASSIGN_OR_RETURN(FileLock held, base_->Lock(path, mode));
  std::lock_guard<std::mutex> lock(mu_);
  TrackLocked(path);
  if (now_[path] == kAbsent) SetNameLocked(path, NewNodeLocked(/*dir=*/false), Parent(path));
  return held;
}

StatusOr<FileLock> FaultInjectionEnv::TryLock(const std::string& path, bool create) {
  if (auto s = Injected("lock", path)) return *s;
  std::lock_guard<std::mutex> lock(mu_);
  TrackLocked(path);
  TRAIL_ASSIGN_OR_RETURN(FileLock held, base_->TryLock(path, create));
  if (now_[path] == kAbsent) SetNameLocked(path, NewNodeLocked(/*dir=*/false), Parent(path));
  return held;
}

// ---- the power cut ----------------------------------------------------------------------------

Status FaultInjectionEnv::DropUnsyncedData() {
  std::lock_guard<std::mutex> lock(mu_);
  // Children before parents: take away what must go.
  for (auto it = now_.rbegin(); it != now_.rend(); ++it) {
    const std::string& path = it->first;
    const bool keep = DurablyPresentLocked(path);
    const int target = keep ? durable_[path] : kAbsent;
    const bool on_disk = base_->Exists(path);
    if (!on_disk) continue;
    if (target == kAbsent || nodes_[target].dir != base_->IsDir(path)) {
      TRAIL_RETURN_IF_ERROR(base_->RemoveAll(path));
    }
  }
  // Parents before children: bring back what must be there, as it was synced.
  for (const auto& [path, node_now] : now_) {
    if (!DurablyPresentLocked(path)) continue;
    const Node& target = nodes_[durable_[path]];
    if (target.dir) {
      TRAIL_RETURN_IF_ERROR(base_->MakeDirs(path));
      continue;
    }
    if (node_now == durable_[path] && target.data == target.synced && base_->Exists(path)) continue;
    TRAIL_RETURN_IF_ERROR(base_->MakeDirs(Parent(path)));
    TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, base_->OpenForWrite(path, OpenMode::kTruncate));
    TRAIL_RETURN_IF_ERROR(file->Append(target.synced));
    TRAIL_RETURN_IF_ERROR(file->Close());
  }
  now_.clear();
  durable_.clear();
  pending_.clear();
  nodes_.clear();
  ++generation_;
  return Status::Ok();
}

}  // namespace trail
