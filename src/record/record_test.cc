#include "record/record.h"

#include <gtest/gtest.h>

#include "record/params.h"

namespace trail::record {
namespace {

TEST(Record, IdsAndLayout) {
  EXPECT_EQ(MakeRunId("fraud", 58), "fraud-58");
  EXPECT_EQ(RunNumberOf("fraud-58"), 58);
  EXPECT_EQ(RunNumberOf("my-proj-7"), 7);
  EXPECT_EQ(RunNumberOf("58"), 58);
  EXPECT_FALSE(RunNumberOf("fraud"));
  EXPECT_FALSE(RunNumberOf("fraud-0"));
  EXPECT_EQ(RecordPath("fraud-58", 58), "runs/000/fraud-58/run.yaml");
  EXPECT_EQ(RunDir("fraud-12345", 12345), "runs/012/fraud-12345");
  EXPECT_EQ(SeriesFileName("val/loss 1"), "val%2Floss%201.tsv");
}

TEST(Record, TypedValues) {
  EXPECT_EQ(TypedValue("0.01"), Json(0.01));
  EXPECT_EQ(TypedValue("100"), Json(100));
  EXPECT_EQ(TypedValue("-3"), Json(-3));
  EXPECT_EQ(TypedValue("1e-3"), Json(1e-3));
  EXPECT_EQ(TypedValue("true"), Json(true));
  EXPECT_EQ(TypedValue("adam"), Json("adam"));
  EXPECT_EQ(TypedValue("007"), Json("007"));
  EXPECT_EQ(TypedValue("nan"), Json("nan"));
}

TEST(Record, ParamsFromArgs) {
  Json p = ParamsFromArgs({"train.py", "--lr", "0.01", "--epochs=100", "--verbose", "--opt", "adam", "data.csv",
                           "--shift", "-2", "--cuda"});
  EXPECT_EQ(p["lr"], Json(0.01));
  EXPECT_EQ(p["epochs"], Json(100));
  EXPECT_EQ(p["verbose"], Json(true));
  EXPECT_EQ(p["opt"], Json("adam"));
  EXPECT_EQ(p["shift"], Json(-2));
  EXPECT_EQ(p["cuda"], Json(true));
  EXPECT_EQ(p.size(), 6u);
}

TEST(Record, MaskSecretParams) {
  Json p = {{"lr", 0.1}, {"db.password", "hunter2"}, {"api_key", 12345}, {"use_auth", true}, {"tokenizer", "bpe"}};
  MaskSecretParams(p);
  EXPECT_EQ(p,
            (Json{{"lr", 0.1}, {"db.password", "***"}, {"api_key", "***"}, {"use_auth", true}, {"tokenizer", "bpe"}}));
}

TEST(Record, Assignments) {
  auto ok = ParseAssignments({"lr=0.1", "name=a=b"}, "-p", true);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)["lr"], Json(0.1));
  EXPECT_EQ((*ok)["name"], Json("a=b"));
  auto bad = ParseAssignments({"lr"}, "-p", true);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "-p 'lr': expected key=value");
}

TEST(Record, CanonicalOrderAndRoundTrip) {
  Json r = Json::object();
  r["tags"] = Json{{"stage", "dev"}};
  r["number"] = 3;
  r["id"] = "p-3";
  r["custom"] = "x";
  r["trail"] = 1;
  std::string text = Serialize(r);
  EXPECT_EQ(text, "trail: 1\nid: p-3\nnumber: 3\ntags:\n  stage: dev\ncustom: x\n");
  auto back = Parse(text, "t");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)["id"], "p-3");
  EXPECT_FALSE(Parse("a: 1\n", "runs/x/run.yaml").ok());
}

}  // namespace
}  // namespace trail::record
