#include "metrics/output_parser_terminal.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace trail::metrics::internal {
namespace {

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// The first byte in [p, end) that is a C0 control or DEL, or `end`. Printable runs are most of
// the output, so this is the hot loop: 16 bytes per step where SSE2 is there.
const char* FindControl(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i c0_max = _mm_set1_epi8(0x1f);
  const __m128i del = _mm_set1_epi8(0x7f);
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i is_c0 = _mm_cmpeq_epi8(_mm_min_epu8(v, c0_max), v);  // unsigned v <= 0x1f
    int mask = _mm_movemask_epi8(_mm_or_si128(is_c0, _mm_cmpeq_epi8(v, del)));
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end && !IsControl(static_cast<unsigned char>(*p))) ++p;
  return p;
}

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

void TerminalLineAssembler::Feed(std::string_view bytes, TerminalLineSink& sink) {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  while (p < end) {
    if (escape_ != Escape::kNone) {
      if (EscapeByte(static_cast<unsigned char>(*p), sink)) {
        ++p;
        continue;
      }
      // Not part of the sequence: handled below as ordinary output.
    } else {
      const char* control = FindControl(p, end);
      if (control > p) AppendText(p, control - p, sink);
      p = control;
      if (p == end) break;
    }
    const char c = *p++;
    switch (c) {
      case '\n':
        LeaveLine(sink);
        break;
      case '\r':
        restart_pending_ = true;
        break;
      case '\b': {
        // Keras erases a whole bar with one run of backspaces; take the run at once.
        size_t count = 1;
        while (p < end && *p == '\b') ++p, ++count;
        Backspace(count);
        break;
      }
      case '\t':
        AppendText(&c, 1, sink);
        break;
      case '\x1b':
        p = TakeCompleteCsi(p, end, sink);
        break;
      default:
        break;  // other C0 controls and DEL show nothing
    }
  }
}

void TerminalLineAssembler::Finish(TerminalLineSink& sink) {
  escape_ = Escape::kNone;
  LeaveLine(sink);
}

void TerminalLineAssembler::AppendText(const char* text, size_t n, TerminalLineSink& sink) {
  if (restart_pending_) EraseLine(sink);
  if (overflow_) return;
  if (line_.size() + n > kMaxLineBytes) {
    overflow_ = true;
    line_.clear();
    return;
  }
  line_.append(text, n);
}

void TerminalLineAssembler::Backspace(size_t count) {
  // After '\r' the cursor is at column 0, where backspace does nothing.
  if (restart_pending_ || overflow_) return;
  size_t len = line_.size();
  for (; count > 0 && len > 0; --count) {
    if (static_cast<unsigned char>(line_[len - 1]) < 0x80) {  // ASCII, most of what Keras erases
      --len;
      continue;
    }
    // One character: the last byte and, if it ends a UTF-8 sequence, the bytes before it back to
    // the lead byte (at most 3). Stray continuation bytes go one at a time.
    size_t start = len - 1;
    const size_t limit = len >= 4 ? len - 4 : 0;
    while (start > limit && IsUtf8Continuation(line_[start])) --start;
    len = IsUtf8Continuation(line_[start]) ? len - 1 : start;
  }
  line_.resize(len);
}

void TerminalLineAssembler::LeaveLine(TerminalLineSink& sink) {
  if (!overflow_ && !line_.empty()) sink.OnLine(line_, LineState::kFinal);
  line_.clear();
  overflow_ = false;
  restart_pending_ = false;
}

void TerminalLineAssembler::EraseLine(TerminalLineSink& sink) {
  if (report_overwritten_ && !overflow_ && !line_.empty()) sink.OnLine(line_, LineState::kOverwritten);
  line_.clear();
  overflow_ = false;
  restart_pending_ = false;
}

