/* test_http_server.c -- the handler API on a real server in-process:
 * routing (exact, longest prefix, any method, 404/405 styles), request
 * accessors (subpath, repeated query parameters, headers, body, client
 * address, arena), answers (copy, take, extra headers, missing answer),
 * and the body cap.  The loop runs on the test thread; a client thread
 * speaks raw HTTP/1.1 over 127.0.0.1 and wakes the loop when done. */
#include <arpa/inet.h>
#include <ev.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_main.h"
#include "http_server.h"
#include "metrics.h"

#define NREQ 11

static const char *requests[NREQ] = {
    "GET /p/echo?q=%20x&filter=a&filter=b&flag&plus=a+b HTTP/1.1\r\nHost: t\r\nX-H: v\r\n\r\n",
    "POST /p/items/abc HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
    "POST /p/items/special/xyz HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
    "DELETE /p/any HTTP/1.1\r\nHost: t\r\n\r\n",
    "GET /p/noreply HTTP/1.1\r\nHost: t\r\n\r\n",
    "GET /p/take HTTP/1.1\r\nHost: t\r\n\r\n",
    "PUT /p/echo HTTP/1.1\r\nHost: t\r\n\r\n",
    "GET /p/api/%22%3C%ff HTTP/1.1\r\nHost: t\r\n\r\n",
    "DELETE /p/api/things HTTP/1.1\r\nHost: t\r\n\r\n",
    "POST /p/items/abc HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n\r\n",
    "POST /p/items/chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
    "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
};

struct client {
    int port;
    char *resp[NREQ];
    ev_async done;
    struct ev_loop *loop;
};

static int collect(void *ud, const char *name, const char *value)
{
    struct buf *b = ud;
    buf_printf(b, "%s%s=%s", b->len ? "," : "", name, value ? value : "(null)");
    return 0;
}

static void on_echo(struct http_req *r, void *ud)
{
    struct buf b = BUF_INIT;
    http_req_query_each(r, collect, &b);
    char *scratch = http_req_strdup(r, "arena");
    const char *remote = http_req_remote(r);
    char out[512];
    snprintf(out, sizeof out, "%s %s sub=[%s] q=[%s] flag=[%s] all=[%s] h=%s %s remote=%d",
             http_req_method(r), http_req_path(r), http_req_subpath(r), http_req_query(r, "q"),
             http_req_query(r, "flag"), buf_str(&b), http_req_header(r, "x-h"), scratch,
             strncmp(remote, "127.0.0.1:", 10) == 0);
    buf_deinit(&b);
    http_reply_text(r, 200, out);
}

static void on_items(struct http_req *r, void *ud)
{
    size_t len;
    const char *body = http_req_body(r, &len);
    char out[256];
    snprintf(out, sizeof out, "%s:%s:%zu:%s", (const char *)ud, http_req_subpath(r), len, body);
    http_reply(r, 201, "text/plain", out, strlen(out));
    ck_assert_int_eq(http_reply_text(r, 500, "second"), -1); /* first answer wins */
}

static void on_any(struct http_req *r, void *ud)
{
    http_reply_text(r, 200, http_req_method(r));
}

static void on_noreply(struct http_req *r, void *ud)
{
}

