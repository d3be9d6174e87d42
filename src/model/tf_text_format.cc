#include "model/tf_text_format.h"

#include <algorithm>

#include "base/text.h"

namespace trail::model {
namespace {

constexpr size_t kBufferBytes = 64 << 10;

bool IsSpace(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool IsLetter(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(int c) { return c >= '0' && c <= '9'; }
bool IsValueChar(int c) { return IsLetter(c) || IsDigit(c) || c == '.' || c == '+' || c == '-'; }
int HexDigit(int c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Shown(int c) {
  if (c < 0) return "the end of the file";
  return "'" + EscapeForMessage(std::string(1, static_cast<char>(c))) + "'";
}

}  // namespace

TextProtoReader::TextProtoReader(const RandomFile& file, uint64_t begin, uint64_t end)
    : file_(file), next_(begin), end_(std::min(end, file.size())) {
  frames_.push_back(Frame{});
}

int TextProtoReader::Peek() {
  if (at_ == buffer_.size()) {
    if (next_ >= end_ || !status_.ok()) return -1;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kBufferBytes, end_ - next_));
    const Status read = file_.ReadAt(next_, n, &buffer_);
    if (!read.ok()) {
      status_ = read;
      buffer_.clear();
      return -1;
    }
    next_ += n;
    at_ = 0;
  }
  return static_cast<unsigned char>(buffer_[at_]);
}

int TextProtoReader::Get() {
  const int c = Peek();
  if (c >= 0) {
    ++at_;
    if (c == '\n') ++line_;
  }
  return c;
}

void TextProtoReader::SkipSpace() {
  for (int c = Peek(); c >= 0; c = Peek()) {
    if (IsSpace(c)) {
      Get();
    } else if (c == '#') {
      while (c >= 0 && c != '\n') c = Get();
    } else {
      break;
    }
  }
}

bool TextProtoReader::Fail(const std::string& why) {
  if (status_.ok()) status_ = Corrupt(file_.path() + ":" + std::to_string(line_) + ": bad protobuf text: " + why);
  return false;
}

bool TextProtoReader::ReadName() {
  name_.clear();
  int c = Peek();
  if (c == '[') {  // an extension or an Any's type URL
    name_.push_back(static_cast<char>(Get()));
    for (c = Get(); c != ']'; c = Get()) {
      if (!(IsValueChar(c) || c == '/')) return Fail("expected ']' after a bracketed field name, found " + Shown(c));
      if (name_.size() == kMaxTextTokenBytes) return Fail("a field name over 4096 bytes");
      name_.push_back(static_cast<char>(c));
    }
    name_.push_back(']');
    return true;
  }
  if (!IsLetter(c)) return Fail("expected a field name, found " + Shown(c));
  while (IsLetter(c) || IsDigit(c)) {
    if (name_.size() == kMaxTextTokenBytes) return Fail("a field name over 4096 bytes");
    name_.push_back(static_cast<char>(Get()));
    c = Peek();
  }
  return true;
}

bool TextProtoReader::ReadEscape() {
  const int c = Get();
  if (c < 0) return Fail("a string runs past the end of the file");
  auto put = [&](uint32_t byte) {
    if (value_.size() < kMaxTextValueBytes) {
      value_.push_back(static_cast<char>(byte));
    } else {
      value_cut_ = true;
    }
  };
  switch (c) {
    case 'a':
      put('\a');
      return true;
    case 'b':
      put('\b');
      return true;
    case 'f':
      put('\f');
      return true;
    case 'n':
      put('\n');
      return true;
    case 'r':
      put('\r');
      return true;
    case 't':
      put('\t');
      return true;
    case 'v':
      put('\v');
      return true;
    case '\\':
    case '\'':
    case '"':
    case '?':
      put(static_cast<uint32_t>(c));
      return true;
    default:
      break;
  }
  if (c >= '0' && c <= '7') {  // up to three octal digits
    uint32_t v = static_cast<uint32_t>(c - '0');
    for (int i = 0; i < 2 && Peek() >= '0' && Peek() <= '7'; ++i) v = v * 8 + static_cast<uint32_t>(Get() - '0');
    put(v & 0xff);
    return true;
  }
  if (c == 'x') {  // one or two hex digits
    if (HexDigit(Peek()) < 0) return Fail("\\x without hex digits in a string");
    uint32_t v = static_cast<uint32_t>(HexDigit(Get()));
    if (HexDigit(Peek()) >= 0) v = v * 16 + static_cast<uint32_t>(HexDigit(Get()));
    put(v);
    return true;
  }
  if (c == 'u' || c == 'U') {  // a code point, written as UTF-8
    uint32_t v = 0;
    for (int i = 0; i < (c == 'u' ? 4 : 8); ++i) {
      if (HexDigit(Peek()) < 0) return Fail(std::string("\\") + static_cast<char>(c) + " without enough hex digits");
      v = v * 16 + static_cast<uint32_t>(HexDigit(Get()));
    }
    if (v > 0x10ffff) return Fail("\\U escape past U+10FFFF");
    if (v < 0x80) {
      put(v);
    } else if (v < 0x800) {
      put(0xc0 | (v >> 6)), put(0x80 | (v & 0x3f));
    } else if (v < 0x10000) {
      put(0xe0 | (v >> 12)), put(0x80 | ((v >> 6) & 0x3f)), put(0x80 | (v & 0x3f));
    } else {
      put(0xf0 | (v >> 18)), put(0x80 | ((v >> 12) & 0x3f)), put(0x80 | ((v >> 6) & 0x3f)), put(0x80 | (v & 0x3f));
    }
    return true;
  }
  return Fail("unknown escape \\" + (c < 0 ? std::string() : EscapeForMessage(std::string(1, static_cast<char>(c)))) +
              " in a string");
}

bool TextProtoReader::ReadString() {
  const int quote = Get();
  while (true) {
    if (Peek() == '\n') return Fail("a string runs past the end of its line");  // on the string's line
    const int c = Get();
    if (c < 0) return Fail("a string runs past the end of the file");
    if (c == quote) return true;
    if (c == '\\') {
      if (!ReadEscape()) return false;
    } else if (value_.size() < kMaxTextValueBytes) {
      value_.push_back(static_cast<char>(c));
    } else {
      value_cut_ = true;
    }
  }
}

bool TextProtoReader::ReadScalar() {
  value_.clear();
  value_cut_ = false;
  value_is_string_ = false;
  event_ = Event::kValue;
  int c = Peek();
  if (c == '"' || c == '\'') {
    value_is_string_ = true;
    while (c == '"' || c == '\'') {  // adjacent strings are one value
      if (!ReadString()) return false;
      SkipSpace();
      c = Peek();
    }
    return true;
  }
  while (IsValueChar(c)) {
    if (value_.size() == kMaxTextTokenBytes) return Fail("a value over 4096 bytes");
    value_.push_back(static_cast<char>(Get()));
    c = Peek();
  }
  if (value_.empty()) return Fail("expected a value for " + EscapeForMessage(name_) + ", found " + Shown(c));
  return true;
}

bool TextProtoReader::Open(char close) {
  if (frames_.size() > kMaxTextDepth) return Fail("messages nest more than 100 deep");
  frames_.push_back(Frame{close, {}, 0});
  event_ = Event::kBegin;
  return true;
}

void TextProtoReader::Separator() {
  SkipSpace();
  const int c = Peek();
  if (c == ',' || c == ';') Get();
}

bool TextProtoReader::Next() {
  if (!status_.ok() || event_ == Event::kDone) return false;
  while (true) {
    SkipSpace();
    if (!status_.ok()) return false;
    Frame& top = frames_.back();
    int c = Peek();
    if (top.close == ']') {  // inside `name: [ ... ]`
      if (c == ']') {
        Get();
        frames_.pop_back();
        Separator();
        continue;
      }
      if (top.list_elements > 0) {
        if (c != ',') return Fail("expected ',' or ']' in the list of " + EscapeForMessage(top.list_name));
        Get();
        SkipSpace();
        c = Peek();
      }
      ++top.list_elements;
      name_ = top.list_name;
      if (c == '{' || c == '<') {
        Get();
        return Open(c == '{' ? '}' : '>');
      }
      return ReadScalar() && status_.ok();
    }
    if (c < 0) {
      if (!status_.ok()) return false;
      if (frames_.size() > 1) return Fail("the file ends inside a message");
      event_ = Event::kDone;
      return true;
    }
    if (top.close != 0 && c == top.close) {  // the top level has no closing byte, not even NUL
      Get();
      frames_.pop_back();
      event_ = Event::kEnd;
      if (frames_.back().close != ']') Separator();
      return status_.ok();
    }
    if (!ReadName()) return false;
    SkipSpace();
    bool colon = false;
    if (Peek() == ':') {
      Get();
      colon = true;
      SkipSpace();
    }
    c = Peek();
    if (c == '{' || c == '<') {
      Get();
      return Open(c == '{' ? '}' : '>');
    }
    if (!colon) return Fail("expected ':' or '{' after " + EscapeForMessage(name_) + ", found " + Shown(c));
    if (c == '[') {
      Get();
      if (frames_.size() > kMaxTextDepth) return Fail("messages nest more than 100 deep");
      frames_.push_back(Frame{']', name_, 0});
      continue;
    }
    if (!ReadScalar()) return false;
    Separator();
    return status_.ok();
  }
}

bool TextProtoReader::Skip() {
  const size_t outer = frames_.size() - 1;
  while (Next()) {
    if (event_ == Event::kEnd && frames_.size() == outer) return true;
    if (event_ == Event::kDone) return Fail("the file ends inside a message");
  }
  return false;
}

}  // namespace trail::model
