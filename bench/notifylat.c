/* notifylat.c -- notification overhead: webhook receipt minus POST minus group_wait.
 *
 *   notifylat --url http://127.0.0.1:P --sink-port Q --group-wait S [--groups 100]
 *             [--spacing 0.02] [--wait 10] [--tag run1] [--verbose]
 *   notifylat --self [--group-wait 0] [--groups 100] [--spacing 0.02]  (A/A: the tool's own cost)
 *
 * The C twin of latency.py, same options and same RESULT line.  Runs a
 * webhook sink on 127.0.0.1:Q, then POSTs one alert per new group
 * (alertname "Lat-<tag>-<i>", so with group_by [alertname] each alert
 * opens a new aggregation group, startsAt = now) to the server, one every
 * --spacing seconds after the previous answer.  The server must send that
 * route to http://127.0.0.1:Q/hook with the same group_wait (bench/run.sh
 * writes that config).  For each group:
 *
 *     overhead = (webhook body fully read) - (time before the POST's write) - group_wait
 *
 * Why not latency.py: its sink runs in a Python thread beside the prober,
 * so a webhook can wait for the GIL (switch interval 5 ms), and json and
 * http.client add their own costs; p99 measured the tool as much as the
 * server.  Here one thread runs one epoll loop holding the prober's
 * keep-alive connection and the sink's listening socket and connections;
 * whichever becomes readable is served at once, and the sink finds the
 * group by a substring search for the quoted name (tags are restricted
 * to [A-Za-z0-9_.] so the name needs no JSON escaping).
 *
 * --self measures the tool itself: a forked child plays a zero-cost server
 * (answers the POST, then at once POSTs a webhook-sized body naming the
 * group to the sink, both over keep-alive loopback connections).  Its
 * overhead is the floor any server can reach with this tool: two loopback
 * hops, two process wake-ups, our parsing.  With --group-wait > 0 the child
 * holds each webhook that long on its own timer, so the floor also holds
 * what the machine charges for waking an idle process on a timer.
 *
 * Bounded: a POST that gets no answer in 5 s counts as an error (the
 * connection is reopened); the run stops group_wait + --wait seconds after
 * the last POST, or as soon as every group arrived.  Only 127.0.0.0/8.
 * Exit 0 if every POSTed group arrived exactly once and no POST failed;
 * 1 otherwise; 2 usage.  Duplicates and unrecognised webhooks are counted
 * on the summary line (the RESULT line is latency.py's, key for key). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_GROUPS 100000
#define MAX_SINK_CONNS 64
#define MAX_MSG (1u << 20) /* largest request/response we buffer */
#define POST_TIMEOUT 5.0

enum role { ROLE_PROBE = 1, ROLE_LISTEN, ROLE_SINK };

struct conn {
    enum role role;
    int fd;
    char *in;
    size_t len, cap;
    bool continued; /* "100 Continue" already sent for the message in progress */
};

struct msg {
    size_t hdr_len, total; /* total = header + body (+ chunk framing) */
    int status;            /* responses only */
    bool expect100;
};

static struct {
    struct sockaddr_in server;
    char host[96];
    int sink_port;
    double group_wait, spacing, wait;
    long groups;
    char tag[48];
    bool self, verbose;
} o = {.group_wait = -1, .spacing = 0.02, .wait = 10, .groups = 100};

static int epfd;
static double *sent_at, *arrived_at;
static long dups, unknown_hooks;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "notifylat: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* ---- HTTP/1.1 framing ----------------------------------------------------- */

/* Case-insensitive: does the header block [p, end) have a header `name`
 * whose value contains `needle` (or, for needle NULL, return its value)? */
static const char *header_value(const char *p, const char *end, const char *name)
{
    size_t nl = strlen(name);
    for (const char *line = p; line < end;) {
        const char *eol = memmem(line, (size_t)(end - line), "\r\n", 2);
        if (!eol)
            eol = end;
        if ((size_t)(eol - line) > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            return v;
        }
        line = eol + 2;
    }
    return NULL;
}

