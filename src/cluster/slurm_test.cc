#include "cluster/slurm.h"

#include <gtest/gtest.h>

namespace trail::cluster {
namespace {

TEST(Slurm, ParsesScontrolLine) {
  JobInfo info = ParseJobLine(
      "JobId=12 JobName=trail-p-3 UserId=root(0) JobState=NODE_FAIL Reason=NodeDown Dependency=(null) "
      "Requeue=1 Restarts=0 BatchFlag=1 ExitCode=0:9 BatchHost=vm NumNodes=1");
  EXPECT_TRUE(info.known);
  EXPECT_EQ(info.state, "NODE_FAIL");
  EXPECT_EQ(info.reason, "NodeDown");
  EXPECT_EQ(info.exit_code, "0:9");
  EXPECT_EQ(info.node, "vm");
  EXPECT_FALSE(ParseJobLine("").known);
  EXPECT_FALSE(ParseJobLine("SomeJobState=RUNNING").known);  // a key is matched whole
}

TEST(Slurm, MapsStates) {
  EXPECT_TRUE(JobActive("PENDING"));
  EXPECT_TRUE(JobActive("RUNNING"));
  EXPECT_FALSE(JobActive("COMPLETED"));
  JobInfo info{true, "NODE_FAIL", "NodeDown", "0:0", "vm"};
  auto v = VerdictOf("12", info);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->status, "failed");
  EXPECT_EQ(v->reason, "Slurm job 12 NODE_FAIL (NodeDown): its node failed");
  info.state = "CANCELLED";
  info.reason = "None";
  EXPECT_EQ(VerdictOf("12", info)->status, "killed");
  info.state = "COMPLETED";
  EXPECT_FALSE(VerdictOf("12", info));
  EXPECT_EQ(VerdictOf("12", JobInfo{})->status, "crashed");
}

TEST(Slurm, ScriptQuotesEveryWord) {
  SlurmOptions o;
  o.partition = "debug";
  o.cpus = 2;
  o.gres = "gpu:1";
  o.sbatch_args = {"--exclusive"};
  BatchJob job{"trail-p-1",
               "/work/it's here",
               "/p/.trail/jobs/p-1.out",
               {"A=x y"},
               {"/bin/trail", "run", "--", "echo", "$HOME"}};
  std::string s = BatchScript(o, job);
  EXPECT_NE(s.find("#SBATCH --partition=debug\n"), std::string::npos);
  EXPECT_NE(s.find("#SBATCH --cpus-per-task=2\n"), std::string::npos);
  EXPECT_NE(s.find("#SBATCH --gres=gpu:1\n"), std::string::npos);
  EXPECT_NE(s.find("#SBATCH --exclusive\n"), std::string::npos);
  EXPECT_LT(s.find("#SBATCH --no-requeue\n"), s.find("#SBATCH --exclusive\n"));
  EXPECT_NE(s.find("export A='x y'\n"), std::string::npos);
  EXPECT_NE(s.find("cd '/work/it'\\''s here' || exit 1\n"), std::string::npos);
  EXPECT_NE(s.find("exec '/bin/trail' 'run' '--' 'echo' '$HOME'\n"), std::string::npos);
}

TEST(Slurm, RefusesBadOptions) {
  SlurmOptions o;
  o.partition = "debug\n#SBATCH --uid=0";
  EXPECT_EQ(CheckSlurmOptions(o).code(), Code::kInvalidArgument);
  o = {};
  o.sbatch_args = {"exclusive"};
  EXPECT_EQ(CheckSlurmOptions(o).code(), Code::kInvalidArgument);
  auto parsed =
      SlurmOptionsFromJson(Json{{"partition", "gpu"}, {"cpus", 4}, {"sbatch_args", {"--qos=low"}}}, "executor.slurm");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->cpus, 4);
  EXPECT_EQ(SlurmOptionsToJson(*parsed)["sbatch_args"][0], "--qos=low");
  auto bad = SlurmOptionsFromJson(Json{{"partiton", "gpu"}}, "executor.slurm");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "executor.slurm.partiton: unknown key (partition, time, cpus, mem, gres, account, sbatch_args)");
  EXPECT_FALSE(SlurmOptionsFromJson(Json{{"cpus", 0}}, "x").ok());
}

}  // namespace
}  // namespace trail::cluster
