# Warnings are errors everywhere; third-party headers come from /usr/include and are system headers.
add_compile_options(-Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wformat=2 -Werror)
# g++ 12 reports a false mismatched new/delete on every Asio coroutine frame (the frame's own
# operator new/delete pair is not seen through the coroutine transform); silence that one only.
add_compile_options(-Wno-mismatched-new-delete)
# Designated initializers that leave members at their defaults are the point of them.
add_compile_options(-Wno-missing-field-initializers)

if(MIXNET_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(MIXNET_FUZZ)
  # Optimized + instrumented builds of Boost.Beast's parser trip g++ 12's maybe-uninitialized
  # false positive on boost::optional; the fuzz build is not where that warning earns its keep.
  add_compile_options(-Wno-maybe-uninitialized)
endif()
