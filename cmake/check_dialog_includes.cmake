# Fails when any file under dialog/ includes Asio, Beast, SQLiteCpp, sqlite3 or OpenSSL.
# Run at configure time (from dialog/CMakeLists.txt) and as a ctest test.
file(GLOB_RECURSE files "${DIR}/*.hpp" "${DIR}/*.cpp" "${DIR}/*.h")
set(bad "")
foreach(f IN LISTS files)
  file(STRINGS "${f}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](boost/asio|boost/beast|asio|SQLiteCpp|sqlite3|openssl)")
  if(lines)
    list(APPEND bad "${f}: ${lines}")
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "dialog/ must not include Asio, Beast, SQLiteCpp or OpenSSL:\n${bad}")
endif()