const char* TerminalLineAssembler::TakeCompleteCsi(const char* p, const char* end, TerminalLineSink& sink) {
  // Keras 3 writes several colour sequences per redraw; reading a whole one here is much cheaper
  // than a byte at a time through EscapeByte, which takes over whenever this cannot (a sequence
  // split across chunks, too long, or not a CSI). Both read a sequence the same way.
  if (p < end && *p == '[') {
    const char* q = p + 1;
    while (q < end && static_cast<size_t>(q - p - 1) < kMaxCsiBytes && *q >= 0x20 && *q <= 0x3f) ++q;
    if (q < end && *q >= 0x40 && *q <= 0x7e) {
      escape_len_ = q - p - 1;
      std::memcpy(csi_, p + 1, escape_len_);
      ApplyCsi(*q, sink);
      return q + 1;
    }
  }
  escape_ = Escape::kEsc;
  escape_len_ = 0;
  return p;
}

bool TerminalLineAssembler::EscapeByte(unsigned char c, TerminalLineSink& sink) {
  switch (escape_) {
    case Escape::kNone:
      return false;
    case Escape::kEsc:
      escape_ = Escape::kNone;
      if (IsControl(c) || c >= 0x80) return false;  // ESC ESC starts over via the caller
      if (c == '[') {
        escape_ = Escape::kCsi;
      } else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_') {
        escape_ = Escape::kString;
      } else if (c >= 0x20 && c <= 0x2f) {
        escape_ = Escape::kEscIntermediate;
      } else if (c == 'D' || c == 'E' || c == 'M') {
        LeaveLine(sink);  // index, next line, reverse index: the cursor changes rows
      }
      escape_len_ = 0;
      return true;
    case Escape::kEscIntermediate:
      if (IsControl(c) || c >= 0x80 || ++escape_len_ > kMaxCsiBytes) {
        escape_ = Escape::kNone;
        return !(IsControl(c) || c >= 0x80);
      }
      if (c >= 0x30) escape_ = Escape::kNone;  // the final byte
      return true;
    case Escape::kCsi:
      if (IsControl(c) || c >= 0x80) {
        escape_ = Escape::kNone;
        return false;
      }
      if (c >= 0x40 && c <= 0x7e) {
        escape_ = Escape::kNone;
        ApplyCsi(static_cast<char>(c), sink);
      } else if (escape_len_ < kMaxCsiBytes) {
        csi_[escape_len_++] = static_cast<char>(c);
      } else {
        escape_ = Escape::kNone;  // too long to be real; what follows is text again
      }
      return true;
    case Escape::kString:
      if (c == 0x07) {
        escape_ = Escape::kNone;
      } else if (c == 0x1b) {
        escape_ = Escape::kStringEsc;
      } else if (IsControl(c)) {
        escape_ = Escape::kNone;  // strings never hold line breaks: treat this as output
        return false;
      } else if (++escape_len_ > kMaxStringBytes) {
        escape_ = Escape::kNone;
      }
      return true;
    case Escape::kStringEsc:
      if (c == '\\') {
        escape_ = Escape::kNone;
        return true;
      }
      // ESC then anything else ends the string and begins a new sequence.
      escape_ = Escape::kEsc;
      return EscapeByte(c, sink);
  }
  return false;
}

void TerminalLineAssembler::ApplyCsi(char final_byte, TerminalLineSink& sink) {
  // Only the first parameter matters here; private sequences (ESC[?25l) change nothing we track.
  int param = 0;
  for (size_t i = 0; i < escape_len_; ++i) {
    char c = csi_[i];
    if (c == ';') break;
    if (c < '0' || c > '9') return;
    if (param < 10000) param = param * 10 + (c - '0');
  }
  switch (final_byte) {
    case 'A':  // cursor up
    case 'B':  // cursor down
    case 'E':  // next line
    case 'F':  // previous line
      LeaveLine(sink);
      break;
    case 'G':  // cursor to column `param` (1-based; 0 means 1)
      if (param <= 1) restart_pending_ = true;
      break;
    case 'K':  // erase in line: 0 = to the end, 1 = to the start, 2 = all
    case 'J':  // erase in display, the same for the line the cursor is on
      if (param != 0 || restart_pending_) EraseLine(sink);
      break;
    default:
      break;  // colours, modes, cursor save/restore: nothing to do with the text
  }
}

}  // namespace trail::metrics::internal
