# esp_idf_component.cmake - the repository as an ESP-IDF component.
#
# Included from the root CMakeLists.txt when ESP-IDF's build runs it
# (ESP_PLATFORM). Add the repository with EXTRA_COMPONENT_DIRS; the component
# takes the name of the directory it is found in (README.md, "Using it in an ESP-IDF project").
#
# The HP-side image gets the portable core (src/*.c), the FreeRTOS env port
# and the platform port of IDF_TARGET:
#   esp32c6, esp32c5  ports/platform/esp-lp (HP side; main core)
#   esp32p4           ports/platform/esp32p4 (both HP cores, one image)
# The LP-core image (sub core of the C6/C5) is built by esp_amp_add_lp_app()
# (cmake/esp_amp_lp_app.cmake, made available by project_include.cmake).

get_filename_component(_esp_amp_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
idf_build_get_property(_esp_amp_target IDF_TARGET)

file(GLOB _esp_amp_srcs "${_esp_amp_root}/src/*.c")
list(SORT _esp_amp_srcs)
list(APPEND _esp_amp_srcs
    "${_esp_amp_root}/ports/env/freertos/esp_amp_env_freertos.c"
    "${_esp_amp_root}/ports/env/freertos/esp_amp_freertos.c")
set(_esp_amp_incs
    "${_esp_amp_root}/include"
    "${_esp_amp_root}/ports/env/freertos/include")
set(_esp_amp_role MAIN)

if(_esp_amp_target STREQUAL "esp32c6" OR _esp_amp_target STREQUAL "esp32c5")
    list(APPEND _esp_amp_srcs "${_esp_amp_root}/ports/platform/esp-lp/esp_amp_platform_hp.c"
                              "${_esp_amp_root}/ports/platform/esp-lp/esp_amp_platform_region.c")
    list(APPEND _esp_amp_incs "${_esp_amp_root}/ports/platform/esp-lp/include")
elseif(_esp_amp_target STREQUAL "esp32p4")
    list(APPEND _esp_amp_srcs "${_esp_amp_root}/ports/platform/esp32p4/esp_amp_platform_p4.c")
    list(APPEND _esp_amp_incs "${_esp_amp_root}/ports/platform/esp32p4/include")
    set(_esp_amp_role BOTH)
else()
    if(NOT CMAKE_BUILD_EARLY_EXPANSION)
        message(WARNING "esp_amp_rpmsg: no port for ${_esp_amp_target} "
                        "(esp32c6, esp32c5, esp32p4); the component stays empty")
    endif()
    set(_esp_amp_srcs "")
    set(_esp_amp_incs "${_esp_amp_root}/include")
endif()

if(_esp_amp_target STREQUAL "esp32c5" AND NOT CMAKE_BUILD_EARLY_EXPANSION
   AND DEFINED IDF_VERSION_MAJOR AND "${IDF_VERSION_MAJOR}.${IDF_VERSION_MINOR}" VERSION_LESS "5.5")
    message(FATAL_ERROR "esp_amp_rpmsg: the ESP32-C5 needs ESP-IDF 5.5 or later")
endif()

idf_component_register(
    SRCS ${_esp_amp_srcs}
    INCLUDE_DIRS ${_esp_amp_incs}
    PRIV_INCLUDE_DIRS "${_esp_amp_root}/src"
    REQUIRES freertos
    PRIV_REQUIRES esp_hw_support esp_timer esp_rom heap log soc hal)

if(_esp_amp_srcs)
    include("${_esp_amp_root}/cmake/esp_amp_idf_options.cmake")
    esp_amp_idf_definitions(_esp_amp_defs ${_esp_amp_role})
    # PUBLIC: the options size structures the application declares.
    target_compile_definitions(${COMPONENT_LIB} PUBLIC ${_esp_amp_defs})
    target_compile_options(${COMPONENT_LIB} PRIVATE ${ESP_AMP_IDF_WARNINGS})
endif()
