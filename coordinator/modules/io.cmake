# coord-io (C2): ocs.apply, ocs.clear, links.verify, nic.configure (+ the link verifier they use,
# which lives in agents/, and the apply planner in ocs/).
target_sources(mixnet_coord_lib PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ocs_apply.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ocs_clear.cpp
  ${CMAKE_CURRENT_LIST_DIR}/links_verify.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nic_configure.cpp
  ${CMAKE_CURRENT_LIST_DIR}/measure_inputs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/measure_reconfig.cpp
  ${CMAKE_CURRENT_LIST_DIR}/measure_traffic.cpp
)
