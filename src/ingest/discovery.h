// Finding the files other tools write metrics to, under a directory tree.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trail::ingest {

struct DiscoveryLimits {
  int max_depth = 6;           // levels of directories below the root searched (files in the root: 0)
  size_t max_entries = 50000;  // directory entries looked at in one scan
};

struct FoundFile {
  std::string path;          // root + "/" + relative_path
  std::string relative_dir;  // the file's directory relative to the root; "" for the root itself
  std::string name;          // base name
  double mtime = 0;          // unix seconds, sub-second precision
};

struct Discovery {
  std::vector<FoundFile> files;
  bool truncated = false;  // max_entries ran out before the tree did
};

// Walks `root` breadth-first (so a limit cuts the deepest files first), directories in name
// order, and returns the regular files (or symlinks to them) for which want(name) is true.
// Never enters hidden directories (.git, .trail, .venv, ...), __pycache__ or node_modules, and
// never follows a symlink to a directory, which could loop. A missing root finds nothing.
Discovery FindFiles(const std::string& root, const DiscoveryLimits& limits,
                    const std::function<bool(std::string_view name)>& want);

// TensorBoard's own rule for event files: the name contains "tfevents".
bool IsEventFileName(std::string_view name);

// Names a Keras CSV log may have: *.csv and *.log.
bool IsCsvLogCandidateName(std::string_view name);

// Whether the file at `path` is a Keras CSVLogger file: its first line starts with "epoch" and a
// separator (',' ';' '\t'), after an optional UTF-8 byte order mark or opening quote, as
// CSVLogger writes its header. nullopt while the file is too short to tell (being written).
std::optional<bool> LooksLikeCsvLog(const std::string& path);

// The key prefix for metrics of a file in `relative_dir`: "" in the root, else "<dir>/".
std::string KeyPrefixFor(std::string_view relative_dir);

}  // namespace trail::ingest
