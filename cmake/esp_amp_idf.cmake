# For the ESP-IDF builds. esp_amp_idf_definitions(<out> MAIN|SUB|BOTH): the Kconfig
# options as compile definitions for an image of one core or both (the P4's).
function(esp_amp_idf_definitions out_var role)
    set(defs ESP_AMP_CONFIG_QUEUE_MAX_LEN=${CONFIG_ESP_AMP_QUEUE_MAX_LEN}
             ESP_AMP_CONFIG_SW_INTR_HANDLERS=${CONFIG_ESP_AMP_SW_INTR_HANDLERS}
             ESP_AMP_CONFIG_RX_ISR_BUDGET=${CONFIG_ESP_AMP_RX_ISR_BUDGET}
             ESP_AMP_CONFIG_RX_LINGER=${CONFIG_ESP_AMP_RX_LINGER}
             ESP_AMP_CONFIG_SYS_INFO_SLOTS=${CONFIG_ESP_AMP_SYS_INFO_SLOTS})
    foreach(opt STATS ERR_NAMES RX_INTR)
        list(APPEND defs ESP_AMP_CONFIG_${opt}=$<BOOL:${CONFIG_ESP_AMP_${opt}}>)
    endforeach()
    if(CONFIG_ESP_AMP_ROLE_BUILDS AND NOT role STREQUAL "BOTH")  # leave the other core's role out
        list(APPEND defs ESP_AMP_CONFIG_$<IF:$<STREQUAL:${role},MAIN>,SUB,MAIN>_CORE=0)
    endif()
    set(${out_var} ${defs} PARENT_SCOPE)
endfunction()
# Named again after ESP-IDF's global -Wno-error=... flags: every warning an error.
set(ESP_AMP_IDF_WARNINGS -Wall -Wextra -Werror
    -Werror=all -Werror=extra -Werror=unused-function -Werror=unused-variable
    -Werror=unused-but-set-variable -Werror=deprecated-declarations)
# esp_amp_add_lp_app(<name> SRCS... [INCLUDE_DIRS...] [DEFINITIONS...]): the C6/C5 LP core's image
# (README.md), with the repository that project_include.cmake names in ESP_AMP_RPMSG_DIR.
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
    foreach(kind SRCS INCLUDE_DIRS)
        set(${kind} "")
        foreach(path ${ARG_${kind}})
            get_filename_component(path "${path}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
            list(APPEND ${kind} "${path}")
        endforeach()
    endforeach()
    set(cfg "${CMAKE_CURRENT_BINARY_DIR}/${app_name}/esp_amp_lp_app.cmake")
    file(WRITE "${cfg}.tmp" "set(ESP_AMP_RPMSG_DIR \"${root}\")\nset(ESP_AMP_LP_APP_SRCS \"${SRCS}\")\n"
         "set(ESP_AMP_LP_APP_INCLUDE_DIRS \"${INCLUDE_DIRS}\")\n"
         "set(ESP_AMP_LP_APP_DEFINITIONS \"${ARG_DEFINITIONS}\")\n")
    configure_file("${cfg}.tmp" "${cfg}" COPYONLY)
    ulp_add_project(${app_name} "${root}/cmake/lp_app")
endfunction()
