// trail add / status / checkout: data versioning with pointer files (docs/data.md).
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "trail/data.h"
#include "trail/format.h"

namespace trail::cli {
namespace {

std::string Describe(const api::AddedData& p) {
  std::string s = api::FormatBytes(p.size);
  if (p.folder) s += ", " + std::to_string(p.files) + (p.files == 1 ? " file" : " files");
  return s;
}

}  // namespace

std::vector<std::string> Absolute(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) out.push_back(std::filesystem::absolute(p).lexically_normal().string());
  return out;
}

int CheckoutAndReport(api::Project& project, const std::vector<std::string>& paths, bool force) {
  auto done = api::CheckoutData(project, Absolute(paths), force);
  if (!done.ok()) return Fail(done.status());
  size_t restored = 0, broken = 0;
  for (const api::CheckedOut& c : *done) {
    if (!c.problem.empty()) {
      ++broken;
      PrintError(c.problem);
      continue;
    }
    if (!c.restored) continue;
    ++restored;
    std::printf("restored %s\n", c.path.c_str());
  }
  std::printf("%zu restored, %zu already up to date%s\n", restored, done->size() - restored - broken,
              broken == 0 ? "" : (", " + std::to_string(broken) + " not restored").c_str());
  return broken == 0 ? 0 : 1;
}

std::function<int()> SetupAdd(CLI::App& sub) {
  auto paths = std::make_shared<std::vector<std::string>>();
  sub.add_option("paths", *paths, "files or folders to version")->required();
  return [paths] {
    auto project = OpenProject();
    if (!project) return 1;
    auto added = api::AddData(*project, Absolute(*paths));
    if (!added.ok()) return Fail(added.status());
    std::string to_add;
    std::vector<std::string> ignores;
    for (const api::AddedData& a : *added) {
      for (const std::string& link : a.skipped)
        PrintWarning("not stored: " + api::EscapeForMessage(link) + " is a symbolic link or special file");
      if (std::find(ignores.begin(), ignores.end(), a.gitignore) == ignores.end()) ignores.push_back(a.gitignore);
      std::printf("%s %s (%s) %s\n", a.unchanged ? "unchanged" : "stored   ", a.path.c_str(), Describe(a).c_str(),
                  a.oid.substr(0, 19).c_str());
      to_add += " " + a.pointer_path;
    }
    for (const std::string& i : ignores) to_add += " " + i;
    std::printf("commit the pointers: git add%s && git commit\n", to_add.c_str());
    return 0;
  };
}

std::function<int()> SetupStatus(CLI::App& sub) {
  auto paths = std::make_shared<std::vector<std::string>>();
  sub.add_option("paths", *paths, "tracked data or pointer files (default: every pointer)");
  return [paths] {
    auto project = OpenProject();
    if (!project) return 1;
    auto data = api::DataStatus(*project, Absolute(*paths));
    if (!data.ok()) return Fail(data.status());
    size_t changed = 0, broken = 0;
    for (const api::TrackedData& d : *data) {
      if (d.state == api::DataState::kBroken) {
        ++broken;
        PrintError(d.problem);
        continue;
      }
      if (d.state == api::DataState::kClean && d.in_store) continue;
      ++changed;
      std::string note = d.in_store ? "" : "  (not in the local store: trail pull)";
      std::printf("%-9s %s%s\n", d.state_name.c_str(), d.path.c_str(), note.c_str());
    }
    if (changed == 0 && broken == 0) std::printf("%zu tracked, all up to date\n", data->size());
    return broken == 0 ? 0 : 1;
  };
}

std::function<int()> SetupCheckout(CLI::App& sub) {
  struct Opts {
    std::vector<std::string> paths;
    bool force = false;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("paths", o->paths, "tracked data or pointer files (default: every pointer)");
  sub.add_flag("-f,--force", o->force, "discard changes to tracked data that are not stored");
  return [o] {
    auto project = OpenProject();
    if (!project) return 1;
    return CheckoutAndReport(*project, o->paths, o->force);
  };
}

}  // namespace trail::cli
