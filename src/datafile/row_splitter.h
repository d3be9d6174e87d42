// Splits a text file streamed in blocks into rows: CSV/TSV records (RFC 4180 quoting) or plain
// lines (JSON Lines). Shared by instance counting and snapshots, so both agree on what a row is.
//
// Rules:
// - A row ends at '\n' outside quotes; a '\r' before it belongs to the terminator (CRLF).
// - With quoting on, a '"' at the start of a field opens a quoted field, in which newlines and
//   delimiters are data and '""' is an escaped quote; the field closes at a lone '"'. A '"'
//   elsewhere in an unquoted field is a literal character (what Python's csv module does), so a
//   stray `5"` in a file does not swallow the rest of it.
// - The last row counts even without a terminator.
// - Empty rows ("" or "\r" before the '\n') are reported with blank=true; callers skip them.
//
// The scan jumps with memchr from one '\n' to the next while no quote is open, and caches the
// position of the next '"' in the block, so a file without quotes is scanned at memchr speed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace trail::datafile {

class RowSplitter {
 public:
  RowSplitter(char delimiter, bool quoting) : delimiter_(delimiter), quoting_(quoting) {}

  // Starts on the next block of the file; call it only after NextRow returned false for the
  // previous one (which saved the unfinished row, so that buffer may be reused). Views returned
  // for the previous block become invalid.
  void SetBlock(std::string_view block);
  // The next complete row, terminator included. False when the block is used up; the rest of
  // the block is kept for the next one.
  bool NextRow(std::string_view* row);
  // At end of input: the last row if it had no terminator. False if there is none.
  bool FinishRow(std::string_view* row);
  // True if the file ended inside a quoted field (only meaningful after FinishRow).
  bool ended_in_quotes() const { return state_ != State::kUnquoted; }

  // A row with nothing but its terminator.
  static bool IsBlank(std::string_view row);

 private:
  enum class State { kUnquoted, kQuoted, kQuotedSawQuote };

  bool AtFieldStart(size_t quote) const;
  bool EmitRow(size_t end, std::string_view* row);
  void ReleaseReturnedCarry();

  char delimiter_;
  bool quoting_;
  State state_ = State::kUnquoted;
  std::string_view block_;
  size_t pos_ = 0;         // next byte of block_ to scan
  size_t row_start_ = 0;   // where the current row starts in block_ (0 if it began earlier)
  size_t next_quote_ = 0;  // first '"' at or after pos_ (block_.size() if none); valid if >= pos_
  bool quote_cached_ = false;
  std::string carry_;            // the part of the current row from earlier blocks
  bool carry_returned_ = false;  // carry_ holds the row last returned; cleared on the next call
};

}  // namespace trail::datafile
