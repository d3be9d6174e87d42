#include "process/exec_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace trail::process {
namespace {

using ::testing::ElementsAre;

TEST(ExecPlanTest, SearchesThePathOfTheGivenEnvironment) {
  ExecPlan plan({"python", "train.py"}, {"HOME=/h", "PATH=/opt/venv/bin::/usr/bin"});
  EXPECT_THAT(plan.candidates(), ElementsAre("/opt/venv/bin/python", "python", "/usr/bin/python"));
  EXPECT_EQ(plan.program(), "python");
}

TEST(ExecPlanTest, FirstPathWins) {
  ExecPlan plan({"x"}, {"PATH=/a", "PATH=/b"});
  EXPECT_THAT(plan.candidates(), ElementsAre("/a/x"));
}

TEST(ExecPlanTest, DefaultsPathLikeGlibc) {
  ExecPlan plan({"x"}, {"HOME=/h"});
  EXPECT_THAT(plan.candidates(), ElementsAre("/bin/x", "/usr/bin/x"));
}

TEST(ExecPlanTest, NameWithSlashIsNotSearched) {
  ExecPlan plan({"./run.sh"}, {"PATH=/a"});
  EXPECT_THAT(plan.candidates(), ElementsAre("./run.sh"));
}

}  // namespace
}  // namespace trail::process
