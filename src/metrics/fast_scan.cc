#include "metrics/fast_scan.h"

#include <charconv>
#include <cstring>
#include <limits>

namespace trail::metrics::internal {
namespace {

// Integers of up to 18 digits cannot overflow int64_t while accumulating.
constexpr ptrdiff_t kMaxFastIntegerDigits = 18;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

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
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0) {
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
        return IsDigit(*p_) && ScanNumber(f);
    }
  }

  // JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  // validated here because from_chars accepts more ("01", "1.", "inf").
  bool ScanNumber(Field& f) {
    const char* start = p_;
    bool negative = Consume('-');
    const char* digits = p_;
    if (p_ < end_ && *p_ == '0') {
      ++p_;
    } else if (p_ < end_ && IsDigit(*p_)) {
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    } else {
      return false;
    }
    const char* digits_end = p_;
    bool is_integer = true;
    if (Consume('.')) {
      if (!(p_ < end_ && IsDigit(*p_))) return false;
      while (p_ < end_ && IsDigit(*p_)) ++p_;
      is_integer = false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!(p_ < end_ && IsDigit(*p_))) return false;
      while (p_ < end_ && IsDigit(*p_)) ++p_;
      is_integer = false;
    }
    if (is_integer) {
      if (digits_end - digits > kMaxFastIntegerDigits) return false;
      int64_t n = 0;
      for (const char* d = digits; d < digits_end; ++d) n = n * 10 + (*d - '0');
      // Negate the integer, not the double: "-0" is +0.0, as in nlohmann.
      if (negative) n = -n;
      f.integer_token = true;
      f.integer = n;
      f.value = static_cast<double>(n);
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
