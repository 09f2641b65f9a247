# esp_amp_add_library(<target> <env> <platform>): a static library of the
# portable core (src/*.c) with one environment port and one platform port.
#   env       posix | baremetal | freertos | none
#   platform  sim (also builds sim/sim.c) | riscv-virt | none (core only: the
#             application defines the esp_amp_platform_* functions; one core
#             per image) | another name under ports/platform/ | a directory
#             (absolute path) holding *.c and include/esp_amp_platform_port.h
# freertos + sim is the FreeRTOS core of the simulator (ports/env/freertos/sim).
# Public include path: include/ and the ports' include/ (installed together
# as include/esp_amp); sets <target>_HEADER_DIRS in the caller's scope.
include_guard(GLOBAL)
get_filename_component(ESP_AMP_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

function(esp_amp_add_library name env platform)
  set(r ${ESP_AMP_ROOT})
  set(e ${r}/ports/env/${env})
  set(p ${r}/ports/platform/${platform})
  if(IS_ABSOLUTE "${platform}")
    set(p ${platform})
  endif()
  file(GLOB src CONFIGURE_DEPENDS ${r}/src/*.c)
  if(env STREQUAL "freertos" AND platform STREQUAL "sim")
    list(APPEND src ${e}/esp_amp_freertos.c ${e}/sim/sim_env_freertos.c
         ${e}/sim/sim_env_posix.c ${e}/sim/sim_platform.c ${e}/sim/esp_amp_freertos_sim.c)
    set(inc ${e}/sim/include ${e}/include)
  elseif(NOT env STREQUAL "none")
    file(GLOB env_src CONFIGURE_DEPENDS ${e}/*.c)
    list(APPEND src ${env_src})
    set(inc ${e}/include)
  endif()
  if(platform STREQUAL "riscv-virt")  # start.S, board.c: per image (esp_amp_rv_main/sub)
    list(APPEND src ${p}/platform.c ${p}/libc.c)
    set_source_files_properties(${p}/libc.c PROPERTIES COMPILE_OPTIONS -fno-tree-loop-distribute-patterns)
  elseif(NOT (platform STREQUAL "sim" AND env STREQUAL "freertos"))
    file(GLOB plat_src CONFIGURE_DEPENDS ${p}/*.c)
    list(APPEND src ${plat_src})
  endif()
  if(platform STREQUAL "sim")
    list(APPEND src ${r}/sim/sim.c)
  endif()
  if(NOT EXISTS ${p}/include/esp_amp_platform_port.h)
    message(FATAL_ERROR "esp_amp: no platform port '${platform}' (${p}/include/esp_amp_platform_port.h)")
  endif()
  list(APPEND inc ${r}/include ${p}/include)
  add_library(${name} STATIC ${src})
  foreach(d ${inc})
    target_include_directories(${name} PUBLIC $<BUILD_INTERFACE:${d}>)
  endforeach()
  target_include_directories(${name} PUBLIC $<INSTALL_INTERFACE:include/esp_amp>)
  target_compile_features(${name} PUBLIC c_std_11)
  if(platform STREQUAL "sim")
    target_include_directories(${name} PRIVATE ${r}/sim)  # not public: esp_amp_sim
    find_package(Threads REQUIRED)
    target_link_libraries(${name} PUBLIC Threads::Threads)
  endif()
  if(env STREQUAL "freertos" AND TARGET freertos_kernel)  # FreeRTOS-Kernel's CMake
    target_link_libraries(${name} PUBLIC freertos_kernel)
  endif()
  set(${name}_HEADER_DIRS ${inc} PARENT_SCOPE)
endfunction()
