// RestoreDataInputs: a run's data inputs back at their recorded paths, from the local store,
// with every path in the record treated as untrusted and nothing written before all is planned.
#include "tracked/run_restore.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "base/test_temp_dir.h"
#include "git/git_test_util.h"
#include "project/project.h"
#include "tracked/tracked_data.h"

namespace trail {
namespace {

using git::testing::GitRepoFixture;
using State = DataInputRestore::State;

class RestoreDataInputsTest : public GitRepoFixture {
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
    project_ = std::move(*p);
    Write("data/train.csv", "a,b\n1,2\n3,4\n");
    auto added = AddData(*project_, {root() + "/data/train.csv"});
    ASSERT_TRUE(added.ok()) << added.status().message();
    oid_ = OidString((*added)[0].pointer.oid);
  }

  std::string Dir(const std::string& name) const { return elsewhere_.path() + "/" + name; }
  static std::string ReadFileOrDie(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void WriteFileOrDie(const std::string& path, const std::string& content) const {
    elsewhere_.Write(path.substr(elsewhere_.path().size() + 1), content);
  }

  Json Record(const Json& data) { return Json{{"id", "p-1"}, {"data", data}}; }

  trail::testing::TempDir elsewhere_;
  std::unique_ptr<Project> project_;
  std::string oid_;
};

TEST_F(RestoreDataInputsTest, RestoresStoredInputAndReportsTheRest) {
  const std::string other = "sha256:" + std::string(64, 'a');
  Json rec = Record(Json::array({
      Json{{"role", "train"}, {"source", "data/train.csv"}, {"oid", oid_}, {"size", 12}, {"format", "csv"}},
      Json{{"role", "validation"}, {"source", "data/val.csv"}, {"oid", other}, {"size", 3}, {"format", "csv"}},
      Json{{"role", "test"}, {"source", "https://example.com/test.csv"}},
      Json{{"role", "extra"}, {"source", "data/extra.csv"}, {"format", "csv"}},
  }));
  const std::string dest = Dir("elsewhere");  // a work tree: it exists
  elsewhere_.Write("elsewhere/README", "");
  auto out = RestoreDataInputs(*project_, rec, dest, {});
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 4u);
  EXPECT_EQ((*out)[0].state, State::kRestored);
  EXPECT_EQ(ReadFileOrDie(dest + "/data/train.csv"), "a,b\n1,2\n3,4\n");
  EXPECT_EQ((*out)[1].state, State::kMissing);
  EXPECT_NE((*out)[1].problem.find(other), std::string::npos) << (*out)[1].problem;
  EXPECT_EQ((*out)[2].state, State::kUrl);
  EXPECT_EQ((*out)[3].state, State::kMissing);

  // Again: already there.
  out = RestoreDataInputs(*project_, rec, dest, {});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].state, State::kPresent);
}

TEST_F(RestoreDataInputsTest, OtherContentIsAConflictUnlessForced) {
  Json rec = Record(Json::array({Json{{"role", "train"}, {"source", "data/train.csv"}, {"oid", oid_}, {"size", 12}}}));
  const std::string dest = Dir("wt");
  WriteFileOrDie(dest + "/data/train.csv", "mine\n");
  DataRestoreOptions dry;
  dry.dry_run = true;
  auto planned = RestoreDataInputs(*project_, rec, dest, dry);
  ASSERT_TRUE(planned.ok());
  EXPECT_EQ((*planned)[0].state, State::kConflict);
  auto refused = RestoreDataInputs(*project_, rec, dest, {});
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(ReadFileOrDie(dest + "/data/train.csv"), "mine\n");
  DataRestoreOptions force;
  force.force = true;
  ASSERT_TRUE(RestoreDataInputs(*project_, rec, dest, force).ok());
  EXPECT_EQ(ReadFileOrDie(dest + "/data/train.csv"), "a,b\n1,2\n3,4\n");
}

TEST_F(RestoreDataInputsTest, UnsafePathsInTheRecordAreRefused) {
  const std::string dest = Dir("wt2");
  for (const char* path : {"../escape.csv", ".git/config", "a/../../b"}) {
    Json rec = Record(Json::array({Json{{"role", "train"}, {"source", path}, {"oid", oid_}}}));
    auto out = RestoreDataInputs(*project_, rec, dest, {});
    ASSERT_FALSE(out.ok()) << path;
    EXPECT_NE(out.status().message().find(path), std::string::npos) << out.status().message();
  }
  EXPECT_EQ(RestoreDataInputs(*project_, Json{{"id", "p-1"}, {"data", "x"}}, dest, {}).status().code(), Code::kCorrupt);
}

}  // namespace
}  // namespace trail
