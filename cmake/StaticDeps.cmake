# EB_STATIC_DEPS: link the static archives Debian ships with the -dev packages (OpenSSL,
# protobuf, yaml-cpp, RocksDB's compressors, jemalloc) instead of their shared objects, and the
# daemon as a position-dependent executable. Why: half of a start was the dynamic loader
# mapping 19 libraries and resolving ~10,000 symbols, and relocating the PIE's ~37,000 pointers
# (measured with LD_DEBUG=statistics and perf; numbers in bench/README.md). spdlog, fmt,
# simdjson, libstdc++ and libc stay shared: Debian ships no archive of the first three, and one
# C++ runtime per process is the safe count while a shared library needs it.
#
# Include after the find_package calls; sets OPENSSL_USE_STATIC_LIBS and
# Protobuf_USE_STATIC_LIBS first through eb_static_deps_prepare().

macro(eb_static_deps_prepare)
  if(EB_STATIC_DEPS)
    set(OPENSSL_USE_STATIC_LIBS TRUE)
    set(Protobuf_USE_STATIC_LIBS ON)
  endif()
  # A build tree configured the other way has the other kind cached: find them again.
  foreach(cached OPENSSL_SSL_LIBRARY OPENSSL_CRYPTO_LIBRARY Protobuf_LIBRARY
                 Protobuf_LIBRARY_RELEASE Protobuf_LIBRARY_DEBUG Protobuf_LITE_LIBRARY
                 Protobuf_LITE_LIBRARY_RELEASE Protobuf_LITE_LIBRARY_DEBUG Protobuf_PROTOC_LIBRARY
                 Protobuf_PROTOC_LIBRARY_RELEASE Protobuf_PROTOC_LIBRARY_DEBUG)
    if(DEFINED CACHE{${cached}})
      if("${${cached}}" MATCHES "\\.a$")
        set(is_archive ON)
      else()
        set(is_archive OFF)
      endif()
      if(NOT is_archive STREQUAL EB_STATIC_DEPS)
        unset(${cached} CACHE)
      endif()
    endif()
  endforeach()
endmacro()

# The archive next to a shared library path: /x/libfoo.so.1.2 -> /x/libfoo.a.
function(eb_archive_of shared out)
  string(REGEX REPLACE "\\.so(\\.[0-9.]+)?$" ".a" archive "${shared}")
  if(NOT archive STREQUAL shared AND EXISTS "${archive}")
    set(${out} "${archive}" PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

# Points an imported target's locations at the archives beside them.
function(eb_prefer_archive target)
  if(NOT TARGET ${target})
    return()
  endif()
  foreach(property IMPORTED_LOCATION IMPORTED_LOCATION_NONE IMPORTED_LOCATION_RELEASE
                   IMPORTED_LOCATION_RELWITHDEBINFO IMPORTED_LOCATION_DEBUG)
    get_target_property(location ${target} ${property})
    if(location)
      eb_archive_of("${location}" archive)
      if(archive)
        set_target_properties(${target} PROPERTIES ${property} "${archive}")
      endif()
    endif()
  endforeach()
endfunction()

# yaml-cpp's config declares a SHARED imported target: an INTERFACE stand-in carries the archive.
# RocksDB's own target is an archive already; its dependencies are rewritten.
function(eb_static_deps_apply)
  if(NOT EB_STATIC_DEPS)
    add_library(eb_yaml_cpp INTERFACE)
    target_link_libraries(eb_yaml_cpp INTERFACE yaml-cpp)
    return()
  endif()
  find_library(EB_YAML_CPP_ARCHIVE libyaml-cpp.a REQUIRED)
  add_library(eb_yaml_cpp INTERFACE)
  target_link_libraries(eb_yaml_cpp INTERFACE ${EB_YAML_CPP_ARCHIVE})
  get_target_property(yaml_includes yaml-cpp INTERFACE_INCLUDE_DIRECTORIES)
  target_include_directories(eb_yaml_cpp SYSTEM INTERFACE ${yaml_includes})
endfunction()

function(eb_static_deps_rocksdb)
  if(NOT EB_STATIC_DEPS)
    return()
  endif()
  foreach(target Snappy::snappy ZLIB::ZLIB lz4::lz4 zstd::zstd gflags::gflags_shared
                 gflags::gflags)
    eb_prefer_archive(${target})
  endforeach()
  get_target_property(deps RocksDB::rocksdb INTERFACE_LINK_LIBRARIES)
  set(rewritten "")
  foreach(dep IN LISTS deps)
    if(dep MATCHES "^/.*\\.so")
      eb_archive_of("${dep}" archive)
      if(archive)
        set(dep "${archive}")
      endif()
    endif()
    list(APPEND rewritten "${dep}")
  endforeach()
  set_target_properties(RocksDB::rocksdb PROPERTIES INTERFACE_LINK_LIBRARIES "${rewritten}")
endfunction()
