// Opening repositories and reading facts about them (paths, identity, HEAD).
#include "git/repo.h"

#include "git/git_util.h"

namespace trail::git {

using internal::ConfigPtr;
using internal::EnsureLibgit2;
using internal::GitError;
using internal::ObjectPtr;
using internal::OidHex;
using internal::ReferencePtr;

void Repo::RepositoryDeleter::operator()(git_repository* repo) const { git_repository_free(repo); }

Repo::Repo(Key, git_repository* repo) : repo_(repo) {}

Repo::~Repo() = default;

StatusOr<std::unique_ptr<Repo>> Repo::Wrap(git_repository* raw, const std::string& dir) {
  auto repo = std::make_unique<Repo>(Key{}, raw);
  if (git_repository_is_bare(raw)) {
    return FailedPrecondition(dir + " is inside a bare Git repository; trail needs a working tree");
  }
  return repo;
}

StatusOr<std::unique_ptr<Repo>> Repo::Discover(const std::string& dir) {
  EnsureLibgit2();
  git_repository* raw = nullptr;
  // Flags 0: search upwards from `dir`, stopping at filesystem boundaries,
  // as `git rev-parse` does by default.
  int error = git_repository_open_ext(&raw, dir.c_str(), 0, nullptr);
  if (error == GIT_ENOTFOUND) {
    return FailedPrecondition(dir + " is not inside a Git repository");
  }
  if (error < 0) return GitError(error, "cannot open the Git repository at " + dir);
  return Wrap(raw, dir);
}

StatusOr<std::unique_ptr<Repo>> Repo::Init(const std::string& dir) {
  EnsureLibgit2();
  git_repository_init_options options;
  git_repository_init_options_init(&options, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
  // initial_head stays null so libgit2 follows init.defaultBranch.
  options.flags = GIT_REPOSITORY_INIT_MKPATH;
  git_repository* raw = nullptr;
  int error = git_repository_init_ext(&raw, dir.c_str(), &options);
  if (error < 0) return GitError(error, "cannot create a Git repository at " + dir);
  return Wrap(raw, dir);
}

namespace {

std::string WithoutTrailingSlash(const char* path) {
  std::string s = path == nullptr ? "" : path;
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

std::string Repo::workdir() const { return WithoutTrailingSlash(git_repository_workdir(repo_.get())); }

std::string Repo::gitdir() const { return WithoutTrailingSlash(git_repository_path(repo_.get())); }

std::string Repo::commondir() const { return WithoutTrailingSlash(git_repository_commondir(repo_.get())); }

Identity Repo::identity() const {
  Identity who;
  git_config* raw = nullptr;
  // A snapshot is required for git_config_get_string's borrowed pointers.
  if (git_repository_config_snapshot(&raw, repo_.get()) < 0) return who;
  ConfigPtr config(raw);
  const char* value = nullptr;
  if (git_config_get_string(&value, config.get(), "user.name") == 0) who.name = value;
  if (git_config_get_string(&value, config.get(), "user.email") == 0) who.email = value;
  return who;
}

StatusOr<HeadInfo> Repo::Head() const {
  git_reference* raw = nullptr;
  int error = git_reference_lookup(&raw, repo_.get(), "HEAD");
  if (error < 0) return GitError(error, "cannot read HEAD");
  ReferencePtr head(raw);

  HeadInfo info;
  if (git_reference_type(head.get()) == GIT_REFERENCE_SYMBOLIC) {
    std::string target = git_reference_symbolic_target(head.get());
    constexpr std::string_view kHeads = "refs/heads/";
    info.branch = target.starts_with(kHeads) ? target.substr(kHeads.size()) : target;
  }
  git_object* peeled = nullptr;
  error = git_reference_peel(&peeled, head.get(), GIT_OBJECT_COMMIT);
  if (error == GIT_ENOTFOUND || error == GIT_EUNBORNBRANCH) {
    info.unborn = true;
    return info;
  }
  if (error < 0) return GitError(error, "cannot resolve HEAD");
  ObjectPtr commit(peeled);
  info.commit = OidHex(*git_object_id(commit.get()));
  return info;
}

}  // namespace trail::git
