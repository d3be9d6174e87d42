#include "remote/folder_backend.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <filesystem>

#include "base/errors.h"
#include "base/files.h"
#include "remote/local_file.h"

namespace trail::remote {
namespace {}  // namespace

Status FolderBackend::Save(const std::string& name, std::string_view bytes) {
  TRAIL_RETURN_IF_ERROR(CheckName(name));
  TRAIL_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::Create(PathOf(name), /*make_parents=*/true));
  TRAIL_RETURN_IF_ERROR(WriteAll(file.fd(), bytes, PathOf(name)));
  return file.Commit();
}

Status FolderBackend::SaveFile(const std::string& name, const std::string& local_path, const ProgressFn& progress) {
  TRAIL_RETURN_IF_ERROR(CheckName(name));
  ScopedFd in{::open(local_path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return ErrnoError("cannot open", local_path);
  TRAIL_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::Create(PathOf(name), /*make_parents=*/true));
  TRAIL_RETURN_IF_ERROR(CopyFile(in.fd, local_path, file.fd(), PathOf(name), progress));
  return file.Commit();
}

StatusOr<std::string> FolderBackend::Load(const std::string& name, uint64_t offset, uint64_t length) {
  TRAIL_RETURN_IF_ERROR(CheckName(name));
  const std::string path = PathOf(name);
  ScopedFd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return NotFound(path + " does not exist");
    return ErrnoError("cannot open", path);
  }
  struct stat st;
  if (::fstat(in.fd, &st) != 0) return ErrnoError("cannot stat", path);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  // A range past the end yields what exists (possibly nothing), as an S3 GET with Range does.
  if (offset >= size) return std::string();
  uint64_t want = size - offset;
  if (length != 0) want = std::min(want, length);
  std::string out(want, '\0');
  uint64_t done = 0;
  while (done < want) {
    ssize_t n = ::pread(in.fd, out.data() + done, want - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot read", path);
    }
    if (n == 0) break;  // shrank under us; files here are immutable, so this is someone else's doing
    done += static_cast<uint64_t>(n);
  }
  out.resize(done);
  return out;
}

Status FolderBackend::LoadFile(const std::string& name, const std::string& local_path, const ProgressFn& progress) {
  TRAIL_RETURN_IF_ERROR(CheckName(name));
  const std::string path = PathOf(name);
  ScopedFd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return NotFound(path + " does not exist");
    return ErrnoError("cannot open", path);
  }
  TRAIL_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::Create(local_path, /*make_parents=*/false));
  TRAIL_RETURN_IF_ERROR(CopyFile(in.fd, path, file.fd(), local_path, progress));
  return file.Commit();
}

StatusOr<std::optional<uint64_t>> FolderBackend::Stat(const std::string& name) {
  TRAIL_RETURN_IF_ERROR(CheckName(name));
  struct stat st;
  if (::stat(PathOf(name).c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<uint64_t>();
    return ErrnoError("cannot stat", PathOf(name));
  }
  if (!S_ISREG(st.st_mode)) return std::optional<uint64_t>();
  return std::optional<uint64_t>(static_cast<uint64_t>(st.st_size));
}

StatusOr<std::vector<ObjectInfo>> FolderBackend::List(const std::string& prefix) {
  // Walk only the deepest folder the prefix names completely: "packs/ab" walks "packs".
  const size_t slash = prefix.find_last_of('/');
  const std::string start = slash == std::string::npos ? root_ : PathOf(prefix.substr(0, slash));
  std::vector<ObjectInfo> out;
  std::error_code ec;
  namespace fs = std::filesystem;
  fs::recursive_directory_iterator it(start, ec), end;
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) return out;
    return IoError("cannot list " + start + ": " + ec.message());
  }
  const size_t root_len = root_.size() + 1;
  for (; it != end; it.increment(ec)) {
    if (ec) return IoError("cannot list " + start + ": " + ec.message());
    // A file removed between readdir and stat is simply not listed.
    std::error_code stat_ec;
    if (!it->is_regular_file(stat_ec)) continue;
    std::string full = it->path().string();
    std::string name = full.substr(root_len);
    if (IsTempName(it->path().filename().string()) || name.compare(0, prefix.size(), prefix) != 0) continue;
    uint64_t size = it->file_size(stat_ec);
    if (stat_ec) continue;
    out.push_back({std::move(name), size});
  }
  if (ec) return IoError("cannot list " + start + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.name < b.name; });
  return out;
}

Status FolderBackend::Remove(const std::string& name) {
  TRAIL_RETURN_IF_ERROR(CheckName(name));
  if (::unlink(PathOf(name).c_str()) != 0 && errno != ENOENT && errno != ENOTDIR) {
    return ErrnoError("cannot remove", PathOf(name));
  }
  return Status::Ok();
}

Status FolderBackend::RemoveAbandonedTemps(int64_t min_age_s) {
  namespace fs = std::filesystem;
  const std::time_t now = std::time(nullptr);
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
    if (!IsTempName(it->path().filename().string())) continue;
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) || now - st.st_mtime < min_age_s) continue;
    if (::unlink(it->path().c_str()) != 0 && errno != ENOENT) return ErrnoError("cannot remove", it->path().string());
  }
  if (ec && ec != std::errc::no_such_file_or_directory) return IoError("cannot list " + root_ + ": " + ec.message());
  return Status::Ok();
}

}  // namespace trail::remote
