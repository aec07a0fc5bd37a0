# The Windows build (cmake/mingw-w64.cmake, scripts/build-windows-agent.sh): lockbox-agent.exe
# and the parts under it, nothing of the server. OpenSSL is the static build the script makes
# (LOCKBOX_WINDOWS_OPENSSL); Boost.Asio/Beast, nlohmann-json, CLI11 and toml++ are Debian's
# header-only libraries, seen through LOCKBOX_WINDOWS_INCLUDE, a folder of symlinks to them alone.
set(LOCKBOX_WINDOWS_OPENSSL "" CACHE PATH "OpenSSL built for mingw (prefix)")
set(LOCKBOX_WINDOWS_INCLUDE "" CACHE PATH "Symlinks to the header-only libraries")
if(NOT LOCKBOX_WINDOWS_OPENSSL OR NOT LOCKBOX_WINDOWS_INCLUDE)
  message(FATAL_ERROR "the Windows build needs LOCKBOX_WINDOWS_OPENSSL and "
                      "LOCKBOX_WINDOWS_INCLUDE: run scripts/build-windows-agent.sh")
endif()

# Windows 10 and later; no min/max macros; windows.h without the rarely used headers.
add_compile_definitions(_WIN32_WINNT=0x0A00 WINVER=0x0A00 NOMINMAX WIN32_LEAN_AND_MEAN
                        UNICODE _UNICODE)

set(OPENSSL_ROOT_DIR ${LOCKBOX_WINDOWS_OPENSSL})
set(OPENSSL_USE_STATIC_LIBS TRUE)
list(APPEND CMAKE_FIND_ROOT_PATH ${LOCKBOX_WINDOWS_OPENSSL})
find_package(OpenSSL 3 REQUIRED)
# What static OpenSSL and Asio call in Windows itself.
set_property(TARGET OpenSSL::Crypto APPEND PROPERTY INTERFACE_LINK_LIBRARIES ws2_32 crypt32 user32
                                                                              advapi32 bcrypt)
find_package(Threads REQUIRED)

foreach(target Boost::headers CLI11::CLI11 nlohmann_json::nlohmann_json PkgConfig::TOMLPLUSPLUS)
  add_library(${target} INTERFACE IMPORTED)
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES
                                             ${LOCKBOX_WINDOWS_INCLUDE})
endforeach()
set_property(TARGET Boost::headers APPEND PROPERTY INTERFACE_LINK_LIBRARIES ws2_32 mswsock)

add_subdirectory(src/util)
add_subdirectory(src/crypto)
add_subdirectory(src/recovery)
add_subdirectory(src/bde)
# The agent reads its config with the TOML reader alone, not the server's config.
add_library(lockbox_config src/config/table_reader.cc)
target_link_libraries(lockbox_config PUBLIC lockbox_util PkgConfig::TOMLPLUSPLUS)
add_subdirectory(src/http_client)
add_subdirectory(src/agent)
add_subdirectory(src/agent_providers)
add_subdirectory(src/agent_windows)
add_subdirectory(src/agent_cli)
