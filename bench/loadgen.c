/* loadgen.c -- closed-loop load generator for POST /api/v2/alerts.
 *
 * Sends JSON arrays of alerts, the way Prometheus does, over C keep-alive
 * HTTP/1.1 connections with one request in flight per connection.  Plain
 * non-blocking sockets on one epoll instance: no client library sits
 * between us and the server, so the latency we record is the server's plus
 * the loopback, and the CPU this process burns stays small and constant
 * for both servers being compared.
 *
 * Alerts are numbered first..first+alerts-1 and sent in order, cycling, so
 * `--alerts 10000 --batch 100 --requests 100` creates exactly 10,000
 * distinct active alerts once (bench/run.sh loads memory steps that way).
 * Each alert is resolved (endsAt in the past) with probability --resolved
 * on each send.
 *
 * Bounded: the run stops at --requests or after --duration seconds,
 * whichever comes first; requests still in flight then get --timeout
 * seconds to finish.  Only loopback targets are accepted.
 *
 * Output: a human summary, then one machine-readable line starting with
 * "RESULT " (key=value pairs) for bench/run.sh. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "histo.h"

#define MAX_CONNS 1024
#define RBUF_CAP (1u << 20) /* largest response we are willing to buffer */
#define MAX_STATUS 600

struct opts {
    struct sockaddr_in addr;
    char host[96];         /* Host: header value */
    char path[256];
    long alerts, first, batch, conns, requests, labels;
    double duration, resolved, timeout;
    int verbose;
};

struct conn {
    int fd;
    int connecting;
    char *req;             /* request being sent */
    size_t req_len, req_off;
    char *rbuf;            /* response bytes received so far */
    size_t rlen;
    long batch;            /* alerts in the request in flight (0 = idle) */
    uint64_t t_start;      /* ns, when the request's first byte was written */
};

struct stats {
    uint64_t done, ok_alerts, sent_alerts;
    uint64_t status[MAX_STATUS];
    uint64_t err_connect, err_reset, err_timeout, err_parse;
    char first_err[256];
    struct histo lat;
};

