# The ESP-IDF component (README.md): the HP image's core, FreeRTOS env port and IDF_TARGET's platform port.
get_filename_component(_esp_amp_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
include("${_esp_amp_root}/cmake/esp_amp_idf.cmake")
idf_build_get_property(_esp_amp_target IDF_TARGET)
file(GLOB _esp_amp_srcs "${_esp_amp_root}/src/*.c")
list(SORT _esp_amp_srcs)
set(_p "${_esp_amp_root}/ports")
list(APPEND _esp_amp_srcs "${_p}/env/freertos/esp_amp_env_freertos.c" "${_p}/env/freertos/esp_amp_freertos.c")
set(_esp_amp_incs "${_esp_amp_root}/include" "${_p}/env/freertos/include")
set(_esp_amp_role MAIN)
if(_esp_amp_target MATCHES "^esp32c[56]$")
    list(APPEND _esp_amp_srcs "${_p}/platform/esp-lp/esp_amp_platform_hp.c"
                              "${_p}/platform/esp-lp/esp_amp_platform_region.c")
    list(APPEND _esp_amp_incs "${_p}/platform/esp-lp/include")
elseif(_esp_amp_target STREQUAL "esp32p4")
    list(APPEND _esp_amp_srcs "${_p}/platform/esp32p4/esp_amp_platform_p4.c")
    list(APPEND _esp_amp_incs "${_p}/platform/esp32p4/include")
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
idf_component_register(SRCS ${_esp_amp_srcs} INCLUDE_DIRS ${_esp_amp_incs}
                       PRIV_INCLUDE_DIRS "${_esp_amp_root}/src" REQUIRES freertos
                       PRIV_REQUIRES esp_hw_support esp_timer esp_rom heap log soc hal)
if(_esp_amp_srcs)
    esp_amp_idf_definitions(_esp_amp_defs ${_esp_amp_role})
    # PUBLIC: the options size structures the application declares.
    target_compile_definitions(${COMPONENT_LIB} PUBLIC ${_esp_amp_defs})
    target_compile_options(${COMPONENT_LIB} PRIVATE ${ESP_AMP_IDF_WARNINGS})
endif()
