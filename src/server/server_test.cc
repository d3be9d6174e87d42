// The server's pure pieces: the security rules, the paging cursor, compare's flattening, the
// names taken from requests and records.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "compare_fields.h"
#include "cursor.h"
#include "http_json.h"
#include "listing_cache.h"
#include "run_refs.h"
#include "security.h"

namespace trail::server {
namespace {

TEST(Security, HostCheck) {
  auto allowed = AllowedHosts("127.0.0.1", 7007);
  EXPECT_TRUE(HostAllowed("127.0.0.1:7007", allowed));
  EXPECT_TRUE(HostAllowed("LOCALHOST:7007", allowed));
  EXPECT_TRUE(HostAllowed("[::1]:7007", allowed));
  EXPECT_FALSE(HostAllowed("evil.com", allowed));
  EXPECT_FALSE(HostAllowed("evil.com:7007", allowed));
  EXPECT_FALSE(HostAllowed("127.0.0.1:7008", allowed));
  EXPECT_FALSE(HostAllowed("", allowed));
  auto lan = AllowedHosts("192.168.1.5", 80);
  EXPECT_TRUE(HostAllowed("192.168.1.5:80", lan));
  EXPECT_TRUE(HostAllowed("[fe80::1]:9", AllowedHosts("fe80::1", 9)));
  EXPECT_FALSE(HostAllowed("0.0.0.0:9", AllowedHosts("0.0.0.0", 9)));
}

TEST(Security, Loopback) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
}

TEST(Security, TokenAndCookie) {
  std::string t = GenerateToken();
  EXPECT_EQ(t.size(), 64u);
  EXPECT_EQ(t.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(t, GenerateToken());
  EXPECT_TRUE(TokenEquals(t, t));
  EXPECT_FALSE(TokenEquals(t, t.substr(1)));
  EXPECT_FALSE(TokenEquals("", ""));
  EXPECT_EQ(CookieValue("a=1; trail_token=xyz; b=2", "trail_token"), "xyz");
  EXPECT_EQ(CookieValue("xtrail_token=1", "trail_token"), "");
  EXPECT_EQ(StripTokenParam("/runs?token=abc&where=x"), "/runs?where=x");
  EXPECT_EQ(StripTokenParam("/?token=abc"), "/");
  EXPECT_EQ(StripTokenParam("/?a=1&tokenx=2"), "/?a=1&tokenx=2");
}

TEST(Security, Verdicts) {
  SecurityConfig loopback{AllowedHosts("127.0.0.1", 80), "secret", false};
  RequestFacts read{"GET", "/api/v1/runs", "127.0.0.1:80"};
  EXPECT_EQ(CheckRequest(loopback, read).status, 0);
  RequestFacts evil = read;
  evil.host = "evil.com";
  EXPECT_EQ(CheckRequest(loopback, evil).status, 403);
  RequestFacts write{"POST", "/api/v1/runs/1/tags", "127.0.0.1:80"};
  EXPECT_EQ(CheckRequest(loopback, write).status, 403);
  write.header_token = "wrong";
  EXPECT_EQ(CheckRequest(loopback, write).status, 403);
  write.header_token = "secret";
  EXPECT_EQ(CheckRequest(loopback, write).status, 0);
  write.cookie_token = "secret";  // a cookie alone never authorizes a write (CSRF)
  write.header_token = "";
  EXPECT_EQ(CheckRequest(loopback, write).status, 403);

  SecurityConfig lan{AllowedHosts("10.0.0.2", 80), "secret", true};
  RequestFacts r{"GET", "/api/v1/runs", "10.0.0.2:80"};
  EXPECT_EQ(CheckRequest(lan, r).status, 401);
  r.bearer_token = "secret";
  EXPECT_EQ(CheckRequest(lan, r).status, 0);
  RequestFacts page{"GET", "/runs", "10.0.0.2:80"};
  page.has_query_token = true;
  page.query_token = "secret";
  Verdict v = CheckRequest(lan, page);
  EXPECT_EQ(v.status, 302);
  EXPECT_TRUE(v.set_cookie_and_redirect);
  page.query_token = "nope";
  EXPECT_EQ(CheckRequest(lan, page).status, 401);
  RequestFacts api_query{"GET", "/api/v1/runs", "10.0.0.2:80"};
  api_query.has_query_token = true;
  api_query.query_token = "secret";  // ?token= sets the cookie on page loads only
  EXPECT_EQ(CheckRequest(lan, api_query).status, 401);
}

TEST(Cursor, RoundTripAndForeignQuery) {
  api::RunQuery q;
  q.where = "metrics.loss < 1";
  q.sort = "params.lr";
  std::string c = EncodeCursor(q, 150);
  auto offset = DecodeCursor(c, q);
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(*offset, 150);
  api::RunQuery other = q;
  other.descending = true;
  EXPECT_EQ(DecodeCursor(c, other).status().code(), Code::kInvalidArgument);
  other = q;
  other.where = "metrics.loss < 2";
  EXPECT_FALSE(DecodeCursor(c, other).ok());
  EXPECT_FALSE(DecodeCursor("garbage", q).ok());
  EXPECT_FALSE(DecodeCursor("-1." + c.substr(c.find('.') + 1), q).ok());
  q.offset = 99;  // offset and limit are not part of the query's identity
  q.limit = 7;
  EXPECT_TRUE(DecodeCursor(c, q).ok());
}

TEST(Compare, FlattenAndDiffer) {
  Json a = Json::parse(R"({"id":"p-1","params":{"lr":0.1,"opt":"adam"},
    "metrics":{"summary":{"loss":{"last":0.5,"min":0.4}},"derived":{"val_loss_min":0.4}},
    "environment":{"python":{"version":"3.11"}},"code":{"commit":"abc"},
    "data":[{"role":"train","oid":"sha256:1","size":3}],"artifacts":[{"path":"m.pt","oid":"sha256:2"}],
    "tags":{"stage":"x"}})");
  Json b = Json::parse(R"({"id":"p-2","params":{"lr":0.2,"opt":"adam"},
    "metrics":{"summary":{"loss":{"last":0.6,"min":0.4}}},
    "environment":{"python":{"version":"3.11"}},"code":{"commit":"abc"},
    "data":[{"role":"train","oid":"sha256:9","size":3}]})");
  auto leaves = FlattenForCompare(a);
  std::map<std::string, Json> m(leaves.begin(), leaves.end());
  EXPECT_EQ(m.at("params.lr"), 0.1);
  EXPECT_EQ(m.at("metrics.loss.last"), 0.5);
  EXPECT_EQ(m.at("derived.val_loss_min"), 0.4);
  EXPECT_EQ(m.at("environment.python.version"), "3.11");
  EXPECT_EQ(m.at("code.commit"), "abc");
  EXPECT_EQ(m.at("data.train.oid"), "sha256:1");
  EXPECT_EQ(m.at("artifacts.m.pt.oid"), "sha256:2");
  EXPECT_EQ(m.at("tags.stage"), "x");
  EXPECT_EQ(m.count("id"), 0u);

