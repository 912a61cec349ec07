/* http_listen.h -- where the HTTP server listens and under which path.
 *
 * Turns Alertmanager's --web.listen-address, --web.external-url and
 * --web.route-prefix into a bound socket and a route prefix, with Go's
 * meanings: ":9093" is every interface (IPv6 and IPv4 when the host has
 * IPv6), "[::1]:9093" and "127.0.0.1:9093" one address, "host:9093" the
 * first address the host name resolves to.  Runs once at start-up, before
 * the loop, so the blocking name lookup is acceptable here. */
#ifndef ROUTER_HTTP_LISTEN_H
#define ROUTER_HTTP_LISTEN_H

#include <stddef.h>

#include "buf.h"

/* Splits "host:port" into new strings (free both).  host is "" for
 * ":port"; brackets are removed from "[v6]:port".  The port must be a
 * number 0..65535.  Returns 0, or -1 with err. */
int http_listen_split(const char *addr, char **host, char **port, struct errbuf *err);

/* Opens a non-blocking, close-on-exec listening TCP socket on addr with
 * SO_REUSEADDR.  On success returns the fd and writes the bound address
 * ("127.0.0.1:9093", "[::]:9093") into bound.  Returns -1 with err
 * ("listen tcp 127.0.0.1:9093: bind: Address already in use"). */
int http_listen_open(const char *addr, int backlog, char *bound, size_t boundlen,
                     struct errbuf *err);

/* The route prefix as Alertmanager computes it: --web.route-prefix if
 * given, else the path of --web.external-url, else "/"; then "/" + the
 * path trimmed of slashes.  Returned without the trailing slash, so "/"
 * becomes "" (a new string; free it).  An external URL must be absolute
 * http(s); anything else: NULL with err. */
char *http_route_prefix(const char *route_prefix, const char *external_url, struct errbuf *err);

#endif
