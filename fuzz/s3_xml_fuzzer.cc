// Fuzzes the S3 response readers (remote/s3_xml.h): ListObjectsV2 pages (ParseListPage), error
// bodies (ParseS3Error) and the helpers under them (XmlElements, XmlUnescape). A server's
// answer is outside input.
//
// Checks, beyond "never crashes":
//   - XmlUnescape never lengthens its text (every entity it decodes is longer than its UTF-8),
//     leaves text without '&' alone, and inverts escaping: Unescape(Escape(x)) == x.
//   - ParseListPage accepts a truncated page only with a continuation token, and gives exactly
//     one entry per <Contents> (there are at least as many opening tags as entries).
//   - The input as an object key, escaped into a list page as S3 writes it, comes back as
//     exactly that key with its size; the input as an error code and message comes back from
//     ParseS3Error.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "remote/s3_xml.h"

namespace trail::fuzz {
namespace {

// What an XML writer (S3) does to text content.
std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

size_t Count(std::string_view text, std::string_view what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string_view::npos; pos = text.find(what, pos + what.size())) ++n;
  return n;
}

void CheckUnescape(std::string_view input) {
  auto note = [&](const std::string& what) { return what + "\n  input: " + Escaped(input); };
  const std::string plain = remote::XmlUnescape(input);
  FUZZ_CHECK(plain.size() <= input.size(), note("XmlUnescape made the text longer"));
  if (input.find('&') == std::string_view::npos) FUZZ_CHECK(plain == input, note("XmlUnescape changed plain text"));
  FUZZ_CHECK(remote::XmlUnescape(XmlEscape(input)) == input, note("XmlUnescape does not invert escaping"));
}

void CheckListPage(std::string_view input) {
  auto note = [&](const std::string& what) { return what + "\n  input: " + Escaped(input); };
  remote::ListPage page;
  const bool ok = remote::ParseListPage(input, &page);
  if (ok) {
    FUZZ_CHECK(!page.truncated || !page.next_token.empty(), note("a truncated page without a token"));
    FUZZ_CHECK(page.entries.size() <= Count(input, "<Contents>"), note("more entries than <Contents>"));
  }
  (void)remote::ParseS3Error(input);
}

void CheckAsKey(std::string_view input) {
  auto note = [&](const std::string& what) { return what + "\n  input: " + Escaped(input); };
  const std::string key = XmlEscape(input);
  const std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bucket</Name><Prefix></Prefix><KeyCount>2</KeyCount>"
      "<MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><Contents><Key>" +
      key + "</Key><LastModified>2024-05-01T10:00:00.000Z</LastModified><ETag>&quot;d41d8&quot;</ETag><Size>" +
      std::to_string(input.size()) + "</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>b/" + key +
      "</Key><Size>0</Size></Contents><NextContinuationToken>" + key + "=</NextContinuationToken></ListBucketResult>";
  remote::ListPage page;
  FUZZ_CHECK(remote::ParseListPage(xml, &page), note("a well-formed page with this key is rejected"));
  FUZZ_CHECK(page.entries.size() == 2, note("wrong number of entries"));
  FUZZ_CHECK(page.entries[0].key == input && page.entries[0].size == input.size(), note("key or size changed"));
  FUZZ_CHECK(page.entries[1].key == "b/" + std::string(input) && page.entries[1].size == 0, note("second key changed"));
  FUZZ_CHECK(page.truncated && page.next_token == std::string(input) + "=", note("continuation token changed"));

  const std::string error = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + key + "</Code><Message>" +
                            key + "</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>";
  remote::S3Error e = remote::ParseS3Error(error);
  FUZZ_CHECK(e.code == input && e.message == input, note("error code or message changed"));
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  trail::fuzz::CheckUnescape(input);
  trail::fuzz::CheckListPage(input);
  trail::fuzz::CheckAsKey(input);
  return 0;
}