static struct opts o;
static struct stats st;
static int epfd;
static uint64_t cursor;     /* next alert number to send, before modulo */
static uint64_t issued;     /* requests started */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static char ts_start[40], ts_end_active[40], ts_end_resolved[40];
static char **frags;        /* per alert: `{"labels":{...},"annotations":{...},"startsAt":"...","endsAt":` */
static size_t *frag_len;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("loadgen: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        die("out of memory");
    return p;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t xorshift(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* ---- options ----------------------------------------------------------- */

static long parse_long(const char *s, const char *what, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        die("%s: \"%s\" is not an integer in [%ld, %ld]", what, s, lo, hi);
    return v;
}

static double parse_double(const char *s, const char *what, double lo, double hi)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        die("%s: \"%s\" is not a number in [%g, %g]", what, s, lo, hi);
    return v;
}

/* Accepts http://HOST:PORT[/path] where HOST is an IPv4 loopback literal
 * or "localhost": this tool must never load anything off the machine. */
static void parse_url(const char *url)
{
    if (strncmp(url, "http://", 7) != 0)
        die("--url must start with http:// (got \"%s\")", url);
    const char *h = url + 7;
    const char *colon = strchr(h, ':');
    const char *slash = strchr(h, '/');
    if (!colon || (slash && slash < colon))
        die("--url needs an explicit port: \"%s\"", url);
    char host[64];
    size_t hl = (size_t)(colon - h);
    if (hl == 0 || hl >= sizeof host)
        die("--url: bad host in \"%s\"", url);
    memcpy(host, h, hl);
    host[hl] = 0;
    char port[8];
    size_t pl = slash ? (size_t)(slash - colon - 1) : strlen(colon + 1);
    if (pl == 0 || pl >= sizeof port)
        die("--url: bad port in \"%s\"", url);
    memcpy(port, colon + 1, pl);
    port[pl] = 0;
    long p = parse_long(port, "--url port", 1, 65535);
    memset(&o.addr, 0, sizeof o.addr);
    o.addr.sin_family = AF_INET;
    o.addr.sin_port = htons((uint16_t)p);
    const char *ip = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
    if (inet_pton(AF_INET, ip, &o.addr.sin_addr) != 1)
        die("--url: host must be an IPv4 literal or localhost, got \"%s\"", host);
    if ((ntohl(o.addr.sin_addr.s_addr) >> 24) != 127)
        die("--url: only loopback (127.0.0.0/8) targets are allowed, got %s", host);
    snprintf(o.host, sizeof o.host, "%s:%ld", host, p);
    snprintf(o.path, sizeof o.path, "%s", slash ? slash : "/api/v2/alerts");
}

static void usage(FILE *f)
{
    fputs("usage: loadgen --url http://127.0.0.1:PORT[/api/v2/alerts] [options]\n"
          "  --alerts N      distinct alerts, cycled through in order (10000)\n"
          "  --first N       number of the first alert (0); lets runs add new alerts\n"
          "  --batch N       alerts per request (100)\n"
          "  --conns N       keep-alive connections, one request in flight each (8)\n"
          "  --requests N    stop after N requests (0 = only --duration bounds the run)\n"
          "  --duration S    stop after S seconds (10; at most 3600)\n"
          "  --resolved F    fraction of sends with endsAt in the past (0.0)\n"
          "  --labels N      labels per alert, at least 3 (8)\n"
          "  --timeout S     per-request timeout, also the drain time at the end (10)\n"
          "  --verbose       print the first error response body\n",
          f);
}

static void parse_opts(int argc, char **argv)
{
    static const struct option lo[] = {
        {"url", 1, 0, 'u'},      {"alerts", 1, 0, 'a'},   {"first", 1, 0, 'f'},
        {"batch", 1, 0, 'b'},    {"conns", 1, 0, 'c'},    {"requests", 1, 0, 'n'},
        {"duration", 1, 0, 'd'}, {"resolved", 1, 0, 'r'}, {"labels", 1, 0, 'l'},
        {"timeout", 1, 0, 't'},  {"verbose", 0, 0, 'v'},  {"help", 0, 0, 'h'},
        {0, 0, 0, 0}};
    o.alerts = 10000;
    o.batch = 100;
    o.conns = 8;
    o.duration = 10;
    o.labels = 8;
    o.timeout = 10;
    int have_url = 0, c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'u': parse_url(optarg); have_url = 1; break;
        case 'a': o.alerts = parse_long(optarg, "--alerts", 1, 10000000); break;
        case 'f': o.first = parse_long(optarg, "--first", 0, 1000000000); break;
        case 'b': o.batch = parse_long(optarg, "--batch", 1, 10000); break;
        case 'c': o.conns = parse_long(optarg, "--conns", 1, MAX_CONNS); break;
        case 'n': o.requests = parse_long(optarg, "--requests", 0, 1000000000); break;
        case 'd': o.duration = parse_double(optarg, "--duration", 0.001, 3600); break;
        case 'r': o.resolved = parse_double(optarg, "--resolved", 0, 1); break;
        case 'l': o.labels = parse_long(optarg, "--labels", 3, 64); break;
        case 't': o.timeout = parse_double(optarg, "--timeout", 0.01, 600); break;
        case 'v': o.verbose = 1; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); exit(2);
        }
    }
    if (optind < argc)
        die("unexpected argument \"%s\"", argv[optind]);
    if (!have_url)
        die("--url is required");
}

/* ---- request bodies ---------------------------------------------------- */