  CompareTable t = BuildCompareTable({a, b});
  EXPECT_EQ(t.fields["params.lr"], Json::array({0.1, 0.2}));
  EXPECT_EQ(t.fields["derived.val_loss_min"], Json::array({0.4, nullptr}));
  std::set<std::string> differing(t.differing.begin(), t.differing.end());
  EXPECT_TRUE(differing.count("params.lr"));
  EXPECT_TRUE(differing.count("data.train.oid"));
  EXPECT_TRUE(differing.count("derived.val_loss_min"));
  EXPECT_FALSE(differing.count("params.opt"));
  EXPECT_FALSE(differing.count("metrics.loss.min"));
}

TEST(Refs, RunIdsOidsAndNames) {
  EXPECT_TRUE(CheckRunRef("fraud-58").ok());
  EXPECT_TRUE(CheckRunRef("58").ok());
  EXPECT_FALSE(CheckRunRef("..").ok());
  EXPECT_FALSE(CheckRunRef("a/b").ok());
  EXPECT_FALSE(CheckRunRef("").ok());
  EXPECT_TRUE(CheckOid("sha256:" + std::string(64, 'a')).ok());
  EXPECT_FALSE(CheckOid("sha256:" + std::string(64, 'A')).ok());
  EXPECT_FALSE(CheckOid("sha256:" + std::string(63, 'a')).ok());
  EXPECT_FALSE(CheckOid("../../etc/passwd").ok());
  EXPECT_EQ(SanitizeFileName("models/best model\".pt"), "best_model_.pt");
  EXPECT_EQ(SanitizeFileName("dir/"), "download");
  EXPECT_EQ(SanitizeFileName(".."), "download");

  const std::string o1 = "sha256:" + std::string(64, '1'), o2 = "sha256:" + std::string(64, '2');
  Json rec = {{"artifacts", {{{"path", "out/model.pt"}, {"oid", o1}}}},
              {"data", {{{"role", "train"}, {"source", "data/t.csv"}, {"format", "csv"}, {"snapshot", {{"oid", o2}}}}}},
              {"metrics", {{"series", {{"loss", "loss.tsv"}}}}}};
  auto named = NamedObjects(rec);
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0].oid, o1);
  EXPECT_EQ(named[0].file_name, "model.pt");
  EXPECT_EQ(named[1].oid, o2);
  EXPECT_EQ(named[1].file_name, "train.snapshot.csv");
}

