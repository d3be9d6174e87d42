#include "base/mem_env.h"

#include <cmath>
#include <filesystem>

#include "base/paths.h"

namespace trail {

class MemWritableFile final : public WritableFile {
 public:
  // `offset`: where the next write goes; nullopt: always at the end (OpenMode::kAppend).
  MemWritableFile(MemEnv* env, std::string path, std::optional<size_t> offset)
      : env_(env), path_(std::move(path)), offset_(offset) {}
  Status Append(std::string_view data) override {
    if (closed_) return FailedPrecondition(path_ + " is closed");
    TRAIL_RETURN_IF_ERROR(env_->WriteAt(path_, offset_, data));
    if (offset_) *offset_ += data.size();
    return Status::Ok();
  }
  Status Sync() override { return closed_ ? FailedPrecondition(path_ + " is closed") : Status::Ok(); }
  Status Close() override {
    closed_ = true;
    return Status::Ok();
  }

 private:
  MemEnv* env_;
  std::string path_;
  std::optional<size_t> offset_;
  bool closed_ = false;
};

namespace {

std::string Normalized(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

// "Locked": mu_ is held.
bool MemEnv::IsDirLocked(const std::string& path) const {
  if (dirs_.count(path)) return true;
  // Implicit folders: any file below.
  auto it = files_.lower_bound(path + "/");
  return it != files_.end() && IsBelow(it->first, path);
}

StatusOr<std::unique_ptr<WritableFile>> MemEnv::OpenForWrite(const std::string& raw, OpenMode mode) {
  const std::string path = Normalized(raw);
  std::lock_guard<std::mutex> lock(mu_);
  if (IsDirLocked(path)) return IoError("cannot create " + path + ": it is a folder");
  const bool exists = files_.count(path) != 0;
  if (mode == OpenMode::kCreateNew && exists) return AlreadyExists(path + " already exists");
  if (mode == OpenMode::kOverwrite && !exists) return NotFound(path + " does not exist");
  if (mode == OpenMode::kTruncate || mode == OpenMode::kCreateNew) files_[path] = File{"", now_};
  if (mode == OpenMode::kAppend && !exists) files_[path] = File{"", now_};
  std::optional<size_t> offset;
  if (mode != OpenMode::kAppend) offset = 0;
  return std::unique_ptr<WritableFile>(new MemWritableFile(this, path, offset));
}

Status MemEnv::WriteAt(const std::string& path, std::optional<size_t> offset, std::string_view data) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return NotFound(path + " was removed while open");
  std::string& bytes = it->second.data;
  const size_t at = offset.value_or(bytes.size());
  if (bytes.size() < at + data.size()) bytes.resize(at + data.size());
  bytes.replace(at, data.size(), data);
  it->second.mtime = now_;
  return Status::Ok();
}

StatusOr<std::string> MemEnv::ReadFile(const std::string& raw) {
  const std::string path = Normalized(raw);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return NotFound(path + " does not exist");
  return it->second.data;
}

Status MemEnv::Rename(const std::string& raw_from, const std::string& raw_to) {
  const std::string from = Normalized(raw_from), to = Normalized(raw_to);
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = files_.find(from); it != files_.end()) {
    if (IsDirLocked(to)) return IoError("cannot rename " + from + " onto " + to + ": it is a folder");
    File f = std::move(it->second);
    files_.erase(it);
    files_[to] = std::move(f);
    return Status::Ok();
  }
  if (!IsDirLocked(from)) return NotFound(from + " does not exist");
  if (files_.count(to)) return IoError("cannot rename " + from + " onto " + to + ": it is a file");
  if (IsDirLocked(to)) {
    auto below = files_.lower_bound(to + "/");
    if (below != files_.end() && IsBelow(below->first, to))
      return IoError("cannot rename " + from + " onto " + to + ": the folder is not empty");
  }
  std::map<std::string, File> moved;
  for (auto it = files_.begin(); it != files_.end();) {
    if (IsBelow(it->first, from)) {
      moved[to + it->first.substr(from.size())] = std::move(it->second);
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  files_.merge(moved);
  std::set<std::string> dirs;
  for (const auto& d : dirs_) {
    if (d == from)
      dirs.insert(to);
    else if (IsBelow(d, from))
      dirs.insert(to + d.substr(from.size()));
    else
      dirs.insert(d);
  }
  dirs_ = std::move(dirs);
  return Status::Ok();
}

Status MemEnv::RemoveFile(const std::string& raw) {
  const std::string path = Normalized(raw);
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.erase(path) == 0) return NotFound(path + " does not exist");
  return Status::Ok();
}

Status MemEnv::RemoveAll(const std::string& raw) {
  const std::string path = Normalized(raw);
  std::lock_guard<std::mutex> lock(mu_);
  files_.erase(path);
  dirs_.erase(path);
  std::erase_if(files_, [&](const auto& f) { return IsBelow(f.first, path); });
  std::erase_if(dirs_, [&](const std::string& d) { return IsBelow(d, path); });
  return Status::Ok();
}

Status MemEnv::MakeDirs(const std::string& raw) {
  std::string path = Normalized(raw);
  std::lock_guard<std::mutex> lock(mu_);
  for (std::string p = path; !p.empty() && p != "/" && p != "."; p = std::filesystem::path(p).parent_path().string()) {
    if (files_.count(p)) return IoError("cannot create directory " + path + ": " + p + " is a file");
    dirs_.insert(p);
  }
  return Status::Ok();
}

Status MemEnv::SyncDir(const std::string& raw) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!IsDirLocked(Normalized(raw))) return IoError("cannot open directory " + raw);
  return Status::Ok();
}

