// gc and fsck on a real repository and store: what is kept, what goes, what fsck names.
#include "upkeep/store_gc.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "base/fault_injection_env.h"
#include "git/git_test_util.h"
#include "project/project.h"
#include "store/file_store.h"
#include "store/local_store.h"
#include "tracked/tracked_data.h"
#include "upkeep/store_fsck.h"
#include "upkeep/store_roots.h"

namespace trail {
namespace {

namespace fs = std::filesystem;
using git::testing::GitRepoFixture;

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::vector<std::string> StoreFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename() != "lock") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

class StoreGcTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("train.py", "print('hi')\n");
    CommitAll("init");
    InitOptions opts;
    opts.name = "p";
    ASSERT_TRUE(Project::Init(root(), opts).ok());
    auto p = Project::Open(root());
    ASSERT_TRUE(p.ok()) << p.status().message();
    project_ = std::move(*p);
  }

  // Stores `rel` (written with random bytes) in a pack of its own; returns its pointer.
  Pointer Add(const std::string& rel, size_t size, uint32_t seed) {
    Write(rel, RandomBytes(size, seed));
    auto added = AddData(*project_, {root() + "/" + rel});
    EXPECT_TRUE(added.ok()) << added.status().message();
    return added.ok() ? (*added)[0].pointer : Pointer{};
  }

  size_t PackCount() {
    auto s = store::LocalStore::Open(project_->store_dir());
    EXPECT_TRUE(s.ok());
    return s.ok() ? (*s)->pack_count() : 0;
  }

  std::unique_ptr<Project> project_;
};

TEST_F(StoreGcTest, RemovesOnlyWhatNothingNeeds) {
  Add("kept.bin", 300000, 1);
  ASSERT_EQ(Git("add kept.bin.trail .gitignore"), 0);
  ASSERT_EQ(Git("commit -q -m data"), 0);
  Add("gone.bin", 300000, 2);
  fs::remove(root() + "/gone.bin.trail");
  fs::remove(root() + "/gone.bin");
  ASSERT_EQ(PackCount(), 2u);

  const auto before = StoreFiles(project_->store_dir());
  GcOptions dry;
  dry.dry_run = true;
  auto d = CollectGarbage(*project_, dry);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->removed_packs, 1u);
  EXPECT_EQ(StoreFiles(project_->store_dir()), before);

  auto r = CollectGarbage(*project_, GcOptions{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->removed_packs, 1u);
  EXPECT_EQ(r->rewritten_packs, 0u);
  EXPECT_GT(r->freed_bytes, 300000u);
  EXPECT_EQ(PackCount(), 1u);

  fs::remove(root() + "/kept.bin");
  auto c = CheckoutData(*project_, {}, false);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(Read("kept.bin"), RandomBytes(300000, 1));

  auto again = CollectGarbage(*project_, GcOptions{});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->removed_packs + again->rewritten_packs, 0u);
}