/* Frames the message at the start of p[0, n): 1 complete (m filled), 0 need
 * more bytes, -1 malformed.  Chunked bodies are walked, not decoded: the
 * sink searches the raw bytes. */
static int frame(const char *p, size_t n, bool response, struct msg *m)
{
    memset(m, 0, sizeof *m);
    const char *he = memmem(p, n, "\r\n\r\n", 4);
    if (!he)
        return n > 65536 ? -1 : 0;
    m->hdr_len = (size_t)(he - p) + 4;
    const char *hend = he + 2;
    if (response) {
        if (n < 12 || strncmp(p, "HTTP/1.", 7) != 0)
            return -1;
        m->status = (int)strtol(p + 9, NULL, 10);
    }
    const char *v = header_value(p, hend, "Expect");
    m->expect100 = v && strncasecmp(v, "100-continue", 12) == 0;
    v = header_value(p, hend, "Transfer-Encoding");
    if (v && strncasecmp(v, "chunked", 7) == 0) {
        size_t off = m->hdr_len;
        for (;;) {
            const char *eol = memmem(p + off, n - off, "\r\n", 2);
            if (!eol)
                return 0;
            char *endp;
            unsigned long sz = strtoul(p + off, &endp, 16);
            if (endp == p + off || sz > MAX_MSG)
                return -1;
            off = (size_t)(eol - p) + 2;
            if (sz == 0) { /* trailers end with an empty line */
                const char *t = memmem(p + off - 2, n - off + 2, "\r\n\r\n", 4);
                if (!t)
                    return 0;
                m->total = (size_t)(t - p) + 4;
                return 1;
            }
            if (n - off < sz + 2)
                return 0;
            off += sz + 2;
        }
    }
    long cl = 0;
    v = header_value(p, hend, "Content-Length");
    if (v) {
        char *endp;
        cl = strtol(v, &endp, 10);
        if (endp == v || cl < 0 || cl > (long)MAX_MSG)
            return -1;
    }
    if (response && (m->status == 204 || m->status == 304 || m->status / 100 == 1))
        cl = 0;
    if (n - m->hdr_len < (size_t)cl)
        return 0;
    m->total = m->hdr_len + (size_t)cl;
    return 1;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN) { /* loopback buffers are large: rare */
            struct timespec ts = {0, 20000};
            nanosleep(&ts, NULL);
            continue;
        }
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads what is there into c->in; 0 ok, -1 EOF or error. */
static int fill(struct conn *c)
{
    for (;;) {
        if (c->cap - c->len < 4096) {
            if (c->cap >= MAX_MSG)
                return -1;
            c->cap = c->cap ? c->cap * 2 : 16384;
            c->in = realloc(c->in, c->cap);
            if (!c->in)
                abort();
        }
        ssize_t r = read(c->fd, c->in + c->len, c->cap - c->len - 1);
        if (r > 0) {
            c->len += (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            return 0;
        return -1;
    }
}

static void consume(struct conn *c, size_t n)
{
    memmove(c->in, c->in + n, c->len - n);
    c->len -= n;
    c->continued = false;
}

static void set_nonblock_nodelay(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void watch(struct conn *c)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
        die("epoll_ctl");
}

static void conn_close(struct conn *c)
{
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->in);
    free(c);
}

static int connect_to(const struct sockaddr_in *sa)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) < 0) {
        close(fd);
        return -1;
    }
    set_nonblock_nodelay(fd);
    return fd;
}

/* ---- the sink ----------------------------------------------------------- */

/* The group index named in a webhook body: the first "<prefix><digits>" */
static long group_of(const char *p, size_t n)
{
    char needle[80];
    int nl = snprintf(needle, sizeof needle, "\"Lat-%s-", o.tag);
    const char *q = memmem(p, n, needle, (size_t)nl);
    if (!q)
        return -1;
    q += nl;
    const char *end = p + n;
    long i = 0;
    int digits = 0;
    while (q < end && *q >= '0' && *q <= '9' && digits < 7) {
        i = i * 10 + (*q++ - '0');
        digits++;
    }
    return digits && q < end && *q == '"' && i < o.groups ? i : -1;
}

