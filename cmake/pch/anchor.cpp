// The one source of mixnet_pch_test (cmake/PrecompiledHeaders.cmake): CMake builds a precompiled
// header as part of a target, and that target needs a source file to be a target at all.