static void on_take(struct http_req *r, void *ud)
{
    http_reply_header(r, "X-Test", "yes");
    http_reply_take(r, 200, "application/json", strdup("{\"taken\":true}"), 14);
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* One request per connection; reads one response (headers + Content-Length). */
static void *client_main(void *arg)
{
    struct client *c = arg;
    for (int i = 0; i < NREQ; i++) {
        int fd = connect_to(c->port);
        if (fd < 0)
            continue;
        if (write(fd, requests[i], strlen(requests[i])) < 0) {
            close(fd);
            continue;
        }
        char buf[4096];
        size_t n = 0;
        for (int k = 0; k < 100 && n < sizeof buf - 1; k++) {
            ssize_t got = read(fd, buf + n, sizeof buf - 1 - n);
            if (got <= 0)
                break;
            n += (size_t)got;
            buf[n] = '\0';
            char *end = strstr(buf, "\r\n\r\n");
            char *cl = strstr(buf, "Content-Length: ");
            if (end && cl && (size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10) <= n)
                break;
        }
        buf[n] = '\0';
        c->resp[i] = strdup(buf);
        close(fd);
    }
    ev_async_send(c->loop, &c->done);
    return NULL;
}

static void on_done(EV_P_ ev_async *w, int revents)
{
    ev_break(EV_A_ EVBREAK_ALL);
}

static void on_watchdog(EV_P_ ev_timer *w, int revents)
{
    ev_break(EV_A_ EVBREAK_ALL);
}

static void expect(const char *resp, const char *what)
{
    ck_assert_msg(resp && strstr(resp, what), "expected [%s] in [%s]", what, resp ? resp : "");
}

START_TEST(handler_api)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_server_opts o = {.listen_address = "127.0.0.1:0",
                                 .route_prefix = "/p",
                                 .body_limit = 1024,
                                 .max_connections = 16,
                                 .max_connections_per_ip = 16,
                                 .idle_timeout_s = 5,
                                 .header_timeout_s = 5};
    struct errbuf err;
    struct http_server *s = http_server_new(loop, &o, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    http_server_route(s, "GET", "/echo", HTTP_EXACT, on_echo, NULL);
    http_server_route(s, "POST", "/items/", HTTP_PREFIX, on_items, "items");
    http_server_route(s, "POST", "/items/special/", HTTP_PREFIX, on_items, "special");
    http_server_route(s, NULL, "/any", HTTP_EXACT, on_any, NULL);
    http_server_route(s, "GET", "/noreply", HTTP_EXACT, on_noreply, NULL);
    http_server_route(s, "GET", "/take", HTTP_EXACT, on_take, NULL);
    http_server_route(s, "GET", "/api/things", HTTP_EXACT, on_any, NULL);
    http_server_route(s, "POST", "/api/things", HTTP_EXACT, on_any, NULL);
    http_server_json_errors(s, "/api/");

    static struct client c;
    memset(&c, 0, sizeof c);
    const char *addr = http_server_address(s);
    c.port = (int)strtol(strrchr(addr, ':') + 1, NULL, 10);
    c.loop = loop;
    ev_async_init(&c.done, on_done);
    ev_async_start(loop, &c.done);
    ev_timer dog;
    ev_timer_init(&dog, on_watchdog, 3.0, 0.0);
    ev_timer_start(loop, &dog);
    pthread_t th;
    pthread_create(&th, NULL, client_main, &c);
    ev_run(loop, 0);
    pthread_join(th, NULL);

    expect(c.resp[0], "HTTP/1.1 200");
    expect(c.resp[0],
           "GET /echo sub=[] q=[ x] flag=[] all=[q= x,filter=a,filter=b,flag=(null),plus=a b] "
           "h=v arena remote=1");
    expect(c.resp[1], "HTTP/1.1 201");
    expect(c.resp[1], "items:abc:5:hello");
    expect(c.resp[2], "special:xyz:0:"); /* longest prefix wins */
    expect(c.resp[3], "\r\n\r\nDELETE");
    expect(c.resp[4], "HTTP/1.1 500");
    expect(c.resp[5], "X-Test: yes");
    expect(c.resp[5], "{\"taken\":true}");
    expect(c.resp[6], "HTTP/1.1 405");
    expect(c.resp[6], "Allow: GET, HEAD, OPTIONS");
    expect(c.resp[7], "HTTP/1.1 404");
    expect(c.resp[7], "{\"code\":404,\"message\":\"path /api/\\\"\\u003c\\ufffd was not found\"}");
    expect(c.resp[8], "HTTP/1.1 405");
    expect(c.resp[8], "Allow: GET,POST");
    expect(c.resp[8],
           "{\"code\":405,\"message\":\"method DELETE is not allowed, but [GET,POST] are\"}");
    expect(c.resp[9], "HTTP/1.1 413");
    expect(c.resp[10], "items:chunked:5:abcde");
    for (int i = 0; i < NREQ; i++)
        free(c.resp[i]);

    /* Alertmanager's HTTP histograms: route pattern, lower-case method;
     * the OpenAPI area is not instrumented. */
    struct buf m = BUF_INIT;
    metrics_render(&m);
    expect(
        m.p,
        "alertmanager_http_request_duration_seconds_count{handler=\"/echo\",method=\"get\"} 1\n");
    expect(m.p,
           "alertmanager_http_response_size_bytes_count{handler=\"/items/\",method=\"post\"} 2\n");
    expect(m.p,
           "alertmanager_http_response_size_bytes_count{handler=\"/any\",method=\"delete\"} 1\n");
    ck_assert_ptr_null(strstr(m.p, "handler=\"/api/things\""));
    buf_deinit(&m);
    http_server_free(s);
    ev_loop_destroy(loop);
}
END_TEST

Suite *http_server_suite(void)
{
    Suite *s = suite_create("http_server");
    TCase *tc = tcase_create("api");
    tcase_add_test(tc, handler_api);
    suite_add_tcase(s, tc);
    return s;
}
