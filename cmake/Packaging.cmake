# The .deb packages (`make package`, docs/packaging.md): install rules for what each package
# holds and CPack's DEB generator. Three packages, one per kind of machine:
#   mixnet-agent  every testbed host: the agent in /usr/bin (mixnet-lab starts it from beside
#                 itself, so every program shares one folder; its man page is in section 8 as
#                 a daemon's), its systemd unit (disabled until
#                 /etc/default/mixnet-agent names the management address), man page
#   mixnet-coord  the coordinator host: mixnet-coord, the playbooks in /usr/share/mixnet/playbooks
#                 (where the installed binary looks without any variable), the nightly health
#                 service and timer, man page
#   mixnet-tools  a workstation: mixnet-ocs, mixnet-ocs-emu, mixnet-lab, man pages
# Each ships docs/ pages, the copyright file and a changelog in /usr/share/doc/PACKAGE/.
#
# Only what is packaged is built for it: `install` does not depend on `all`
# (CMAKE_SKIP_INSTALL_ALL_DEPENDENCY), the `mixnet_package_contents` target builds the programs
# and the generated files, and cpack then only copies. The binaries in build/bin are the ones
# developers run, unchanged: no RPATH is involved (the project's libraries are static), and CPack
# strips only its staged copies.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

set(MIXNET_PACKAGE_MAINTAINER "MixNet Testbed maintainers <mixnet-testbed@example.org>"
    CACHE STRING "The Maintainer field of the .deb packages and their changelog")
set(mixnet_pkg_dir ${CMAKE_BINARY_DIR}/packaging)
set(mixnet_systemd_dir /lib/systemd/system)   # Debian 12's place for units that packages ship

# Per package: its programs (with the man page section and NAME line help2man writes) and docs.
set(mixnet_agent_programs "mixnet-agent|8|the per-host agent of the MixNet testbed")
set(mixnet_coord_programs "mixnet-coord|1|the coordinator of the MixNet testbed: playbooks, results, reports")
set(mixnet_tools_programs
    "mixnet-ocs|1|drive an optical circuit switch by hand"
    "mixnet-ocs-emu|1|an optical circuit switch emulator speaking the real protocols"
    "mixnet-lab|1|the MixNet testbed emulated on one machine")
set(mixnet_agent_docs agent-api.md hardware.md packaging.md deploy.md)
set(mixnet_coord_docs architecture.md playbooks.md inventory.md measurement.md health.md ocs-drivers.md packaging.md scaling.md)
set(mixnet_tools_docs ocs-emulator.md ocs-drivers.md lab.md packaging.md)

# Man pages from each binary's own --help and --version (help2man), so they cannot drift from the
# program; remade whenever the binary is relinked. Every subcommand's --help goes in as a
# SUBCOMMANDS section (cmake/man-subcommands.sh), so the options of `mixnet-coord run` are there too.
find_program(HELP2MAN_PROGRAM help2man)
find_program(GZIP_PROGRAM gzip)
set(mixnet_package_files)
foreach(package agent coord tools)
  foreach(entry IN LISTS mixnet_${package}_programs)
    string(REPLACE "|" ";" fields "${entry}")
    list(GET fields 0 program)
    list(GET fields 1 section)
    list(GET fields 2 name)
    set(page ${mixnet_pkg_dir}/man/${program}.${section})
    if(HELP2MAN_PROGRAM)
      # help2man prints the date of the build; SOURCE_DATE_EPOCH from the environment, when set,
      # makes it the release's (reproducible builds).
      add_custom_command(OUTPUT ${page}.gz
        COMMAND ${CMAKE_COMMAND} -E make_directory ${mixnet_pkg_dir}/man
        COMMAND ${PROJECT_SOURCE_DIR}/cmake/man-subcommands.sh $<TARGET_FILE:${program}> ${page}.include
        COMMAND ${HELP2MAN_PROGRAM} --no-info --no-discard-stderr --section=${section} --name=${name}
                --include=${page}.include --output=${page} $<TARGET_FILE:${program}>
        COMMAND ${GZIP_PROGRAM} -9nf ${page}
        DEPENDS ${program} ${PROJECT_SOURCE_DIR}/cmake/man-subcommands.sh
        COMMENT "Man page ${program}(${section}) from --help"
        VERBATIM)
      list(APPEND mixnet_package_files ${page}.gz)
    endif()
    install(TARGETS ${program} RUNTIME DESTINATION bin COMPONENT ${package})
    install(FILES ${page}.gz DESTINATION share/man/man${section} COMPONENT ${package} OPTIONAL)
  endforeach()

  # /usr/share/doc/mixnet-PACKAGE: copyright, changelog (gzip -9n, as Debian policy asks), docs.
  set(doc_dir share/doc/mixnet-${package})
  set(MIXNET_PACKAGE ${package})   # read by changelog.in
  configure_file(${PROJECT_SOURCE_DIR}/packaging/changelog.in ${mixnet_pkg_dir}/${package}/changelog @ONLY)
  add_custom_command(OUTPUT ${mixnet_pkg_dir}/${package}/changelog.gz
    COMMAND ${GZIP_PROGRAM} -9nkf ${mixnet_pkg_dir}/${package}/changelog
    DEPENDS ${mixnet_pkg_dir}/${package}/changelog
    VERBATIM)
  list(APPEND mixnet_package_files ${mixnet_pkg_dir}/${package}/changelog.gz)
  install(FILES ${mixnet_pkg_dir}/${package}/changelog.gz ${PROJECT_SOURCE_DIR}/packaging/copyright
          DESTINATION ${doc_dir} COMPONENT ${package})
  list(TRANSFORM mixnet_${package}_docs PREPEND ${PROJECT_SOURCE_DIR}/docs/ OUTPUT_VARIABLE docs)
  install(FILES ${docs} DESTINATION ${doc_dir} COMPONENT ${package})
