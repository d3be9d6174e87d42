#include "metrics/fast_scan.h"

#include <charconv>
#include <cstring>
#include <limits>

namespace trail::metrics::internal {
namespace {

// Integers of up to 18 digits cannot overflow int64_t while accumulating.
constexpr ptrdiff_t kMaxFastIntegerDigits = 18;

constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

class Scanner {
 public:
  explicit Scanner(std::string_view line) : p_(line.data()), end_(line.data() + line.size()) {}

  bool Run(FieldBuffer& out) {
    SkipSpace();
    if (!Consume('{')) return false;
    SkipSpace();
    if (Consume('}')) return AtEndAfterSpace();
    for (;;) {
      Field f;
      if (!ScanKey(f.key)) return false;
      SkipSpace();
      if (!Consume(':')) return false;
      SkipSpace();
      if (!ScanValue(f)) return false;
      out.fields.push_back(f);
      SkipSpace();
      if (Consume(',')) {
        SkipSpace();
        continue;
      }
      if (Consume('}')) return AtEndAfterSpace();
      return false;
    }
  }

 private:
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r' || *p_ == '\n')) ++p_;
  }
  bool Consume(char c) {
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool ConsumeWord(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()) != 0) {
      return false;
    }
    p_ += word.size();
    return true;
  }
  bool AtEndAfterSpace() {
    SkipSpace();
    return p_ == end_;
  }

  // A string with no escapes, control characters or non-ASCII bytes: those
  // need unescaping or UTF-8 validation, which the fallback does.
  bool ScanPlainString(std::string_view& s) {
    if (!Consume('"')) return false;
    const char* start = p_;
    while (p_ < end_) {
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        s = std::string_view(start, p_ - start);
        ++p_;
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
      ++p_;
    }
    return false;
  }

  bool ScanKey(std::string_view& key) {
    // Empty keys are an error; the fallback words it.
    return ScanPlainString(key) && !key.empty();
  }

  bool ScanValue(Field& f) {
    f.integer_token = false;
    f.integer = 0;
    f.value = 0;
    f.kind = Field::Kind::kNumber;
    if (p_ == end_) return false;
    switch (*p_) {
      case '"': {
        std::string_view ignored;
        f.kind = Field::Kind::kIgnored;
        return ScanPlainString(ignored);
      }
      case 't':
        f.kind = Field::Kind::kBool;
        f.value = 1;
        return ConsumeWord("true");
      case 'f':
        f.kind = Field::Kind::kBool;
        return ConsumeWord("false");
      case 'n':
        f.kind = Field::Kind::kIgnored;
        return ConsumeWord("null");
      case 'N':
        f.value = std::numeric_limits<double>::quiet_NaN();
        return ConsumeWord("NaN");
      case 'I':
        f.value = std::numeric_limits<double>::infinity();
        return ConsumeWord("Infinity");
      case '-':
        if (p_ + 1 < end_ && p_[1] == 'I') {
          f.value = -std::numeric_limits<double>::infinity();
          return ConsumeWord("-Infinity");
        }
        return ScanNumber(f);
      default:
        return IsAsciiDigit(*p_) && ScanNumber(f);
    }
  }

  // JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  // validated here because from_chars accepts more ("01", "1.", "inf").
  bool ScanNumber(Field& f) {
    const char* start = p_;
    bool negative = Consume('-');
    // All digits, integer and fraction, as one integer `mantissa` (exact
    // while there are at most 19 of them).
    uint64_t mantissa = 0;
    int digits = 0;
    if (p_ < end_ && *p_ == '0') {
      ++p_;
      digits = 1;
    } else if (p_ < end_ && IsAsciiDigit(*p_)) {
      for (; p_ < end_ && IsAsciiDigit(*p_); ++p_, ++digits) mantissa = mantissa * 10 + (*p_ - '0');
    } else {
      return false;
    }
    const int integer_digits = digits;
    bool is_integer = true;
    int exponent = 0;
    if (Consume('.')) {
      if (!(p_ < end_ && IsAsciiDigit(*p_))) return false;
      for (; p_ < end_ && IsAsciiDigit(*p_); ++p_, ++digits) mantissa = mantissa * 10 + (*p_ - '0');
      exponent = -(digits - integer_digits);
      is_integer = false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      bool negative_exponent = p_ < end_ && *p_ == '-';
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!(p_ < end_ && IsAsciiDigit(*p_))) return false;
      int written = 0;
      for (int n = 0; p_ < end_ && IsAsciiDigit(*p_); ++p_, ++n) {
        if (n == 4) return false;  // a huge exponent: rare, the fallback copes
        written = written * 10 + (*p_ - '0');
      }
      exponent += negative_exponent ? -written : written;
      is_integer = false;
    }
    if (is_integer) {
      if (digits > kMaxFastIntegerDigits) return false;
      // Negate the integer, not the double: "-0" is +0.0, as in nlohmann.
      auto n = static_cast<int64_t>(mantissa);
      if (negative) n = -n;
      f.integer_token = true;
      f.integer = n;
      f.value = static_cast<double>(n);
      return true;
    }
    // Clinger's fast path: a mantissa below 2^53 and a power of ten below
    // 10^23 are both exact doubles, so one IEEE multiply or divide gives the
    // correctly rounded result, the same double strtod and from_chars give.
    if (digits <= 19 && mantissa <= (uint64_t{1} << 53) && exponent >= -22 && exponent <= 22) {
      double m = static_cast<double>(mantissa);
      double v = exponent < 0 ? m / kPowersOfTen[-exponent] : m * kPowersOfTen[exponent];
      f.value = negative ? -v : v;
      return true;
    }
    // Out of range (1e400, 1e-400) is left to the fallback's judgement.
    auto [ptr, ec] = std::from_chars(start, p_, f.value);
    return ec == std::errc() && ptr == p_;
  }

  const char* p_;
  const char* end_;
};

}  // namespace

bool ScanFlatLine(std::string_view line, FieldBuffer& out) {
  out.Clear();
  return Scanner(line).Run(out);
}

}  // namespace trail::metrics::internal
