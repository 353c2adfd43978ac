# dflab_embed(TARGET target NAMESPACE ns BASE dir FILES f1 f2 ...): compiles the bytes of the
# files into `target`, reachable as ns::embedded_files() (common/embedded_files.hpp), so that the
# binary needs nothing installed beside it. Regenerated whenever one of the files changes.
function(dflab_embed)
  cmake_parse_arguments(E "" "TARGET;NAMESPACE;BASE" "FILES" ${ARGN})
  string(REPLACE "::" "_" stem "${E_NAMESPACE}")
  set(output "${CMAKE_CURRENT_BINARY_DIR}/${stem}_embedded.cpp")
  add_custom_command(
    OUTPUT "${output}"
    COMMAND ${CMAKE_COMMAND} "-DOUTPUT=${output}" "-DBASE=${E_BASE}" "-DNAMESPACE=${E_NAMESPACE}"
            "-DFILES=${E_FILES}" -P "${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake"
    DEPENDS ${E_FILES} "${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake"
    COMMENT "Embedding ${E_NAMESPACE} files"
    VERBATIM)
  target_sources(${E_TARGET} PRIVATE "${output}")
endfunction()
