// trail add / status / checkout: data versioning with pointer files (docs/data.md).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "terminal.h"
#include "trail/data.h"
#include "trail/format.h"

namespace trail::cli {
namespace {

std::string Describe(const api::AddedData& p) {
  std::string s = api::FormatBytes(p.size);
  if (p.folder) s += ", " + std::to_string(p.files) + (p.files == 1 ? " file" : " files");
  return s;
}

// `trail add --format json`: {"added": [...], "to_commit": [pointers..., .gitignores...]}.
Json AddedJson(const std::vector<api::AddedData>& added, const std::vector<std::string>& ignores) {
  Json items = Json::array(), to_commit = Json::array();
  for (const api::AddedData& a : added) {
    items.push_back(Json{{"path", a.path},
                         {"pointer", a.pointer_path},
                         {"oid", a.oid},
                         {"size", a.size},
                         {"folder", a.folder},
                         {"files", a.folder ? Json(a.files) : Json()},
                         {"unchanged", a.unchanged},
                         {"skipped", a.skipped}});
    to_commit.push_back(a.pointer_path);
  }
  for (const std::string& i : ignores) to_commit.push_back(i);
  return Json{{"added", items}, {"to_commit", to_commit}};
}

}  // namespace

std::vector<std::string> Absolute(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) out.push_back(std::filesystem::absolute(p).lexically_normal().string());
  return out;
}

int CheckoutAndReport(api::Project& project, const std::vector<std::string>& paths, bool force, Json* json,
                      api::ProgressSink* progress) {
  auto done = api::CheckoutData(project, Absolute(paths), force, progress);
  if (!done.ok()) return Fail(done.status());
  size_t restored = 0, broken = 0;
  Json restored_paths = Json::array(), problems = Json::array();
  for (const api::CheckedOut& c : *done) {
    if (!c.problem.empty()) {
      ++broken;
      PrintError(c.problem);
      problems.push_back(c.problem);
      continue;
    }
    if (!c.restored) continue;
    ++restored;
    restored_paths.push_back(c.path);
    if (!json) std::printf("restored %s\n", c.path.c_str());
  }
  if (json) {
    *json =
        Json{{"restored", restored_paths}, {"up_to_date", done->size() - restored - broken}, {"problems", problems}};
    return broken == 0 ? 0 : 1;
  }
  std::printf("%zu restored, %zu already up to date%s\n", restored, done->size() - restored - broken,
              broken == 0 ? "" : (", " + std::to_string(broken) + " not restored").c_str());
  return broken == 0 ? 0 : 1;
}

std::function<int()> SetupAdd(CLI::App& sub) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>("text");
  auto progress = std::make_shared<ProgressOptions>();
  sub.add_option("paths", *paths, "files or folders to version")->required();
  AddFormatOption(sub, *format);
  AddProgressFlags(sub, *progress);
  return [paths, format, progress] {
    auto project = OpenProject();
    if (!project) return 1;
    auto added = [&] {
      auto bar = MakeProgress(*progress, *format == "json");
      return api::AddData(*project, Absolute(*paths), bar.get());
    }();
    if (!added.ok()) return Fail(added.status());
    std::string to_add;
    std::vector<std::string> ignores;
    for (const api::AddedData& a : *added) {
      for (const std::string& link : a.skipped)
        PrintWarning("not stored: " + api::EscapeForMessage(link) + " is a symbolic link or special file");
      if (std::find(ignores.begin(), ignores.end(), a.gitignore) == ignores.end()) ignores.push_back(a.gitignore);
      if (*format != "json")
        std::printf("%s %s (%s) %s\n", a.unchanged ? "unchanged" : "stored   ", a.path.c_str(), Describe(a).c_str(),
                    a.oid.substr(0, 19).c_str());
      to_add += " " + a.pointer_path;
    }
    for (const std::string& i : ignores) to_add += " " + i;
    if (*format == "json") {
      PrintJson(AddedJson(*added, ignores));
      return 0;
    }
    std::printf("commit the pointers: git add%s && git commit\n", to_add.c_str());
    return 0;
  };
}

std::function<int()> SetupStatus(CLI::App& sub) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>("text");
  sub.add_option("paths", *paths, "tracked data or pointer files (default: every pointer)");
  AddFormatOption(sub, *format);
  return [paths, format] {
    auto project = OpenProject();
    if (!project) return 1;
    auto data = api::DataStatus(*project, Absolute(*paths));
    if (!data.ok()) return Fail(data.status());
    if (*format == "json") {
      // Every tracked path, clean ones included, so a script sees the whole picture.
      Json items = Json::array();
      bool broken = false;
      for (const api::TrackedData& d : *data) {
        Json item{{"path", d.path}, {"state", d.state_name}, {"in_store", d.in_store}};
        if (d.state == api::DataState::kBroken) {
          broken = true;
          item["problem"] = d.problem;
          PrintError(d.problem);
        }
        items.push_back(item);
      }
      PrintJson(Json{{"tracked", items}});
      return broken ? 1 : 0;
    }
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
      const std::string pad(d.state_name.size() < 9 ? 9 - d.state_name.size() : 0, ' ');
      std::printf("%s%s %s%s\n", PaintStatus(STDOUT_FILENO, d.state_name).c_str(), pad.c_str(), d.path.c_str(),
                  note.c_str());
    }
    if (changed == 0 && broken == 0) std::printf("%zu tracked, all up to date\n", data->size());
    return broken == 0 ? 0 : 1;
  };
}

std::function<int()> SetupCheckout(CLI::App& sub) {
  struct Opts {
    std::vector<std::string> paths;
    bool force = false;
    ProgressOptions progress;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("paths", o->paths, "tracked data or pointer files (default: every pointer)");
  sub.add_flag("-f,--force", o->force, "discard changes to tracked data that are not stored");
  AddProgressFlags(sub, o->progress);
  return [o] {
    auto project = OpenProject();
    if (!project) return 1;
    auto bar = MakeProgress(o->progress, /*json=*/false);
    return CheckoutAndReport(*project, o->paths, o->force, nullptr, bar.get());
  };
}

}  // namespace trail::cli
