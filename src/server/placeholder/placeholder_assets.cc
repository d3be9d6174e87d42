// The UI when ui/ was not built (no node, or no `npm ci` in ui/): one page that says so. The REST
// API (docs/api.md) works all the same. Compiled instead of the generated table (cmake/ui_assets.cmake).
#include "assets_table.h"

namespace trail::server {
namespace {

constexpr char kPage[] =
    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"trail-token\" content=\"__TRAIL_TOKEN__\">\n<title>trail ui</title>\n</head>\n<body>\n"
    "<h1>trail ui</h1>\n"
    "<p>The web UI's assets were not built into this <code>trail</code> binary. To build them, install Node.js "
    "and npm (<code>scripts/setup.sh</code>), then run <code>npm ci</code> in <code>ui/</code> and build trail "
    "again (<code>cmake -S . -B build &amp;&amp; ninja -C build trail</code>).</p>\n"
    "<p>The REST API works without them: see <code>docs/api.md</code>, e.g. <a href=\"/api/v1/project\">"
    "/api/v1/project</a> and <a href=\"/api/v1/runs\">/api/v1/runs</a>.</p>\n"
    "</body>\n</html>\n";

const EmbeddedAsset kAssets[] = {
    {"index.html", "text/html; charset=utf-8", reinterpret_cast<const unsigned char*>(kPage), sizeof(kPage) - 1,
     "\"placeholder-1\""},
};

}  // namespace

const EmbeddedAssets& UiAssets() {
  static const EmbeddedAssets kTable = {kAssets, sizeof(kAssets) / sizeof(kAssets[0]), false};
  return kTable;
}

}  // namespace trail::server
