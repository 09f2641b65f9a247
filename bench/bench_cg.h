/*
 * bench_cg.h - instructions per message from callgrind (see callgrind_msgs.c).
 */
#ifndef BENCH_CG_H
#define BENCH_CG_H

#include <stdbool.h>
#include <stddef.h>

#define CG_MAX_SIZES 8

typedef struct {
    bool ok;
    unsigned n;                  /* messages in the short run (long = 2n) */
    double harness;              /* loop + core switches, per message     */
    double empty_poll;           /* esp_amp_rpmsg_poll on an empty ring    */
    int nsizes;
    unsigned size[CG_MAX_SIZES];
    double copy[CG_MAX_SIZES];   /* send + poll + destroy, harness removed */
    double zc[CG_MAX_SIZES];     /* create + send_nocopy + poll + destroy  */
    double ideal[CG_MAX_SIZES];  /* ideal ring: memcpy in, take, release    */
} cg_result_t;

/* Run `valgrind --tool=callgrind prog n item` once (prog does n and 2n of
 * every configuration, see callgrind_msgs.c). 0 ok; 1 valgrind not found;
 * -1 other failure (err says why). */
int bench_callgrind(const char *prog, unsigned n, unsigned item,
                    const unsigned *sizes, int nsizes, cg_result_t *res,
                    char *err, size_t errlen);

#endif /* BENCH_CG_H */
