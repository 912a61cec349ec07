/* http_listen.c -- see http_listen.h.  The listening socket is opened here
 * rather than by MHD so that the address rules are Go's (dual-stack
 * wildcard, IPv4 first for host names) and a failure says exactly which
 * step failed on which address. */
#include "http_listen.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mem.h"

int http_listen_split(const char *addr, char **host, char **port, struct errbuf *err)
{
    const char *colon, *h = addr;
    size_t hlen;
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (!close || close[1] != ':') {
            errbuf_set(err, "address %s: missing port in address", addr);
            return -1;
        }
        h = addr + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon) {
            errbuf_set(err, "address %s: missing port in address", addr);
            return -1;
        }
        hlen = (size_t)(colon - addr);
        if (memchr(addr, ':', hlen)) {
            errbuf_set(err, "address %s: too many colons in address", addr);
            return -1;
        }
    }
    const char *p = colon + 1;
    char *end;
    errno = 0;
    long n = strtol(p, &end, 10);
    if (!*p || *end || errno || n < 0 || n > 65535 || !isdigit((unsigned char)*p)) {
        errbuf_set(err, "address %s: invalid port \"%s\"", addr, p);
        return -1;
    }
    *host = xstrndup(h, hlen);
    *port = xstrdup(p);
    return 0;
}

/* Formats a socket address the way Go prints one: "1.2.3.4:80", "[::1]:80". */
static void format_addr(const struct sockaddr *sa, socklen_t len, char *out, size_t outlen)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(out, outlen, "?");
        return;
    }
    if (sa->sa_family == AF_INET6)
        snprintf(out, outlen, "[%s]:%s", host, serv);
    else
        snprintf(out, outlen, "%s:%s", host, serv);
}

/* Go's error strings are lower case ("address already in use"). */
static void set_sys_err(struct errbuf *err, const char *addr, const char *op, int e)
{
    errbuf_set(err, "listen tcp %s: %s: %s", addr, op, strerror(e));
    char *p = strstr(err->msg, strerror(e));
    if (p)
        *p = (char)tolower((unsigned char)*p);
}

/* One attempt on one resolved address; -1 with errno-based err. */
static int try_listen(const char *addr, const struct sockaddr *sa, socklen_t salen, int backlog,
                      struct errbuf *err)
{
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        set_sys_err(err, addr, "socket", errno);
        return -1;
    }
    int one = 1, zero = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    /* The IPv6 wildcard also takes IPv4 (as Go's ":port" does). */
    if (sa->sa_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    if (bind(fd, sa, salen) < 0) {
        set_sys_err(err, addr, "bind", errno);
        close(fd);
        return -1;
    }
    if (listen(fd, backlog) < 0) {
        set_sys_err(err, addr, "listen", errno);
        close(fd);
        return -1;
    }
    return fd;
}

int http_listen_open(const char *addr, int backlog, char *bound, size_t boundlen,
                     struct errbuf *err)
{
    char *host, *port;
    if (http_listen_split(addr, &host, &port, err) < 0)
        return -1;
    int fd = -1;
    if (host[0] == '\0') {
        /* Wildcard: dual-stack IPv6 if this host has IPv6, else IPv4. */
        struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
        struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
        s6.sin6_port = s4.sin_port = htons((uint16_t)strtol(port, NULL, 10));
        fd = try_listen(addr, (struct sockaddr *)&s6, sizeof s6, backlog, err);
        if (fd < 0 && (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL))
            fd = try_listen(addr, (struct sockaddr *)&s4, sizeof s4, backlog, err);
    } else {
        struct addrinfo hints = {.ai_family = AF_UNSPEC,
                                 .ai_socktype = SOCK_STREAM,
                                 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
        struct addrinfo *res = NULL;
        int rc = getaddrinfo(host, port, &hints, &res);
        if (rc != 0) {
            errbuf_set(err, "listen tcp %s: lookup %s: %s", addr, host, gai_strerror(rc));
        } else {
            /* Go listens on the first IPv4 address of a name, else the first. */
            const struct addrinfo *pick = res;
            for (const struct addrinfo *ai = res; ai; ai = ai->ai_next)
                if (ai->ai_family == AF_INET) {
                    pick = ai;
                    break;
                }
            fd = try_listen(addr, pick->ai_addr, pick->ai_addrlen, backlog, err);
            freeaddrinfo(res);
        }
    }
    free(host);
    free(port);
    if (fd >= 0) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
            format_addr((struct sockaddr *)&ss, len, bound, boundlen);
        else
            snprintf(bound, boundlen, "%s", addr);
    }
    return fd;
}

/* The path of an absolute http(s) URL ("" when it has none). */
static int url_path(const char *url, const char **path, size_t *len, struct errbuf *err)
{
    const char *sep = strstr(url, "://");
    size_t slen = sep ? (size_t)(sep - url) : 0;
    bool http = (slen == 4 && strncasecmp(url, "http", 4) == 0) ||
                (slen == 5 && strncasecmp(url, "https", 5) == 0);
    if (!http) {
        errbuf_set(err, "\"%s\": invalid \"%.*s\" scheme, only 'http' and 'https' are supported",
                   url, (int)slen, url);
        return -1;
    }
    const char *auth = sep + 3;
    size_t alen = strcspn(auth, "/?#");
    if (alen == 0) {
        errbuf_set(err, "\"%s\": missing host", url);
        return -1;
    }
    *path = auth + alen;
    *len = strcspn(*path, "?#");
    return 0;
}

char *http_route_prefix(const char *route_prefix, const char *external_url, struct errbuf *err)
{
    const char *p = "";
    size_t len = 0;
    if (external_url && *external_url && url_path(external_url, &p, &len, err) < 0)
        return NULL;
    if (route_prefix && *route_prefix) {
        p = route_prefix;
        len = strlen(route_prefix);
    }
    while (len && *p == '/') {
        p++;
        len--;
    }
    while (len && p[len - 1] == '/')
        len--;
    if (len == 0)
        return xstrdup("");
    char *out = xmalloc(len + 2);
    out[0] = '/';
    memcpy(out + 1, p, len);
    out[len + 1] = '\0';
    return out;
}
