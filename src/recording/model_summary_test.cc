#include "recording/model_summary.h"

#include <gtest/gtest.h>

#include <fstream>

#include "base/test_temp_dir.h"

namespace trail {
namespace {

// A safetensors file by the published layout: u64 header length, JSON header, data.
void WriteSafetensors(const std::string& path) {
  const std::string header = R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})";
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
  std::ofstream(path, std::ios::binary) << out << header << std::string(24, '\0');
}

TEST(ModelSummaryTest, ModelArtifactsGetASummaryAndBrokenOnesAnError) {
  trail::testing::TempDir dir;
  WriteSafetensors(dir.path() + "/m.safetensors");
  Json a = {{"path", "out/m.safetensors"}};
  std::vector<std::string> warnings;
  SummarizeModelArtifact(dir.path() + "/m.safetensors", a, &warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(a["model"]["format"], "safetensors");
  EXPECT_EQ(a["model"]["parameters"], 6);
  EXPECT_EQ(a["model"]["tensors"], 1);
  EXPECT_FALSE(a["model"].contains("tensor_list"));

  std::ofstream(dir.path() + "/bad.safetensors", std::ios::binary) << std::string("\xff\xff\xff\xff\xff\xff\xff\x7f{");
  Json b = {{"path", "out/bad.safetensors"}};
  SummarizeModelArtifact(dir.path() + "/bad.safetensors", b, &warnings);
  ASSERT_TRUE(b["model"].contains("error"));
  const std::string error = b["model"]["error"];
  EXPECT_EQ(error.rfind("out/bad.safetensors", 0), 0u) << error;  // named as recorded
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("out/bad.safetensors"), std::string::npos);

  std::ofstream(dir.path() + "/notes.txt") << "not a model";
  Json c = {{"path", "notes.txt"}};
  SummarizeModelArtifact(dir.path() + "/notes.txt", c, &warnings);
  EXPECT_FALSE(c.contains("model"));
  Json shard = {{"path", "ckpt/model.ckpt.data-00000-of-00001"}};
  SummarizeModelArtifact(dir.path() + "/model.ckpt.data-00000-of-00001", shard, &warnings);
  EXPECT_FALSE(shard.contains("model"));  // the .index carries the checkpoint's summary
}

TEST(ModelSummaryTest, FunctionsFromModelsMergeWithTheSourceScan) {
  Json rec = {
      {"functions",
       Json::array(
           {{{"category", "activation"}, {"name", "ReLU"}, {"found", {"activation='relu'"}}, {"at", {"train.py:3"}}}})},
      {"artifacts", Json::array({
                        {{"path", "model.h5"},
                         {"model",
                          {{"functions", Json::array({{{"kind", "activation"}, {"name", "relu"}, {"where", "layer d"}},
                                                      {{"kind", "loss"}, {"name", "categorical_crossentropy"}},
                                                      {{"kind", "optimizer"}, {"name", "Adam"}},
                                                      {{"kind", "activation"}, {"name", "no_such_thing"}}})}}}},
                        {{"path", "graph.meta"},
                         {"model",
                          {{"functions", Json::array({{{"kind", "optimizer"}, {"name", "ApplyAdam"}},
                                                      {{"kind", "activation"}, {"name", "Softmax"}},
                                                      {{"kind", "activation"}, {"name", "Relu"}}})}}}},
                        {{"path", "broken.pt"}, {"model", {{"error", "broken.pt: truncated"}}}},
                    })},
  };
  AddModelFunctions(rec);
  const Json& f = rec["functions"];
  ASSERT_EQ(f.size(), 4u) << f.dump();
  EXPECT_EQ(f[0]["name"], "ReLU");
  EXPECT_EQ(f[0]["found"], Json({"activation='relu'", "relu", "Relu"}));
  EXPECT_EQ(f[0]["at"], Json({"train.py:3", "model.h5", "graph.meta"}));
  EXPECT_EQ(f[1]["category"], "classification loss");
  EXPECT_EQ(f[1]["name"], "Cross entropy / negative log likelihood");
  EXPECT_EQ(f[2]["name"], "Adam");
  EXPECT_EQ(f[2]["found"], Json({"Adam", "ApplyAdam"}));
  EXPECT_EQ(f[2]["at"], Json({"model.h5", "graph.meta"}));
  EXPECT_EQ(f[3]["name"], "Softmax");
  // Idempotent: a resumed run's second finalize adds nothing twice.
  Json again = rec;
  AddModelFunctions(again);
  EXPECT_EQ(again, rec);
}

}  // namespace
}  // namespace trail
