# ccache, when installed, in front of every compile. The settings precompiled headers need are
# given to it here rather than in a ccache.conf a fresh machine would not have: pch_defines and
# time_macros let it cache a file compiled with a .gch at all, and include_file_mtime/ctime let it
# cache one whose .gch was written moments ago (by the same build) in direct mode.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER
    env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
    ${CCACHE_PROGRAM})
endif()
