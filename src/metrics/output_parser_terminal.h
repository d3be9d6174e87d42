// TerminalLineAssembler: the bytes a program writes to a terminal, turned into the states its
// lines go through -- the text a person would see on each line at each moment that matters.
//
// Progress bars redraw one line in place, so "a line" in output is a sequence of states. The
// assembler reports each state once it stops changing, and says why it stopped:
//   - kOverwritten: the line was redrawn in place. '\r' returns to the start of the line and the
//     next printed byte starts the new state (so "\r\n" keeps the old state, as a terminal does);
//     ESC[K after '\r', ESC[1K and ESC[2K erase it; ESC[G / ESC[1G act as '\r'.
//   - kFinal: the cursor left the line: '\n', cursor up or down (ESC[nA, ESC[nB, ESC[nE, ESC[nF;
//     nested tqdm bars move between rows this way), or the end of the output (Finish).
// Within a state, '\b' deletes the previous character (a whole UTF-8 sequence) as Keras redraws
// expect; SGR colours and every other escape sequence (CSI, OSC, DCS, two-byte ESC) are dropped;
// other C0 control bytes and DEL are dropped; '\t' and all bytes >= 0x80 are kept as they are
// (invalid UTF-8 included: recognisers only look for ASCII structure).
//
// Bounded memory: a state longer than kMaxLineBytes is dropped whole (a truncated one could end
// in a truncated number), as is everything up to the next '\n' or the next redraw. Escape
// sequences are abandoned when too long, or at any C0 byte other than the ones that end them, so
// garbage cannot swallow the lines after it.
//
// Any chunking gives the same states: the assembler keeps every partial line and escape sequence
// across Feed calls. Empty states are not reported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace trail::metrics::internal {

enum class LineState {
  kOverwritten,  // redrawn in place; the line goes on
  kFinal,        // the cursor left the line, or the output ended
};

// Receives line states. `text` is valid only during the call.
class TerminalLineSink {
 public:
  virtual ~TerminalLineSink() = default;
  virtual void OnLine(std::string_view text, LineState state) = 0;
};

class TerminalLineAssembler {
 public:
  static constexpr size_t kMaxLineBytes = 64 * 1024;

  // Without `report_overwritten` only kFinal states reach the sink, which saves the work of
  // looking at every redraw when no recogniser wants them.
  explicit TerminalLineAssembler(bool report_overwritten) : report_overwritten_(report_overwritten) {}

  void Feed(std::string_view bytes, TerminalLineSink& sink);
  // The output ended: reports the line still showing, if any, as kFinal, and starts afresh.
  void Finish(TerminalLineSink& sink);

 private:
  enum class Escape : uint8_t {
    kNone,
    kEsc,              // after ESC
    kEscIntermediate,  // ESC then 0x20-0x2F bytes, before the final byte (e.g. ESC ( B)
    kCsi,              // ESC [ ... up to the final byte
    kString,           // OSC, DCS, SOS, PM, APC: up to BEL or ESC backslash
    kStringEsc,        // ESC inside a string
  };
  static constexpr size_t kMaxCsiBytes = 16;
  static constexpr size_t kMaxStringBytes = 4096;

  void AppendText(const char* text, size_t n, TerminalLineSink& sink);
  void Backspace(size_t count);
  // The cursor left the line (kFinal).
  void LeaveLine(TerminalLineSink& sink);
  // The line's state is wiped in place (kOverwritten).
  void EraseLine(TerminalLineSink& sink);
  // Called after an ESC at p[-1]: applies a CSI sequence that lies whole in [p, end) and returns
  // the byte after it; otherwise opens the escape state and returns p.
  const char* TakeCompleteCsi(const char* p, const char* end, TerminalLineSink& sink);
  // Takes one byte while an escape sequence is open; false when the byte ends the sequence
  // without belonging to it and must be handled as ordinary output.
  bool EscapeByte(unsigned char c, TerminalLineSink& sink);
  void ApplyCsi(char final_byte, TerminalLineSink& sink);

  const bool report_overwritten_;
  std::string line_;
  bool restart_pending_ = false;  // after '\r': the next printed byte starts a new state
  bool overflow_ = false;         // the state grew past kMaxLineBytes and is being dropped
  Escape escape_ = Escape::kNone;
  size_t escape_len_ = 0;
  char csi_[kMaxCsiBytes];
};

}  // namespace trail::metrics::internal
