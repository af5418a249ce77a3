# The switch and link modules: ocs.apply, ocs.clear, links.verify, nic.configure,
# measure.reconfig and measure.replay (the link verifier they use lives in verify/, the apply planner and the switch
# loop in ocs/, measure.reconfig's parts in reconfig/).
target_sources(mixnet_coord_lib PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ocs_apply.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ocs_clear.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ocs_power.cpp
  ${CMAKE_CURRENT_LIST_DIR}/links_verify.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nic_configure.cpp
  ${CMAKE_CURRENT_LIST_DIR}/measure_reconfig.cpp
  ${CMAKE_CURRENT_LIST_DIR}/measure_replay.cpp
  ${CMAKE_CURRENT_LIST_DIR}/replay_args.cpp
  ${CMAKE_CURRENT_LIST_DIR}/replay_run.cpp
  ${CMAKE_CURRENT_LIST_DIR}/counter_records.cpp
  ${CMAKE_CURRENT_LIST_DIR}/carrier_reads.cpp
  ${CMAKE_CURRENT_LIST_DIR}/health_counters.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cabling_discover.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cabling_stages.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cabling_switch_side.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cabling_host_side.cpp
)
