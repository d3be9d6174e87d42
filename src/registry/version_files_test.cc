// Which files a model version holds: the named artifacts with their companions (a checkpoint's
// shards and state file, a SavedModel's variables, an ONNX model's external data), chosen from
// the run's artifact list alone.
#include "registry/version_files.h"

#include <gtest/gtest.h>

namespace trail::registry {
namespace {

Json Entry(const std::string& path, const std::string& role,
           const std::string& oid = "sha256:" + std::string(64, 'a')) {
  Json a = {{"path", path}, {"role", role}, {"size", 1}};
  if (!oid.empty()) a["oid"] = oid;
  return a;
}

Json RunRecord(Json artifacts) { return {{"id", "p-1"}, {"artifacts", std::move(artifacts)}}; }

std::vector<std::string> Paths(const StatusOr<Json>& files) {
  std::vector<std::string> out;
  if (!files.ok()) return {"error: " + files.status().message()};
  for (const Json& f : *files) out.push_back(f["path"]);
  return out;
}

using Names = std::vector<std::string>;

TEST(VersionFilesTest, ACheckpointComesWhole) {
  const Json run = RunRecord({Entry("ckpt/model.ckpt.data-00000-of-00002", "checkpoint"),
                              Entry("ckpt/model.ckpt.data-00001-of-00002", "checkpoint"),
                              Entry("ckpt/model.ckpt.index", "checkpoint"), Entry("ckpt/checkpoint", "checkpoint"),
                              Entry("ckpt/model.ckpt.meta", "meta_graph"), Entry("ckpt/other.ckpt.index.txt", "other"),
                              Entry("logs/events.out", "other")});
  const Names all = {"ckpt/model.ckpt.index", "ckpt/model.ckpt.data-00000-of-00002",
                     "ckpt/model.ckpt.data-00001-of-00002", "ckpt/checkpoint", "ckpt/model.ckpt.meta"};
  // The default: the files of one checkpoint are one model, the .index first.
  EXPECT_EQ(Paths(PickVersionFiles(run, {})), all);
  // Any one of its files, by path, name or role, brings the others.
  EXPECT_EQ(Paths(PickVersionFiles(run, {"ckpt/model.ckpt.data-00001-of-00002"})), all);
  EXPECT_EQ(Paths(PickVersionFiles(run, {"model.ckpt.index"})), all);
  EXPECT_EQ(Paths(PickVersionFiles(run, {"checkpoint"})), all);
  // Several names: their groups in order, without duplicates.
  EXPECT_EQ(Paths(PickVersionFiles(run, {"events.out", "model.ckpt.index", "checkpoint"})),
            (Names{"logs/events.out", "ckpt/model.ckpt.index", "ckpt/model.ckpt.data-00000-of-00002",
                   "ckpt/model.ckpt.data-00001-of-00002", "ckpt/checkpoint", "ckpt/model.ckpt.meta"}));
  // The entry is copied with its keys, not the run's other fields.
  Json one = *PickVersionFiles(RunRecord({Entry("m.pt", "torch")}), {});
  EXPECT_EQ(one, Json::array({Entry("m.pt", "torch")}));
}

TEST(VersionFilesTest, TwoCheckpointsInAFolderAreAChoice) {
  const Json run =
      RunRecord({Entry("c/ckpt-1.index", "checkpoint"), Entry("c/ckpt-1.data-00000-of-00001", "checkpoint"),
                 Entry("c/ckpt-2.index", "checkpoint"), Entry("c/ckpt-2.data-00000-of-00001", "checkpoint"),
                 Entry("c/checkpoint", "checkpoint")});
  auto ambiguous = PickVersionFiles(run, {});
  EXPECT_EQ(ambiguous.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(ambiguous.status().message().find(
                "name one of: c/ckpt-1.index (checkpoint), c/ckpt-2.index (checkpoint), c/checkpoint (checkpoint)"),
            std::string::npos)
      << ambiguous.status().message();
  EXPECT_EQ(Paths(PickVersionFiles(run, {"ckpt-2.index"})),
            (Names{"c/ckpt-2.index", "c/ckpt-2.data-00000-of-00001", "c/checkpoint"}));
  EXPECT_EQ(PickVersionFiles(run, {"checkpoint"}).status().code(), Code::kFailedPrecondition);  // a role: all five
}

TEST(VersionFilesTest, SavedModelFilesAndOnnxExternalData) {
  const Json saved = RunRecord(
      {Entry("export/saved_model.pb", "saved_model"), Entry("export/variables/variables.index", "checkpoint"),
       Entry("export/variables/variables.data-00000-of-00001", "checkpoint"), Entry("export/assets/vocab.txt", "other"),
       Entry("export/fingerprint.pb", "other"), Entry("other/variables/x", "other")});
  EXPECT_EQ(
      Paths(PickVersionFiles(saved, {"saved_model.pb"})),
      (Names{"export/saved_model.pb", "export/variables/variables.index",
             "export/variables/variables.data-00000-of-00001", "export/assets/vocab.txt", "export/fingerprint.pb"}));
  const Json onnx =
      RunRecord({Entry("m/model.onnx", "onnx"), Entry("m/model.onnx.data", "other"), Entry("m/model_data", "other"),
                 Entry("m/model.txt", "other"), Entry("model.onnx.data", "other")});
  EXPECT_EQ(Paths(PickVersionFiles(onnx, {})), (Names{"m/model.onnx", "m/model.onnx.data", "m/model_data"}));
  // A folder artifact is one entry already.
  Json folder = Entry("export", "saved_model");
  folder["type"] = "folder";
  EXPECT_EQ(Paths(PickVersionFiles(RunRecord({folder}), {})), Names{"export"});
}

TEST(VersionFilesTest, Errors) {
  const Json run = RunRecord({Entry("m.pt", "torch"), Entry("n.txt", "other")});
  auto missing = PickVersionFiles(run, {"m.pt", "x.bin"});
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "p-1 has no artifact x.bin; it has: m.pt (torch), n.txt (other)");
  EXPECT_EQ(PickVersionFiles(RunRecord({Entry("n.txt", "other")}), {}).status().code(), Code::kNotFound);
  EXPECT_EQ(PickVersionFiles(RunRecord(Json::array()), {}).status().code(), Code::kNotFound);
  EXPECT_EQ(PickVersionFiles(RunRecord({1, 2}), {}).status().code(), Code::kCorrupt);
  // A companion recorded without its content fails the whole version.
  auto no_content = PickVersionFiles(
      RunRecord({Entry("c.index", "checkpoint"), Entry("c.data-00000-of-00001", "checkpoint", "")}), {});
  EXPECT_EQ(no_content.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(no_content.status().message(), "p-1: c.data-00000-of-00001 was recorded without its content");
}

}  // namespace
}  // namespace trail::registry
