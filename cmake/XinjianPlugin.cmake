# xinjian_add_plugin(<target> MANIFEST <plugin.json> SOURCES <file>...
#                    [MIGRATIONS <dir>] [OUTPUT_DIR <dir>] [INSTALL_DIR <dir>] [NO_INSTALL])
#
# Builds a XinJian plugin the way the plugin contract (docs/plugins.md) requires:
#   - a MODULE library named exactly `plugin.so` (no "lib" prefix) in OUTPUT_DIR
#     (default ${CMAKE_BINARY_DIR}/plugins/<target>), with the manifest copied beside it as
#     OUTPUT_DIR/plugin.json: one folder per plugin, which is what the host scans for;
#   - compiled with -fvisibility=hidden -fvisibility-inlines-hidden, so that only the two
#     symbols the XJ_PLUGIN macro marks as default-visible are exported;
#   - against the SDK headers only (xinjian_sdk in the XinJian tree, xinjian::xinjian_sdk
#     after find_package(xinjian)), with the same Boost headers the host was built with.
#   - with MIGRATIONS <dir> (a folder holding sqlite/ and postgresql/ with NNN_name.sql files,
#     normally the plugin's migrations/), that folder copied beside it as OUTPUT_DIR/migrations,
#     where the host reads the plugin's migrations (xinjian/plugin.h).
# The plugin links nothing of the host: the SDK is header-only.
#
# Unless NO_INSTALL is given, `cmake --install` puts the folder under
# INSTALL_DIR (default lib/xinjian/plugins/<folder name of OUTPUT_DIR>), the layout the
# installed `xinjian` executable searches by default (<bin>/../lib/xinjian/plugins).
include_guard(GLOBAL)

if(NOT TARGET Boost::headers AND NOT TARGET Boost::boost)
  find_package(Boost 1.74 REQUIRED)
endif()

function(xinjian_add_plugin name)
  cmake_parse_arguments(P "NO_INSTALL" "MANIFEST;OUTPUT_DIR;INSTALL_DIR;MIGRATIONS" "SOURCES" ${ARGN})
  if(NOT P_MANIFEST)
    message(FATAL_ERROR "xinjian_add_plugin(${name}): MANIFEST <plugin.json> is required")
  endif()
  if(NOT P_SOURCES)
    message(FATAL_ERROR "xinjian_add_plugin(${name}): SOURCES is required")
  endif()
  get_filename_component(manifest "${P_MANIFEST}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${manifest}")
    message(FATAL_ERROR "xinjian_add_plugin(${name}): manifest ${manifest} does not exist")
  endif()
  if(NOT P_OUTPUT_DIR)
    set(P_OUTPUT_DIR ${CMAKE_BINARY_DIR}/plugins/${name})
  endif()

  add_library(${name} MODULE ${P_SOURCES})
  if(TARGET xinjian_sdk)
    target_link_libraries(${name} PRIVATE xinjian_sdk)
  else()
    target_link_libraries(${name} PRIVATE xinjian::xinjian_sdk)
  endif()
  if(TARGET Boost::headers)
    target_link_libraries(${name} PRIVATE Boost::headers)
  else()
    target_link_libraries(${name} PRIVATE Boost::boost)
  endif()
  # Inside the XinJian tree plugins follow the project's warning policy.
  if(DEFINED XJ_WARNINGS)
    target_compile_options(${name} PRIVATE ${XJ_WARNINGS})
  endif()
  set_target_properties(${name} PROPERTIES
    PREFIX "" OUTPUT_NAME "plugin" SUFFIX ".so"
    CXX_VISIBILITY_PRESET hidden C_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIR})
  # Multi-config generators must not add a per-config subfolder.
  foreach(cfg IN LISTS CMAKE_CONFIGURATION_TYPES)
    string(TOUPPER "${cfg}" CFG)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY_${CFG} ${P_OUTPUT_DIR})
  endforeach()
  target_compile_features(${name} PRIVATE cxx_std_20)
  # Undefined symbols are an error at link time, not at dlopen time.
  target_link_options(${name} PRIVATE -Wl,--no-undefined)
  # The manifest and the migrations beside the library, refreshed on every build of the plugin
  # (a target without outputs always runs; it takes milliseconds): an edited manifest or a new
  # migration reaches the output even when the library itself is up to date, and a removed
  # migration disappears from it.
  set(copy_files
    COMMAND ${CMAKE_COMMAND} -E make_directory ${P_OUTPUT_DIR}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${manifest} ${P_OUTPUT_DIR}/plugin.json)
  if(P_MIGRATIONS)
    get_filename_component(migrations "${P_MIGRATIONS}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    file(GLOB_RECURSE migration_files CONFIGURE_DEPENDS ${migrations}/*.sql)
    list(APPEND copy_files
      COMMAND ${CMAKE_COMMAND} -E rm -rf ${P_OUTPUT_DIR}/migrations
      COMMAND ${CMAKE_COMMAND} -E copy_directory ${migrations} ${P_OUTPUT_DIR}/migrations)
  endif()
  add_custom_target(${name}_files ${copy_files} COMMENT "Copying the manifest and migrations of plugin ${name}" VERBATIM)
  add_dependencies(${name} ${name}_files)
  if(P_MIGRATIONS)
    target_sources(${name} PRIVATE ${migration_files})
    set_source_files_properties(${migration_files} PROPERTIES HEADER_FILE_ONLY ON)
  endif()

  if(NOT P_NO_INSTALL)
    if(NOT P_INSTALL_DIR)
      get_filename_component(folder "${P_OUTPUT_DIR}" NAME)
      set(P_INSTALL_DIR lib/xinjian/plugins/${folder})
    endif()
    install(TARGETS ${name} LIBRARY DESTINATION ${P_INSTALL_DIR})
    install(FILES ${manifest} DESTINATION ${P_INSTALL_DIR} RENAME plugin.json)
    if(P_MIGRATIONS)
      install(DIRECTORY ${migrations}/ DESTINATION ${P_INSTALL_DIR}/migrations)
    endif()
  endif()
endfunction()
