#include "remote/s3_xml.h"

#include <gtest/gtest.h>

namespace trail::remote {
namespace {

TEST(S3XmlTest, UnescapesEntities) {
  EXPECT_EQ(XmlUnescape("a&amp;b&lt;c&gt;d&quot;e&apos;f"), "a&b<c>d\"e'f");
  EXPECT_EQ(XmlUnescape("&#65;&#x42;&#xe9;"), "AB\xc3\xa9");
  EXPECT_EQ(XmlUnescape("&unknown; & &#xZZ; &"), "&unknown; & &#xZZ; &");
}

TEST(S3XmlTest, ParsesAListPage) {
  const char* xml =
      R"(<?xml version="1.0" encoding="UTF-8"?>)"
      R"(<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>)"
      R"(<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>)"
      R"(<Contents><Key>p/a&amp;b&lt;Size&gt;9&lt;/Size&gt;</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>)"
      R"(<ETag>&quot;abc&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>)"
      R"(<Contents><Key>p/c</Key><Size>0</Size></Contents>)"
      R"(<NextContinuationToken>tok+/=</NextContinuationToken></ListBucketResult>)";
  ListPage page;
  ASSERT_TRUE(ParseListPage(xml, &page));
  ASSERT_EQ(page.entries.size(), 2u);
  EXPECT_EQ(page.entries[0].key, "p/a&b<Size>9</Size>");
  EXPECT_EQ(page.entries[0].size, 12u);
  EXPECT_EQ(page.entries[1].key, "p/c");
  EXPECT_EQ(page.entries[1].size, 0u);
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_token, "tok+/=");
}

TEST(S3XmlTest, ParsesAnEmptyLastPage) {
  ListPage page;
  ASSERT_TRUE(ParseListPage(
      "<ListBucketResult><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>", &page));
  EXPECT_TRUE(page.entries.empty());
  EXPECT_FALSE(page.truncated);
}

TEST(S3XmlTest, RejectsPagesItCannotTrust) {
  ListPage page;
  EXPECT_FALSE(ParseListPage("<Contents><Key>a</Key><Size>x</Size></Contents>", &page));
  EXPECT_FALSE(ParseListPage("<Contents><Size>1</Size></Contents>", &page));
  EXPECT_FALSE(ParseListPage("<Contents><Key>a</Key><Size>1</Size>", &page));
  EXPECT_FALSE(ParseListPage("<IsTruncated>true</IsTruncated>", &page));  // truncated without a token
}

TEST(S3XmlTest, ParsesErrors) {
  S3Error e = ParseS3Error(R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code>)"
                           R"(<Message>The specified key does not exist.</Message><Key>k</Key></Error>)");
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.message, "The specified key does not exist.");
  EXPECT_EQ(ParseS3Error("").code, "");
  EXPECT_EQ(ParseS3Error("<html>proxy error</html>").code, "");
}

}  // namespace
}  // namespace trail::remote
