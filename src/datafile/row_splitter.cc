#include "datafile/row_splitter.h"

#include <cstring>

namespace trail::datafile {

void RowSplitter::SetBlock(std::string_view block) {
  block_ = block;
  pos_ = 0;
  row_start_ = 0;
  quote_cached_ = false;
}

bool RowSplitter::IsBlank(std::string_view row) {
  if (!row.empty() && row.back() == '\n') row.remove_suffix(1);
  if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
  return row.empty();
}

bool RowSplitter::AtFieldStart(size_t quote) const {
  char before;
  if (quote > row_start_) {
    before = block_[quote - 1];
  } else if (!carry_.empty()) {
    before = carry_.back();  // the row began in an earlier block
  } else {
    return true;  // first byte of the row
  }
  return before == delimiter_;
}

bool RowSplitter::EmitRow(size_t end, std::string_view* row) {
  if (carry_.empty()) {
    *row = block_.substr(row_start_, end - row_start_);
  } else {
    carry_.append(block_.substr(row_start_, end - row_start_));
    *row = carry_;
    carry_returned_ = true;  // cleared lazily: the view must outlive this call
  }
  row_start_ = end;
  pos_ = end;
  return true;
}

void RowSplitter::ReleaseReturnedCarry() {
  if (carry_returned_) {
    carry_.clear();
    carry_returned_ = false;
  }
}

bool RowSplitter::NextRow(std::string_view* row) {
  ReleaseReturnedCarry();
  const char* data = block_.data();
  const size_t size = block_.size();
  while (pos_ < size) {
    if (state_ == State::kQuotedSawQuote) {
      // The previous block ended on a quote inside a quoted field: '""' or a closing quote.
      if (data[pos_] == '"') {
        state_ = State::kQuoted;
        ++pos_;
      } else {
        state_ = State::kUnquoted;
      }
      continue;
    }
    if (state_ == State::kQuoted) {
      const void* q = std::memchr(data + pos_, '"', size - pos_);
      if (q == nullptr) {
        pos_ = size;
        break;
      }
      size_t at = static_cast<const char*>(q) - data;
      if (at + 1 == size) {
        state_ = State::kQuotedSawQuote;
        pos_ = size;
        break;
      }
      if (data[at + 1] == '"') {
        pos_ = at + 2;  // escaped quote
      } else {
        state_ = State::kUnquoted;
        pos_ = at + 1;
      }
      continue;
    }
    // Unquoted: the next '\n' ends the row unless a quote opens before it.
    size_t limit = size;
    if (quoting_) {
      if (!quote_cached_ || next_quote_ < pos_) {
        const void* q = std::memchr(data + pos_, '"', size - pos_);
        next_quote_ = q ? static_cast<size_t>(static_cast<const char*>(q) - data) : size;
        quote_cached_ = true;
      }
      limit = next_quote_;
    }
    const void* nl = std::memchr(data + pos_, '\n', limit - pos_);
    if (nl != nullptr) return EmitRow(static_cast<size_t>(static_cast<const char*>(nl) - data) + 1, row);
    if (limit == size) {
      pos_ = size;
      break;
    }
    // A quote before the next newline.
    if (AtFieldStart(limit)) state_ = State::kQuoted;
    pos_ = limit + 1;
  }
  // The block is used up: keep the unfinished row now, while the caller's buffer is still valid.
  carry_.append(block_.substr(row_start_));
  row_start_ = pos_ = size;
  return false;
}

bool RowSplitter::FinishRow(std::string_view* row) {
  ReleaseReturnedCarry();
  block_ = {};
  row_start_ = pos_ = 0;
  if (state_ == State::kQuotedSawQuote) state_ = State::kUnquoted;  // the file ended on the closing quote
  if (carry_.empty()) return false;
  *row = carry_;
  carry_returned_ = true;
  return true;
}

}  // namespace trail::datafile
