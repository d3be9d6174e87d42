// trail get: restore a run's artifacts or a data snapshot from the object store.
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "core/pointer.h"
#include "core/stored_paths.h"
#include "record/record.h"
#include "store/local_store.h"
#include "util/files.h"
#include "util/numbers.h"

namespace trail::cli {
namespace fs = std::filesystem;
namespace {

std::string BaseName(const std::string& p) {
  const size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

// Restores one file by id, refusing to overwrite different content unless `force`.
Status RestoreOne(const store::LocalStore& st, const std::string& oid_text, const std::string& dest, bool force) {
  auto oid = ParseOid(oid_text);
  if (!oid) return Corrupt("the record's oid \"" + oid_text + "\" is not a sha256 id");
  if (PathExists(dest)) {
    auto have = HashFile(dest);
    if (have.ok() && *have == *oid) return Status::Ok();
    if (!force) return FailedPrecondition(dest + " exists with other content (--force replaces it)");
  }
  Pointer p;
  p.oid = *oid;
  return RestorePointer(st, p, dest).WithContext("restoring " + dest);
}

}  // namespace

std::function<int()> SetupGet(CLI::App& sub) {
  struct Opts {
    std::string run;
    std::vector<std::string> artifacts;
    std::string out;
    std::string snapshot;
    bool force = false;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("run", o->run, "run id")->required();
  sub.add_option("artifacts", o->artifacts, "artifacts to restore, by path, file name or role (default: all)");
  sub.add_option("-o,--output", o->out, "folder to restore into (default: a folder named after the run); with --snapshot, a file or folder");
  sub.add_option("--snapshot", o->snapshot, "restore the data snapshot of this role (train, validation, ...)");
  sub.add_flag("-f,--force", o->force, "replace existing files with other content");
  return [o] {
    auto project = OpenProject();
    if (!project) return 1;
    auto run = project->LoadRun(o->run);
    if (!run.ok()) return Fail(run.status());
    const Json& rec = run->record;
    const std::string id = record::GetString(rec, "id");
    auto st = store::LocalStore::Open(project->store_dir());
    if (!st.ok()) return Fail(st.status());

    if (!o->snapshot.empty()) {
      if (!o->artifacts.empty()) return Fail(InvalidArgument("--snapshot restores data; name no artifacts with it"));
      const Json data = rec.value("data", Json::array());
      std::string roles;
      for (const Json& d : data) {
        const std::string role = record::GetString(d, "role");
        if (d.contains("snapshot")) roles += (roles.empty() ? "" : ", ") + role;
        if (role != o->snapshot) continue;
        if (!d.contains("snapshot")) return Fail(NotFound(id + ": the " + role + " data has no snapshot (format " + record::GetString(d, "format") + ")"));
        std::string dest = o->out.empty() ? "." : o->out;
        if (IsDirectory(dest) || dest.back() == '/') {
          dest = JoinPath(dest, id + "-" + role + "-snapshot." + record::GetString(d, "format"));
        }
        Status s = RestoreOne(**st, record::GetString(d["snapshot"], "oid"), dest, o->force);
        if (!s.ok()) return Fail(s);
        std::printf("%s: %s snapshot, %s of %s rows -> %s\n", id.c_str(), role.c_str(),
                    record::ScalarText(d["snapshot"]["rows"]).c_str(), record::ScalarText(d.value("instances", Json("?"))).c_str(),
                    dest.c_str());
        return 0;
      }
      return Fail(NotFound(id + " has no " + o->snapshot + " snapshot" + (roles.empty() ? "" : " (it has: " + roles + ")")));
    }

    const Json artifacts = rec.value("artifacts", Json::array());
    if (artifacts.empty()) return Fail(NotFound(id + " has no stored artifacts"));
    const std::string out = o->out.empty() ? id : o->out;
    size_t restored = 0;
    std::vector<bool> used(o->artifacts.size(), false);
    for (const Json& a : artifacts) {
      const std::string path = record::GetString(a, "path");
      const std::string oid = record::GetString(a, "oid");
      bool wanted = o->artifacts.empty();
      for (size_t i = 0; i < o->artifacts.size(); ++i) {
        const std::string& w = o->artifacts[i];
        if (w == path || w == BaseName(path) || w == record::GetString(a, "role")) wanted = used[i] = true;
      }
      if (!wanted) continue;
      if (oid.empty()) {
        PrintWarning(path + " was recorded without its content (an older record); skipped");
        continue;
      }
      const std::string dest = JoinPath(out, path);
      Status s = RestoreOne(**st, oid, dest, o->force);
      if (!s.ok()) return Fail(s);
      std::printf("%s (%s, %s)\n", dest.c_str(), record::GetString(a, "role").c_str(),
                  FormatBytes(a.value("size", uint64_t{0})).c_str());
      ++restored;
    }
    for (size_t i = 0; i < used.size(); ++i) {
      if (!used[i]) return Fail(NotFound(id + " has no artifact " + o->artifacts[i]));
    }
    std::printf("restored %zu artifact%s of %s into %s\n", restored, restored == 1 ? "" : "s", id.c_str(), out.c_str());
    return 0;
  };
}

}  // namespace trail::cli