TEST(HttpJson, QueryErrorColumn) {
  EXPECT_EQ(QueryErrorColumn("bad query at column 17: expected a value"), 17);
  EXPECT_EQ(QueryErrorColumn("bad sort at column 3: unknown key"), 3);
  EXPECT_FALSE(QueryErrorColumn("no such run: x at column 5").has_value());
  Json body = ErrorBody(400, "bad query at column 2: x");
  EXPECT_EQ(body["error"]["code"], "invalid_argument");
  EXPECT_EQ(body["error"]["column"], 2);
  EXPECT_FALSE(ErrorBody(404, "bad query at column 2: x")["error"].contains("column"));
}

TEST(HttpJson, AcceptsEncoding) {
  EXPECT_TRUE(AcceptsEncoding("gzip, deflate, br, zstd", "gzip"));
  EXPECT_TRUE(AcceptsEncoding("br;q=1.0, GZIP;q=0.5", "gzip"));
  EXPECT_TRUE(AcceptsEncoding("*", "gzip"));
  EXPECT_FALSE(AcceptsEncoding("", "gzip"));
  EXPECT_FALSE(AcceptsEncoding("br, deflate", "gzip"));
  EXPECT_FALSE(AcceptsEncoding("x-gzip", "gzip"));
  EXPECT_FALSE(AcceptsEncoding("gzip;q=0", "gzip"));
  EXPECT_FALSE(AcceptsEncoding("gzip; q=0.000, br", "gzip"));
  EXPECT_FALSE(AcceptsEncoding("*, gzip;q=0", "gzip"));  // named refusal beats the wildcard
  EXPECT_TRUE(AcceptsEncoding("*;q=0, gzip", "gzip"));
  EXPECT_TRUE(AcceptsEncoding("gzip;q=0.001", "gzip"));
}

TEST(ListingCache, AnswersOnlyForItsTip) {
  ListingCache cache;
  EXPECT_FALSE(cache.Keys("a").has_value());
  cache.PutKeys("a", Json{{"params", Json::array()}});
  cache.PutCount("a", "metrics.loss < 1", false, 7);
  ASSERT_TRUE(cache.Keys("a").has_value());
  EXPECT_EQ(cache.Count("a", "metrics.loss < 1", false), 7);
  EXPECT_FALSE(cache.Count("a", "metrics.loss < 1", true).has_value());  // archived: another count
  // The branch moved: nothing of the old tip is answered, and a new answer forgets the old ones.
  EXPECT_FALSE(cache.Keys("b").has_value());
  EXPECT_FALSE(cache.Count("b", "metrics.loss < 1", false).has_value());
  cache.PutCount("b", "", false, 8);
  EXPECT_FALSE(cache.Keys("a").has_value());
  EXPECT_FALSE(cache.Count("a", "metrics.loss < 1", false).has_value());
  EXPECT_EQ(cache.Count("b", "", false), 8);
  // Bounded: many distinct filters never grow it past its limit (it starts over).
  for (int i = 0; i < 1000; ++i) cache.PutCount("b", "params.x = " + std::to_string(i), false, i);
  EXPECT_EQ(cache.Count("b", "params.x = 999", false), 999);
  EXPECT_FALSE(cache.Count("b", "params.x = 0", false).has_value());
}

}  // namespace
}  // namespace trail::server
