/* The two <string.h> functions the helpers use, for the freestanding
 * RISC-V compile check (the bare-metal toolchain has no C library). */
#ifndef ESP_AMP_XCHECK_STRING_H
#define ESP_AMP_XCHECK_STRING_H
#include <stddef.h>
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
#endif
