// The little XML that S3 answers with: ListObjectsV2 pages and <Error> bodies.
//
// Not a general XML parser: S3's responses are flat, machine-written documents without CDATA,
// comments inside elements or nested elements of the same name, so finding "<Tag>...</Tag>"
// and unescaping the text is exact for them. Malformed input yields empty fields, never a crash
// (the server is outside input).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trail::remote {

// Replaces &amp; &lt; &gt; &quot; &apos; &#N; &#xN; (as UTF-8); unknown entities stay as they are.
std::string XmlUnescape(std::string_view text);

// The unescaped text of every <tag>...</tag> in `xml`, in order ("<tag/>" counts as empty).
std::vector<std::string> XmlElements(std::string_view xml, std::string_view tag);
// The first one, or "" when there is none.
std::string XmlElement(std::string_view xml, std::string_view tag);

struct ListPage {
  struct Entry {
    std::string key;
    uint64_t size = 0;
  };
  std::vector<Entry> entries;
  bool truncated = false;
  std::string next_token;  // NextContinuationToken, when truncated
};
// false when a <Contents> has no <Key> or a bad <Size>: a page we cannot trust.
bool ParseListPage(std::string_view xml, ListPage* page);

struct S3Error {
  std::string code;  // "NoSuchKey", "SignatureDoesNotMatch", ...; empty when the body had none
  std::string message;
};
S3Error ParseS3Error(std::string_view xml);

}  // namespace trail::remote
