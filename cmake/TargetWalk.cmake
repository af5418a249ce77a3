# Helpers that look at every target the project defines, so that build policy (precompiled
# headers, the test aggregate) is stated once here instead of beside each add_executable.

# Every buildsystem target defined in `dir` and the directories below it.
function(mixnet_targets_below dir out_var)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdir IN LISTS subdirs)
    mixnet_targets_below(${subdir} below)
    list(APPEND targets ${below})
  endforeach()
  set(${out_var} ${targets} PARENT_SCOPE)
endfunction()

# TRUE in out_var when `target` links `wanted`, directly or through the libraries it links.
function(mixnet_links target wanted out_var)
  set(seen "")
  set(queue ${target})
  set(found FALSE)
  while(queue AND NOT found)
    list(POP_FRONT queue current)
    if(current IN_LIST seen OR NOT TARGET ${current})
      continue()
    endif()
    list(APPEND seen ${current})
    get_target_property(links ${current} LINK_LIBRARIES)
    get_target_property(interface_links ${current} INTERFACE_LINK_LIBRARIES)
    foreach(link IN LISTS links interface_links)
      if(link STREQUAL wanted)
        set(found TRUE)
      elseif(link AND NOT link MATCHES "-NOTFOUND$" AND NOT link MATCHES "^\\$<")
        # $<LINK_ONLY:...> entries carry no compile flags, so they cannot change a header's meaning.
        list(APPEND queue ${link})
      endif()
    endforeach()
  endwhile()
  set(${out_var} ${found} PARENT_SCOPE)
endfunction()