static void rfc3339(char *out, size_t n, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

/* Pre-renders every alert up to its "endsAt": so a request is only
 * memcpy; the tool's own CPU per alert stays far below the servers'. */
static void build_fragments(void)
{
    static const char *sev[] = {"warning", "critical", "info"};
    time_t t0 = time(NULL);
    rfc3339(ts_start, sizeof ts_start, t0 - 600);
    rfc3339(ts_end_active, sizeof ts_end_active, t0 + 3600);
    rfc3339(ts_end_resolved, sizeof ts_end_resolved, t0 - 1);
    frags = xmalloc((size_t)o.alerts * sizeof *frags);
    frag_len = xmalloc((size_t)o.alerts * sizeof *frag_len);
    char tmp[4096];
    for (long i = 0; i < o.alerts; i++) {
        long id = o.first + i;
        int n = snprintf(tmp, sizeof tmp,
                         "{\"labels\":{\"alertname\":\"BenchAlert%ld\",\"instance\":"
                         "\"host-%07ld:9100\",\"job\":\"bench\"",
                         id % 10, id);
        for (long l = 3; l < o.labels; l++) {
            if (l == 3)
                n += snprintf(tmp + n, sizeof tmp - (size_t)n, ",\"severity\":\"%s\"",
                              sev[id % 3]);
            else
                n += snprintf(tmp + n, sizeof tmp - (size_t)n,
                              ",\"label%ld\":\"value-%ld-%ld\"", l, l, id % 97);
        }
        n += snprintf(tmp + n, sizeof tmp - (size_t)n,
                      "},\"annotations\":{\"summary\":\"bench alert %ld\",\"description\":"
                      "\"synthetic alert from bench/loadgen for ingest measurements\"},"
                      "\"generatorURL\":\"http://127.0.0.1:9090/graph?g0.expr=up%%3D%%3D0\","
                      "\"startsAt\":\"%s\",\"endsAt\":",
                      id, ts_start);
        if (n <= 0 || (size_t)n >= sizeof tmp)
            die("alert %ld does not fit the render buffer", id);
        frags[i] = xmalloc((size_t)n);
        memcpy(frags[i], tmp, (size_t)n);
        frag_len[i] = (size_t)n;
    }
}

static void append(char **p, const char *s, size_t n)
{
    memcpy(*p, s, n);
    *p += n;
}

/* Fills c->req with the next batch; returns the number of alerts in it. */
static long build_request(struct conn *c)
{
    long n = o.batch;
    /* both end stamps have the same length: '"' stamp '"}' */
    size_t tail = strlen(ts_end_active) + 3;
    size_t body = 2 + (size_t)(n - 1);
    uint64_t idx0 = cursor;
    for (long i = 0; i < n; i++)
        body += frag_len[(idx0 + (uint64_t)i) % (uint64_t)o.alerts] + tail;
    char head[512];
    int hn = snprintf(head, sizeof head,
                      "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: alertrouter-bench-loadgen\r\n"
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                      o.path, o.host, body);
    free(c->req);
    c->req = xmalloc((size_t)hn + body);
    char *p = c->req;
    append(&p, head, (size_t)hn);
    char *body_start = p;
    *p++ = '[';
    uint64_t thr = (uint64_t)(o.resolved * 18446744073709551615.0);
    for (long i = 0; i < n; i++) {
        size_t k = (size_t)((cursor++) % (uint64_t)o.alerts);
        if (i)
            *p++ = ',';
        append(&p, frags[k], frag_len[k]);
        const char *end = (o.resolved > 0 && xorshift() <= thr) ? ts_end_resolved
                                                                 : ts_end_active;
        *p++ = '"';
        append(&p, end, strlen(end));
        append(&p, "\"}", 2);
    }
    *p++ = ']';
    if ((size_t)(p - body_start) != body)
        die("internal: body length %zu, announced %zu", (size_t)(p - body_start), body);
    c->req_len = (size_t)(p - c->req);
    c->req_off = 0;
    return n;
}

/* ---- connections ------------------------------------------------------- */

static struct conn conns[MAX_CONNS];

static int want_more(uint64_t deadline)
{
    if (o.requests && issued >= (uint64_t)o.requests)
        return 0;
    return now_ns() < deadline;
}

static void conn_close(struct conn *c)
{
    if (c->fd >= 0) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
    c->rlen = 0;
    c->batch = 0;
}

static void watch(struct conn *c, int op, uint32_t ev)
{
    struct epoll_event e = {.events = ev, .data.ptr = c};
    if (epoll_ctl(epfd, op, c->fd, &e) < 0)
        die("epoll_ctl: %s", strerror(errno));
}

static int conn_open(struct conn *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        die("socket: %s", strerror(errno));
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->connecting = 1;
    if (connect(c->fd, (struct sockaddr *)&o.addr, sizeof o.addr) < 0 &&
        errno != EINPROGRESS) {
        close(c->fd);
        c->fd = -1;
        st.err_connect++;
        return -1;
    }
    watch(c, EPOLL_CTL_ADD, EPOLLOUT);
    return 0;
}

static void try_send(struct conn *c)
{
    while (c->req_off < c->req_len) {
        ssize_t w = write(c->fd, c->req + c->req_off, c->req_len - c->req_off);
        if (w < 0 && errno == EAGAIN) {
            watch(c, EPOLL_CTL_MOD, EPOLLOUT);
            return;
        }
        if (w <= 0) {
            st.err_reset++;
            conn_close(c);
            return;
        }
        c->req_off += (size_t)w;
    }
    watch(c, EPOLL_CTL_MOD, EPOLLIN);
}

static void start_request(struct conn *c)
{
    c->batch = build_request(c);
    st.sent_alerts += (uint64_t)c->batch;
    issued++;
    c->rlen = 0;
    c->t_start = now_ns();
    try_send(c);
}

/* Chunked body: returns bytes consumed for a complete body, 0 if more
 * bytes are needed, -1 if malformed.  Responses here are small, so we
 * rescan from the start on every read rather than keep a state machine. */
static long chunked_len(const char *p, size_t n)
{
    size_t off = 0;
    for (;;) {
        const char *eol = memmem(p + off, n - off, "\r\n", 2);
        if (!eol)
            return 0;
        char *end;
        unsigned long sz = strtoul(p + off, &end, 16);
        if (end == p + off)
            return -1;
        off = (size_t)(eol - p) + 2;
        if (sz == 0) { /* no trailers expected: just the final CRLF */
            if (n - off < 2)
                return 0;
            return (long)(off + 2);
        }
        if (n - off < sz + 2)
            return 0;
        off += sz + 2;
    }
}

static const char *find_header(const char *h, size_t hlen, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = h; p + nl < h + hlen; p++)
        if ((p == h || p[-1] == '\n') && strncasecmp(p, name, nl) == 0)
            return p + nl;
    return NULL;
}

