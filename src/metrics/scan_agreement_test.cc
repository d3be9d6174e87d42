// The fast scanner and the nlohmann fallback must agree on every line the
// fast scanner accepts: random valid lines, then random mutations of them.

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <random>
#include <string>

#include "metrics/fast_scan.h"
#include "metrics/json_scan.h"
#include "metrics/line_parser.h"

namespace trail::metrics::internal {
namespace {

class LineGenerator {
 public:
  explicit LineGenerator(uint64_t seed) : rng_(seed) {}

  std::string Line() {
    std::string s = Space() + "{" + Space();
    int n = Uniform(0, 6);
    for (int i = 0; i < n; ++i) {
      if (i > 0) s += "," + Space();
      s += "\"" + Key() + "\"" + Space() + ":" + Space() + Value() + Space();
    }
    return s + "}" + Space();
  }

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::string Space() {
    static const char* const kSpaces[] = {"", "", "", " ", "  ", "\t", "\r", "\n", " \t "};
    return kSpaces[Uniform(0, 8)];
  }

  std::string Key() {
    static const char* const kSpecial[] = {"step", "epoch", "time", "timestamp", "loss", "a.b"};
    if (Uniform(0, 3) == 0) return kSpecial[Uniform(0, 5)];
    std::string k;
    int len = Uniform(1, 12);
    for (int i = 0; i < len; ++i) {
      char c;
      do {
        c = static_cast<char>(Uniform(0x20, 0x7e));
      } while (c == '"' || c == '\\');
      k += c;
    }
    return k;
  }

  std::string Value() {
    char buf[64];
    switch (Uniform(0, 11)) {
      case 0:
        return std::to_string(static_cast<int64_t>(rng_()) >> Uniform(0, 63));
      case 1:
        return std::to_string(Uniform(-1000, 1000));
      case 2: {
        double v = std::bit_cast<double>(rng_());
        if (!std::isfinite(v)) v = 1.5;
        return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
      }
      case 3: {
        double v = std::uniform_real_distribution<double>(-10, 10)(rng_);
        std::snprintf(buf, sizeof buf, "%.*f", Uniform(1, 17), v);
        return buf;
      }
      case 4: {
        double v = std::uniform_real_distribution<double>(-1, 1)(rng_) * std::pow(10.0, Uniform(-300, 300));
        std::snprintf(buf, sizeof buf, Uniform(0, 1) ? "%.*e" : "%.*E", Uniform(0, 20), v);
        return buf;
      }
      case 5: {
        static const char* const kSpecial[] = {"NaN",
                                               "Infinity",
                                               "-Infinity",
                                               "-0",
                                               "0",
                                               "-0.0",
                                               "1e5",
                                               "1E+5",
                                               "2e-5",
                                               "3.0",
                                               "1e-400",
                                               "1e0005",
                                               "0.1e-0005",
                                               "9007199254740993",
                                               "9007199254740993.0",
                                               "9007199254740992.5",
                                               "1e22",
                                               "1e23",
                                               "4.9e-324",
                                               "1.7976931348623157e308",
                                               "123456789012345678901234567890",
                                               "-9223372036854775808",
                                               "9223372036854775807",
                                               "18446744073709551616",
                                               "0.000000000000000000000001234",
                                               "2.2250738585072011e-308",
                                               "3.14159265358979323846264338327950288"};
        return kSpecial[Uniform(0, static_cast<int>(std::size(kSpecial)) - 1)];
      }
      case 6:
        return Uniform(0, 1) ? "true" : "false";
      case 7:
        return "null";
      case 8:
        return "\"" + Key() + "\"";
      default: {
        std::snprintf(buf, sizeof buf, "0.%04d", Uniform(0, 9999));
        return buf;
      }
    }
  }

  std::mt19937_64 rng_;
};

bool SameBits(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

// Checks that the fallback reads `line` exactly as the fast scanner did.
void ExpectSameFields(const std::string& line, const FieldBuffer& fast) {
  FieldBuffer slow;
  Status s = ScanJsonLine(line, slow);
  ASSERT_TRUE(s.ok()) << "fast accepted, slow rejected: " << line << "\n" << s.message();
  ASSERT_EQ(fast.fields.size(), slow.fields.size()) << line;
  for (size_t i = 0; i < fast.fields.size(); ++i) {
    const Field& f = fast.fields[i];
    const Field& g = slow.fields[i];
    EXPECT_EQ(f.key, g.key) << line;
    EXPECT_EQ(f.kind, g.kind) << line << " field " << i;
    EXPECT_EQ(f.integer_token, g.integer_token) << line << " field " << i;
    if (f.integer_token && g.integer_token) {
      EXPECT_EQ(f.integer, g.integer) << line;
    }
    EXPECT_TRUE(SameBits(f.value, g.value)) << line << " field " << i << ": " << f.value << " vs " << g.value;
  }
}

TEST(ScanAgreementTest, RandomValidLines) {
  LineGenerator gen(1234);
  int fast_accepted = 0;
  constexpr int kLines = 100000;
  for (int i = 0; i < kLines; ++i) {
    std::string line = gen.Line();
    FieldBuffer fast;
    if (!ScanFlatLine(line, fast)) {
      // Only integers too long for the fast path are expected here.
      FieldBuffer slow;
      EXPECT_TRUE(ScanJsonLine(line, slow).ok()) << line;
      continue;
    }
    ++fast_accepted;
    ExpectSameFields(line, fast);
    if (HasFailure()) return;
  }
  EXPECT_GT(fast_accepted, kLines * 9 / 10);
}

TEST(ScanAgreementTest, MutatedLines) {
  LineGenerator gen(99);
  static const std::string kAlphabet = "{}[]\",:.-+eE0123456789 aNIntf\\\x80\xc3\xa9";
  int fast_accepted = 0, slow_accepted = 0;
  constexpr int kLines = 50000;  // fuzz/metrics_line_fuzzer covers more ground
  for (int i = 0; i < kLines; ++i) {
    std::string line = gen.Line();
    int mutations = gen.Uniform(1, 3);
    for (int m = 0; m < mutations && !line.empty(); ++m) {
      size_t pos = static_cast<size_t>(gen.Uniform(0, static_cast<int>(line.size()) - 1));
      switch (gen.Uniform(0, 3)) {
        case 0:
          line.resize(pos);
          break;
        case 1:
          line.erase(pos, 1);
          break;
        case 2:
          line.insert(pos, 1, kAlphabet[gen.Uniform(0, static_cast<int>(kAlphabet.size()) - 1)]);
          break;
        default:
          line[pos] = kAlphabet[gen.Uniform(0, static_cast<int>(kAlphabet.size()) - 1)];
          break;
      }
    }
    FieldBuffer fast;
    FieldBuffer slow;
    if (ScanJsonLine(line, slow).ok()) ++slow_accepted;
    if (ScanFlatLine(line, fast)) {
      ++fast_accepted;
      ExpectSameFields(line, fast);
      if (HasFailure()) return;
    }
    // The whole parser must survive anything.
    MetricSet set;
    LineParser parser;
    (void)parser.Parse(line, 0, set);
  }
  std::cout << "mutated lines: " << fast_accepted << " taken by the fast path, " << slow_accepted
            << " valid JSON objects, of " << kLines << "\n";
  EXPECT_GT(fast_accepted, 0);
}

}  // namespace
}  // namespace trail::metrics::internal
