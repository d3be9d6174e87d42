#include "base/proto_wire.h"

#include <gtest/gtest.h>

#include <bit>
#include <vector>

#include "base/test_proto_writer.h"

namespace trail {
namespace {

using namespace trail::testing::proto;

std::vector<WireField> ReadAll(std::string_view data, std::string* error = nullptr) {
  WireReader reader(data);
  std::vector<WireField> fields;
  WireField f;
  while (reader.Next(f)) fields.push_back(f);
  if (error != nullptr) *error = reader.error();
  return fields;
}

TEST(WireReaderTest, ReadsEachWireType) {
  const std::string data = VarintField(1, 150) + DoubleField(2, 2.5) + BytesField(3, "abc") + FloatField(4, -1.5f) +
                           VarintField(5, static_cast<uint64_t>(int64_t{-2}));
  std::string error = "unset";
  std::vector<WireField> fields = ReadAll(data, &error);
  EXPECT_EQ(error, "");
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(fields[0].number, 1u);
  EXPECT_EQ(fields[0].type, WireType::kVarint);
  EXPECT_EQ(fields[0].value, 150u);
  EXPECT_EQ(fields[1].type, WireType::kFixed64);
  EXPECT_EQ(std::bit_cast<double>(fields[1].value), 2.5);
  EXPECT_EQ(fields[2].type, WireType::kLengthDelimited);
  EXPECT_EQ(fields[2].bytes, "abc");
  EXPECT_EQ(fields[3].type, WireType::kFixed32);
  EXPECT_EQ(std::bit_cast<float>(static_cast<uint32_t>(fields[3].value)), -1.5f);
  EXPECT_EQ(static_cast<int64_t>(fields[4].value), -2);  // a 10-byte varint
}

TEST(WireReaderTest, LargeFieldNumbers) {
  std::vector<WireField> fields = ReadAll(VarintField(0x1fffffff, 7));
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].number, 0x1fffffffu);
}

TEST(WireReaderTest, SkipsGroupsWhole) {
  // field 7 group { field 1 varint, field 2 group { field 3 bytes } } then field 9.
  const std::string data =
      Key(7, 3) + VarintField(1, 5) + Key(2, 3) + BytesField(3, "x") + Key(2, 4) + Key(7, 4) + VarintField(9, 1);
  std::string error;
  std::vector<WireField> fields = ReadAll(data, &error);
  EXPECT_EQ(error, "");
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].number, 9u);
}

struct BadInput {
  const char* name;
  std::string data;
  const char* error;
};

TEST(WireReaderTest, RejectsMalformedInput) {
  const std::vector<BadInput> cases = {
      {"truncated varint", Key(1, 0) + "\x80", "truncated varint"},
      {"truncated key", "\x80", "truncated varint"},
      {"11-byte varint", Key(1, 0) + std::string(10, '\x80') + "\x01", "varint longer than 10 bytes"},
      {"length past end", Key(1, 2) + Varint(5) + "abc", "length-delimited field past the end"},
      {"huge length", Key(1, 2) + Varint(~uint64_t{0}) + "abc", "length-delimited field past the end"},
      {"truncated fixed64", Key(1, 1) + "1234567", "truncated fixed-width field"},
      {"truncated fixed32", Key(1, 5) + "123", "truncated fixed-width field"},
      {"wire type 6", Key(1, 6), "invalid wire type"},
      {"wire type 7", Key(1, 7), "invalid wire type"},
      {"field number 0", Varint(0), "invalid field number"},
      {"stray end group", Key(1, 4), "end of group without a start"},
      {"unterminated group", Key(1, 3) + VarintField(2, 1), "unterminated group"},
      {"mismatched end group", Key(1, 3) + Key(2, 4), "mismatched end of group"},
  };
  for (const BadInput& c : cases) {
    std::string error;
    ReadAll(VarintField(1, 1) + c.data, &error);
    EXPECT_EQ(error, c.error) << c.name;
  }
}

TEST(WireReaderTest, DeeplyNestedGroupsFailCleanly) {
  std::string data;
  for (int i = 0; i < 100; ++i) data += Key(1, 3);
  std::string error;
  ReadAll(data, &error);
  EXPECT_EQ(error, "groups nested too deeply");
}

TEST(WireReaderTest, ErrorPositionIsTheFieldStart) {
  const std::string good = VarintField(1, 1);
  const std::string data = good + Key(2, 2) + Varint(9);  // the reader views it: keep it alive
  WireReader reader(data);
  WireField f;
  EXPECT_TRUE(reader.Next(f));
  EXPECT_FALSE(reader.Next(f));
  EXPECT_FALSE(reader.ok());
  EXPECT_EQ(reader.position(), good.size());
  EXPECT_FALSE(reader.Next(f));  // stays failed
}

TEST(ForEachRepeatedTest, PackedAndUnpacked) {
  std::vector<uint64_t> got;
  auto collect = [&](uint64_t v) { got.push_back(v); };
  WireField unpacked{1, WireType::kVarint, 42, {}};
  EXPECT_TRUE(ForEachRepeated(unpacked, WireType::kVarint, collect));
  const std::string varints = Varint(1) + Varint(300);
  EXPECT_TRUE(ForEachRepeated(WireField{1, WireType::kLengthDelimited, 0, varints}, WireType::kVarint, collect));
  const std::string fixed = LittleEndian(7, 4) + LittleEndian(8, 4);
  EXPECT_TRUE(ForEachRepeated(WireField{1, WireType::kLengthDelimited, 0, fixed}, WireType::kFixed32, collect));
  EXPECT_EQ(got, (std::vector<uint64_t>{42, 1, 300, 7, 8}));

  EXPECT_FALSE(ForEachRepeated(WireField{1, WireType::kLengthDelimited, 0, "\x80"}, WireType::kVarint, collect));
  EXPECT_FALSE(ForEachRepeated(WireField{1, WireType::kLengthDelimited, 0, "12345"}, WireType::kFixed32, collect));
  EXPECT_FALSE(ForEachRepeated(WireField{1, WireType::kFixed64, 0, {}}, WireType::kFixed32, collect));
}

}  // namespace
}  // namespace trail