/* Returns 1 when a whole response is in c->rbuf (and records it), 0 when
 * more bytes are needed, -1 on a protocol error. */
static int parse_response(struct conn *c, int *keep)
{
    const char *hend = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
    if (!hend)
        return c->rlen > 65536 ? -1 : 0;
    size_t hlen = (size_t)(hend - c->rbuf) + 4;
    if (c->rlen < 12 || strncmp(c->rbuf, "HTTP/1.", 7) != 0)
        return -1;
    int status = (int)strtol(c->rbuf + 9, NULL, 10);
    if (status < 100 || status >= MAX_STATUS)
        return -1;
    const char *cl = find_header(c->rbuf, hlen, "content-length:");
    const char *te = find_header(c->rbuf, hlen, "transfer-encoding:");
    const char *cn = find_header(c->rbuf, hlen, "connection:");
    *keep = !(cn && strncasecmp(cn + strspn(cn, " "), "close", 5) == 0);
    size_t body_len;
    if (cl) {
        body_len = strtoul(cl, NULL, 10);
        if (c->rlen < hlen + body_len)
            return 0;
    } else if (te && strncasecmp(te + strspn(te, " "), "chunked", 7) == 0) {
        long r = chunked_len(c->rbuf + hlen, c->rlen - hlen);
        if (r <= 0)
            return (int)r;
        body_len = (size_t)r;
    } else if (status == 204 || status == 304) {
        body_len = 0;
    } else {
        return -1; /* read-until-close bodies: not something these servers send */
    }
    st.status[status]++;
    st.done++;
    histo_add(&st.lat, now_ns() - c->t_start);
    if (status / 100 == 2) {
        st.ok_alerts += (uint64_t)c->batch;
    } else if (!st.first_err[0]) {
        size_t n = body_len < sizeof st.first_err - 1 ? body_len : sizeof st.first_err - 1;
        memcpy(st.first_err, c->rbuf + hlen, n);
        st.first_err[n] = 0;
        for (size_t i = 0; i < n; i++) /* one line, even if chunked or multi-line */
            if ((unsigned char)st.first_err[i] < 0x20)
                st.first_err[i] = ' ';
    }
    c->batch = 0;
    return 1;
}

