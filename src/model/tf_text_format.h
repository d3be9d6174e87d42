// The protobuf text format (what TextFormat::Print writes, and so TensorFlow's as_text=True
// writers: saved_model.pbtxt, graph.pbtxt, text .meta files), read as a stream of events from a
// file. No libprotobuf text parser works without the .proto descriptors, so this is a small
// tokenizer of its own that knows nothing of the schema: the graph readers (tf_graph_text.cc)
// descend into the fields they need and Skip() the rest.
//
// Grammar read: fields `name: value`, `name { ... }`, `name: { ... }` and `name < ... >`;
// repeated short forms `name: [v, v]` and `name: [{...}, {...}]` (one event per element);
// extension and Any names in brackets (`[type.googleapis.com/x.Y] { ... }`); values that are
// identifiers, numbers or strings (single or double quotes, C escapes, adjacent strings joined);
// optional `,` or `;` after a field; `#` comments to the end of the line.
//
// Bounded whatever the file: it is read through a 64 KB buffer, never whole (a 1 GB graph.pbtxt
// of constants streams past); messages nest at most kMaxTextDepth deep; a string value keeps at
// most kMaxTextValueBytes (the rest is scanned and dropped, and value_cut() says so); a name or
// unquoted value over kMaxTextTokenBytes is an error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/random_file.h"
#include "trail/status.h"

namespace trail::model {

inline constexpr size_t kMaxTextDepth = 100;
inline constexpr size_t kMaxTextValueBytes = 64 << 10;
inline constexpr size_t kMaxTextTokenBytes = 4096;

class TextProtoReader {
 public:
  enum class Event {
    kValue,  // a scalar field: name(), value()
    kBegin,  // a message field opens: name(); its fields follow, then its kEnd
    kEnd,    // the innermost open message closes
    kDone,   // the end of the file, at the top level
  };

  // Reads [begin, end) of `file`, which must outlive the reader.
  TextProtoReader(const RandomFile& file, uint64_t begin, uint64_t end);
  explicit TextProtoReader(const RandomFile& file) : TextProtoReader(file, 0, file.size()) {}

  // Advances to the next event; false on malformed text, then status() is Corrupt "PATH:LINE: why".
  // After kDone or an error it keeps returning false.
  bool Next();
  // After kBegin: consumes the message's fields up to and including its kEnd.
  bool Skip();

  Event event() const { return event_; }
  const std::string& name() const { return name_; }
  // kValue: a string's bytes unescaped, or an identifier or number as written ("DT_FLOAT", "-1").
  const std::string& value() const { return value_; }
  bool value_is_string() const { return value_is_string_; }
  bool value_cut() const { return value_cut_; }  // a string longer than kMaxTextValueBytes
  // Open messages (and lists) around the current event; a kBegin counts its own message.
  size_t depth() const { return frames_.size() - 1; }
  const Status& status() const { return status_; }
  // Marks the text malformed for a reason its reader found (a bad integer): the first error stays.
  // Returns status(): Corrupt "PATH:LINE: bad protobuf text: why".
  Status Invalid(const std::string& why) {
    Fail(why);
    return status_;
  }
  bool done() const { return event_ == Event::kDone; }

 private:
  struct Frame {
    char close = 0;  // '}', '>' or ']' (a list); 0 at the top level
    std::string list_name;
    uint64_t list_elements = 0;
  };

  int Peek();
  int Get();
  void SkipSpace();
  bool Fail(const std::string& why);
  bool ReadName();
  bool ReadScalar();
  bool ReadString();
  bool ReadEscape();
  bool Open(char close);
  void Separator();

  const RandomFile& file_;
  uint64_t next_;  // the file offset after the buffer
  uint64_t end_;
  std::string buffer_;
  size_t at_ = 0;
  uint64_t line_ = 1;
  std::vector<Frame> frames_;
  Event event_ = Event::kBegin;
  std::string name_;
  std::string value_;
  bool value_is_string_ = false;
  bool value_cut_ = false;
  Status status_;
};

}  // namespace trail::model
