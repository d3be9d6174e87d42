#include "core/run_data.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "core/hash_cache.h"
#include "core/pointer.h"
#include "dataset/format.h"
#include "dataset/instances.h"
#include "dataset/snapshot.h"
#include "store/file_store.h"
#include "store/presets.h"
#include "util/files.h"
#include "util/numbers.h"

namespace trail {
namespace fs = std::filesystem;
namespace {

bool IsUrl(const std::string& s) { return s.find("://") != std::string::npos; }

bool SnapshotSupported(dataset::DataFormat f) {
  using dataset::DataFormat;
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
  HashCache cache = HashCache::Load(JoinPath(project.state_dir(), "hash-cache.tsv"));
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
    TRAIL_ASSIGN_OR_RETURN(store::Sha256Digest id, cache.FileId(full, inside ? norm.substr(project.root().size() + 1) : norm));
    d["oid"] = OidString(id);
    const dataset::DataFormat format = dataset::DetectFormat(full);
    d["format"] = std::string(dataset::FormatName(format));
    if (SnapshotSupported(format)) {
      dataset::SnapshotOptions so;
      so.fraction = options.fraction;
      so.seed = options.seed;
      const bool stratify = !options.stratify.empty() &&
                            (format == dataset::DataFormat::kCsv || format == dataset::DataFormat::kTsv ||
                             format == dataset::DataFormat::kJsonLines);
      if (stratify) so.stratify_column = options.stratify;
      const std::string tmp = JoinPath(project.state_dir(), "snapshot-" + in.role + "-" + std::to_string(::getpid()) +
                                                                "." + std::string(dataset::FormatName(format)));
      auto result = dataset::WriteSnapshot(full, format, tmp, so);
      if (!result.ok()) return result.status().WithContext("--data " + in.role + "=" + in.source);
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
      auto n = dataset::CountInstances(full, format);
      if (!n.ok()) return n.status().WithContext("--data " + in.role + "=" + in.source);
      if (*n) d["instances"] = **n;
    }
    out.push_back(d);
  }
  TRAIL_RETURN_IF_ERROR(store.Flush());
  (void)cache.Save();
  return out;
}

}  // namespace trail