static void sink_read(struct conn *c)
{
    if (fill(c) < 0) {
        conn_close(c);
        return;
    }
    for (;;) {
        struct msg m;
        int f = frame(c->in, c->len, false, &m);
        if (f < 0) {
            conn_close(c);
            return;
        }
        if (f == 0) {
            if (m.hdr_len && m.expect100 && !c->continued) {
                c->continued = true;
                if (write_all(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25) < 0) {
                    conn_close(c);
                    return;
                }
            }
            return;
        }
        double t = now_s(); /* the body is complete */
        long g = group_of(c->in + m.hdr_len, m.total - m.hdr_len);
        if (g < 0)
            unknown_hooks++;
        else if (arrived_at[g] > 0)
            dups++;
        else
            arrived_at[g] = t;
        static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        if (write_all(c->fd, ok, sizeof ok - 1) < 0) {
            conn_close(c);
            return;
        }
        consume(c, m.total);
    }
}

static void sink_accept(struct conn *l)
{
    for (;;) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            return;
        set_nonblock_nodelay(fd);
        struct conn *c = calloc(1, sizeof *c);
        if (!c)
            abort();
        c->role = ROLE_SINK;
        c->fd = fd;
        watch(c);
    }
}

/* ---- the prober ----------------------------------------------------------- */

static void iso_ms(char *out, size_t n, const struct timespec *ts)
{
    struct tm tm;
    gmtime_r(&ts->tv_sec, &tm);
    char s[32];
    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, n, "%s.%03ldZ", s, ts->tv_nsec / 1000000);
}

static int build_post(char *out, size_t n, long i)
{
    struct timespec wall, ends;
    clock_gettime(CLOCK_REALTIME, &wall);
    ends = wall;
    ends.tv_sec += 3600;
    char starts_s[64], ends_s[64], body[512];
    iso_ms(starts_s, sizeof starts_s, &wall);
    iso_ms(ends_s, sizeof ends_s, &ends);
    int bl = snprintf(body, sizeof body,
                      "[{\"labels\":{\"alertname\":\"Lat-%s-%ld\",\"job\":\"bench\","
                      "\"severity\":\"critical\"},\"annotations\":{\"summary\":"
                      "\"latency probe\"},\"startsAt\":\"%s\",\"endsAt\":\"%s\"}]",
                      o.tag, i, starts_s, ends_s);
    return snprintf(out, n,
                    "POST /api/v2/alerts HTTP/1.1\r\nHost: %s\r\nContent-Type: "
                    "application/json\r\nContent-Length: %d\r\n\r\n%s",
                    o.host, bl, body);
}

/* ---- --self: a zero-cost server in a child process ---------------------- */

/* Reads once from fd into c (growing it); 0 on data, -1 on EOF or error. */
static int read_some(int fd, struct conn *c)
{
    if (c->cap - c->len < 4096) {
        c->cap = c->cap ? c->cap * 2 : 16384;
        if (c->cap > MAX_MSG * 2 || !(c->in = realloc(c->in, c->cap)))
            return -1;
    }
    ssize_t r = read(fd, c->in + c->len, c->cap - c->len - 1);
    if (r <= 0)
        return -1;
    c->len += (size_t)r;
    return 0;
}

/* Answers each POST at once, then POSTs a webhook-sized body naming the
 * alert to the sink group_wait seconds later (at once when it is 0), like
 * a server whose only work is that timer: with group_wait > 0 the floor
 * includes waking from an idle sleep on a timer (ppoll, nanosecond
 * timeout), as every real server's flush does.  Exits on EOF from the
 * prober, on any error, or after 120 s + group_wait (alarm). */
