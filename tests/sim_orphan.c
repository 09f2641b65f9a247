/*
 * sim_orphan - simulated cores die with the process that started them.
 *
 * A child process starts two SIM_PROCESS cores that sleep for ever; each
 * core sends its pid through a pipe. The test kills that child with SIGKILL
 * (as ctest's timeout or a crash would) and checks that both cores end,
 * killed by SIGKILL, within a few seconds. This process is a child
 * subreaper, so the orphaned cores are re-parented to it and can be waited
 * for; on failure it kills them itself.
 */
#define _GNU_SOURCE
#include "esp_amp_platform.h"
#include "sim.h"

#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int g_pipe[2];

static int sleeper(void *arg)
{
    (void)arg;
    pid_t me = getpid();
    if (write(g_pipe[1], &me, sizeof me) != (ssize_t)sizeof me) {
        return 1;
    }
    for (;;) {
        pause();
    }
}

static int start_two_cores(void)
{
    if (sim_init(64 * 1024) != 0 ||
        sim_start_core(ESP_AMP_CORE_MAIN, SIM_PROCESS, sleeper, NULL) != 0 ||
        sim_start_core(ESP_AMP_CORE_SUB, SIM_PROCESS, sleeper, NULL) != 0) {
        return 1;
    }
    for (;;) {
        pause(); /* until killed */
    }
}

/* Wait up to 5 s for `pid` to end; 1 if it ended by SIGKILL. */
static int ended_by_sigkill(pid_t pid)
{
    for (int i = 0; i < 500; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
        }
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    return 0;
}

int main(void)
{
    alarm(30); /* a hang is a failure */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0 || pipe(g_pipe) != 0) {
        perror("sim_orphan: setup");
        return 1;
    }
    pid_t parent = fork();
    if (parent == 0) {
        _exit(start_two_cores());
    }
    pid_t core[2];
    for (int i = 0; i < 2; i++) {
        if (read(g_pipe[0], &core[i], sizeof core[i]) != (ssize_t)sizeof core[i]) {
            fprintf(stderr, "sim_orphan: the cores did not start\n");
            return 1;
        }
    }
    kill(parent, SIGKILL);
    waitpid(parent, NULL, 0);
    int fails = 0;
    for (int i = 0; i < 2; i++) {
        if (!ended_by_sigkill(core[i])) {
            fprintf(stderr, "sim_orphan: core process %d outlived its parent\n", (int)core[i]);
            kill(core[i], SIGKILL);
            waitpid(core[i], NULL, 0);
            fails++;
        }
    }
    printf("sim_orphan: %s\n", fails ? "FAIL" : "PASS");
    return fails ? 1 : 0;
}
