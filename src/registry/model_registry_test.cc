// The registry on a real repository: versions and alias moves written, read back, resolved now
// and in the past; hostile files from another clone skipped with a warning.
#include "registry/model_registry.h"

#include <gtest/gtest.h>

#include "base/clock.h"
#include "git/git_test_util.h"
#include "record/record.h"
#include "record/registry_layout.h"
#include "registry/model_reader.h"

namespace trail::registry {
namespace {

using git::testing::GitRepoFixture;

const std::string kOidA = "sha256:" + std::string(64, 'a');
const std::string kOidB = "sha256:" + std::string(64, 'b');
const std::string kOidData = "sha256:" + std::string(64, 'd');

class RegistryTest : public GitRepoFixture {
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
    CommitRun(1, {{{"path", "models/model.pt"}, {"role", "torch"}, {"size", 10}, {"oid", kOidA}},
                  {{"path", "models/notes.txt"}, {"role", "other"}, {"size", 3}, {"oid", kOidB}}});
    CommitRun(2, {{{"path", "a.onnx"}, {"role", "onnx"}, {"size", 4}, {"oid", kOidB}},
                  {{"path", "b.pt"}, {"role", "torch"}, {"size", 4}, {"oid", kOidA}}});
  }

  void CommitRun(int n, Json artifacts) {
    const std::string id = "p-" + std::to_string(n);
    Json rec = {{"trail", 1},
                {"id", id},
                {"number", n},
                {"uid", std::string(32, static_cast<char>('0' + n))},
                {"code", {{"commit", "c0ffee"}, {"snapshot", "5a5a"}, {"ref", "refs/trail/code/" + id}}},
                {"params", {{"lr", 0.1}}},
                {"metrics", {{"summary", {{"loss", {{"last", 0.25}}}}}}},
                {"data", Json::array({{{"role", "train"}, {"source", "train.csv"}, {"oid", kOidData}}})},
                {"artifacts", artifacts}};
    ASSERT_TRUE(project_->Commit({{record::RecordPath(id, n), record::Serialize(rec)}}, "run").ok());
  }

  std::string Tip() { return *RunsTip(*project_); }

  Model Load(const std::string& name) {
    auto m = LoadModel(*project_, Tip(), name);
    EXPECT_TRUE(m.ok()) << m.status().message();
    return m.ok() ? *m : Model{};
  }

  std::unique_ptr<Project> project_;
};

TEST_F(RegistryTest, RegisterKeepsTheArtifactAndLineage) {
  RegisterOptions o;
  o.name = "fraud";
  o.run = "p-1";
  o.message = "first";
  o.tags = {{"team", "risk"}};
  auto v = RegisterVersion(*project_, o);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->number, 1);
  EXPECT_EQ(v->path, "models/fraud/versions/1.yaml");

  Model m = Load("fraud");
  ASSERT_EQ(m.versions.size(), 1u);
  const Json& rec = m.versions[0].record;
  EXPECT_EQ(rec["run"], "p-1");
  EXPECT_EQ(rec["run_uid"], std::string(32, '1'));
  EXPECT_EQ(rec["artifact"], (Json{{"path", "models/model.pt"}, {"role", "torch"}, {"size", 10}, {"oid", kOidA}}));
  EXPECT_EQ(rec["message"], "first");
  EXPECT_EQ(rec["tags"]["team"], "risk");
  EXPECT_EQ(rec["user"]["name"], "Test User");
  EXPECT_EQ(rec["lineage"]["code"]["commit"], "c0ffee");
  EXPECT_EQ(rec["lineage"]["params"]["lr"], 0.1);
  EXPECT_EQ(rec["lineage"]["metrics"]["loss"]["last"], 0.25);
  EXPECT_EQ(rec["lineage"]["data"][0]["oid"], kOidData);
  EXPECT_TRUE(ParseIsoTime(rec["registered"].get<std::string>()));

