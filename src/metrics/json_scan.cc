#include "metrics/json_scan.h"

#include <limits>
#include <nlohmann/json.hpp>

namespace trail::metrics::internal {
namespace {

using Json = nlohmann::json;

// nlohmann rejects NaN/Infinity, so they are replaced by a "0" padded with
// spaces to the same length (error columns stay right), and the position of
// each replacement among the line's number tokens is remembered. Number
// tokens of a valid document are separated by punctuation, so counting them
// here agrees with the order in which the parser reports numbers.
enum class NumberToken : uint8_t { kPlain, kNaN, kInfinity, kMinusInfinity };

struct Substituted {
  std::string text;
  std::vector<NumberToken> numbers;
};

bool IsNumberChar(char c) { return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E'; }

Substituted SubstituteSpecialNumbers(std::string_view line) {
  Substituted out{std::string(line), {}};
  std::string& t = out.text;
  const size_t n = t.size();
  auto replace = [&](size_t i, std::string_view word, NumberToken kind) {
    if (t.compare(i, word.size(), word) != 0) return false;
    t.replace(i, word.size(), "0" + std::string(word.size() - 1, ' '));
    out.numbers.push_back(kind);
    return true;
  };
  // NaN and Infinity are values only where a value may start: "6NaN" and
  // "-NaN" stay as they are, so the parser rejects them.
  auto at_value_start = [&](size_t i) {
    while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == '\r' || t[i - 1] == '\n')) --i;
    return i == 0 || t[i - 1] == ':' || t[i - 1] == ',' || t[i - 1] == '[';
  };
  for (size_t i = 0; i < n; ++i) {
    char c = t[i];
    if ((c == 'N' || c == 'I' || c == '-') && !at_value_start(i)) {
      if (c == '-') {
        out.numbers.push_back(NumberToken::kPlain);
        while (i + 1 < n && IsNumberChar(t[i + 1])) ++i;
      }
      continue;
    }
    if (c == '"') {
      for (++i; i < n && t[i] != '"'; ++i) {
        if (t[i] == '\\') ++i;
      }
    } else if (c == 'N') {
      if (replace(i, "NaN", NumberToken::kNaN)) i += 2;
    } else if (c == 'I') {
      if (replace(i, "Infinity", NumberToken::kInfinity)) i += 7;
    } else if (c == '-' && replace(i, "-Infinity", NumberToken::kMinusInfinity)) {
      i += 8;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      out.numbers.push_back(NumberToken::kPlain);
      while (i + 1 < n && IsNumberChar(t[i + 1])) ++i;
    }
  }
  return out;
}

// Turns "[json.exception.parse_error.101] parse error at line 1, column 9:
// syntax error ..." into "invalid JSON at column 9: syntax error ...".
std::string Reason(const std::string& what) {
  std::string_view m = what;
  if (auto close = m.find("] "); m.starts_with("[json.exception") && close != m.npos) {
    m.remove_prefix(close + 2);
  }
  constexpr std::string_view kPrefix = "parse error at line 1, ";
  if (m.starts_with(kPrefix)) {
    m.remove_prefix(kPrefix.size());
    return "invalid JSON at " + std::string(m);
  }
  return "invalid JSON: " + std::string(m);
}

class FlattenHandler : public nlohmann::json_sax<Json> {
 public:
  FlattenHandler(const std::vector<NumberToken>& numbers, FieldBuffer& out) : numbers_(numbers), out_(out) {}

  const std::string& error() const { return error_; }

  bool null() override { return Leaf(Field::Kind::kIgnored, 0); }
  bool boolean(bool b) override { return Leaf(Field::Kind::kBool, b ? 1 : 0); }
  bool number_integer(number_integer_t v) override { return Integer(v); }
  bool number_unsigned(number_unsigned_t v) override {
    if (v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Integer(static_cast<int64_t>(v));
    }
    return Number(static_cast<double>(v));
  }
  bool number_float(number_float_t v, const string_t&) override { return Number(v); }
  bool string(string_t&) override { return Leaf(Field::Kind::kIgnored, 0); }
  bool binary(binary_t&) override { return Leaf(Field::Kind::kIgnored, 0); }

