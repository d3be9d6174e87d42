#include "upkeep/store_roots.h"

#include <string_view>

#include "base/files.h"
#include "base/yaml.h"
#include "record/live_files.h"
#include "record/record.h"
#include "record/registry_layout.h"
#include "store/pack.h"
#include "tracked/pointer.h"
#include "tracked/tracked_data.h"

namespace trail {
namespace {

std::optional<store::Sha256Digest> StrictOid(const Json& v) {
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() != 7 + 64 || s.rfind("sha256:", 0) != 0) return std::nullopt;
  return store::ParseHexId(std::string_view(s).substr(7));
}

// "artifacts" -> "artifact", "data" -> "data": the section a list item belongs to.
std::string Singular(const std::string& key) {
  if (key.size() > 1 && key.back() == 's' && key != "series") return key.substr(0, key.size() - 1);
  return key;
}

// What names an item in a list: its path, role or name.
std::string ItemName(const Json& item) {
  if (!item.is_object()) return "";
  for (const char* k : {"path", "role", "name"}) {
    auto it = item.find(k);
    if (it != item.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

void Walk(const Json& v, const std::string& label, std::vector<FoundOid>& out, int depth) {
  if (depth > kMaxRecordDepth) return;
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it.key() == "oid") {
        if (auto id = StrictOid(it.value())) out.push_back({*id, label.empty() ? "oid" : label});
        continue;
      }
      std::string next;
      if (it.value().is_array()) {
        next = label.empty() ? Singular(it.key()) : label + " " + Singular(it.key());
      } else {
        next = label.empty() ? it.key() : label + " " + it.key();
      }
      Walk(it.value(), next, out, depth + 1);
    }
  } else if (v.is_array()) {
    size_t i = 0;
    for (const Json& item : v) {
      std::string name = ItemName(item);
      if (name.empty()) name = "#" + std::to_string(i);
      Walk(item, label.empty() ? name : label + " " + name, out, depth + 1);
      ++i;
    }
  }
}

// "runs/000/fraud-12/run.yaml" -> "fraud-12", unless the record says its id.
std::string RunId(const Json& record, const std::string& path) {
  if (record.is_object()) {
    auto it = record.find("id");
    if (it != record.end() && it->is_string()) return it->get<std::string>();
  }
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return path;
  const size_t before = path.rfind('/', slash - 1);
  return path.substr(before == std::string::npos ? 0 : before + 1,
                     slash - (before == std::string::npos ? 0 : before + 1));
}

void AddOids(const Json& value, const std::string& prefix, StoreRoots& out) {
  for (FoundOid& f : FindOids(value)) out.roots.push_back({f.id, StoreRoot::Kind::kFileOrTree, prefix + " " + f.label});
}

}  // namespace

std::vector<FoundOid> FindOids(const Json& value) {
  std::vector<FoundOid> out;
  Walk(value, "", out, 0);
  return out;
}

