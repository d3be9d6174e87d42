#include "remote/s3_xml.h"

#include <charconv>

namespace trail::remote {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the entity body between '&' and ';' into `out`; false when it is not one we know.
bool DecodeEntity(std::string_view name, std::string* out) {
  static constexpr std::pair<std::string_view, char> kNamed[] = {
      {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
  for (const auto& [n, c] : kNamed) {
    if (name == n) {
      out->push_back(c);
      return true;
    }
  }
  if (name.size() < 2 || name[0] != '#') return false;
  int base = 10;
  std::string_view digits = name.substr(1);
  if (digits[0] == 'x' || digits[0] == 'X') {
    base = 16;
    digits.remove_prefix(1);
  }
  uint32_t cp = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, base);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || cp > 0x10FFFF) return false;
  AppendUtf8(cp, out);
  return true;
}

}  // namespace

std::string XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    size_t amp = text.find('&');
    out.append(text.substr(0, amp));
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp);
    size_t semi = text.find(';');
    if (semi != std::string_view::npos && semi <= 10 && DecodeEntity(text.substr(1, semi - 1), &out)) {
      text.remove_prefix(semi + 1);
    } else {
      out.push_back('&');
      text.remove_prefix(1);
    }
  }
  return out;
}

std::vector<std::string> XmlElements(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string empty = "<" + std::string(tag) + "/>";
  const std::string close = "</" + std::string(tag) + ">";
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    size_t a = xml.find(open, pos);
    size_t b = xml.find(empty, pos);
    if (b < a) {
      out.emplace_back();
      pos = b + empty.size();
      continue;
    }
    if (a == std::string_view::npos) break;
    size_t start = a + open.size();
    size_t end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    out.push_back(XmlUnescape(xml.substr(start, end - start)));
    pos = end + close.size();
  }
  return out;
}

std::string XmlElement(std::string_view xml, std::string_view tag) {
  std::vector<std::string> all = XmlElements(xml, tag);
  return all.empty() ? std::string() : all.front();
}

bool ParseListPage(std::string_view xml, ListPage* page) {
  page->entries.clear();
  // <Contents> holds only text elements, so its raw text can be searched again for Key and Size.
  // Unescaping it first would be wrong (a key may contain "&lt;Size&gt;"), so find the raw spans.
  const std::string_view open = "<Contents>", close = "</Contents>";
  for (size_t pos = 0;;) {
    size_t a = xml.find(open, pos);
    if (a == std::string_view::npos) break;
    size_t start = a + open.size();
    size_t end = xml.find(close, start);
    if (end == std::string_view::npos) return false;
    std::string_view body = xml.substr(start, end - start);
    pos = end + close.size();
    std::vector<std::string> keys = XmlElements(body, "Key");
    std::string size = XmlElement(body, "Size");
    ListPage::Entry entry;
    if (keys.size() != 1) return false;
    entry.key = std::move(keys[0]);
    auto [p, ec] = std::from_chars(size.data(), size.data() + size.size(), entry.size);
    if (ec != std::errc() || p != size.data() + size.size()) return false;
    page->entries.push_back(std::move(entry));
  }
  // IsTruncated and NextContinuationToken sit outside <Contents>, where keys cannot fake them
  // (markup inside a key is escaped).
  page->truncated = XmlElement(xml, "IsTruncated") == "true";
  page->next_token = XmlElement(xml, "NextContinuationToken");
  return !page->truncated || !page->next_token.empty();
}

S3Error ParseS3Error(std::string_view xml) { return {XmlElement(xml, "Code"), XmlElement(xml, "Message")}; }

}  // namespace trail::remote
