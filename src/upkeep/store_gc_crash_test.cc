// gc's crash paths, call by call: from the same store each time, a FaultInjectionEnv kills gc
// at every call it makes through the Env (its deletions, moves, folder syncs, its lock), then
// the power goes; whatever step it died at, every object a root needs is still readable, and
// the next gc finishes the job.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "base/fault_injection_env.h"
#include "git/git_test_util.h"
#include "project/project.h"
#include "store/file_store.h"
#include "store/local_store.h"
#include "tracked/tracked_data.h"
#include "upkeep/store_gc.h"

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
