// `trail add`'s crash paths, call by call: a FaultInjectionEnv kills the add at every call it
// makes (and then the power goes), or fills the disk at that call; afterwards the data file is
// untouched, a pointer that exists is whole and names content the store has, and the next add
// works. The store's own writes go to the real disk (they are flushed before any pointer).
#include <gtest/gtest.h>

#include <cerrno>

#include "base/fault_injection_env.h"
#include "git/git_test_util.h"
#include "project/project.h"
#include "store/file_store.h"
#include "store/local_store.h"
#include "tracked/pointer.h"
#include "tracked/tracked_data.h"

namespace trail {
namespace {

using git::testing::GitRepoFixture;

class AddCrashTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("train.py", "print('hi')\n");
    CommitAll("init");
    InitOptions opts;
    opts.name = "p";
    ASSERT_TRUE(Project::Init(root(), opts).ok());
  }

  // Adds `rel` (a file of its own folder, so the .gitignore beside it is new each time).
  Status Add(Env& env, const std::string& rel) {
    TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<Project> p, Project::Open(root(), &env));
    return AddData(*p, {root() + "/" + rel}).status();
  }

  // What must hold after any add of `rel`, finished or not.
  void ExpectConsistent(const std::string& rel, const std::string& content, const std::string& where) {
    EXPECT_EQ(Read(rel), content) << where << ": the data file changed";
    const std::string pointer_path = root() + "/" + rel + std::string(kPointerSuffix);
    if (!Env::Default()->Exists(pointer_path)) return;
    auto pointer = ReadPointer(pointer_path);
    ASSERT_TRUE(pointer.ok()) << where << ": " << pointer.status().message();
    auto p = Project::Open(root());
    ASSERT_TRUE(p.ok());
    auto st = store::LocalStore::Open((*p)->store_dir());
    ASSERT_TRUE(st.ok()) << st.status().message();
    auto bytes = store::ReadFileBytes(**st, pointer->oid);
    ASSERT_TRUE(bytes.ok()) << where << ": the pointer names what the store lacks: " << bytes.status().message();
    EXPECT_EQ(*bytes, content) << where;
  }

  uint64_t CleanCalls() {
    Write("clean/f.csv", "a,b\n1,2\n");
    FaultInjectionEnv env(Env::Default());
    EXPECT_TRUE(Add(env, "clean/f.csv").ok());
    return env.calls();
  }
};

TEST_F(AddCrashTest, DeathAtEveryCallNeverLosesTheFileOrPointsAtNothing) {
  const uint64_t clean_calls = CleanCalls();
  ASSERT_GT(clean_calls, 5u);
  for (uint64_t n = 0; n < clean_calls; ++n) {
    const std::string rel = "d" + std::to_string(n) + "/f.csv";
    const std::string content = "x,y\n" + std::to_string(n) + ",1\n";
    const std::string where = "death after call " + std::to_string(n);
    Write(rel, content);
    {
      FaultInjectionEnv env(Env::Default());
      env.FailAfter(n);
      // Ok when only the hash cache (best effort) was left to write.
      (void)Add(env, rel);
      ASSERT_TRUE(env.DropUnsyncedData().ok()) << where;
    }
    ExpectConsistent(rel, content, where);
    // The next add finishes the job.
    ASSERT_TRUE(Add(*Env::Default(), rel).ok()) << where;
    ExpectConsistent(rel, content, where + ", then added again");
    EXPECT_NE(Read("d" + std::to_string(n) + "/.gitignore").find("/f.csv\n"), std::string::npos) << where;
  }
}

TEST_F(AddCrashTest, FullDiskAtEveryWriteIsAClearErrorAndTheNextAddWorks) {
  const uint64_t clean_calls = CleanCalls();
  for (uint64_t n = 1; n <= clean_calls; ++n) {
    const std::string rel = "e" + std::to_string(n) + "/f.csv";
    const std::string content = "x,y\n" + std::to_string(n) + ",2\n";
    const std::string where = "ENOSPC at call " + std::to_string(n);
    Write(rel, content);
    {
      FaultInjectionEnv env(Env::Default());
      env.FailMatching([n](const FaultInjectionEnv::Call& c) { return c.index == n && c.op != "read"; }, ENOSPC);
      Status s = Add(env, rel);
      if (!s.ok()) {
        EXPECT_NE(s.message().find("No space left on device"), std::string::npos) << where << ": " << s.message();
      }
    }
    ExpectConsistent(rel, content, where);
    ASSERT_TRUE(Add(*Env::Default(), rel).ok()) << where;
    ExpectConsistent(rel, content, where + ", then added again");
  }
}

}  // namespace
}  // namespace trail
