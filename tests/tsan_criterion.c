/*
 * tsan_criterion.c - lets Criterion's runner start under ThreadSanitizer.
 * Linked into the tests only in the tsan build (tests/CMakeLists.txt).
 *
 * Criterion shares its test records with the test processes through
 * BoxFort's "inheritable arena": a shared mapping placed with MAP_FIXED at a
 * random address in [0x2000'0000'0000, 0x7f00'0000'0000), after mincore()
 * found the pages there unmapped (10 tries). TSan reserves or forbids almost
 * all of that range (its shadow and meta memory), and its mmap interceptor
 * refuses MAP_FIXED outside application memory, so the arena cannot be made
 * and the runner aborts ("Could not initialize inheritable arena",
 * Snaipe/Criterion#274).
 *
 * The two calls, when they come from Criterion's library and only then, are
 * changed here: the probe says "free" for that range, and the mapping is made
 * without MAP_FIXED with a hint inside TSan's application range
 * [0x5500'0000'0000, 0x5680'0000'0000), which lies inside BoxFort's range.
 * BoxFort accepts any address in its range (it checks the result, not the
 * hint) and maps the arena at that same address in each test process.
 * Every other mmap/mincore goes on unchanged (through TSan's interceptor).
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define BXF_LO 0x200000000000u
#define BXF_HI 0x7f0000000000u
#define TSAN_APP_LO 0x550000000000u
#define TSAN_APP_SPAN 0x010000000000u

/* TSan's own mmap64 (the symbol mmap64 is its weak alias, overridden here). */
extern void *__interceptor_mmap64(void *addr, size_t len, int prot, int flags,
                                  int fd, off64_t off);

static bool from_criterion(const void *ret)
{
    Dl_info info;
    return dladdr(ret, &info) != 0 && info.dli_fname != NULL &&
           strstr(info.dli_fname, "libcriterion") != NULL;
}

static bool in_boxfort_range(const void *addr)
{
    uintptr_t a = (uintptr_t)addr;
    return a >= BXF_LO && a < BXF_HI;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
    if ((flags & (MAP_FIXED | MAP_SHARED)) == (MAP_FIXED | MAP_SHARED) &&
        in_boxfort_range(addr) && from_criterion(__builtin_return_address(0))) {
        void *hint = (void *)(TSAN_APP_LO + (uintptr_t)addr % TSAN_APP_SPAN);
        return __interceptor_mmap64(hint, len, prot, flags & ~MAP_FIXED, fd, off);
    }
    return __interceptor_mmap64(addr, len, prot, flags, fd, off);
}

int mincore(void *addr, size_t len, unsigned char *vec)
{
    if (in_boxfort_range(addr) && from_criterion(__builtin_return_address(0))) {
        errno = ENOMEM; /* "not mapped": BoxFort may try this address */
        return -1;
    }
    return (int)syscall(SYS_mincore, addr, len, vec);
}
