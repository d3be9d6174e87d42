// ParseYaml: libyaml's event stream (a pull parser: no recursion, no node graph) turned into Json.
#include <yaml.h>

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "base/text.h"
#include "base/yaml.h"
#include "base/yaml_scalars.h"

namespace trail {
namespace {

Status NestedTooDeeply(const std::string& what, size_t line, int max_depth) {
  return Corrupt(what + ": line " + std::to_string(line + 1) + ": nested too deeply (more than " +
                 std::to_string(max_depth) + " levels)");
}

// The number of values in `v` and how deep it nests: what an alias to it adds.
void Measure(const Json& v, int64_t& nodes, int& height, int depth = 0) {
  ++nodes;
  height = std::max(height, depth);
  if (v.is_structured())
    for (const Json& child : v) Measure(child, nodes, height, depth + 1);
}

// libyaml's events (a pull parser: no recursion, no node graph) turned into Json. Aliases can be
// exponentially large ("billion laughs") or refer to the node they are in (`a: &a [*a]`), so the
// values made and their depth are bounded, aliases included.
class EventReader {
 public:
  static constexpr int64_t kMaxNodes = 200000;  // a record has summaries, not series

  EventReader(const std::string& text, const std::string& what, int max_depth) : what_(what), max_depth_(max_depth) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~EventReader() { yaml_parser_delete(&parser_); }
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  StatusOr<Json> Read() {
    for (;;) {
      yaml_event_t event;
      if (!yaml_parser_parse(&parser_, &event)) return ParserError();
      Status status = Status::Ok();
      bool done = false;
      switch (event.type) {
        case YAML_SCALAR_EVENT:
          status = OnScalar(event);
          break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
          status = OnStart(event);
          break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
          status = OnEnd();
          break;
        case YAML_ALIAS_EVENT:
          status = OnAlias(event);
          break;
        case YAML_DOCUMENT_END_EVENT:  // the first document is the value, as yaml-cpp's Load had it
        case YAML_STREAM_END_EVENT:
          done = true;
          break;
        default:
          break;
      }
      yaml_event_delete(&event);
      if (!status.ok()) return status;
      if (done) return std::move(root_);
    }
  }

 private:
  struct Frame {
    Json value;
    bool map = false;
    bool want_key = true;  // a map's next scalar is a key
    std::string key;
    std::string anchor;
  };
  struct Anchored {
    Json value;
    std::string key_text;  // a scalar's text, should the alias be used as a key
    bool complete = false;
  };

  Status ParserError() const {
    const yaml_mark_t& mark = parser_.problem ? parser_.problem_mark : parser_.context_mark;
    std::string message = parser_.problem ? parser_.problem : "malformed YAML";
    if (parser_.context) message += std::string(" (") + parser_.context + ")";
    return Corrupt(what_ + ": line " + std::to_string(mark.line + 1) + ": " + message);
  }
  Status Error(const yaml_event_t& event, const std::string& message) const {
    return Corrupt(what_ + ": line " + std::to_string(event.start_mark.line + 1) + ": " + message);
  }
  bool KeyPending() const { return !stack_.empty() && stack_.back().map && stack_.back().want_key; }

  // A node of `height` levels below it starts here: within the limits?
  Status Admit(const yaml_event_t& event, int height, int64_t nodes) {
    if (static_cast<int>(stack_.size()) + height > max_depth_)
      return NestedTooDeeply(what_, event.start_mark.line, max_depth_);
    if ((nodes_ += nodes) > kMaxNodes) return Error(event, "too many values (aliases expand too far)");
    return Status::Ok();
  }

  void Emit(Json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return;
    }
    Frame& top = stack_.back();
    if (top.map) {
      top.value[top.key] = std::move(value);
      top.want_key = true;
    } else {
      top.value.push_back(std::move(value));
    }
  }

  static std::string Anchor(const yaml_char_t* anchor) {
    return anchor ? reinterpret_cast<const char*>(anchor) : std::string();
  }

  Status OnScalar(const yaml_event_t& event) {
    const auto& s = event.data.scalar;
    std::string text(reinterpret_cast<const char*>(s.value), s.length);
    const std::string anchor = Anchor(s.anchor);
    if (KeyPending()) {
      if (!anchor.empty())
        anchors_[anchor] = {s.style == YAML_PLAIN_SCALAR_STYLE ? ResolveYamlPlain(text) : Json(text), text, true};
      stack_.back().key = std::move(text);
      stack_.back().want_key = false;
      return Status::Ok();
    }
    TRAIL_RETURN_IF_ERROR(Admit(event, 0, 1));
    // Quoted and block scalars, and `!!str`, are text; a plain one resolves (YAML 1.2 core schema).
    const char* tag = reinterpret_cast<const char*>(s.tag);
    const bool text_only = s.style != YAML_PLAIN_SCALAR_STYLE ||
                           (tag && (std::string_view(tag) == "!" || std::string_view(tag) == YAML_STR_TAG));
    Json value = text_only ? Json(text) : ResolveYamlPlain(text);
    if (!anchor.empty()) anchors_[anchor] = {value, text, true};
    Emit(std::move(value));
    return Status::Ok();
  }

