# esp_amp_lp_app.cmake - build the LP core's (sub core's) application together
# with the library, on top of ESP-IDF's LP-core (ULP) build, and embed it in
# the HP application. ESP32-C6 and ESP32-C5.
#
#   esp_amp_add_lp_app(<app_name>
#       SRCS <files...>              the LP application's sources
#       [INCLUDE_DIRS <dirs...>]     its include directories
#       [DEFINITIONS <defs...>])     extra compile definitions
#
# Call it from the CMakeLists.txt of the HP component that starts the LP
# core, after idf_component_register(), as with ESP-IDF's ulp_add_project();
# that component needs CONFIG_ULP_COPROC_TYPE_LP_CORE and must list `ulp` in
# its REQUIRES (public: the LP build takes its include directories from the
# calling component's public ones).
# The image is embedded as _binary_<app_name>_bin_start/_end (load it with
# ulp_lp_core_load_binary), and its global symbols are visible to the HP side
# as ulp_<symbol> through <app_name>.h, as with any ESP-IDF LP-core app.
#
# The LP image holds: ESP-IDF's LP-core runtime (start-up, vector table,
# interrupt dispatch, utilities), the library's core (src/*.c), the LP
# platform port (ports/platform/esp-lp/esp_amp_platform_lp.c), the bare-metal
# env port (ports/env/baremetal) and the application's sources. The library
# and the application are compiled with -Wall -Wextra -Werror, with the
# library options of Kconfig (sub-core role when CONFIG_ESP_AMP_ROLE_BUILDS).

set_property(GLOBAL PROPERTY ESP_AMP_RPMSG_DIR "${CMAKE_CURRENT_LIST_DIR}/..")

function(esp_amp_add_lp_app app_name)
    cmake_parse_arguments(ARG "" "" "SRCS;INCLUDE_DIRS;DEFINITIONS" ${ARGN})
    if(CMAKE_BUILD_EARLY_EXPANSION)
        return()
    endif()
    if(NOT CONFIG_ULP_COPROC_TYPE_LP_CORE)
        message(FATAL_ERROR "esp_amp_add_lp_app: set CONFIG_ULP_COPROC_ENABLED and "
                            "CONFIG_ULP_COPROC_TYPE_LP_CORE (sdkconfig)")
    endif()
    get_property(root GLOBAL PROPERTY ESP_AMP_RPMSG_DIR)
    get_filename_component(root "${root}" ABSOLUTE)

    set(srcs "")
    foreach(src ${ARG_SRCS})
        get_filename_component(src "${src}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
        list(APPEND srcs "${src}")
    endforeach()
    set(incs "")
    foreach(dir ${ARG_INCLUDE_DIRS})
        get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
        list(APPEND incs "${dir}")
    endforeach()

    # What the LP project (cmake/lp_app) reads from its build directory.
    set(cfg "${CMAKE_CURRENT_BINARY_DIR}/${app_name}/esp_amp_lp_app.cmake")
    file(WRITE "${cfg}.tmp"
        "set(ESP_AMP_RPMSG_DIR \"${root}\")\n"
        "set(ESP_AMP_LP_APP_SRCS \"${srcs}\")\n"
        "set(ESP_AMP_LP_APP_INCLUDE_DIRS \"${incs}\")\n"
        "set(ESP_AMP_LP_APP_DEFINITIONS \"${ARG_DEFINITIONS}\")\n")
    # Rewrite only on change, so the LP project reconfigures only then.
    configure_file("${cfg}.tmp" "${cfg}" COPYONLY)

    ulp_add_project(${app_name} "${root}/cmake/lp_app")
endfunction()