static void zero_server(int lfd, int sink_port, double group_wait)
{
    alarm(120 + (unsigned)group_wait);
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        _exit(1);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)sink_port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int hook = socket(AF_INET, SOCK_STREAM, 0);
    if (hook < 0 || connect(hook, (struct sockaddr *)&sa, sizeof sa) < 0)
        _exit(1);
    setsockopt(hook, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn in = {.fd = fd}, hin = {.fd = hook};
    /* Webhooks waiting for their time, in due order (group_wait is fixed). */
    struct pending {
        double due;
        int len;
        char req[2600];
    } *q = calloc((size_t)o.groups, sizeof *q);
    if (!q)
        _exit(1);
    size_t head = 0, tail = 0; /* q[head..tail) wait; each group is queued once */
    char pad[1200];
    memset(pad, 'x', sizeof pad);
    for (;;) {
        double now = now_s();
        while (head < tail && q[head].due <= now) {
            if (write_all(hook, q[head].req, (size_t)q[head].len) < 0)
                _exit(1);
            head++;
        }
        struct timespec ts, *tsp = NULL;
        if (head < tail) {
            double d = q[head].due - now_s();
            if (d < 0)
                d = 0;
            ts.tv_sec = (time_t)d;
            ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
            tsp = &ts;
        }
        struct pollfd pf[2] = {{.fd = fd, .events = POLLIN}, {.fd = hook, .events = POLLIN}};
        if (ppoll(pf, 2, tsp, NULL) < 0) {
            if (errno == EINTR)
                continue;
            _exit(1);
        }
        if (pf[1].revents) { /* the sink's answers: read and drop */
            struct msg m;
            if (read_some(hook, &hin) < 0)
                _exit(1);
            int f;
            while ((f = frame(hin.in, hin.len, true, &m)) > 0)
                consume(&hin, m.total);
            if (f < 0)
                _exit(1);
        }
        if (!pf[0].revents)
            continue;
        if (read_some(fd, &in) < 0)
            _exit(0);
        struct msg m;
        int f;
        while ((f = frame(in.in, in.len, false, &m)) > 0) {
            const char *s1 = memmem(in.in + m.hdr_len, m.total - m.hdr_len, "\"Lat-", 5);
            const char *se = s1 ? memchr(s1 + 1, '"', (size_t)(in.in + m.total - s1 - 1)) : NULL;
            if (!se || tail >= (size_t)o.groups)
                _exit(1);
            static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
            char body[2048];
            int bl = snprintf(body, sizeof body,
                              "{\"receiver\":\"hook\",\"status\":\"firing\",\"groupLabels\":"
                              "{\"alertname\":%.*s},\"padding\":\"%.*s\"}",
                              (int)(se - s1 + 1), s1, (int)sizeof pad, pad);
            struct pending *p = &q[tail++];
            p->due = now_s() + group_wait;
            p->len = snprintf(p->req, sizeof p->req,
                              "POST /hook HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: "
                              "application/json\r\nContent-Length: %d\r\n\r\n%s",
                              sink_port, bl, body);
            consume(&in, m.total);
            if (write_all(fd, ok, sizeof ok - 1) < 0)
                _exit(1);
        }
        if (f < 0)
            _exit(1);
    }
}

/* ---- main ---------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* latency.py's quantile: nearest rank, rounded. */
static double quantile(const double *s, size_t n, double q)
{
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    return s[i < n ? i : n - 1];
}

static int parse_url(const char *url)
{
    const char *p = strncmp(url, "http://", 7) == 0 ? url + 7 : NULL;
    if (!p)
        return -1;
    const char *colon = strchr(p, ':');
    if (!colon)
        return -1;
    char host[64];
    size_t hl = (size_t)(colon - p);
    if (hl == 0 || hl >= sizeof host)
        return -1;
    memcpy(host, p, hl);
    host[hl] = 0;
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    char *endp;
    long port = strtol(colon + 1, &endp, 10);
    if (port <= 0 || port > 65535 || (*endp && *endp != '/'))
        return -1;
    o.server.sin_family = AF_INET;
    o.server.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &o.server.sin_addr) != 1)
        return -1;
    if ((ntohl(o.server.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "notifylat: only loopback targets (127.0.0.0/8)\n");
        exit(2);
    }
    snprintf(o.host, sizeof o.host, "%.63s:%ld", host, port);
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: notifylat --url http://127.0.0.1:P --sink-port Q --group-wait S "
            "[--groups N] [--spacing S] [--wait S] [--tag T] [--verbose]\n"
            "       notifylat --self [--group-wait S] [--groups N] [--spacing S] [--tag T]\n");
    exit(2);
}