static void on_readable(struct conn *c, uint64_t deadline)
{
    for (;;) {
        if (c->rlen == RBUF_CAP) {
            st.err_parse++;
            conn_close(c);
            return;
        }
        ssize_t r = read(c->fd, c->rbuf + c->rlen, RBUF_CAP - c->rlen);
        if (r < 0 && errno == EAGAIN)
            return;
        if (r <= 0) {
            st.err_reset++;
            conn_close(c);
            return;
        }
        c->rlen += (size_t)r;
        int keep = 1;
        int pr = parse_response(c, &keep);
        if (pr < 0) {
            st.err_parse++;
            conn_close(c);
            return;
        }
        if (pr == 1) {
            if (!keep) { /* an orderly close is not a failure: no budget spent */
                conn_close(c);
                if (want_more(deadline))
                    conn_open(c);
                return;
            }
            c->rlen = 0;
            if (want_more(deadline))
                start_request(c);
            return;
        }
    }
}

static void on_event(struct conn *c, uint32_t ev, uint64_t deadline)
{
    if (c->connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err || (ev & (EPOLLERR | EPOLLHUP))) {
            st.err_connect++;
            conn_close(c);
            return;
        }
        c->connecting = 0;
        if (want_more(deadline))
            start_request(c);
        else
            conn_close(c);
        return;
    }
    if (ev & EPOLLOUT)
        try_send(c);
    else if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))
        on_readable(c, deadline);
}

/* ---- main -------------------------------------------------------------- */

static int active_conns(void)
{
    int n = 0;
    for (long i = 0; i < o.conns; i++)
        if (conns[i].fd >= 0)
            n++;
    return n;
}