StatusOr<StoreRoots> CollectStoreRoots(Project& project) {
  StoreRoots out;

  // (a) Pointers in the work tree, committed or not: `trail add` without a commit yet.
  TRAIL_ASSIGN_OR_RETURN(std::vector<std::string> pointers, FindPointerFiles(project));
  for (const std::string& rel : pointers) {
    auto p = ReadPointer(JoinPath(project.root(), rel));
    if (!p.ok()) {
      out.unreadable.push_back(p.status().message());
      continue;
    }
    const std::string data = rel.substr(0, rel.size() - kPointerSuffix.size());
    out.roots.push_back(
        {p->oid, p->folder ? StoreRoot::Kind::kTree : StoreRoot::Kind::kFile, data + " (pointer in worktree)"});
  }

  // (b) and (c): every commit on every branch and tag, and trail's own refs (the runs branch is
  // a branch). A blob seen in many commits is read once.
  TRAIL_RETURN_IF_ERROR(project.repo().ForEachFileInHistory(
      {"refs/heads/*", "refs/tags/*", "refs/trail/*"},
      [](std::string_view name) {
        return name.ends_with(kPointerSuffix) || name == record::kRecordFile ||
               record::VersionOfFileName(name).has_value();
      },
      [&out](const std::string& path, const std::string& content) -> Status {
        if (path.ends_with(kPointerSuffix)) {
          auto p = ParsePointer(content, path);
          if (!p.ok()) {
            out.unreadable.push_back("committed " + p.status().message());
            return Status::Ok();
          }
          out.roots.push_back(
              {p->oid, p->folder ? StoreRoot::Kind::kTree : StoreRoot::Kind::kFile, path + " (committed)"});
          return Status::Ok();
        }
        if (auto version = record::ParseVersionPath(path)) {
          // A registered model version keeps its artifact (and its lineage's data) alive after
          // its run is archived (docs/formats/model-registry.md).
          auto parsed = ParseYaml(content, path);
          if (!parsed.ok()) {
            out.unreadable.push_back("unreadable model version: " + parsed.status().message());
            return Status::Ok();
          }
          AddOids(*parsed, "model " + version->name + " version " + std::to_string(version->version), out);
          return Status::Ok();
        }
        const size_t slash = path.rfind('/');
        if (path.substr(slash == std::string::npos ? 0 : slash + 1) != record::kRecordFile)
          return Status::Ok();  // a "<n>.yaml" that is no model version: not ours
        auto record = ParseYaml(content, path);
        if (!record.ok()) {
          // A user's own run.yaml outside the runs layout is none of our business.
          if (path.rfind("runs/", 0) == 0)
            out.unreadable.push_back("unreadable run record: " + record.status().message());
          return Status::Ok();
        }
        AddOids(*record, "run " + RunId(*record, path), out);
        return Status::Ok();
      }));

  // (d) Live runs: artifacts are stored while the run is going, the record comes at the end.
  const std::string live = project.live_dir();
  if (IsDirectory(live)) {
    for (const std::string& run : ListDirectory(live)) {
      // The start record names the data snapshots taken before the program started.
      const std::string start_file = JoinPath(JoinPath(live, run), record::live::kStartFile);
      if (PathExists(start_file)) {
        auto start = ReadFile(start_file);
        auto parsed = start.ok() ? ParseYaml(*start, start_file) : StatusOr<Json>(start.status());
        if (parsed.ok()) {
          AddOids(*parsed, "live run " + run, out);
        } else {
          out.unreadable.push_back("live run " + run + ": " + parsed.status().message());
        }
      }
      // An ended run waiting to be committed (node-local locks): its record names its outputs.
      const std::string ended_file = JoinPath(JoinPath(live, run), record::live::kEndedFile);
      if (PathExists(ended_file)) {
        auto ended = ReadFile(ended_file);
        auto parsed = ended.ok() ? ParseYaml(*ended, ended_file) : StatusOr<Json>(ended.status());
        if (parsed.ok() && parsed->is_object() && parsed->contains("record")) {
          AddOids((*parsed)["record"], "ended run " + run, out);
        } else {
          out.unreadable.push_back("ended run " + run + ": " +
                                   (parsed.ok() ? std::string("no record") : parsed.status().message()));
        }
      }
      const std::string file = JoinPath(JoinPath(live, run), record::live::kAnnotationsFile);
      if (!PathExists(file)) continue;
      TRAIL_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
      size_t start = 0;
      while (start < text.size()) {
        size_t end = text.find('\n', start);
        const bool last = end == std::string::npos;
        if (last) end = text.size();  // a last line being written: try it
        const std::string_view line(text.data() + start, end - start);
        start = end + 1;
        if (line.empty()) continue;
        Json j = Json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
        if (j.is_discarded()) {
          // An unfinished last line was never reported stored (the writer holds the store
          // lock until its line is whole); a whole line that does not parse could name anything.
          if (!last) out.unreadable.push_back(file + ": a line that is not JSON");
          continue;
        }
        AddOids(j, "live run " + run, out);
      }
    }
  }
  return out;
}

}  // namespace trail