TEST_F(StoreGcTest, KeepsWhatOldCommitsTagsAndRunRecordsNeed) {
  Add("old.bin", 200000, 3);
  ASSERT_EQ(Git("add -A"), 0);
  ASSERT_EQ(Git("commit -q -m old"), 0);
  ASSERT_EQ(Git("rm -q old.bin.trail"), 0);
  ASSERT_EQ(Git("commit -q -m drop"), 0);

  Add("tagged.bin", 200000, 4);
  ASSERT_EQ(Git("checkout -q -b side"), 0);
  ASSERT_EQ(Git("add tagged.bin.trail"), 0);
  ASSERT_EQ(Git("commit -q -m tagged"), 0);
  ASSERT_EQ(Git("tag v1"), 0);
  ASSERT_EQ(Git("checkout -q main"), 0);
  ASSERT_EQ(Git("branch -q -D side"), 0);

  Pointer art = Add("model.pt", 200000, 5);
  fs::remove(root() + "/model.pt.trail");
  Write("runs/000/p-7/run.yaml", "id: p-7\nartifacts:\n- path: model.pt\n  oid: " + OidString(art.oid) + "\n");
  ASSERT_EQ(Git("add runs"), 0);
  ASSERT_EQ(Git("commit -q -m run"), 0);

  Add("junk.bin", 200000, 6);
  fs::remove(root() + "/junk.bin.trail");
  ASSERT_EQ(PackCount(), 4u);

  auto roots = CollectStoreRoots(*project_);
  ASSERT_TRUE(roots.ok()) << roots.status().message();
  bool saw_run = false;
  for (const StoreRoot& r : roots->roots) saw_run |= r.source == "run p-7 artifact model.pt";
  EXPECT_TRUE(saw_run);

  auto r = CollectGarbage(*project_, GcOptions{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->removed_packs, 1u);
  EXPECT_EQ(PackCount(), 3u);
  auto f = CheckStore(*project_);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->clean()) << (f->problems.empty() ? "" : f->problems[0]);
}

// A registered model outlives its run: its version record alone keeps the artifact
// (docs/formats/model-registry.md). A "<n>.yaml" elsewhere is no version record.
TEST_F(StoreGcTest, ModelVersionRecordsAreRoots) {
  Pointer kept = Add("model.pt", 200000, 11);
  fs::remove(root() + "/model.pt.trail");
  Pointer gone = Add("other.pt", 200000, 12);
  fs::remove(root() + "/other.pt.trail");
  Write("models/fraud/versions/3.yaml",
        "model: fraud\nversion: 3\nartifact:\n  path: model.pt\n  oid: " + OidString(kept.oid) + "\n");
  Write("config/3.yaml", "artifact:\n  oid: " + OidString(gone.oid) + "\n");
  ASSERT_EQ(Git("add models config"), 0);
  ASSERT_EQ(Git("commit -q -m registry"), 0);
  ASSERT_EQ(PackCount(), 2u);

  auto roots = CollectStoreRoots(*project_);
  ASSERT_TRUE(roots.ok()) << roots.status().message();
  bool saw_version = false;
  for (const StoreRoot& r : roots->roots) {
    saw_version |= r.source == "model fraud version 3 artifact";
    EXPECT_FALSE(r.id == gone.oid) << r.source;
  }
  EXPECT_TRUE(saw_version);
  EXPECT_TRUE(roots->unreadable.empty());

  auto r = CollectGarbage(*project_, GcOptions{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->removed_packs, 1u);
  EXPECT_EQ(PackCount(), 1u);
}

TEST_F(StoreGcTest, RewritesMostlyDeadPacks) {
  Write("a.bin", RandomBytes(200000, 7));
  Write("b.bin", RandomBytes(200000, 8));
  ASSERT_TRUE(AddData(*project_, {root() + "/a.bin", root() + "/b.bin"}).ok());
  fs::remove(root() + "/b.bin.trail");
  ASSERT_EQ(PackCount(), 1u);
  auto r = CollectGarbage(*project_, GcOptions{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rewritten_packs, 1u);
  EXPECT_EQ(PackCount(), 1u);
  fs::remove(root() + "/a.bin");
  ASSERT_TRUE(CheckoutData(*project_, {}, false).ok());
  EXPECT_EQ(Read("a.bin"), RandomBytes(200000, 7));
  EXPECT_FALSE(fs::exists(project_->store_dir() + "/gc-rewrite"));
}

// Issue 13, item 8: a pack without an index gets it back; only one that does not verify is
// left alone (kept, for fsck), never deleted.
TEST_F(StoreGcTest, RebuildsLostIndexesKeepsUnverifiablePacksAndRemovesOldTempFiles) {
  Add("a.bin", 1000, 9);
  const std::string dir = project_->store_dir();
  const std::string stray = dir + "/packs/ab/" + std::string(64, 'a').replace(0, 2, "ab") + ".pack";
  fs::create_directories(dir + "/packs/ab");
  std::ofstream(stray) << "half";
  std::ofstream(dir + "/packs/ab/x.pack.tmp-123") << "half";
  std::string idx;
  for (const auto& e : fs::directory_iterator(dir + "/index")) idx = e.path().string();
  fs::remove(idx);
  GcOptions o;
  o.now = std::time(nullptr) + 10;  // the temp file is 10 s old: kept
  auto r = CollectGarbage(*project_, o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(fs::exists(stray));
  EXPECT_TRUE(fs::exists(idx));
  EXPECT_EQ(r->rebuilt_indexes.size(), 1u);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("does not verify"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir + "/packs/ab/x.pack.tmp-123"));
  o.now = std::time(nullptr) + 7200;
  ASSERT_TRUE(CollectGarbage(*project_, o).ok());
  EXPECT_FALSE(fs::exists(dir + "/packs/ab/x.pack.tmp-123"));
  fs::remove(root() + "/a.bin");
  ASSERT_TRUE(CheckoutData(*project_, {}, false).ok());
  EXPECT_EQ(Read("a.bin"), RandomBytes(1000, 9));
}

TEST_F(StoreGcTest, FsckNamesCorruptPackAndTheDataItBreaks) {
  Add("data/train.csv", 300000, 10);
  auto clean = CheckStore(*project_);
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->clean());

  auto s = store::LocalStore::Open(project_->store_dir());
  ASSERT_TRUE(s.ok());
  const std::string pack = (*s)->Packs()[0].id;
  const std::string path = (*s)->PackPath(pack);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x5a' ^ static_cast<char>(f.peek()));
  }
  auto bad = CheckStore(*project_);
  ASSERT_TRUE(bad.ok());
  ASSERT_FALSE(bad->clean());
  bool named_pack = false, named_data = false;
  for (const std::string& p : bad->problems) {
    named_pack |= p.rfind("corrupt pack " + pack, 0) == 0;
    named_data |= p.find("needed by data/train.csv (pointer in worktree)") != std::string::npos;
  }
  EXPECT_TRUE(named_pack);
  EXPECT_TRUE(named_data);

  // gc deletes nothing it cannot account for: the pack stays.
  fs::remove(path);
  auto gone = CheckStore(*project_);
  ASSERT_TRUE(gone.ok());
  ASSERT_FALSE(gone->problems.empty());
  EXPECT_EQ(gone->problems[0].rfind("missing pack " + pack, 0), 0u) << gone->problems[0];
}

