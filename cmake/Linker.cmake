# Link with lld when g++ can use it (Debian's lld package, scripts/install-deps.sh): the test
# binaries carry large debug info, and GNU ld spends seconds on each of them in every configuration.
include(CheckLinkerFlag)
check_linker_flag(CXX -fuse-ld=lld MIXNET_HAVE_LLD)
if(MIXNET_HAVE_LLD)
  add_link_options(-fuse-ld=lld)
endif()
