// The text being compiled, and the one place that words errors about it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "trail/status.h"

namespace trail::query {

// A byte range of the source text. Every token and AST node keeps one so errors can point at it.
struct Span {
  size_t offset = 0;
  size_t length = 0;

  size_t end() const { return offset + length; }
};

// The text plus what messages call it ("query", "sort key"). Does not own the text, which must
// outlive every token and AST node made from it.
struct Source {
  std::string_view text;
  std::string_view what;

  std::string_view Slice(Span span) const { return text.substr(span.offset, span.length); }
};

// 1-based column of byte `offset`, counting UTF-8 characters so it matches what a terminal shows.
size_t ColumnAt(std::string_view text, size_t offset);

// `text` made safe to quote in a one-line message: control characters escaped, long text cut.
std::string Printable(std::string_view text);

// InvalidArgument "bad <what> at column <c>: <detail> (near '<text at span>')", or
// "... (at end of <what>)" when the span starts at the end of the text.
Status SyntaxError(const Source& source, Span span, std::string_view detail);

}  // namespace trail::query
