// The page and its files: GET / and every non-API path without a dot (client-side routes) get
// index.html, with this process's token written into its <meta name="trail-token">; GET
// /assets/<name> gets an embedded file by exact name (nothing is read from the disk), its gzipped
// copy (<name>.gz, written by ui/build.mjs) when the client accepts gzip.
#include <algorithm>
#include <regex>
#include <string_view>

#include "assets_table.h"
#include "http_json.h"
#include "router.h"

namespace trail::server {
namespace {

constexpr std::string_view kTokenMark = "__TRAIL_TOKEN__";

const EmbeddedAsset* Find(const std::string& name) {
  const EmbeddedAssets& table = UiAssets();
  for (size_t i = 0; i < table.count; ++i) {
    if (name == table.assets[i].name) return &table.assets[i];
  }
  return nullptr;
}

// A bundler's content-hashed name (app-3F2A9C1B.js) never changes content: cached for a year.
bool IsHashedName(const std::string& name) {
  static const std::regex kHashed(R"(.*[-.][A-Za-z0-9]{8,}\.[A-Za-z0-9]+$)");
  return std::regex_match(name, kHashed);
}

void ServeIndex(const ServerState& state, httplib::Response& res) {
  const EmbeddedAsset* index = Find("index.html");
  if (index == nullptr) return SendError(res, 404, "the UI has no index.html");
  std::string page(reinterpret_cast<const char*>(index->data), index->size);
  // The token is hex or [A-Za-z0-9_-] (UiServer::Bind checks --token): safe in an HTML attribute.
  for (size_t pos = page.find(kTokenMark); pos != std::string::npos; pos = page.find(kTokenMark, pos)) {
    page.replace(pos, kTokenMark.size(), state.security.token);
    pos += state.security.token.size();
  }
  res.set_header("Cache-Control", "no-cache, no-store");
  res.set_content(page, index->content_type);
}

void ServeAsset(const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1];
  const EmbeddedAsset* asset = name == "index.html" ? nullptr : Find(name);
  if (asset == nullptr) return SendError(res, 404, "no such asset: " + name);
  const EmbeddedAsset* gzipped =
      AcceptsEncoding(req.get_header_value("Accept-Encoding"), "gzip") ? Find(name + ".gz") : nullptr;
  const EmbeddedAsset* body = gzipped != nullptr ? gzipped : asset;
  res.set_header("ETag", body->etag);  // each encoding its own: a cache keeps them apart
  res.set_header("Vary", "Accept-Encoding");
  res.set_header("Cache-Control", IsHashedName(name) ? "public, max-age=31536000, immutable" : "no-cache");
  if (req.get_header_value("If-None-Match") == body->etag) {
    res.status = 304;
    return;
  }
  if (gzipped == nullptr) {
    // cpp-httplib compresses a text body itself for a client that accepts br or gzip.
    res.set_content(reinterpret_cast<const char*>(asset->data), asset->size, asset->content_type);
    return;
  }
  // Already compressed at build time: sent through a content provider of known length, which
  // cpp-httplib passes on as it is (a body set with set_content it would compress again, per
  // request: brotli at its default quality costs tens of ms for the chart's chunk).
  res.set_header("Content-Encoding", "gzip");
  res.set_content_provider(gzipped->size, asset->content_type,
                           [gzipped](size_t offset, size_t length, httplib::DataSink& sink) {
                             if (offset > gzipped->size) return false;
                             length = std::min(length, gzipped->size - offset);
                             return sink.write(reinterpret_cast<const char*>(gzipped->data) + offset, length);
                           });
}

}  // namespace

void RegisterStaticRoutes(Router& router) {
  const ServerState* state = &router.state();
  router.GetRaw(R"(/assets/(.+))", ServeAsset);
  router.GetRaw(R"(/.*)", [state](const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/api/", 0) == 0 || req.path == "/api")
      return SendError(res, 404, "no such resource: " + req.path);
    const std::string last = req.path.substr(req.path.find_last_of('/') + 1);
    if (last.find('.') != std::string::npos) return SendError(res, 404, "no such file: " + req.path);
    ServeIndex(*state, res);
  });
}

}  // namespace trail::server
