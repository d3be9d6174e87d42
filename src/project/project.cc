#include "project/project.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>

#include "base/paths.h"
#include "base/safe_path.h"
#include "record/record.h"
#include "store/file_store.h"
#include "store/local_store.h"
#include "store/oid.h"

namespace trail {
namespace {

constexpr const char* kConfigFile = "config.yaml";

// Everything under .trail/ is local state except the committed configuration.
constexpr const char* kStateGitignore =
    "# trail: local state (index, live runs, caches) is not committed; the config is.\n"
    "*\n"
    "!.gitignore\n"
    "!config.yaml\n";

Status ValidateName(const std::string& name) {
  static const std::regex kName("[A-Za-z0-9][A-Za-z0-9_.-]*");
  if (!std::regex_match(name, kName))
    return InvalidArgument("project name '" + name +
                           "' must start with a letter or digit and hold only letters, digits, '_', '.', '-'");
  return Status::Ok();
}

// Folder names like "My Project" become "My-Project".
std::string SanitizeName(const std::string& raw) {
  std::string out;
  for (char c : raw) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-') ? c : '-';
  while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out[0]))) out.erase(0, 1);
  return out.empty() ? "project" : out;
}

}  // namespace

StatusOr<InitResult> Project::Init(const std::string& dir, const InitOptions& options) {
  auto repo = git::Repo::Discover(dir);
  if (!repo.ok()) {
    if (!options.create_git) {
      return FailedPrecondition(dir + " is not inside a Git repository (run `trail init --git` to create one here)");
    }
    TRAIL_ASSIGN_OR_RETURN(auto created, git::Repo::Init(dir));
    repo = std::move(created);
  }
  InitResult result;
  result.root = (*repo)->workdir();
  std::string state = JoinPath(result.root, ".trail");
  std::string config_path = JoinPath(state, kConfigFile);
  if (PathExists(config_path)) {
    TRAIL_ASSIGN_OR_RETURN(std::string text, ReadFile(config_path));
    TRAIL_ASSIGN_OR_RETURN(Json cfg, ParseYaml(text, config_path));
    result.name = cfg.is_object() ? record::GetString(cfg, "name") : "";
    return result;  // already initialized: change nothing
  }
  result.name = options.name.empty() ? SanitizeName(BaseName(result.root)) : options.name;
  TRAIL_RETURN_IF_ERROR(ValidateName(result.name));
  TRAIL_RETURN_IF_ERROR(MakeDirs(state));
  std::string ignore_path = JoinPath(state, ".gitignore");
  if (!PathExists(ignore_path)) TRAIL_RETURN_IF_ERROR(WriteFileAtomic(ignore_path, kStateGitignore));
  Json cfg = Json::object();
  cfg["name"] = result.name;
  cfg["branch"] = "trail";
  std::string text = "# trail project configuration: commit this file. Reference: docs/config.md\n" + EmitYaml(cfg);
  TRAIL_RETURN_IF_ERROR(WriteFileAtomic(config_path, text));
  result.created = true;
  result.to_add = {".trail/config.yaml", ".trail/.gitignore"};
  return result;
}

StatusOr<std::unique_ptr<Project>> Project::Open(const std::string& dir) { return Open(dir, Env::Default()); }

StatusOr<std::unique_ptr<Project>> Project::Open(const std::string& dir, Env* env) {
  TRAIL_ASSIGN_OR_RETURN(auto repo, git::Repo::Discover(dir));
  std::unique_ptr<Project> p(new Project());
  p->env_ = env;
  p->root_ = repo->workdir();
  p->repo_ = std::move(repo);
  std::string config_path = JoinPath(p->state_dir(), kConfigFile);
  auto text = ReadFile(config_path);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound)
      return FailedPrecondition("this repository is not a trail project (run `trail init` first)");
    return text.status();
  }
  TRAIL_ASSIGN_OR_RETURN(p->config_, ParseYaml(*text, ".trail/config.yaml"));
  if (!p->config_.is_object()) return InvalidArgument(".trail/config.yaml: expected a mapping");
  p->name_ = record::GetString(p->config_, "name");
  if (p->name_.empty()) p->name_ = SanitizeName(BaseName(p->root_));
  TRAIL_RETURN_IF_ERROR(ValidateName(p->name_).WithContext(".trail/config.yaml"));
  p->branch_ = record::GetString(p->config_, "branch");
  if (p->branch_.empty()) p->branch_ = "trail";
  TRAIL_ASSIGN_OR_RETURN(p->cluster_locks_, ParseClusterLocks(p->config_, std::getenv(kClusterLocksVariable)));
  // Local state folders may be missing in a fresh clone: they are caches.
  TRAIL_RETURN_IF_ERROR(env->MakeDirs(p->live_dir()));
  TRAIL_RETURN_IF_ERROR(env->MakeDirs(p->shared_dir()));
  return p;
}

