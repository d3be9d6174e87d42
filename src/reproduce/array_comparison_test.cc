#include "reproduce/array_comparison.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace trail::reproduce {
namespace {

std::string Le(uint32_t v, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

// A version 1.0 .npy file of float64 values with the given shape text ("(2,)").
std::string Npy(const std::vector<double>& values, const std::string& shape = "") {
  std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': " +
                     (shape.empty() ? "(" + std::to_string(values.size()) + ",)" : shape) + ", }";
  size_t total = 10 + dict.size() + 1;
  dict += std::string((64 - total % 64) % 64, ' ') + "\n";
  std::string out = std::string("\x93NUMPY\x01\x00", 8) + Le(static_cast<uint32_t>(dict.size()), 2) + dict;
  for (double v : values) out.append(reinterpret_cast<const char*>(&v), sizeof v);
  return out;
}

// A zip archive of stored members, as np.savez writes one; `comment` changes its bytes only.
std::string Zip(const std::vector<std::pair<std::string, std::string>>& members, const std::string& comment = "") {
  std::string local, central;
  for (const auto& [name, data] : members) {
    uint32_t offset = static_cast<uint32_t>(local.size());
    std::string sizes =
        Le(0, 4) + Le(static_cast<uint32_t>(data.size()), 4) + Le(static_cast<uint32_t>(data.size()), 4);
    local += Le(0x04034b50, 4) + Le(20, 2) + Le(0, 2) + Le(0, 2) + Le(0, 4) + sizes +
             Le(static_cast<uint32_t>(name.size()), 2) + Le(0, 2) + name + data;
    central += Le(0x02014b50, 4) + Le(20, 2) + Le(20, 2) + Le(0, 2) + Le(0, 2) + Le(0, 4) + sizes +
               Le(static_cast<uint32_t>(name.size()), 2) + Le(0, 2) + Le(0, 2) + Le(0, 2) + Le(0, 2) + Le(0, 4) +
               Le(offset, 4) + name;
  }
  return local + central + Le(0x06054b50, 4) + Le(0, 2) + Le(0, 2) + Le(static_cast<uint32_t>(members.size()), 2) +
         Le(static_cast<uint32_t>(members.size()), 2) + Le(static_cast<uint32_t>(central.size()), 4) +
         Le(static_cast<uint32_t>(local.size()), 4) + Le(static_cast<uint32_t>(comment.size()), 2) + comment;
}

TEST(CompareArrayFiles, Npy) {
  EXPECT_TRUE(CompareArrayFiles("w.npy", Npy({1, 2}), Npy({1, 2})).equal);
  ContentVerdict v = CompareArrayFiles("w.npy", Npy({1, 2}), Npy({1, 3}));
  EXPECT_FALSE(v.equal);
  EXPECT_EQ(v.note, "array w differs");
  EXPECT_EQ(CompareArrayFiles("w.npy", Npy({1, 2}), Npy({1, 2}, "(1, 2)")).note, "array w differs in dtype or shape");
  EXPECT_FALSE(CompareArrayFiles("w.npy", "junk", Npy({1})).equal);
}

TEST(CompareArrayFiles, NpzComparesArraysNotBytes) {
  std::string a = Zip({{"w.npy", Npy({1, 2})}, {"b.npy", Npy({0.5})}});
  std::string b = Zip({{"w.npy", Npy({1, 2})}, {"b.npy", Npy({0.5})}}, "other bytes");
  ASSERT_NE(a, b);
  ContentVerdict same = CompareArrayFiles("models/m.npz", a, b);
  EXPECT_TRUE(same.equal);
  EXPECT_EQ(same.note, "arrays equal");
  ContentVerdict differ = CompareArrayFiles("m.npz", a, Zip({{"w.npy", Npy({1, 2})}, {"b.npy", Npy({0.25})}}));
  EXPECT_FALSE(differ.equal);
  EXPECT_EQ(differ.note, "array b differs");
  EXPECT_EQ(CompareArrayFiles("m.npz", a, Zip({{"w.npy", Npy({1, 2})}})).note, "array b only in the recorded run");
}

TEST(CompareArrayFiles, UntrustedOrUnknownInput) {
  std::string a = Zip({{"w.npy", Npy({1, 2})}});
  for (size_t cut : {size_t{0}, size_t{10}, a.size() / 2, a.size() - 1}) {
    EXPECT_FALSE(CompareArrayFiles("m.npz", a.substr(0, cut), a).equal) << cut;
  }
  std::string corrupt = a;
  corrupt[corrupt.size() - 6] = '\x7f';  // central directory offset far past the end
  EXPECT_FALSE(CompareArrayFiles("m.npz", corrupt, a).equal);
  ContentVerdict pt = CompareArrayFiles("checkpoints/mlp.pt", "a", "b");
  EXPECT_FALSE(pt.equal);
  EXPECT_EQ(pt.note, "trail cannot compare .pt contents yet");
}

}  // namespace
}  // namespace trail::reproduce