TEST_F(StoreGcTest, OpenTolerantListsCorruptIndexes) {
  Add("a.bin", 1000, 11);
  const std::string dir = project_->store_dir();
  std::string idx;
  for (auto& e : fs::directory_iterator(dir + "/index")) idx = e.path().string();
  std::ofstream(idx, std::ios::app) << "x";
  EXPECT_FALSE(store::LocalStore::Open(dir).ok());
  std::vector<store::LocalStore::BadIndex> bad;
  auto s = store::LocalStore::OpenTolerant(dir, &bad);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->pack_count(), 0u);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].path, idx);
}

TEST(FindOidsTest, FindsEveryOidWithALabel) {
  const std::string a = "sha256:" + std::string(64, 'a'), b = "sha256:" + std::string(64, 'b');
  Json rec = {{"artifacts", {{{"path", "model.pt"}, {"oid", a}}}},
              {"data", {{{"role", "train"}, {"oid", b}, {"snapshot", {{"oid", a}}}}}},
              {"other", {{"oid", "sha256:short"}}}};
  auto found = FindOids(rec);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].label, "artifact model.pt");
  EXPECT_EQ(found[1].label, "data train");
  EXPECT_EQ(found[2].label, "data train snapshot");
}

// gc's crash paths, call by call: from the same store each time, a FaultInjectionEnv kills gc
// at every call it makes through the Env (its deletions, moves, folder syncs, its lock), then
// the power goes; whatever step it died at, every object a root needs is still readable, and
// the next gc finishes the job.
class GcCrashTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("train.py", "print('hi')\n");
    CommitAll("init");
    InitOptions opts;
    opts.name = "p";
    ASSERT_TRUE(Project::Init(root(), opts).ok());
    auto p = Project::Open(root());
    ASSERT_TRUE(p.ok());
    // kept.bin: a pack of its own, all live. gone.bin: a pack all dead (removed). pair/: one
    // pack, half live (rewritten).
    Write("kept.bin", RandomBytes(200000, 1));
    Write("gone.bin", RandomBytes(200000, 2));
    Write("pair/live.bin", RandomBytes(200000, 3));
    Write("pair/dead.bin", RandomBytes(200000, 4));
    auto kept = AddData(**p, {root() + "/kept.bin"});
    auto gone = AddData(**p, {root() + "/gone.bin"});
    auto pair = AddData(**p, {root() + "/pair/live.bin", root() + "/pair/dead.bin"});
    ASSERT_TRUE(kept.ok() && gone.ok() && pair.ok());
    needed_ = {{(*kept)[0].pointer.oid, RandomBytes(200000, 1)}, {(*pair)[0].pointer.oid, RandomBytes(200000, 3)}};
    fs::remove(root() + "/gone.bin.trail");
    fs::remove(root() + "/pair/dead.bin.trail");
    store_dir_ = (*p)->store_dir();
    pristine_ = store_dir_ + ".pristine";
    fs::copy(store_dir_, pristine_, fs::copy_options::recursive);
  }

  void RestoreStore() {
    fs::remove_all(store_dir_);
    fs::copy(pristine_, store_dir_, fs::copy_options::recursive);
  }

  void ExpectNeededReadable(const std::string& where) {
    auto st = store::LocalStore::Open(store_dir_);
    ASSERT_TRUE(st.ok()) << where << ": " << st.status().message();
    for (const auto& [oid, content] : needed_) {
      auto bytes = store::ReadFileBytes(**st, oid);
      ASSERT_TRUE(bytes.ok()) << where << ": a needed object is gone: " << bytes.status().message();
      EXPECT_EQ(*bytes, content) << where;
    }
  }

  StatusOr<GcResult> Gc(Env& env) {
    TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<Project> p, Project::Open(root(), &env));
    return CollectGarbage(*p, GcOptions{});
  }

  std::vector<std::pair<store::Sha256Digest, std::string>> needed_;
  std::string store_dir_, pristine_;
};

