// A backend over a local folder, or a shared one (NFS): each name is a file under the root.
//
// Writes are temp file + fsync + rename + fsync of the directory, so a reader on another
// machine sees a whole file or none, and a crash leaves at most a temp file that List ignores.
#pragma once

#include <string>

#include "remote/backend.h"

namespace trail::remote {

class FolderBackend : public Backend {
 public:
  // `root` is an absolute path; it is created on the first Save if missing.
  explicit FolderBackend(std::string root) : root_(std::move(root)) {}

  std::string Describe() const override { return root_; }
  Status Save(const std::string& name, std::string_view bytes) override;
  Status SaveFile(const std::string& name, const std::string& local_path, const ProgressFn& progress) override;
  StatusOr<std::string> Load(const std::string& name, uint64_t offset, uint64_t length) override;
  Status LoadFile(const std::string& name, const std::string& local_path, const ProgressFn& progress) override;
  StatusOr<std::optional<uint64_t>> Stat(const std::string& name) override;
  StatusOr<std::vector<ObjectInfo>> List(const std::string& prefix) override;
  Status Remove(const std::string& name) override;
  // Temp files (IsTempName) last modified more than `min_age_s` ago: mtime, not a pid, because
  // the writer may be another machine sharing the folder.
  Status RemoveAbandonedTemps(int64_t min_age_s) override;

 private:
  std::string PathOf(const std::string& name) const { return root_ + "/" + name; }
  std::string root_;
};

}  // namespace trail::remote