git::Identity Project::user() const {
  git::Identity id = repo_->identity();
  if (id.name.empty()) {
    // No Git identity configured: the login name is better than nothing.
    if (struct passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_name)
      id.name = pw->pw_name;
    else if (const char* u = std::getenv("USER"))
      id.name = u;
  }
  // TRAIL_USER="Name <email>" overrides Git's identity (shared machines, CI).
  if (const char* env = std::getenv("TRAIL_USER"); env && *env) {
    std::string v = env;
    auto lt = v.find('<');
    auto gt = v.find('>');
    if (lt != std::string::npos && gt != std::string::npos && gt > lt) {
      id.email = v.substr(lt + 1, gt - lt - 1);
      v = v.substr(0, lt);
      while (!v.empty() && v.back() == ' ') v.pop_back();
    } else {
      id.email.clear();
    }
    id.name = v;
  }
  return id;
}

StatusOr<FileLock> Project::LockWriters() { return env_->Lock(JoinPath(shared_dir(), "lock"), LockMode::kExclusive); }

StatusOr<index::RunIndex*> Project::Index() {
  if (!index_) {
    TRAIL_ASSIGN_OR_RETURN(index_, index::RunIndex::Open(JoinPath(state_dir(), "index.sqlite")));
  }
  Status s = index_->Sync(*repo_, runs_ref());
  if (s.code() == Code::kCorrupt && s.message().rfind("index", 0) == 0) {
    // The cache itself is damaged: start it over from Git.
    return RebuildIndex();
  }
  TRAIL_RETURN_IF_ERROR(s);
  return index_.get();
}

StatusOr<index::RunIndex*> Project::RebuildIndex(ProgressSink* progress) {
  index_.reset();
  std::string path = JoinPath(state_dir(), "index.sqlite");
  TRAIL_ASSIGN_OR_RETURN(index_, index::RunIndex::Recreate(path));
  // No second retry: a Corrupt here comes from Git, and rebuilding again would not help.
  TRAIL_RETURN_IF_ERROR(index_->Sync(*repo_, runs_ref(), progress));
  return index_.get();
}

StatusOr<StoredRun> Project::LoadRun(const std::string& ref) {
  TRAIL_ASSIGN_OR_RETURN(auto tip, repo_->ResolveRef(runs_ref()));
  if (!tip) return NotFound("no run " + ref + " (no runs recorded yet)");
  StoredRun run;
  run.tip = *tip;
  // The path follows from the id, so most lookups need no index.
  std::string id = ref;
  auto number = record::RunNumberOf(ref);
  if (number && ref.find('-') == std::string::npos) id = record::MakeRunId(name_, *number);
  if (number) {
    run.path = record::RecordPath(id, *number);
    auto text = repo_->ReadFileAt(*tip, run.path);
    if (!text.ok() && text.status().code() != Code::kNotFound) return text.status();
    if (text.ok()) {
      TRAIL_ASSIGN_OR_RETURN(run.record, record::Parse(*text, run.path));
      run.dir = record::RunDir(id, *number);
      return run;
    }
  }
  // Fall back to the index: uids, and ids from before a project rename.
  TRAIL_ASSIGN_OR_RETURN(index::RunIndex * idx, Index());
  auto path = idx->PathOf(ref);
  if (!path.ok()) return NotFound("no run " + ref);
  run.path = *path;
  run.dir = run.path.substr(0, run.path.find_last_of('/'));
  TRAIL_ASSIGN_OR_RETURN(std::string text, repo_->ReadFileAt(*tip, run.path));
  TRAIL_ASSIGN_OR_RETURN(run.record, record::Parse(text, run.path));
  return run;
}

StatusOr<std::string> Project::Commit(const std::vector<git::FileWrite>& writes, const std::string& message) {
  return repo_->CommitFiles(runs_ref(), writes, message, user());
}

Status Project::UpdateRun(const std::string& ref, const std::function<Status(Json&)>& mutate,
                          const std::string& message) {
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, LockWriters());
  TRAIL_ASSIGN_OR_RETURN(StoredRun run, LoadRun(ref));
  TRAIL_RETURN_IF_ERROR(mutate(run.record));
  TRAIL_ASSIGN_OR_RETURN(std::string commit, Commit({{run.path, record::Serialize(run.record)}}, message));
  (void)commit;
  return Status::Ok();
}

StatusOr<std::string> Project::ReadSeries(const StoredRun& run, const Json& ref) {
  if (ref.is_string()) {
    // A companion beside run.yaml: the name comes from the record, so it must stay in the run's folder.
    TRAIL_RETURN_IF_ERROR(CheckRelativePath(ref.get<std::string>(), "run " + run.dir + ": metric series file"));
    return repo_->ReadFileAt(run.tip, run.dir + "/" + ref.get<std::string>());
  }
  if (!ref.is_object() || !ref.contains("oid") || !ref["oid"].is_string())
    return Corrupt("run " + run.dir + ": a metric series reference is neither a file nor an oid");
  auto oid = store::ParseOid(ref["oid"].get<std::string>());
  if (!oid) return Corrupt("run " + run.dir + ": bad series oid " + ref["oid"].get<std::string>());
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<store::LocalStore> st, store::LocalStore::Open(store_dir()));
  return store::ReadFileBytes(*st, *oid);
}

}  // namespace trail
