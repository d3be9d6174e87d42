# The web UI's files, embedded in the `trail` binary (src/server/static_assets.cc serves them).
#
# ui/ (the front end, TypeScript) is built by `node ui/build.mjs --outdir DIR`; the host tool
# trail_embed_assets turns every file of DIR into a table (name, content type, bytes, strong ETag)
# compiled into trail_server. Without node, ui/build.mjs or ui/node_modules, a one-page placeholder
# that says how to build the UI is embedded instead (the API works either way).
# -DTRAIL_UI_DIST=DIR embeds an already built folder instead of running node.
add_executable(trail_embed_assets ${PROJECT_SOURCE_DIR}/src/server/tools/embed_assets.cc)
set(TRAIL_UI_DIR ${PROJECT_SOURCE_DIR}/ui)
set(TRAIL_UI_GENERATED ${CMAKE_BINARY_DIR}/ui_assets.cc)
find_program(TRAIL_NODE node)
set(TRAIL_UI_DIST "" CACHE PATH "an already built UI folder to embed (index.html and its assets)")

if(TRAIL_UI_DIST)
  file(GLOB_RECURSE ui_dist_files CONFIGURE_DEPENDS ${TRAIL_UI_DIST}/*)
  add_custom_command(OUTPUT ${TRAIL_UI_GENERATED}
                     COMMAND trail_embed_assets ${TRAIL_UI_DIST} ${TRAIL_UI_GENERATED}
                     DEPENDS ${ui_dist_files} trail_embed_assets
                     COMMENT "Embedding the web UI from ${TRAIL_UI_DIST}")
  set(TRAIL_UI_ASSETS_SOURCE ${TRAIL_UI_GENERATED})
elseif(EXISTS ${TRAIL_UI_DIR}/build.mjs AND EXISTS ${TRAIL_UI_DIR}/node_modules AND TRAIL_NODE)
  set(ui_out ${CMAKE_BINARY_DIR}/ui_dist)
  file(GLOB_RECURSE ui_srcs CONFIGURE_DEPENDS ${TRAIL_UI_DIR}/src/*)
  set(ui_deps ${ui_srcs} ${TRAIL_UI_DIR}/build.mjs)
  if(EXISTS ${TRAIL_UI_DIR}/package-lock.json)
    list(APPEND ui_deps ${TRAIL_UI_DIR}/package-lock.json)
  endif()
  add_custom_command(OUTPUT ${TRAIL_UI_GENERATED}
                     COMMAND ${CMAKE_COMMAND} -E rm -rf ${ui_out}
                     COMMAND ${TRAIL_NODE} ${TRAIL_UI_DIR}/build.mjs --outdir ${ui_out}
                     COMMAND trail_embed_assets ${ui_out} ${TRAIL_UI_GENERATED}
                     DEPENDS ${ui_deps} trail_embed_assets
                     WORKING_DIRECTORY ${TRAIL_UI_DIR}
                     COMMENT "Building the web UI (ui/build.mjs) and embedding it")
  set(TRAIL_UI_ASSETS_SOURCE ${TRAIL_UI_GENERATED})
else()
  message(STATUS "ui/ not built (needs node, ui/build.mjs and ui/node_modules): trail ui serves a placeholder page")
  set(TRAIL_UI_ASSETS_SOURCE ${PROJECT_SOURCE_DIR}/src/server/placeholder/placeholder_assets.cc)
endif()
