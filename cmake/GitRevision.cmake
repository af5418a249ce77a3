# Script mode (cmake -DSOURCE_DIR=... -DOUTPUT=... -P GitRevision.cmake), run by the
# mixnet_revision target at every build: writes OUTPUT, a header with the source tree's git
# revision, only when the revision changed. Only common/version.cpp includes it, so a new commit
# recompiles that one file (and relinks); the rest of the tree is untouched.
#
# A tree that is not a git checkout (a release tarball) or a machine without git builds too: the
# revision then says so instead of failing the build.
if(NOT SOURCE_DIR OR NOT OUTPUT)
  message(FATAL_ERROR "GitRevision.cmake: set SOURCE_DIR and OUTPUT")
endif()

set(revision "unknown (not built from a git checkout)")
find_program(GIT_PROGRAM git)
if(GIT_PROGRAM)
  # safe.directory: CI and sessions build as root in checkouts other users own, where git would
  # otherwise refuse to read the repository; this only reads the revision.
  execute_process(
    COMMAND ${GIT_PROGRAM} -c safe.directory=* -C ${SOURCE_DIR} rev-parse --short=12 HEAD
    RESULT_VARIABLE rc OUTPUT_VARIABLE head ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE TIMEOUT 30)
  if(rc EQUAL 0 AND head MATCHES "^[0-9a-f]+$")
    set(revision "git ${head}")
    # Tracked files changed since that commit: the binary is not exactly that revision.
    execute_process(
      COMMAND ${GIT_PROGRAM} -c safe.directory=* -C ${SOURCE_DIR} status --porcelain --untracked-files=no
      RESULT_VARIABLE rc OUTPUT_VARIABLE changes ERROR_QUIET TIMEOUT 30)
    if(rc EQUAL 0 AND NOT changes STREQUAL "")
      string(APPEND revision "+modified")
    endif()
  endif()
endif()

file(WRITE ${OUTPUT}.tmp
  "// Written by cmake/GitRevision.cmake at build time; only common/version.cpp includes it.\n"
  "#define MIXNET_REVISION \"${revision}\"\n")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
