/* readytime.c -- how long a server takes from exec to answering /-/ready.
 *
 *   readytime --port P [--path /-/ready] [--timeout S] [--log FILE] -- CMD ARGS...
 *
 * Starts CMD (its output appended to FILE, default /dev/null), then polls
 * GET http://127.0.0.1:P/-/ready in a tight loop (a refused connect costs
 * microseconds; 100 us pause between tries) until it answers 200, prints
 * "READY ms=<milliseconds from fork to the 200>", and stops the child:
 * SIGTERM, then SIGKILL if it has not exited within 2 s.  A shell loop
 * around curl would add ~5 ms of its own per try, more than the 10 ms the
 * router aims for, hence this tool.
 *
 * Exit: 0 ready; 1 the child exited or did not get ready within --timeout;
 * 2 usage.  The child is always reaped before we exit. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One GET; returns the HTTP status, or 0 if nothing answered. */
static int probe(const struct sockaddr_in *sa, const char *path, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    struct timeval tv = {.tv_sec = 1};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int status = 0;
    if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0) {
        char req[256], resp[64];
        int n = snprintf(req, sizeof req,
                         "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n",
                         path, port);
        size_t got = 0;
        if (n > 0 && write(fd, req, (size_t)n) == n) {
            while (got < 12) {
                ssize_t r = read(fd, resp + got, sizeof resp - 1 - got);
                if (r <= 0)
                    break;
                got += (size_t)r;
            }
        }
        resp[got] = 0;
        if (got >= 12 && strncmp(resp, "HTTP/1.", 7) == 0)
            status = (int)strtol(resp + 9, NULL, 10);
    }
    close(fd);
    return status;
}

static void stop_child(pid_t pid)
{
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid)
        return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 200; i++) { /* 2 s */
        if (waitpid(pid, &st, WNOHANG) == pid)
            return;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
}

int main(int argc, char **argv)
{
    int port = 0, i;
    double timeout = 10;
    const char *path = "/-/ready", *log = "/dev/null";
    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (i + 1 >= argc) {
            fprintf(stderr, "readytime: %s needs a value\n", argv[i]);
            return 2;
        }
        if (strcmp(argv[i], "--port") == 0)
            port = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--timeout") == 0)
            timeout = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--path") == 0)
            path = argv[++i];
        else if (strcmp(argv[i], "--log") == 0)
            log = argv[++i];
        else {
            fprintf(stderr, "readytime: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (i + 1 >= argc || port <= 0 || port > 65535 || !(timeout > 0 && timeout <= 600)) {
        fprintf(stderr, "usage: readytime --port P [--path /-/ready] [--timeout S] "
                        "[--log FILE] -- CMD ARGS...\n");
        return 2;
    }
    char **cmd = argv + i + 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (probe(&sa, path, port) != 0) {
        fprintf(stderr, "readytime: something already answers on 127.0.0.1:%d\n", port);
        return 1;
    }
    int lfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (lfd < 0) {
        fprintf(stderr, "readytime: %s: %s\n", log, strerror(errno));
        return 2;
    }

    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        perror("readytime: fork");
        return 1;
    }
    if (pid == 0) {
        dup2(lfd, 1);
        dup2(lfd, 2);
        execv(cmd[0], cmd);
        _exit(127);
    }
    close(lfd);
    int rc = 1, tries = 0, st;
    double t;
    for (;;) {
        tries++;
        int s = probe(&sa, path, port);
        t = now_ms() - t0;
        if (s == 200) {
            printf("READY ms=%.3f tries=%d\n", t, tries);
            rc = 0;
            break;
        }
        if (waitpid(pid, &st, WNOHANG) == pid) {
            fprintf(stderr, "readytime: %s exited (status %d) after %.1f ms\n", cmd[0],
                    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), t);
            return 1;
        }
        if (t > timeout * 1e3) {
            fprintf(stderr, "readytime: %s not ready after %.0f ms (last status %d)\n",
                    cmd[0], t, s);
            break;
        }
        usleep(100);
    }
    stop_child(pid);
    return rc;
}