  o.run = "p-2";
  o.artifacts = {"b.pt"};
  auto v2 = RegisterVersion(*project_, o);
  ASSERT_TRUE(v2.ok()) << v2.status().message();
  EXPECT_EQ(v2->number, 2);
  EXPECT_EQ(Load("fraud").Latest()->record["artifact"]["path"], "b.pt");
}

TEST_F(RegistryTest, RegisterRefusesAndWritesNothing) {
  const std::string before = Tip();
  auto fails = [&](const std::string& name, const std::string& run, const std::string& artifact, Code code,
                   const std::string& text) {
    RegisterOptions o;
    o.name = name;
    o.run = run;
    if (!artifact.empty()) o.artifacts = {artifact};
    auto v = RegisterVersion(*project_, o);
    ASSERT_FALSE(v.ok()) << name << " " << run << " " << artifact;
    EXPECT_EQ(v.status().code(), code) << v.status().message();
    EXPECT_NE(v.status().message().find(text), std::string::npos) << v.status().message();
  };
  fails("a/b", "p-1", "", Code::kInvalidArgument, "not a valid name");
  fails("ok", "p-9", "", Code::kNotFound, "no run p-9");
  fails("ok", "p-1", "x.bin", Code::kNotFound, "p-1 has no artifact x.bin; it has: models/model.pt (torch)");
  fails("ok", "p-2", "", Code::kFailedPrecondition, "more than one model artifact; name one of: a.onnx (onnx), b.pt");
  EXPECT_EQ(Tip(), before);
}

TEST_F(RegistryTest, AliasesKeepEveryMoveAndAnswerForAPastTime) {
  RegisterOptions o{"churn", "p-1", {}, "", Json::object()};
  ASSERT_TRUE(RegisterVersion(*project_, o).ok());
  o.artifacts = {"a.onnx"};
  o.run = "p-2";
  ASSERT_TRUE(RegisterVersion(*project_, o).ok());

  auto first = MoveAlias(*project_, {"churn", "production", "1", "first", false});
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->version, 1);
  EXPECT_EQ(first->from_version, 0);
  auto second = MoveAlias(*project_, {"churn", "production", "latest", "better", false});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->version, 2);
  EXPECT_EQ(second->from_version, 1);
  EXPECT_EQ(MoveAlias(*project_, {"churn", "staging", "@production", "", false})->version, 2);
  EXPECT_EQ(MoveAlias(*project_, {"churn", "latest", "1", "", false}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(MoveAlias(*project_, {"churn", "x", "7", "", false}).status().code(), Code::kNotFound);
  EXPECT_EQ(MoveAlias(*project_, {"churn", "never", "", "", true}).status().code(), Code::kFailedPrecondition);
  ASSERT_TRUE(MoveAlias(*project_, {"churn", "staging", "", "retired", true}).ok());

  Model m = Load("churn");
  ASSERT_EQ(m.moves.size(), 4u);
  EXPECT_EQ(m.moves[1].record["message"], "better");
  EXPECT_EQ(m.moves[1].from_version, 1);
  EXPECT_TRUE(m.moves[3].deleted);
  auto now = m.AliasesAt(std::nullopt);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now["production"]->number, 2);
  EXPECT_EQ(m.AliasesAt(m.moves[0].when)["production"]->number, 1);
  EXPECT_EQ(m.AliasesAt(m.moves[2].when)["staging"]->number, 2);
  EXPECT_TRUE(m.AliasesAt(m.moves[0].when - 1).empty());

  auto ref = ParseModelRef("churn@production");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ((*Resolve(m, *ref, m.moves[0].when))->number, 1);
  EXPECT_EQ((*Resolve(m, *ParseModelRef("churn:1"), std::nullopt))->number, 1);
  EXPECT_EQ((*Resolve(m, *ParseModelRef("churn"), std::nullopt))->number, 2);
  EXPECT_EQ(Resolve(m, *ParseModelRef("churn@staging"), std::nullopt).status().code(), Code::kNotFound);
}

