/*
 * esp_amp_err.h - why a call failed.
 *
 * Every API that can fail returns the seed's failure value (-1 or NULL) and
 * leaves all state unchanged. The reason is kept per core and can be read
 * with esp_amp_get_last_error() right after the failing call.
 */
#ifndef ESP_AMP_ERR_H
#define ESP_AMP_ERR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    ESP_AMP_OK = 0,
    ESP_AMP_ERR_INVALID_ARG = 1,  /* NULL pointer, zero size, bad address   */
    ESP_AMP_ERR_NOT_INIT = 2,     /* shared memory or device not set up     */
    ESP_AMP_ERR_NO_BUF = 3,       /* no free buffer: the queue is full      */
    ESP_AMP_ERR_EMPTY = 4,        /* nothing to receive                     */
    ESP_AMP_ERR_TOO_BIG = 5,      /* header + data larger than an item      */
    ESP_AMP_ERR_NOT_FOUND = 6,    /* no such endpoint / sys_info id         */
    ESP_AMP_ERR_EXISTS = 7,       /* endpoint address or id already used    */
    ESP_AMP_ERR_NOT_OWNED = 8,    /* pointer not a buffer the caller holds  */
    ESP_AMP_ERR_CORRUPT = 9,      /* the peer wrote an invalid value        */
    ESP_AMP_ERR_NO_MEM = 10,      /* shared memory region exhausted         */
    ESP_AMP_ERR_BUSY = 11,        /* re-entered while the device is in use  */
    ESP_AMP_ERR_LINK_DOWN = 12,   /* the peer restarted: link not (yet) up  */
} esp_amp_err_t;

/* Reason of the last failed call on this core (not reset by success). */
esp_amp_err_t esp_amp_get_last_error(void);

/* Clear the last error of this core. */
void esp_amp_clear_last_error(void);

/* A short constant name for an error code ("ESP_AMP_ERR_NO_BUF", ...). */
const char *esp_amp_err_name(esp_amp_err_t err);

#ifdef __cplusplus
}
#endif
#endif /* ESP_AMP_ERR_H */
