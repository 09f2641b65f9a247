# esp_amp_idf_options.cmake - the library's build options (include/esp_amp_config.h)
# from Kconfig (the CONFIG_ESP_AMP_* variables of sdkconfig.cmake), as compile
# definitions. Shared by the HP-side component and the LP-core application build.
#
#   esp_amp_idf_definitions(<out_var> <role>)
#     role: MAIN (an image for the main core only), SUB (sub core only) or
#     BOTH (one image serves both cores, e.g. the ESP32-P4's two HP cores).
#     With CONFIG_ESP_AMP_ROLE_BUILDS off, every image keeps both roles.

function(esp_amp_idf_definitions out_var role)
    set(defs
        ESP_AMP_CONFIG_QUEUE_MAX_LEN=${CONFIG_ESP_AMP_QUEUE_MAX_LEN}
        ESP_AMP_CONFIG_SW_INTR_HANDLERS=${CONFIG_ESP_AMP_SW_INTR_HANDLERS}
        ESP_AMP_CONFIG_RX_ISR_BUDGET=${CONFIG_ESP_AMP_RX_ISR_BUDGET}
        ESP_AMP_CONFIG_RX_LINGER=${CONFIG_ESP_AMP_RX_LINGER}
        ESP_AMP_CONFIG_SYS_INFO_SLOTS=${CONFIG_ESP_AMP_SYS_INFO_SLOTS})
    foreach(opt STATS ERR_NAMES RX_INTR)
        if(CONFIG_ESP_AMP_${opt})
            list(APPEND defs ESP_AMP_CONFIG_${opt}=1)
        else()
            list(APPEND defs ESP_AMP_CONFIG_${opt}=0)
        endif()
    endforeach()
    if(CONFIG_ESP_AMP_ROLE_BUILDS AND role STREQUAL "MAIN")
        list(APPEND defs ESP_AMP_CONFIG_SUB_CORE=0)
    elseif(CONFIG_ESP_AMP_ROLE_BUILDS AND role STREQUAL "SUB")
        list(APPEND defs ESP_AMP_CONFIG_MAIN_CORE=0)
    endif()
    set(${out_var} ${defs} PARENT_SCOPE)
endfunction()

# Warnings for the library's own files, in every build. ESP-IDF's global flags
# demote some warnings (-Wno-error=unused-function, =extra, ...); naming them
# again after those makes every warning an error here.
set(ESP_AMP_IDF_WARNINGS -Wall -Wextra -Werror
    -Werror=all -Werror=extra -Werror=unused-function -Werror=unused-variable
    -Werror=unused-but-set-variable -Werror=deprecated-declarations)
