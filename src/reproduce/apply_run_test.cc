#include "reproduce/apply_run.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace trail::reproduce {
namespace {

using State = WorkFile::State;

const TreeFile kA{"100644", "aaaa"};
const TreeFile kB{"100644", "bbbb"};

// A working tree described by path: what the probe says is there. Unlisted paths are absent;
// a path whose content equals the snapshot's is listed as kMatches by the test itself.
struct FakeTree {
  std::map<std::string, WorkFile> files;
  std::vector<std::string> probed;
  WorkProbe probe() {
    return [this](const std::string& path, const TreeFile*) {
      probed.push_back(path);
      auto it = files.find(path);
      return it == files.end() ? WorkFile{} : it->second;
    };
  }
};

std::vector<std::string> Paths(const std::vector<Conflict>& conflicts) {
  std::vector<std::string> out;
  for (const Conflict& c : conflicts) out.push_back(c.path + ":" + c.why);
  return out;
}

using Strings = std::vector<std::string>;

TEST(PlanApplyTest, CleanTreeGetsChangesAdditionsAndDeletions) {
  const TreeFiles head = {{"same.py", kA}, {"edited.py", kA}, {"gone.md", kA}};
  const TreeFiles snap = {{"same.py", kA}, {"edited.py", kB}, {"new.txt", kB}};
  FakeTree tree;
  tree.files = {
      {"same.py", {State::kMatches, ""}}, {"edited.py", {State::kDiffers, ""}}, {"gone.md", {State::kDiffers, ""}}};
  const ApplyPlan plan = PlanApply(head, snap, {}, tree.probe());
  EXPECT_EQ(plan.changed, Strings{"edited.py"});
  EXPECT_EQ(plan.added, Strings{"new.txt"});
  EXPECT_EQ(plan.deleted, Strings{"gone.md"});
  EXPECT_TRUE(plan.conflicts.empty());
  // A file the same in HEAD and the snapshot, with no work on it, is not even looked at.
  EXPECT_EQ(std::count(tree.probed.begin(), tree.probed.end(), "same.py"), 0);
}

TEST(PlanApplyTest, UserWorkInTheWayIsAConflict) {
  const TreeFiles head = {{"edited.py", kA}, {"gone.md", kA}, {"kept.py", kA}};
  const TreeFiles snap = {{"edited.py", kB}, {"new.txt", kB}, {"kept.py", kA}};
  FakeTree tree;
  tree.files = {{"edited.py", {State::kDiffers, ""}},
                {"gone.md", {State::kDiffers, ""}},
                {"new.txt", {State::kDiffers, ""}},
                {"kept.py", {State::kDiffers, ""}}};
  const std::map<std::string, std::string> work = {
      {"edited.py", "modified"}, {"gone.md", "staged"}, {"new.txt", "untracked"}, {"kept.py", "modified"}};
  const ApplyPlan plan = PlanApply(head, snap, work, tree.probe());
  // kept.py is the same in HEAD and the snapshot, but applying would undo the user's edit.
  EXPECT_EQ(Paths(plan.conflicts),
            (Strings{"edited.py:modified", "gone.md:staged", "kept.py:modified", "new.txt:untracked"}));
  EXPECT_TRUE(plan.changed.empty() && plan.added.empty() && plan.deleted.empty());
}

TEST(PlanApplyTest, ContentThatAlreadyMatchesIsNoConflict) {
  const TreeFiles head = {{"edited.py", kA}, {"gone.md", kA}};
  const TreeFiles snap = {{"edited.py", kB}, {"new.txt", kB}};
  FakeTree tree;
  tree.files = {{"edited.py", {State::kMatches, ""}}, {"new.txt", {State::kMatches, ""}}};  // gone.md: absent
  const std::map<std::string, std::string> work = {
      {"edited.py", "modified"}, {"gone.md", "modified"}, {"new.txt", "untracked"}};
  const ApplyPlan plan = PlanApply(head, snap, work, tree.probe());
  EXPECT_TRUE(plan.conflicts.empty());
  EXPECT_TRUE(plan.changed.empty() && plan.added.empty() && plan.deleted.empty());
}

TEST(PlanApplyTest, UntrackedFilesTheRunNeverKnewAreLeftAlone) {
  FakeTree tree;
  tree.files = {{"scratch.txt", {State::kDiffers, ""}}};
  const ApplyPlan plan = PlanApply({{"a.py", kA}}, {{"a.py", kA}}, {{"scratch.txt", "untracked"}}, tree.probe());
  EXPECT_TRUE(plan.conflicts.empty());
  EXPECT_TRUE(tree.probed.empty());
}

TEST(PlanApplyTest, IgnoredFileTheSnapshotWouldOverwriteIsAConflict) {
  FakeTree tree;
  tree.files = {{"local.cfg", {State::kDiffers, ""}}};  // not in HEAD, not untracked: ignored
  const ApplyPlan plan = PlanApply({}, {{"local.cfg", kB}, {"other.cfg", kA}}, {}, tree.probe());
  EXPECT_EQ(Paths(plan.conflicts), Strings{"local.cfg:ignored"});
  EXPECT_EQ(plan.added, Strings{"other.cfg"});
}

TEST(PlanApplyTest, BlockedPathsAreConflictsWithTheReason) {
  FakeTree tree;
  tree.files = {{"out/model.py", {State::kBlocked, "out is a symbolic link"}}};
  const ApplyPlan plan = PlanApply({}, {{"out/model.py", kA}}, {}, tree.probe());
  EXPECT_EQ(Paths(plan.conflicts), Strings{"out/model.py:out is a symbolic link"});
}

TEST(PlanApplyTest, SubmodulesAreLeftAlone) {
  const TreeFile sub{"160000", "cccc"};
  FakeTree tree;
  const ApplyPlan plan = PlanApply({{"vendor/lib", sub}}, {{"vendor/lib", TreeFile{"160000", "dddd"}}},
                                   {{"vendor/lib", "modified"}}, tree.probe());
  EXPECT_TRUE(plan.conflicts.empty() && plan.changed.empty());
  EXPECT_TRUE(tree.probed.empty());
}

}  // namespace
}  // namespace trail::reproduce