static void parse_args(int argc, char **argv)
{
    const char *url = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--self") == 0) {
            o.self = true;
            continue;
        }
        if (strcmp(a, "--verbose") == 0) {
            o.verbose = true;
            continue;
        }
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        char *endp = NULL;
        if (strcmp(a, "--url") == 0)
            url = v;
        else if (strcmp(a, "--sink-port") == 0)
            o.sink_port = (int)strtol(v, &endp, 10);
        else if (strcmp(a, "--group-wait") == 0)
            o.group_wait = strtod(v, &endp);
        else if (strcmp(a, "--groups") == 0)
            o.groups = strtol(v, &endp, 10);
        else if (strcmp(a, "--spacing") == 0)
            o.spacing = strtod(v, &endp);
        else if (strcmp(a, "--wait") == 0)
            o.wait = strtod(v, &endp);
        else if (strcmp(a, "--tag") == 0)
            snprintf(o.tag, sizeof o.tag, "%s", v);
        else {
            fprintf(stderr, "notifylat: unknown option %s\n", a);
            usage();
        }
        if (endp && (endp == v || *endp)) {
            fprintf(stderr, "notifylat: bad value for %s: %s\n", a, v);
            usage();
        }
    }
    if (!o.tag[0])
        snprintf(o.tag, sizeof o.tag, "%ld", (long)time(NULL));
    for (const char *t = o.tag; *t; t++)
        if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') ||
              *t == '_' || *t == '.')) {
            fprintf(stderr, "notifylat: --tag: only [A-Za-z0-9_.]\n");
            exit(2);
        }
    if (o.self) {
        if (o.group_wait < 0)
            o.group_wait = 0;
    } else if (!url || parse_url(url) < 0 || o.sink_port <= 0 || o.sink_port > 65535 ||
               o.group_wait < 0) {
        usage();
    }
    if (o.groups < 1 || o.groups > MAX_GROUPS || !(o.spacing >= 0 && o.spacing <= 60) ||
        !(o.wait >= 0 && o.wait <= 600) || o.group_wait > 600)
        usage();
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 64) < 0)
        die("sink listen");
    return fd;
}

