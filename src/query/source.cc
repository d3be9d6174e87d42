#include "query/source.h"

#include <algorithm>
#include <cstdio>

namespace trail::query {
namespace {

// Long enough to recognize a token, short enough to keep the message on one terminal line.
constexpr size_t kMaxPrintableBytes = 40;

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

size_t ColumnAt(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (!IsContinuationByte(text[i])) ++column;
  }
  return column;
}

std::string Printable(std::string_view text) {
  size_t end = std::min(text.size(), kMaxPrintableBytes);
  // Back up to a character boundary so the cut never leaves half a UTF-8 sequence.
  for (int i = 0; i < 3 && end < text.size() && end > 0 && IsContinuationByte(text[end]); ++i) {
    --end;
  }
  std::string out;
  for (size_t i = 0; i < end; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (end < text.size()) out += "...";
  return out;
}

Status SyntaxError(const Source& source, Span span, std::string_view detail) {
  std::string message = "bad ";
  message += source.what;
  message += " at column " + std::to_string(ColumnAt(source.text, span.offset)) + ": ";
  message += detail;
  if (span.offset >= source.text.size()) {
    message += " (at end of ";
    message += source.what;
    message += ")";
  } else {
    size_t length = span.length == 0 ? std::string_view::npos : span.length;
    message += " (near '" + Printable(source.text.substr(span.offset, length)) + "')";
  }
  return InvalidArgument(std::move(message));
}

}  // namespace trail::query
