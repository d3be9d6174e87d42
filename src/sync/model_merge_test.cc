// The registry's part of the runs-branch merge, on commits written straight into a repository.
#include "sync/model_merge.h"

#include <gtest/gtest.h>

#include "base/yaml.h"
#include "git/git_test_util.h"
#include "record/registry_layout.h"

namespace trail {
namespace {

using git::testing::GitRepoFixture;

std::string Version(const std::string& name, int n, char uid, const std::string& run) {
  return "model: " + name + "\nversion: " + std::to_string(n) + "\nuid: \"" + std::string(32, uid) + "\"\nrun: " + run +
         "\nartifact:\n  path: m.pt\n  oid: sha256:" + std::string(64, 'a') + "\n";
}

class ModelMergeTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("x", "x");
    CommitAll("init");
    auto r = git::Repo::Discover(root());
    ASSERT_TRUE(r.ok());
    repo_ = std::move(*r);
  }

  std::string CommitOf(const std::vector<std::pair<std::string, std::string>>& files) {
    auto c = repo_->WriteCommitFromFiles(files, {}, "c", {"T", "t@x"});
    EXPECT_TRUE(c.ok()) << c.status().message();
    return *c;
  }

  std::string BlobAt(const std::string& commit, const std::string& path) {
    auto entry = repo_->StatTreeFile(commit, path);
    EXPECT_TRUE(entry.ok()) << path;
    return entry.ok() ? entry->oid : "";
  }

  std::unique_ptr<git::Repo> repo_;
};

TEST_F(ModelMergeTest, LocalCollidingVersionsMoveAboveBothSides) {
  const std::string local = CommitOf({{"models/m/versions/1.yaml", Version("m", 1, 'a', "p-1")},
                                      {"models/m/versions/2.yaml", Version("m", 2, 'b', "p-2")},
                                      {"models/n/versions/1.yaml", Version("n", 1, 'c', "p-1")}});
  const std::string remote = CommitOf({{"models/m/versions/1.yaml", Version("m", 1, 'a', "p-1")},
                                       {"models/m/versions/2.yaml", Version("m", 2, 'd', "p-5")},
                                       {"models/m/versions/3.yaml", Version("m", 3, 'e', "p-6")}});
  const std::string path = "models/m/versions/2.yaml";
  EXPECT_TRUE(*IsVersionCollision(*repo_, path, BlobAt(local, path), BlobAt(remote, path)));
  // The same record on both sides, or a path that is no version, is no collision.
  const std::string same = "models/m/versions/1.yaml";
  EXPECT_FALSE(*IsVersionCollision(*repo_, same, BlobAt(local, same), BlobAt(remote, same)));
  EXPECT_FALSE(*IsVersionCollision(*repo_, "runs/000/p-1/run.yaml", BlobAt(local, path), BlobAt(remote, path)));

  auto moves = PlanVersionMoves(*repo_, local, remote, {{path, BlobAt(local, path)}});
  ASSERT_TRUE(moves.ok()) << moves.status().message();
  ASSERT_EQ(moves->size(), 1u);
  EXPECT_EQ((*moves)[0].from, 2);
  EXPECT_EQ((*moves)[0].to, 4);

  auto writes = MovedVersionWrites(*repo_, *moves, {{"p-2", "p-7"}});
  ASSERT_TRUE(writes.ok()) << writes.status().message();
  ASSERT_EQ(writes->size(), 1u);
  EXPECT_EQ((*writes)[0].path, "models/m/versions/4.yaml");
  Json rec = *ParseYaml((*writes)[0].content, "w");
  EXPECT_EQ(rec["version"], 4);
  EXPECT_EQ(rec["renumbered_from"], 2);
  EXPECT_EQ(rec["uid"], std::string(32, 'b'));
  EXPECT_EQ(rec["run"], "p-7");
  EXPECT_EQ(rec.begin().key(), "model");

  // This clone's alias move that names the moved version follows it; others are left as they are.
  const std::string move_path = "models/m/aliases/prod/20261101T000000000Z-aaaaaaaaaaaa.yaml";
  const std::string move = "model: m\nalias: prod\naction: set\nversion: 2\nversion_uid: \"" + std::string(32, 'b') +
                           "\"\nfrom_version: 1\nfrom_uid: \"" + std::string(32, 'a') + "\"\nwhen: x\n";
  Json followed = *ParseYaml(*FollowMovedVersions(*repo_, move_path, move, *moves), "m");
  EXPECT_EQ(followed["version"], 4);
  EXPECT_EQ(followed["from_version"], 1);
  const std::string other_model =
      "model: n\nalias: prod\naction: set\nversion: 2\nversion_uid: \"" + std::string(32, 'b') + "\"\n";
  EXPECT_EQ(*FollowMovedVersions(*repo_, "models/n/aliases/prod/x.yaml", other_model, *moves), other_model);

  // A version written here whose run the merge renumbered names the new id.
  const std::string v = Version("n", 1, 'c', "p-2");
  EXPECT_EQ((*ParseYaml(*FollowRenamedRun("models/n/versions/1.yaml", v, {{"p-2", "p-7"}}), "v"))["run"], "p-7");
  EXPECT_EQ(*FollowRenamedRun("models/n/versions/1.yaml", v, {{"p-3", "p-7"}}), v);
}

TEST_F(ModelMergeTest, BrokenRecordsAreCorruptNotCrashes) {
  const std::string local = CommitOf({{"models/m/versions/1.yaml", "[[[["}});
  const std::string remote = CommitOf({{"models/m/versions/1.yaml", Version("m", 1, 'a', "p-1")}});
  const std::string path = "models/m/versions/1.yaml";
  auto c = IsVersionCollision(*repo_, path, BlobAt(local, path), BlobAt(remote, path));
  EXPECT_FALSE(c.ok());
}

}  // namespace
}  // namespace trail
