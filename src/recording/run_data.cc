#include "recording/run_data.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <set>

#include "base/files.h"
#include "base/numbers.h"
#include "datafile/format.h"
#include "datafile/instances.h"
#include "datafile/snapshot.h"
#include "store/file_store.h"
#include "store/presets.h"
#include "tracked/hash_cache.h"
#include "tracked/pointer.h"

namespace trail {
namespace fs = std::filesystem;
namespace {

bool IsUrl(const std::string& s) { return s.find("://") != std::string::npos; }

// The id and the counts must describe one version of the file: one rewritten while it was read
// would get a snapshot and an id of neither.
Status CheckUnchanged(const std::string& path, const struct stat& before, const std::string& flag) {
  struct stat now {};
  if (::stat(path.c_str(), &now) != 0 || now.st_size != before.st_size || now.st_ino != before.st_ino ||
      now.st_mtim.tv_sec != before.st_mtim.tv_sec || now.st_mtim.tv_nsec != before.st_mtim.tv_nsec) {
    return FailedPrecondition(flag + ": the file changed while it was being read; run again");
  }
  return Status::Ok();
}

bool SnapshotSupported(datafile::DataFormat f) {
  using datafile::DataFormat;
  return f == DataFormat::kCsv || f == DataFormat::kTsv || f == DataFormat::kJsonLines || f == DataFormat::kTfRecord ||
         f == DataFormat::kNpy;
}

}  // namespace

StatusOr<DataInput> ParseDataFlag(const std::string& flag) {
  const size_t eq = flag.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == flag.size())
    return InvalidArgument("--data " + flag + ": expected ROLE=PATH_OR_URL (e.g. train=data/train.csv)");
  DataInput in{flag.substr(0, eq), flag.substr(eq + 1), ""};
  for (char c : in.role) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      return InvalidArgument("--data " + flag + ": the role may use letters, digits, '_' and '-'");
  }
  return in;
}

StatusOr<Json> RecordDataInputs(const Project& project, store::LocalStore& store, const std::vector<DataInput>& inputs,
                                const DataOptions& options, const std::string& cwd) {
  Json out = Json::array();
  std::set<std::string> roles;
  if (!(options.fraction > 0 && options.fraction <= 1))
    return InvalidArgument("--snapshot-fraction must be in (0, 1], got " + FormatDouble(options.fraction));
  HashCache cache = HashCache::LoadFor(project);
  for (const DataInput& in : inputs) {
    if (!roles.insert(in.role).second) return InvalidArgument("--data: the role " + in.role + " is given twice");
    Json d = Json::object();
    d["role"] = in.role;
    if (IsUrl(in.source)) {
      d["source"] = in.source;  // not readable from here: the source is the record
      out.push_back(d);
      continue;
    }
    const std::string full = fs::absolute(fs::path(cwd) / in.source).lexically_normal().string();
    const std::string norm = fs::path(full).generic_string();
    const bool inside = norm.rfind(project.root() + "/", 0) == 0;
    d["source"] = !in.label.empty() ? in.label : inside ? norm.substr(project.root().size() + 1) : norm;
    if (IsDirectory(full)) {
      // A folder of shards: its id is the tree `trail add` would give it; no count or snapshot.
      const std::string pointer = full + std::string(kPointerSuffix);
      if (PathExists(pointer)) {
        TRAIL_ASSIGN_OR_RETURN(Pointer p, ReadPointer(pointer));
        d["oid"] = OidString(p.oid);
        d["size"] = p.size;
        d["files"] = p.files;
      }
      d["format"] = "folder";
      out.push_back(d);
      continue;
    }
    struct stat st {};
    if (::stat(full.c_str(), &st) != 0) return NotFound("--data " + in.role + "=" + in.source + ": no such file");
    d["size"] = static_cast<uint64_t>(st.st_size);
    const std::string cache_key = inside ? norm.substr(project.root().size() + 1) : norm;
    // The file's id: cached, or taken in the snapshot's own pass over the file (text formats),
    // or else by a pass of its own.
    std::optional<store::Sha256Digest> id = cache.Cached(full, cache_key);
    store::Sha256 streamed;
    bool hashed_in_pass = false;
    d["oid"] = nullptr;  // keeps its place in the record; set below
    const datafile::DataFormat format = datafile::DetectFormat(full);
    d["format"] = std::string(datafile::FormatName(format));
    if (SnapshotSupported(format)) {
      datafile::SnapshotOptions so;
      so.fraction = options.fraction;
      so.seed = options.seed;
      const bool stratify =
          !options.stratify.empty() && (format == datafile::DataFormat::kCsv || format == datafile::DataFormat::kTsv ||
                                        format == datafile::DataFormat::kJsonLines);
      if (stratify) so.stratify_column = options.stratify;
      if (!id) so.observe_blocks = [&](std::string_view block) { streamed.Update(block); };
      const std::string tmp = JoinPath(project.state_dir(), "snapshot-" + in.role + "-" + std::to_string(::getpid()) +
                                                                "." + std::string(datafile::FormatName(format)));
      auto result = datafile::WriteSnapshot(full, format, tmp, so);
      if (!result.ok()) return result.status().WithContext("--data " + in.role + "=" + in.source);
      if (!id && result->observed_whole_file) {
        id = streamed.Final();
        hashed_in_pass = true;
      }
      auto m = store::StoreFile(store, tmp, store::kDatasetChunking, /*flush=*/false);
      ::unlink(tmp.c_str());
      if (!m.ok()) return m.status();
      d["instances"] = result->rows_in;
      Json snap = Json::object();
      snap["fraction"] = options.fraction;
      snap["seed"] = options.seed;
      if (stratify) snap["stratify"] = options.stratify;
      snap["rows"] = result->rows_kept;
      snap["size"] = m->size;
      snap["oid"] = OidString(m->id);
      d["snapshot"] = snap;
    } else {
      auto n = datafile::CountInstances(full, format);
      if (!n.ok()) return n.status().WithContext("--data " + in.role + "=" + in.source);
      if (*n) d["instances"] = **n;
    }
    if (!id) {
      TRAIL_ASSIGN_OR_RETURN(store::Sha256Digest hashed, cache.FileId(full, cache_key));
      id = hashed;
    }
    TRAIL_RETURN_IF_ERROR(CheckUnchanged(full, st, "--data " + in.role + "=" + in.source));
    if (hashed_in_pass) cache.Remember(full, cache_key, *id);
    d["oid"] = OidString(*id);
    out.push_back(d);
  }
  TRAIL_RETURN_IF_ERROR(store.Flush());
  (void)cache.Save();
  return out;
}

}  // namespace trail
