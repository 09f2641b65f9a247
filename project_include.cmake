# Included by ESP-IDF into every project using the component: esp_amp_add_lp_app().
include(${CMAKE_CURRENT_LIST_DIR}/cmake/esp_amp_idf.cmake)
set_property(GLOBAL PROPERTY ESP_AMP_RPMSG_DIR "${CMAKE_CURRENT_LIST_DIR}")