std::vector<std::string> MemEnv::ListDir(const std::string& raw) {
  const std::string path = Normalized(raw);
  std::lock_guard<std::mutex> lock(mu_);
  std::set<std::string> names;
  auto add = [&](const std::string& p) {
    if (!IsBelow(p, path)) return;
    std::string rest = p.substr(path.size() + 1);
    names.insert(rest.substr(0, rest.find('/')));
  };
  for (const auto& [p, f] : files_) add(p);
  for (const auto& d : dirs_) add(d);
  return {names.begin(), names.end()};
}

bool MemEnv::Exists(const std::string& raw) {
  const std::string path = Normalized(raw);
  std::lock_guard<std::mutex> lock(mu_);
  return files_.count(path) != 0 || IsDirLocked(path);
}

bool MemEnv::IsDir(const std::string& raw) {
  std::lock_guard<std::mutex> lock(mu_);
  return IsDirLocked(Normalized(raw));
}

StatusOr<uint64_t> MemEnv::FileSize(const std::string& raw) {
  const std::string path = Normalized(raw);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return NotFound(path + " does not exist");
  return static_cast<uint64_t>(it->second.data.size());
}

StatusOr<double> MemEnv::ModifiedTime(const std::string& raw) {
  const std::string path = Normalized(raw);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return NotFound(path + " does not exist");
  return it->second.mtime;
}

StatusOr<FileLock> MemEnv::Lock(const std::string& path, LockMode) {
  return FailedPrecondition("cannot lock " + path + ": MemEnv has no locks");
}

StatusOr<FileLock> MemEnv::TryLock(const std::string& path, bool) {
  return FailedPrecondition("cannot lock " + path + ": MemEnv has no locks");
}

double MemEnv::NowUnixSeconds() {
  std::lock_guard<std::mutex> lock(mu_);
  return now_;
}

uint64_t MemEnv::NowMicros() {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<uint64_t>(std::llround(now_ * 1e6));
}

void MemEnv::SetTime(double unix_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ = unix_seconds;
}

void MemEnv::AdvanceTime(double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ += seconds;
}

}  // namespace trail
