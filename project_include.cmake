# ESP-IDF includes this file into every project that uses the component:
# it provides esp_amp_add_lp_app() (cmake/esp_amp_lp_app.cmake).
include(${CMAKE_CURRENT_LIST_DIR}/cmake/esp_amp_lp_app.cmake)