  Status OnStart(const yaml_event_t& event) {
    if (KeyPending()) return Error(event, "a key must be a plain value");
    TRAIL_RETURN_IF_ERROR(Admit(event, 0, 1));
    const bool map = event.type == YAML_MAPPING_START_EVENT;
    Frame frame;
    frame.map = map;
    frame.value = map ? Json::object() : Json::array();
    frame.anchor = Anchor(map ? event.data.mapping_start.anchor : event.data.sequence_start.anchor);
    // Registered now, incomplete: an alias to it from inside is a cycle.
    if (!frame.anchor.empty()) anchors_[frame.anchor] = Anchored{};
    stack_.push_back(std::move(frame));
    return Status::Ok();
  }

  Status OnEnd() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    if (!frame.anchor.empty()) anchors_[frame.anchor] = {frame.value, "", true};
    Emit(std::move(frame.value));
    return Status::Ok();
  }

  Status OnAlias(const yaml_event_t& event) {
    const std::string name = Anchor(event.data.alias.anchor);
    auto it = anchors_.find(name);
    if (it == anchors_.end()) return Error(event, "unknown anchor *" + name);
    // Refers to a node still open around it: infinitely deep.
    if (!it->second.complete) return NestedTooDeeply(what_, event.start_mark.line, max_depth_);
    if (KeyPending()) {
      if (!it->second.value.is_primitive()) return Error(event, "a key must be a plain value");
      stack_.back().key = it->second.key_text;
      stack_.back().want_key = false;
      return Status::Ok();
    }
    int64_t nodes = 0;
    int height = 0;
    Measure(it->second.value, nodes, height);
    TRAIL_RETURN_IF_ERROR(Admit(event, height, nodes));
    Emit(it->second.value);
    return Status::Ok();
  }

  std::string what_;
  int max_depth_;
  yaml_parser_t parser_;
  std::vector<Frame> stack_;
  std::unordered_map<std::string, Anchored> anchors_;
  int64_t nodes_ = 0;
  Json root_;  // null for an empty document, as before
};

// libyaml refuses characters outside YAML's printable set (yaml_scalars.h) that yaml-cpp, which
// trail read with before, accepted, and that trail's writer once left raw inside quoted strings
// (DEL, the C1 controls, U+FFFE): records written then must still read. Each such character is
// carried through the parse as a private-use placeholder, U+F0000 + its code point, and put back
// in the values and keys afterwards.
constexpr uint32_t kPlaceholderBase = 0xF0000;

void AppendUtf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool InPlaceholderRange(uint32_t c) { return c >= kPlaceholderBase && c <= kPlaceholderBase + 0xFFFF; }

// `text` with each character libyaml refuses replaced: by its placeholder, or by U+FFFD where the
// text already holds a character of the placeholder range (then the replacement is not undone).
// False (and `out` untouched) when there is nothing to replace.
bool ReplaceUnprintable(std::string_view text, std::string& out, bool& reversible) {
  bool any = false;
  reversible = true;
  for (size_t i = 0; i < text.size();) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    if (b >= 0x20 && b < 0x7F) {
      ++i;
      continue;
    }
    const uint32_t c = NextCodePoint(text, i);
    if (!IsYamlPrintable(c)) any = true;
    if (InPlaceholderRange(c)) reversible = false;
  }
  if (!any) return false;
  out.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size();) {
    const size_t start = i;
    const uint32_t c = NextCodePoint(text, i);
    if (IsYamlPrintable(c))
      out.append(text, start, i - start);
    else
      AppendUtf8(out, reversible ? kPlaceholderBase + c : 0xFFFD);
  }
  return true;
}

std::string RestoreText(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const uint32_t c = NextCodePoint(s, i);
    if (InPlaceholderRange(c))
      AppendUtf8(out, c - kPlaceholderBase);
    else
      out.append(s, start, i - start);
  }
  return out;
}

Json Restore(const Json& v) {
  if (v.is_string()) return RestoreText(v.get<std::string>());
  if (v.is_array()) {
    Json out = Json::array();
    for (const Json& item : v) out.push_back(Restore(item));
    return out;
  }
  if (v.is_object()) {
    Json out = Json::object();
    for (const auto& [key, item] : v.items()) out[RestoreText(key)] = Restore(item);
    return out;
  }
  return v;
}

}  // namespace

StatusOr<Json> ParseYaml(const std::string& text, const std::string& what, int max_depth) {
  // libyaml refuses bytes that are not UTF-8; trail reads them, each replaced with U+FFFD, as
  // every other path that cleans text does.
  std::string sanitized;
  const std::string* input = &text;
  if (!IsValidUtf8(text)) {
    sanitized = SanitizeUtf8(text);
    input = &sanitized;
  }
  std::string replaced;
  bool reversible = true;
  if (!ReplaceUnprintable(*input, replaced, reversible)) return EventReader(*input, what, max_depth).Read();
  TRAIL_ASSIGN_OR_RETURN(Json value, EventReader(replaced, what, max_depth).Read());
  return reversible ? Restore(value) : value;
}

}  // namespace trail
