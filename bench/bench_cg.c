/*
 * bench_cg.c - run callgrind_msgs under valgrind --tool=callgrind and turn
 * its dumps into instructions per message (slope between n and 2n).
 */
#define _GNU_SOURCE
#include "bench_cg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    char cfg[16];
    unsigned size;
    unsigned n;
    double ir;
} dump_t;

static int parse_dump(const char *path, dump_t *d)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    char line[1024];
    bool have_label = false, have_ir = false;
    while (fgets(line, sizeof(line), f) != NULL) {
        const char *key = "desc: Trigger: Client Request: ";
        if (strncmp(line, key, strlen(key)) == 0) {
            if (sscanf(line + strlen(key), "cfg=%15[^;];size=%u;n=%u", d->cfg,
                       &d->size, &d->n) == 3) {
                have_label = true;
            }
        } else if (strncmp(line, "summary:", 8) == 0 ||
                   strncmp(line, "totals:", 7) == 0) {
            d->ir = strtod(strchr(line, ':') + 1, NULL);
            have_ir = true;
        }
        if (have_label && have_ir) {
            break;
        }
    }
    fclose(f);
    return have_label && have_ir ? 0 : -1;
}

static int rm_dir(const char *dir)
{
    DIR *dp = opendir(dir);
    if (dp == NULL) {
        return -1;
    }
    struct dirent *de;
    char path[512];
    while ((de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        unlink(path);
    }
    closedir(dp);
    return rmdir(dir);
}

static int run_valgrind(const char *prog, const char *dir, unsigned n,
                        unsigned item, char *err, size_t errlen)
{
    char outfile[400], logfile[400], narg[32], iarg[32];
    snprintf(outfile, sizeof(outfile), "--callgrind-out-file=%s/cg.out", dir);
    snprintf(logfile, sizeof(logfile), "%s/valgrind.log", dir);
    snprintf(narg, sizeof(narg), "%u", n);
    snprintf(iarg, sizeof(iarg), "%u", item);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int fd = open(logfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execlp("valgrind", "valgrind", "--tool=callgrind", outfile, prog, narg,
               iarg, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(err, errlen, "waitpid: %s", strerror(errno));
            return -1;
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char tail[160] = "";
        FILE *f = fopen(logfile, "r");
        if (f != NULL) {
            char line[160];
            while (fgets(line, sizeof(line), f) != NULL) {
                if (strstr(line, "rror") || strstr(line, "illegal") ||
                    strstr(line, "SIGILL") || strstr(line, "callgrind_msgs:")) {
                    snprintf(tail, sizeof(tail), "%s", line);
                }
            }
            fclose(f);
        }
        tail[strcspn(tail, "\n")] = '\0';
        snprintf(err, errlen, "valgrind exited with status %d%s%s",
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                 tail[0] ? ": " : "", tail);
        return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? 1 : -1;
    }
    return 0;
}

static double slope_of(const dump_t *d, int nd, const char *cfg, unsigned size,
                       unsigned n)
{
    double a = -1, b = -1;
    for (int i = 0; i < nd; i++) {
        if (strcmp(d[i].cfg, cfg) == 0 && d[i].size == size) {
            if (d[i].n == n) {
                a = d[i].ir;
            } else if (d[i].n == 2 * n) {
                b = d[i].ir;
            }
        }
    }
    if (a < 0 || b < 0) {
        return -1;
    }
    return (b - a) / (double)n;
}

int bench_callgrind(const char *prog, unsigned n, unsigned item,
                    const unsigned *sizes, int nsizes, cg_result_t *res,
                    char *err, size_t errlen)
{
    memset(res, 0, sizeof(*res));
    n = (n + 31u) / 32u * 32u;   /* callgrind_msgs rounds to its batch */
    char dir[] = "/tmp/rpmsg_bench_cg.XXXXXX";
    if (mkdtemp(dir) == NULL) {
        snprintf(err, errlen, "mkdtemp: %s", strerror(errno));
        return -1;
    }
    int rc = run_valgrind(prog, dir, n, item, err, errlen);
    if (rc != 0) {
        rm_dir(dir);
        return rc;
    }
    dump_t d[64];
    int nd = 0;
    DIR *dp = opendir(dir);
    struct dirent *de;
    while (dp != NULL && (de = readdir(dp)) != NULL && nd < 64) {
        if (strncmp(de->d_name, "cg.out", 6) != 0) {
            continue;
        }
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (parse_dump(path, &d[nd]) == 0) {
            nd++;
        }
    }
    if (dp != NULL) {
        closedir(dp);
    }
    rm_dir(dir);

    res->n = n;
    res->harness = slope_of(d, nd, "harness", 0, n);
    res->empty_poll = slope_of(d, nd, "empty", 0, n);
    if (res->harness < 0 || res->empty_poll < 0) {
        snprintf(err, errlen, "callgrind dumps missing (%d parsed): was "
                              "callgrind_msgs built with valgrind/callgrind.h?", nd);
        return -1;
    }
    res->nsizes = nsizes;
    for (int i = 0; i < nsizes && i < CG_MAX_SIZES; i++) {
        res->size[i] = sizes[i];
        res->copy[i] = slope_of(d, nd, "copy", sizes[i], n) - res->harness;
        res->zc[i] = slope_of(d, nd, "zc", sizes[i], n) - res->harness;
        res->ideal[i] = slope_of(d, nd, "ideal", sizes[i], n) - res->harness;
    }
    res->ok = true;
    return 0;
}