  bool start_object(std::size_t) override {
    if (ignore_depth_ > 0) {
      ++ignore_depth_;
    } else if (!started_) {
      started_ = true;
    } else {
      // The object's own key is reported too, as ignored, so that a
      // duplicate or an object-valued "step" is caught like any other.
      if (!Leaf(Field::Kind::kIgnored, 0)) return false;
      prefix_lengths_.push_back(prefix_.size());
      prefix_ += key_;
      prefix_ += '.';
    }
    return true;
  }
  bool end_object() override {
    if (ignore_depth_ > 0) {
      --ignore_depth_;
    } else if (!prefix_lengths_.empty()) {
      prefix_.resize(prefix_lengths_.back());
      prefix_lengths_.pop_back();
    }
    return true;
  }
  bool key(string_t& k) override {
    if (ignore_depth_ > 0) return true;
    if (k.empty()) return Fail("empty key");
    key_ = k;
    return true;
  }
  bool start_array(std::size_t) override {
    if (ignore_depth_ == 0 && !Leaf(Field::Kind::kIgnored, 0)) return false;
    ++ignore_depth_;
    return true;
  }
  bool end_array() override {
    --ignore_depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    return Fail(Reason(ex.what()));
  }

 private:
  bool Fail(std::string reason) {
    if (error_.empty()) error_ = std::move(reason);
    return false;
  }

  // The kind of the next number token, as recorded by the substitution.
  NumberToken NextNumber() { return next_number_ < numbers_.size() ? numbers_[next_number_++] : NumberToken::kPlain; }

  bool Integer(int64_t v) {
    switch (NextNumber()) {
      case NumberToken::kPlain:
        break;
      case NumberToken::kNaN:
        return Leaf(Field::Kind::kNumber, std::numeric_limits<double>::quiet_NaN());
      case NumberToken::kInfinity:
        return Leaf(Field::Kind::kNumber, std::numeric_limits<double>::infinity());
      case NumberToken::kMinusInfinity:
        return Leaf(Field::Kind::kNumber, -std::numeric_limits<double>::infinity());
    }
    if (!Leaf(Field::Kind::kNumber, static_cast<double>(v))) return false;
    if (ignore_depth_ == 0) {
      out_.fields.back().integer_token = true;
      out_.fields.back().integer = v;
    }
    return true;
  }

  bool Number(double v) {
    NextNumber();  // substitutions are always integers ("0")
    return Leaf(Field::Kind::kNumber, v);
  }

  bool Leaf(Field::Kind kind, double value) {
    if (!started_) return Fail("not a JSON object");
    if (ignore_depth_ > 0) return true;
    const std::string& key = out_.owned_keys.emplace_back(prefix_ + key_);
    out_.fields.push_back(Field{key, kind, false, 0, value});
    return true;
  }

  const std::vector<NumberToken>& numbers_;
  FieldBuffer& out_;
  size_t next_number_ = 0;
  bool started_ = false;
  int ignore_depth_ = 0;  // > 0 inside an array
  std::string prefix_;    // "a.b." inside {"a": {"b": {...}}}
  std::vector<size_t> prefix_lengths_;
  std::string key_;
  std::string error_;
};

}  // namespace

Status ScanJsonLine(std::string_view line, FieldBuffer& out) {
  // nlohmann would stop reading at a NUL and accept the line's first part.
  if (line.find('\0') != std::string_view::npos) return InvalidArgument("NUL byte in line");
  out.Clear();
  Substituted sub = SubstituteSpecialNumbers(line);
  FlattenHandler handler(sub.numbers, out);
  bool ok = Json::sax_parse(sub.text.begin(), sub.text.end(), &handler);
  if (!ok || !handler.error().empty()) {
    out.Clear();
    return InvalidArgument(handler.error().empty() ? "invalid JSON" : handler.error());
  }
  return Status::Ok();
}

}  // namespace trail::metrics::internal
