// The web UI's files embedded in the binary: a table generated at build time by
// tools/embed_assets.cc from the built ui/ (or placeholder/placeholder_assets.cc when the UI was
// not built). Static storage: the table lives as long as the program.
#pragma once

#include <cstddef>

namespace trail::server {

struct EmbeddedAsset {
  const char* name;          // "index.html", "app-3f2a.js" (served as /assets/<name>)
  const char* content_type;  // "text/javascript; charset=utf-8", ...
  const unsigned char* data;
  size_t size;
  const char* etag;  // a strong ETag: "\"<content hash>\""
};

struct EmbeddedAssets {
  const EmbeddedAsset* assets;
  size_t count;
  bool built;  // false: the placeholder page (ui/ was not built)
};

const EmbeddedAssets& UiAssets();

}  // namespace trail::server
