#include "ingest/event_decoder.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "ingest/test_event_writer.h"

namespace trail::ingest {
namespace {

using namespace testutil;

struct Got {
  std::string tag;
  int64_t step;
  double wall_time;
  double value;
  bool operator==(const Got&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Got& g) {
  return os << "{" << g.tag << ", " << g.step << ", " << g.wall_time << ", " << g.value << "}";
}

std::vector<Got> Decode(EventDecoder& decoder, std::string_view record) {
  std::vector<ScalarEvent> out;
  Status s = decoder.Decode(record, out);
  EXPECT_TRUE(s.ok()) << s.message();
  std::vector<Got> got;
  for (const ScalarEvent& e : out) got.push_back({std::string(e.tag), e.step, e.wall_time, e.value});
  return got;
}

std::vector<Got> Decode(std::string_view record) {
  EventDecoder decoder;
  return Decode(decoder, record);
}

std::string Raw32(uint32_t v) { return LittleEndian(v, 4); }
std::string Raw64(uint64_t v) { return LittleEndian(v, 8); }

// A rank-0 float tensor, TF2 style: 4 raw bytes in tensor_content.
std::string FloatContent(float v) {
  return TensorHead(kDtFloat, {}) + TensorContent(Raw32(std::bit_cast<uint32_t>(v)));
}

TEST(EventDecoderTest, SimpleValue) {
  EXPECT_EQ(Decode(SummaryEvent(1700000000.5, 7, {SimpleValue("loss", 0.25f)})),
            (std::vector<Got>{{"loss", 7, 1700000000.5, 0.25}}));
}

TEST(EventDecoderTest, SeveralValuesInOneSummary) {
  // TF1's merge_all puts every summary of a step in one event.
  EXPECT_EQ(Decode(SummaryEvent(1.0, 3, {SimpleValue("a", 1.0f), SimpleValue("b", 2.0f)})),
            (std::vector<Got>{{"a", 3, 1.0, 1.0}, {"b", 3, 1.0, 2.0}}));
}

TEST(EventDecoderTest, FileVersionRecordHasNoScalars) { EXPECT_TRUE(Decode(FileVersionEvent(1.0)).empty()); }

TEST(EventDecoderTest, RankZeroFloatTensorViaContent) {
  EXPECT_EQ(Decode(SummaryEvent(2.0, 1, {TensorValue("epoch_loss", FloatContent(0.5f))})),
            (std::vector<Got>{{"epoch_loss", 1, 2.0, 0.5}}));
}

TEST(EventDecoderTest, RankZeroFloatTensorViaFloatVal) {
  const std::string tensor = TensorHead(kDtFloat, {}) + PackedFloats(5, {-3.5f});
  EXPECT_EQ(Decode(SummaryEvent(2.0, 1, {TensorValue("x", tensor)})), (std::vector<Got>{{"x", 1, 2.0, -3.5}}));
  // An unpacked float_val is valid protobuf too.
  const std::string unpacked = TensorHead(kDtFloat, {}) + FloatField(5, 4.0f);
  EXPECT_EQ(Decode(SummaryEvent(2.0, 1, {TensorValue("x", unpacked)})), (std::vector<Got>{{"x", 1, 2.0, 4.0}}));
}

TEST(EventDecoderTest, DoubleTensors) {
  const double v = 0.1234567890123;
  const std::string content = TensorHead(kDtDouble, {}) + TensorContent(Raw64(std::bit_cast<uint64_t>(v)));
  const std::string vals = TensorHead(kDtDouble, {}) + BytesField(6, Raw64(std::bit_cast<uint64_t>(-v)));
  EXPECT_EQ(Decode(SummaryEvent(1, 1, {TensorValue("a", content), TensorValue("b", vals)})),
            (std::vector<Got>{{"a", 1, 1, v}, {"b", 1, 1, -v}}));
}

TEST(EventDecoderTest, IntegerTensors) {
  const std::string i64 = TensorHead(kDtInt64, {}) + PackedVarints(10, {-9000000000LL});
  const std::string i64_content = TensorHead(kDtInt64, {}) + TensorContent(Raw64(123456789012ULL));
  const std::string i32 = TensorHead(kDtInt32, {}) + PackedVarints(7, {-42});
  EXPECT_EQ(Decode(SummaryEvent(1, 1, {TensorValue("a", i64), TensorValue("b", i64_content), TensorValue("c", i32)})),
            (std::vector<Got>{{"a", 1, 1, -9e9}, {"b", 1, 1, 123456789012.0}, {"c", 1, 1, -42}}));
}

TEST(EventDecoderTest, HalfAndBfloat16Tensors) {
  const std::string half = TensorHead(kDtHalf, {}) + PackedVarints(13, {0x3e00});                     // 1.5
  const std::string half_content = TensorHead(kDtHalf, {}) + TensorContent(LittleEndian(0xc000, 2));  // -2
  const std::string half_subnormal = TensorHead(kDtHalf, {}) + PackedVarints(13, {0x0001});           // 2^-24
  const std::string bf16 = TensorHead(kDtBfloat16, {}) + TensorContent(LittleEndian(0x3f80, 2));      // 1.0
  std::vector<Got> got = Decode(SummaryEvent(1, 1,
                                             {TensorValue("a", half), TensorValue("b", half_content),
                                              TensorValue("c", half_subnormal), TensorValue("d", bf16)}));
  EXPECT_EQ(got,
            (std::vector<Got>{{"a", 1, 1, 1.5}, {"b", 1, 1, -2}, {"c", 1, 1, std::ldexp(1.0, -24)}, {"d", 1, 1, 1}}));
  const std::string half_inf = TensorHead(kDtHalf, {}) + PackedVarints(13, {0x7c00});
  EXPECT_EQ(Decode(SummaryEvent(1, 1, {TensorValue("e", half_inf)}))[0].value, std::numeric_limits<double>::infinity());
}

TEST(EventDecoderTest, OneElementTensorOfHigherRank) {
  const std::string tensor = TensorHead(kDtFloat, {1, 1}) + PackedFloats(5, {2.0f});
  EXPECT_EQ(Decode(SummaryEvent(1, 1, {TensorValue("x", tensor)})), (std::vector<Got>{{"x", 1, 1, 2.0}}));
}

TEST(EventDecoderTest, EmptyTensorIsZeroAsInTensorFlow) {
  EXPECT_EQ(Decode(SummaryEvent(1, 1, {TensorValue("x", TensorHead(kDtFloat, {}))})),
            (std::vector<Got>{{"x", 1, 1, 0.0}}));
}

TEST(EventDecoderTest, NonScalarsAreIgnored) {
  const std::vector<std::string> values = {
      TensorValue("vector", TensorHead(kDtFloat, {3}) + PackedFloats(5, {1, 2, 3})),
      TensorValue("empty_dim", TensorHead(kDtFloat, {0})),
      TensorValue("two_vals_rank0", TensorHead(kDtFloat, {}) + PackedFloats(5, {1, 2})),
      TensorValue("content_too_long", TensorHead(kDtFloat, {}) + TensorContent(Raw64(0))),
      TensorValue("text", TensorHead(kDtString, {}) + BytesField(8, "hello"), "text"),
      TensorValue("unknown_rank", TensorHead(kDtFloat, {}) + BytesField(2, VarintField(3, 1)) + PackedFloats(5, {1})),
      TensorValue("histogram_plugin", FloatContent(1.0f), "histograms"),
      BytesField(1, "image") + BytesField(4, VarintField(1, 10) + BytesField(4, "png")),
      BytesField(1, "histo") + BytesField(5, DoubleField(1, 0) + DoubleField(2, 1)),
      BytesField(1, "audio") + BytesField(6, BytesField(4, "wav")),
  };
  EXPECT_TRUE(Decode(SummaryEvent(1, 1, values)).empty());
}

TEST(EventDecoderTest, PluginIsRememberedPerTag) {
  EventDecoder decoder;
  // Writers send metadata only with a tag's first value.
  EXPECT_TRUE(Decode(decoder, SummaryEvent(1, 0, {TensorValue("hp", FloatContent(1.0f), "hparams")})).empty());
  EXPECT_TRUE(Decode(decoder, SummaryEvent(1, 1, {TensorValue("hp", FloatContent(2.0f), "")})).empty());
  EXPECT_EQ(Decode(decoder, SummaryEvent(1, 0, {TensorValue("acc", FloatContent(0.5f))})).size(), 1u);
  EXPECT_EQ(Decode(decoder, SummaryEvent(1, 1, {TensorValue("acc", FloatContent(0.6f), "")})),
            (std::vector<Got>{{"acc", 1, 1, 0.6000000238418579}}));
}

TEST(EventDecoderTest, TensorWithoutAnyMetadataCounts) {
  EXPECT_EQ(Decode(SummaryEvent(1, 4, {TensorValue("m", FloatContent(3.0f), "")})),
            (std::vector<Got>{{"m", 4, 1, 3.0}}));
}

TEST(EventDecoderTest, DataClassScalarCounts) {
  // SummaryMetadata { plugin_data { plugin_name: "custom" }, data_class: DATA_CLASS_SCALAR }
  const std::string value = BytesField(1, "c") + BytesField(8, FloatContent(1.0f)) +
                            BytesField(9, BytesField(1, BytesField(1, "custom")) + VarintField(4, 1));
  EXPECT_EQ(Decode(SummaryEvent(1, 1, {value})).size(), 1u);
}

TEST(EventDecoderTest, FieldOrderDoesNotMatter) {
  std::string summary = BytesField(1, FloatField(2, 1.0f) + BytesField(1, "late_tag"));
  const std::string event = BytesField(5, summary) + VarintField(2, 9) + DoubleField(1, 5.0);
  EXPECT_EQ(Decode(event), (std::vector<Got>{{"late_tag", 9, 5.0, 1.0}}));
}

TEST(EventDecoderTest, NegativeAndLargeSteps) {
  EXPECT_EQ(Decode(SummaryEvent(1, -1, {SimpleValue("a", 1)}))[0].step, -1);
  EXPECT_EQ(Decode(SummaryEvent(1, int64_t{1} << 40, {SimpleValue("a", 1)}))[0].step, int64_t{1} << 40);
}

TEST(EventDecoderTest, UnknownFieldsAndGroupsAreSkipped) {
  const std::string value = VarintField(99, 1) + Key(50, 3) + VarintField(1, 1) + Key(50, 4) + SimpleValue("a", 2.0f) +
                            BytesField(7, "node_name");
  const std::string event = VarintField(100, 5) + SummaryEvent(1, 1, {value}) + BytesField(10, "source_metadata");
  EXPECT_EQ(Decode(event), (std::vector<Got>{{"a", 1, 1, 2.0}}));
}

TEST(EventDecoderTest, OneofLastMemberWins) {
  // simple_value, then an image replacing it: no scalar.
  const std::string replaced = SimpleValue("a", 1.0f) + BytesField(4, "");
  // image, then simple_value: a scalar.
  const std::string kept = BytesField(1, "b") + BytesField(4, "") + FloatField(2, 2.0f);
  EXPECT_EQ(Decode(SummaryEvent(1, 1, {replaced, kept})), (std::vector<Got>{{"b", 1, 1, 2.0}}));
  // A graph_def after the summary replaces the summary in Event's oneof.
  EXPECT_TRUE(Decode(SummaryEvent(1, 1, {SimpleValue("a", 1)}) + BytesField(4, "graph")).empty());
}

TEST(EventDecoderTest, ValuesWithoutTagAreSkipped) {
  EXPECT_TRUE(Decode(SummaryEvent(1, 1, {FloatField(2, 1.0f), SimpleValue("", 2.0f)})).empty());
}

TEST(EventDecoderTest, NanAndInfinityPassThrough) {
  std::vector<Got> got = Decode(
      SummaryEvent(1, 1, {SimpleValue("nan", std::numeric_limits<float>::quiet_NaN()), SimpleValue("inf", -INFINITY)}));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(std::isnan(got[0].value));
  EXPECT_EQ(got[1].value, -INFINITY);
}

TEST(EventDecoderTest, MalformedMessagesAreCorrupt) {
  const std::vector<std::string> bad = {
      Key(1, 1) + "1234",                                                 // truncated wall_time
      BytesField(5, BytesField(1, Key(2, 5) + "12")),                     // truncated simple_value
      BytesField(5, BytesField(1, BytesField(8, BytesField(5, "123")))),  // packed float cut mid-element
      BytesField(5, BytesField(1, BytesField(8, BytesField(2, BytesField(2, Key(1, 0) + "\x80"))))),  // bad Dim
      BytesField(5, BytesField(1, BytesField(9, BytesField(1, Key(1, 2) + "\x05")))),                 // bad PluginData
      BytesField(5, "\x0a\x05"),  // Summary.value past the end
  };
  for (const std::string& record : bad) {
    EventDecoder decoder;
    std::vector<ScalarEvent> out;
    Status s = decoder.Decode(record, out);
    EXPECT_EQ(s.code(), Code::kCorrupt) << s.message();
    EXPECT_NE(s.message().find("malformed Event"), std::string::npos) << s.message();
  }
}

TEST(EventPrefixHasSummaryTest, FindsThePayloadField) {
  EXPECT_TRUE(EventPrefixHasSummary(SummaryEvent(1, 2, {SimpleValue("a", 1)}).substr(0, 25)));
  EXPECT_FALSE(EventPrefixHasSummary(DoubleField(1, 1) + VarintField(2, 3) + BytesField(4, "graph bytes")));
  EXPECT_FALSE(EventPrefixHasSummary(DoubleField(1, 1)));  // too short to tell
  EXPECT_FALSE(EventPrefixHasSummary("\x80"));
}

}  // namespace
}  // namespace trail::ingest