int main(int argc, char **argv)
{
    parse_opts(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    build_fragments();
    histo_init(&st.lat);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1: %s", strerror(errno));

    uint64_t t0 = now_ns();
    uint64_t deadline = t0 + (uint64_t)(o.duration * 1e9);
    uint64_t tmo = (uint64_t)(o.timeout * 1e9);
    for (long i = 0; i < o.conns; i++) {
        conns[i].fd = -1;
        conns[i].rbuf = xmalloc(RBUF_CAP);
    }
    /* A connection that failed (refused, reset, timed out) is reopened, but
     * at most 3 times per connection over the whole run, so a dead target
     * ends the run fast. */
    long reopen_budget = 3 * o.conns;
    for (long i = 0; i < o.conns; i++)
        conn_open(&conns[i]);

    struct epoll_event evs[256];
    uint64_t t_last = t0;
    for (;;) {
        uint64_t now = now_ns();
        int more = want_more(deadline);
        /* reopen closed connections while there is work left */
        for (long i = 0; more && i < o.conns; i++)
            if (conns[i].fd < 0 && reopen_budget > 0) {
                reopen_budget--;
                conn_open(&conns[i]);
            }
        /* per-request timeout: close the connection, count it */
        for (long i = 0; i < o.conns; i++) {
            struct conn *c = &conns[i];
            if (c->fd >= 0 && c->batch && now - c->t_start > tmo) {
                st.err_timeout++;
                conn_close(c);
            }
        }
        int busy = 0;
        for (long i = 0; i < o.conns; i++)
            if (conns[i].fd >= 0 && (conns[i].batch || (more && conns[i].connecting)))
                busy = 1;
        if (!busy) {
            if (!more || active_conns() == 0)
                break;
            /* connected but idle with work left: (re)start requests */
            for (long i = 0; i < o.conns && want_more(deadline); i++)
                if (conns[i].fd >= 0 && !conns[i].connecting && !conns[i].batch)
                    start_request(&conns[i]);
            continue;
        }
        if (now > deadline + tmo + 1000000000ull)
            break; /* hard stop: never run past duration + timeout + 1 s */
        int n = epoll_wait(epfd, evs, 256, 50);
        if (n < 0 && errno != EINTR)
            die("epoll_wait: %s", strerror(errno));
        now = now_ns();
        for (int i = 0; i < n; i++)
            on_event(evs[i].data.ptr, evs[i].events, deadline);
        if (n > 0)
            t_last = now;
    }
    uint64_t t_end = st.done ? t_last : now_ns();
    double secs = (double)(t_end - t0) / 1e9;
    if (secs <= 0)
        secs = 1e-9;
    for (long i = 0; i < o.conns; i++)
        conn_close(&conns[i]);

    uint64_t ok = 0, bad = 0;
    for (int s = 0; s < MAX_STATUS; s++)
        *(s / 100 == 2 ? &ok : &bad) += st.status[s];
    double p50 = histo_quantile(&st.lat, 0.50) / 1e3, p90 = histo_quantile(&st.lat, 0.90) / 1e3;
    double p99 = histo_quantile(&st.lat, 0.99) / 1e3, pmax = (double)st.lat.max / 1e3;
    printf("target        http://%s%s\n", o.host, o.path);
    printf("run           %.3f s, %ld conns, batch %ld, %ld distinct alerts from #%ld, "
           "%ld labels, resolved %.2f\n",
           secs, o.conns, o.batch, o.alerts, o.first, o.labels, o.resolved);
    printf("requests      %llu done (%llu 2xx, %llu other), %.1f req/s\n",
           (unsigned long long)st.done, (unsigned long long)ok, (unsigned long long)bad,
           (double)st.done / secs);
    printf("alerts        %llu accepted, %.1f alerts/s\n", (unsigned long long)st.ok_alerts,
           (double)st.ok_alerts / secs);
    printf("latency us    p50 %.0f  p90 %.0f  p99 %.0f  max %.0f\n", p50, p90, p99, pmax);
    printf("errors        connect %llu, reset %llu, timeout %llu, parse %llu\n",
           (unsigned long long)st.err_connect, (unsigned long long)st.err_reset,
           (unsigned long long)st.err_timeout, (unsigned long long)st.err_parse);
    for (int s = 0; s < MAX_STATUS; s++)
        if (st.status[s] && s / 100 != 2)
            printf("status %d    %llu\n", s, (unsigned long long)st.status[s]);
    if (st.first_err[0] && o.verbose)
        printf("first error   %s\n", st.first_err);

    printf("RESULT secs=%.3f requests=%llu ok=%llu bad=%llu alerts=%llu rps=%.1f aps=%.1f "
           "p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f err_connect=%llu err_reset=%llu "
           "err_timeout=%llu err_parse=%llu",
           secs, (unsigned long long)st.done, (unsigned long long)ok, (unsigned long long)bad,
           (unsigned long long)st.ok_alerts, (double)st.done / secs,
           (double)st.ok_alerts / secs, p50, p90, p99, pmax,
           (unsigned long long)st.err_connect, (unsigned long long)st.err_reset,
           (unsigned long long)st.err_timeout, (unsigned long long)st.err_parse);
    for (int s = 0; s < MAX_STATUS; s++)
        if (st.status[s])
            printf(" status_%d=%llu", s, (unsigned long long)st.status[s]);
    printf("\n");
    /* 0: every request answered 2xx; 1: some failed; 3: none succeeded */
    if (ok == 0)
        return 3;
    return (bad || st.err_connect || st.err_reset || st.err_timeout || st.err_parse) ? 1 : 0;
}