static int bound_port(int fd)
{
    struct sockaddr_in sa;
    socklen_t l = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &l);
    return ntohs(sa.sin_port);
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    sent_at = calloc((size_t)o.groups, sizeof *sent_at);
    arrived_at = calloc((size_t)o.groups, sizeof *arrived_at);
    if (!sent_at || !arrived_at)
        abort();
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1");
    struct conn *l = calloc(1, sizeof *l);
    if (!l)
        abort();
    l->role = ROLE_LISTEN;
    l->fd = listen_on(o.self ? 0 : o.sink_port);
    fcntl(l->fd, F_SETFL, O_NONBLOCK);
    watch(l);

    pid_t child = -1;
    if (o.self) {
        int zl = listen_on(0);
        o.server.sin_family = AF_INET;
        o.server.sin_port = htons((uint16_t)bound_port(zl));
        o.server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        snprintf(o.host, sizeof o.host, "127.0.0.1:%d", bound_port(zl));
        int sport = bound_port(l->fd);
        child = fork();
        if (child < 0)
            die("fork");
        if (child == 0) {
            close(l->fd);
            zero_server(zl, sport, o.group_wait);
            _exit(0);
        }
        close(zl);
    }

    struct conn *p = NULL;
    long next = 0, posted = 0, errors = 0;
    double t_next = now_s(), t_post = 0, t_stop = 0;
    bool waiting = false; /* a POST awaits its answer */
    char req[2048];
    struct epoll_event evs[64];
    for (;;) {
        double t = now_s();
        if (!waiting && next < o.groups && t >= t_next) {
            if (!p) {
                int fd = connect_to(&o.server);
                if (fd >= 0) {
                    p = calloc(1, sizeof *p);
                    if (!p)
                        abort();
                    p->role = ROLE_PROBE;
                    p->fd = fd;
                    watch(p);
                }
            }
            int rl = build_post(req, sizeof req, next);
            t_post = now_s();
            if (p && write_all(p->fd, req, (size_t)rl) == 0) {
                waiting = true;
            } else {
                errors++;
                next++;
                t_next = now_s() + o.spacing;
                if (p) {
                    conn_close(p);
                    p = NULL;
                }
            }
        }
        if (waiting && t - t_post > POST_TIMEOUT) {
            errors++;
            waiting = false;
            next++;
            t_next = t + o.spacing;
            conn_close(p);
            p = NULL;
        }
        if (next >= o.groups && !waiting) {
            if (t_stop == 0)
                t_stop = t + o.group_wait + o.wait;
            bool all = true;
            for (long i = 0; i < o.groups && all; i++)
                all = sent_at[i] == 0 || arrived_at[i] > 0;
            if (all || t >= t_stop)
                break;
        }
        double until = waiting ? t_post + POST_TIMEOUT : next < o.groups ? t_next : t_stop;
        int ms = (int)((until - now_s()) * 1e3 + 0.999);
        if (ms < 0)
            ms = 0;
        if (ms > 100)
            ms = 100;
        int n = epoll_wait(epfd, evs, 64, ms);
        if (n < 0 && errno != EINTR)
            die("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->role == ROLE_LISTEN) {
                sink_accept(c);
            } else if (c->role == ROLE_SINK) {
                sink_read(c);
            } else {
                struct msg m;
                int f = fill(c) < 0 ? -1 : frame(c->in, c->len, true, &m);
                if (f == 0)
                    continue;
                if (f > 0 && waiting && m.status == 200) {
                    sent_at[next] = t_post;
                    posted++;
                } else {
                    errors++;
                    if (o.verbose)
                        fprintf(stderr, "notifylat: POST %ld: %s\n", next,
                                f < 0 ? "connection lost" : "non-200 answer");
                }
                if (f > 0)
                    consume(c, m.total);
                if (f < 0 || m.status != 200) {
                    conn_close(c);
                    p = NULL;
                }
                waiting = false;
                next++;
                t_next = now_s() + o.spacing;
            }
        }
    }
    if (p)
        conn_close(p);
    if (child > 0) {
        kill(child, SIGTERM);
        waitpid(child, NULL, 0);
    }

    double *ov = calloc((size_t)o.groups, sizeof *ov);
    if (!ov)
        abort();
    size_t n = 0;
    for (long i = 0; i < o.groups; i++)
        if (sent_at[i] > 0 && arrived_at[i] > 0) {
            ov[n++] = (arrived_at[i] - sent_at[i] - o.group_wait) * 1e3;
            if (o.verbose) /* one line per group, in POST order, for plots */
                fprintf(stderr, "group %ld sent %.6f overhead_ms %.3f\n", i,
                        sent_at[i] - sent_at[0], ov[n - 1]);
        }
    long missing = posted - (long)n;
    if (n == 0) {
        printf("no webhook arrived (%ld POSTed, %ld POST errors)\n", posted, errors);
        printf("RESULT groups=%ld received=0 post_errors=%ld\n", posted, errors);
        return 1;
    }
    qsort(ov, n, sizeof *ov, cmp_double);
    double p50 = quantile(ov, n, 0.5), p99 = quantile(ov, n, 0.99);
    printf("overhead after group_wait: p50 %.3f ms, p99 %.3f ms, min %.3f, max %.3f "
           "(%zu groups, %ld missing, %ld POST errors, %ld duplicates, %ld unknown)%s\n",
           p50, p99, ov[0], ov[n - 1], n, missing, errors, dups, unknown_hooks,
           o.self ? " [self test: zero-cost server]" : "");
    printf("RESULT groups=%ld received=%zu post_errors=%ld p50_ms=%.3f p99_ms=%.3f "
           "min_ms=%.3f max_ms=%.3f\n",
           posted, n, errors, p50, p99, ov[0], ov[n - 1]);
    return missing == 0 && errors == 0 && dups == 0 ? 0 : 1;
}