TEST_F(GcCrashTest, DeathAtEveryCallKeepsWhatRootsNeed) {
  uint64_t clean_calls = 0;
  {
    FaultInjectionEnv env(Env::Default());
    auto r = Gc(env);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->removed_packs, 1u);
    EXPECT_EQ(r->rewritten_packs, 1u);
    clean_calls = env.calls();
    ExpectNeededReadable("clean gc");
  }
  ASSERT_GT(clean_calls, 5u);
  for (uint64_t n = 0; n < clean_calls; ++n) {
    const std::string where = "death after call " + std::to_string(n);
    RestoreStore();
    {
      FaultInjectionEnv env(Env::Default());
      env.FailAfter(n);
      EXPECT_FALSE(Gc(env).ok()) << where;
      ASSERT_TRUE(env.DropUnsyncedData().ok()) << where;
    }
    ExpectNeededReadable(where);
    auto next = Gc(*Env::Default());
    ASSERT_TRUE(next.ok()) << where << ": " << next.status().message();
    ExpectNeededReadable(where + ", then gc again");
    auto st = store::LocalStore::Open(store_dir_);
    ASSERT_TRUE(st.ok());
    EXPECT_EQ((*st)->pack_count(), 2u) << where << ": the next gc did not finish the job";
  }
}

}  // namespace
}  // namespace trail
