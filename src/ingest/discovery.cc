#include "ingest/discovery.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <deque>

namespace trail::ingest {
namespace {

bool SkippedDirectory(std::string_view name) {
  return name.empty() || name.front() == '.' || name == "__pycache__" || name == "node_modules";
}

double MtimeOf(const struct stat& st) {
  return static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) * 1e-9;
}

}  // namespace

bool IsEventFileName(std::string_view name) { return name.find("tfevents") != std::string_view::npos; }

bool IsCsvLogCandidateName(std::string_view name) { return name.ends_with(".csv") || name.ends_with(".log"); }

std::optional<bool> LooksLikeCsvLog(const std::string& path) {
  char head[16];
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = ::pread(fd, head, sizeof head, 0);
  ::close(fd);
  if (n < 0) return false;
  std::string_view text(head, static_cast<size_t>(n));
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  const std::string_view forms[] = {"epoch,", "epoch;", "epoch\t", "\"epoch\","};
  for (std::string_view form : forms) {
    if (text.substr(0, form.size()) == form) return true;
  }
  for (std::string_view form : forms) {
    if (form.substr(0, text.size()) == text) return std::nullopt;  // a prefix of a match: wait
  }
  return false;
}

std::string KeyPrefixFor(std::string_view relative_dir) {
  if (relative_dir.empty()) return "";
  return std::string(relative_dir) + "/";
}

Discovery FindFiles(const std::string& root_arg, const DiscoveryLimits& limits,
                    const std::function<bool(std::string_view name)>& want) {
  std::string root = root_arg;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  Discovery found;
  struct Pending {
    std::string relative;
    int depth;
  };
  std::deque<Pending> queue{{"", 0}};
  size_t entries = 0;
  std::vector<std::pair<std::string, unsigned char>> names;
  while (!queue.empty()) {
    Pending dir = std::move(queue.front());
    queue.pop_front();
    const std::string dir_path = dir.relative.empty() ? root : root + "/" + dir.relative;
    DIR* handle = ::opendir(dir_path.c_str());
    if (handle == nullptr) continue;  // gone, or not readable: nothing to find there
    names.clear();
    while (const struct dirent* entry = ::readdir(handle)) {
      std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      if (++entries > limits.max_entries) {
        found.truncated = true;
        break;
      }
      names.emplace_back(std::string(name), entry->d_type);
    }
    ::closedir(handle);
    std::sort(names.begin(), names.end());
    for (const auto& [name, type] : names) {
      const std::string relative = dir.relative.empty() ? name : dir.relative + "/" + name;
      const std::string path = root + "/" + relative;
      bool is_dir = type == DT_DIR;
      bool maybe_file = type == DT_REG || type == DT_LNK || type == DT_UNKNOWN;
      if (type == DT_UNKNOWN) {
        // Some filesystems do not fill d_type; lstat tells without following links.
        struct stat st;
        if (::lstat(path.c_str(), &st) != 0) continue;
        is_dir = S_ISDIR(st.st_mode);
        maybe_file = !is_dir;
      }
      if (is_dir) {
        if (dir.depth < limits.max_depth && !SkippedDirectory(name)) queue.push_back({relative, dir.depth + 1});
        continue;
      }
      if (!maybe_file || !want(name)) continue;
      struct stat st;
      if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      found.files.push_back(FoundFile{path, dir.relative, name, MtimeOf(st)});
    }
    if (found.truncated) break;
  }
  return found;
}

}  // namespace trail::ingest