TEST_F(RegistryTest, ReferencesAndTimes) {
  EXPECT_EQ(ParseModelRef("m:v3")->version, 3);
  EXPECT_EQ(ParseModelRef("m@prod")->alias, "prod");
  for (const char* bad : {"", "m:0", "m:x", "m@", "m@a:1", "a/b", "m@a/b", "m:01"})
    EXPECT_EQ(ParseModelRef(bad).status().code(), Code::kInvalidArgument) << bad;
  EXPECT_DOUBLE_EQ(*ParseAtTime("2026-11-01"), *ParseIsoTime("2026-11-01T23:59:59.999Z"));
  EXPECT_DOUBLE_EQ(*ParseAtTime("2026-11-01T10:00:00Z"), *ParseIsoTime("2026-11-01T10:00:00.000Z"));
  EXPECT_EQ(ParseAtTime("yesterday").status().code(), Code::kInvalidArgument);
}

// What another clone may have pushed: each bad file is skipped with a warning, the rest is read.
TEST_F(RegistryTest, HostileFilesAreSkippedWithAWarning) {
  RegisterOptions o{"m", "p-1", {}, "", Json::object()};
  ASSERT_TRUE(RegisterVersion(*project_, o).ok());
  const std::string uid = Load("m").versions[0].uid;
  const std::string good_move =
      "model: m\nalias: prod\naction: set\nversion: 1\nversion_uid: \"" + uid + "\"\nwhen: 2026-11-01T00:00:00.000Z\n";
  std::vector<git::FileWrite> writes = {
      {"models/m/versions/2.yaml", "model: other\nversion: 2\n"},                // model disagrees
      {"models/m/versions/3.yaml", "model: m\nversion: 3\nuid: x\nrun: p-1\n"},  // bad uid
      {"models/m/versions/4.yaml", "model: m\nversion: 4\nuid: \"" + std::string(32, 'e') +
                                       "\"\nrun: p-1\nartifact:\n  path: ../../etc/passwd\n  oid: " + kOidA + "\n"},
      {"models/m/versions/5.yaml", "model: m\nversion: 5\nuid: \"" + std::string(32, 'f') +
                                       "\"\nrun: p-1\nartifact:\n  path: a.pt\n  oid: sha256:12\n"},
      {"models/m/versions/6.yaml", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["},
      {"models/m/versions/7.yaml", "model: m\nversion: 7\nuid: \"" + uid +
                                       "\"\nrun: p-1\nartifact:\n  path: a.pt\n  oid: " + kOidA + "\n"},  // uid twice
      {"models/m/versions/007.yaml", "model: m\n"},
      {"models/m/versions/8.yaml", std::string(2 << 20, '#')},
      {"models/m/aliases/prod/20261101T000000000Z-aaaaaaaaaaaa.yaml", good_move},
      {"models/m/aliases/prod/20261102T000000000Z-bbbbbbbbbbbb.yaml",
       "model: m\nalias: prod\naction: explode\nwhen: 2026-11-02T00:00:00.000Z\n"},
      {"models/m/aliases/prod/20261103T000000000Z-cccccccccccc.yaml",
       "model: m\nalias: staging\naction: delete\nwhen: 2026-11-03T00:00:00.000Z\n"},
      {"models/m/aliases/prod/20261104T000000000Z-dddddddddddd.yaml",
       "model: m\nalias: prod\naction: set\nversion_uid: \"" + std::string(32, '9') +
           "\"\nwhen: 2026-11-04T00:00:00.000Z\n"},  // a version this clone lacks: no value
      {"models/m/aliases/prod/notes.txt", "hi"},
  };
  ASSERT_TRUE(project_->Commit(writes, "hostile").ok());
  Model m = Load("m");
  ASSERT_EQ(m.versions.size(), 1u);
  EXPECT_EQ(m.versions[0].number, 1);
  EXPECT_EQ(m.warnings.size(), 11u);
  for (const std::string& w : m.warnings) EXPECT_EQ(w.find('\n'), std::string::npos) << w;
  EXPECT_EQ(m.moves.size(), 2u);
  EXPECT_EQ(m.AliasesAt(*ParseAtTime("2026-11-01")).at("prod")->number, 1);
  // Never a stale answer: an alias last moved to a version this clone lacks names nothing.
  EXPECT_EQ(m.AliasesAt(std::nullopt).count("prod"), 0u);
  // A bad file still owns its number: the next version is 9.
  auto v = RegisterVersion(*project_, o);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->number, 9);
}

TEST_F(RegistryTest, AVersionHoldsEveryFileOfACheckpoint) {
  CommitRun(3,
            {{{"path", "ckpt/model.ckpt.index"}, {"role", "checkpoint"}, {"size", 5}, {"oid", kOidA}},
             {{"path", "ckpt/model.ckpt.data-00000-of-00001"}, {"role", "checkpoint"}, {"size", 9}, {"oid", kOidB}}});
  RegisterOptions o{"tf", "p-3", {}, "", Json::object()};
  auto v = RegisterVersion(*project_, o);
  ASSERT_TRUE(v.ok()) << v.status().message();
  const Json index = {{"path", "ckpt/model.ckpt.index"}, {"role", "checkpoint"}, {"size", 5}, {"oid", kOidA}};
  const Json data = {
      {"path", "ckpt/model.ckpt.data-00000-of-00001"}, {"role", "checkpoint"}, {"size", 9}, {"oid", kOidB}};
  Model m = Load("tf");
  ASSERT_EQ(m.versions.size(), 1u);
  // Both forms: `artifact` (the primary file) for older trail, `artifacts` for every file.
  EXPECT_EQ(m.versions[0].record["artifact"], index);
  EXPECT_EQ(m.versions[0].record["artifacts"], Json::array({index, data}));
  EXPECT_EQ(m.versions[0].artifacts, Json::array({index, data}));
}

// Records written before versions held several files have `artifact` only; files another clone
// wrote are checked entry by entry.
TEST_F(RegistryTest, OldRecordsReadAndBadFileListsAreSkipped) {
  const std::string head = "model: m\nrun: p-1\n";
  auto version = [&](int n, const std::string& body) {
    return git::FileWrite{
        "models/m/versions/" + std::to_string(n) + ".yaml",
        head + "version: " + std::to_string(n) + "\nuid: \"" + std::string(32, 'a' + n) + "\"\n" + body};
  };
  const std::string file = "  - path: a.pt\n    oid: " + kOidA + "\n";
  std::vector<git::FileWrite> writes = {
      version(1, "artifact:\n  path: a.pt\n  oid: " + kOidA + "\n  size: 4\n"),           // old form: read
      version(2, "artifacts:\n" + file + "  - path: b/c.bin\n    oid: " + kOidB + "\n"),  // new form only: read
      version(3, "artifacts: []\n"),
      version(4, "artifacts:\n" + file + file),  // a path twice
      version(5, "artifacts:\n" + file + "  - path: ../x\n    oid: " + kOidB + "\n"),
      version(6, "artifacts:\n" + file + "  - path: .git/config\n    oid: " + kOidB + "\n"),
      version(7, "artifacts:\n" + file + "  - path: x\n    oid: sha256:00\n"),
      version(8, "artifacts:\n" + file + "  - path: x\n    oid: " + kOidB + "\n    size: -1\n"),
      version(9, "artifacts:\n  path: a.pt\n"),
      version(10, "artifact:\n  path: /etc/passwd\n  oid: " + kOidA + "\nartifacts:\n" + file),  // both checked
      version(11, "artifacts:\n  - 7\n"),
  };
  ASSERT_TRUE(project_->Commit(writes, "mixed").ok());
  Model m = Load("m");
  ASSERT_EQ(m.versions.size(), 2u);
  EXPECT_EQ(m.versions[0].artifacts, Json::array({{{"path", "a.pt"}, {"oid", kOidA}, {"size", 4}}}));
  ASSERT_EQ(m.versions[1].artifacts.size(), 2u);
  EXPECT_EQ(m.versions[1].artifacts[1]["path"], "b/c.bin");
  EXPECT_EQ(m.warnings.size(), 9u);
  for (const std::string& w : m.warnings) EXPECT_EQ(w.find('\n'), std::string::npos) << w;
}

}  // namespace
}  // namespace trail::registry