endforeach()

# What the packages hold, built: the programs and the generated pages. `make package` builds this
# target and then runs cpack.
add_custom_target(mixnet_package_contents ALL DEPENDS ${mixnet_package_files})
foreach(package agent coord tools)
  foreach(entry IN LISTS mixnet_${package}_programs)
    string(REPLACE "|" ";" fields "${entry}")
    list(GET fields 0 program)
    add_dependencies(mixnet_package_contents ${program})
  endforeach()
endforeach()
if(NOT HELP2MAN_PROGRAM)
  message(WARNING "help2man not found (scripts/install-deps.sh installs it): no man pages, and "
                  "`make package` will refuse to build packages without them")
  install(CODE "message(FATAL_ERROR \"no man pages: install help2man (scripts/install-deps.sh) and reconfigure\")"
          COMPONENT agent)
endif()

# mixnet-agent: the unit and its default file, a conffile (dpkg keeps the administrator's edits).
install(FILES ${PROJECT_SOURCE_DIR}/agent/systemd/mixnet-agent.service DESTINATION ${mixnet_systemd_dir} COMPONENT agent)
install(FILES ${PROJECT_SOURCE_DIR}/agent/systemd/mixnet-agent.default DESTINATION /etc/default
        RENAME mixnet-agent COMPONENT agent)
file(WRITE ${mixnet_pkg_dir}/agent/conffiles "/etc/default/mixnet-agent\n")

# mixnet-coord: the playbooks (mixnet-coord finds PREFIX/share/mixnet/playbooks beside its own
# PREFIX/bin), the nightly service and timer, and their default file.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/playbooks/ DESTINATION share/mixnet/playbooks COMPONENT coord)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/health DESTINATION share/doc/mixnet-coord COMPONENT coord)   # health.md's pages
install(FILES ${PROJECT_SOURCE_DIR}/coordinator/systemd/mixnet-health.service
              ${PROJECT_SOURCE_DIR}/coordinator/systemd/mixnet-health.timer
        DESTINATION ${mixnet_systemd_dir} COMPONENT coord)
install(FILES ${PROJECT_SOURCE_DIR}/coordinator/systemd/mixnet-health.default DESTINATION /etc/default
        RENAME mixnet-health COMPONENT coord)
file(WRITE ${mixnet_pkg_dir}/coord/conffiles "/etc/default/mixnet-health\n")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mixnet)
set(CPACK_PACKAGE_VENDOR "MixNet Testbed")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${MIXNET_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL agent coord tools)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)   # Depends: from the libraries the binaries link (dpkg-shlibdeps)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(CPACK_DEBIAN_AGENT_PACKAGE_NAME mixnet-agent)
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_EXTRA ${mixnet_pkg_dir}/agent/conffiles)
set(CPACK_DEBIAN_AGENT_PACKAGE_SUGGESTS "rdma-core, perftest")
# The unit's ExecReload (`systemctl reload`: the agent re-reads its token) is /bin/kill -HUP.
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "procps")
set(CPACK_COMPONENT_AGENT_DESCRIPTION "MixNet testbed agent for GPU hosts on optical circuits
mixnet-agent runs on every host of a MixNet-style testbed, whose NICs are
cabled to an optical circuit switch and an electrical packet switch. It
serves an authenticated HTTP/JSON API for NIC inventory and configuration,
a journal of link events, identity probes and TCP or RDMA traffic runs.
The systemd unit stays stopped until /etc/default/mixnet-agent names the
management address to listen on.")

set(CPACK_DEBIAN_COORD_PACKAGE_NAME mixnet-coord)
set(CPACK_DEBIAN_COORD_PACKAGE_CONTROL_EXTRA ${mixnet_pkg_dir}/coord/conffiles)
set(CPACK_DEBIAN_COORD_PACKAGE_SUGGESTS "slurm-client, prometheus-node-exporter")
set(CPACK_COMPONENT_COORD_DESCRIPTION "MixNet testbed coordinator: playbooks, measurements, health checks
mixnet-coord drives a MixNet-style testbed through its agents and optical
circuit switches: bring-up checks, reconfiguration latency measurements and
a nightly health check that can drain and resume Slurm nodes. Results are
kept in SQLite and reported as JSON, JUnit, HTML and Prometheus text.
The shipped playbooks are in /usr/share/mixnet/playbooks; the nightly check
runs from mixnet-health.timer once enabled.")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME mixnet-tools)
# mixnet-lab builds its namespaces with ip and tc, and runs mixnet-agent in each of them.
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "iproute2, openssl, mixnet-agent (= ${PROJECT_VERSION})")   # openssl: mixnet-lab's CA
set(CPACK_COMPONENT_TOOLS_DESCRIPTION "MixNet testbed tools: switch CLI, OCS emulator, emulated lab
mixnet-ocs drives an optical circuit switch by hand over Polatis TL1,
Polatis RESTCONF or Calient TL1. mixnet-ocs-emu emulates such a switch,
speaking the same protocols. mixnet-lab builds the whole testbed on one
machine: hosts in network namespaces running mixnet-agent, an electrical
switch and an emulated optical switch whose circuits are real kernel links.")

include(CPack)
