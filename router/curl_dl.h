/* curl_dl.h -- libcurl, loaded with dlopen() on first use instead of linked.
 *
 * Linking libcurl makes every start of the process map its ~30 dependencies
 * (OpenSSL, GnuTLS via librtmp, Kerberos, LDAP, libssh2, nghttp2, ...): about
 * 5 ms of page faults before main() and several MB of RSS, paid even by
 * `--check-config` and by a router whose receivers send nothing.  So, as
 * systemd does for its optional libraries, the binary links only libdl and
 * loads libcurl the first time something must go out: the first outbound
 * request (http_client.c) and `--version`.  Loading takes ~5 ms (page faults
 * mapping the libraries, OpenSSL's initialisation); done inline at the first
 * send it would block the loop that long and delay every request and timer
 * behind it, so the server starts it at once on a one-shot thread
 * (curl_dl_preload) that only loads and exits: the loop keeps serving, and
 * the first send finds the table ready (or waits for the rest of the load
 * if it comes within those first milliseconds).
 *
 * <curl/curl.h> is still compiled against: types, CURLE_ codes and option
 * names are fixed at build time; only the functions come from the table
 * below.  Calls look like curl_dl.easy_setopt(e, CURLOPT_URL, url).  The
 * table is filled by curl_dl_load() and must not be used before it returned
 * 0 (calling through it earlier is a NULL call: a programming error).
 *
 * Calls through the table lose the compile-time type check of option values
 * that curl's typecheck-gcc.h gives direct calls: long options need long
 * values (1L), curl_off_t ones curl_off_t. */
#ifndef ROUTER_CURL_DL_H
#define ROUTER_CURL_DL_H

#include <curl/curl.h>
#include <stdbool.h>

#include "buf.h"

/* The SONAME of libcurl 7.16 and later, whatever its TLS backend. */
#define CURL_DL_SONAME "libcurl.so.4"

/* 7.85.0: CURLOPT_PROTOCOLS_STR and CURLOPT_REDIR_PROTOCOLS_STR. */
#define CURL_DL_MIN_VERSION 0x075500
#define CURL_DL_MIN_VERSION_STR "7.85.0"

/* Every libcurl function the router calls.  Adding a call elsewhere means
 * adding its pointer here and its name in curl_dl.c (a static assertion
 * there counts them). */
struct curl_dl_fns {
    __typeof__(curl_global_init) *global_init;
    __typeof__(curl_global_cleanup) *global_cleanup;
    __typeof__(curl_version_info) *version_info;
    __typeof__(curl_free) *free;
    __typeof__(curl_easy_init) *easy_init;
    __typeof__(curl_easy_cleanup) *easy_cleanup;
    __typeof__(curl_easy_setopt) *easy_setopt;
    __typeof__(curl_easy_getinfo) *easy_getinfo;
    __typeof__(curl_easy_strerror) *easy_strerror;
    __typeof__(curl_multi_init) *multi_init;
    __typeof__(curl_multi_cleanup) *multi_cleanup;
    __typeof__(curl_multi_setopt) *multi_setopt;
    __typeof__(curl_multi_add_handle) *multi_add_handle;
    __typeof__(curl_multi_remove_handle) *multi_remove_handle;
    __typeof__(curl_multi_socket_action) *multi_socket_action;
    __typeof__(curl_multi_info_read) *multi_info_read;
    __typeof__(curl_multi_assign) *multi_assign;
    __typeof__(curl_multi_strerror) *multi_strerror;
    __typeof__(curl_share_init) *share_init;
    __typeof__(curl_share_setopt) *share_setopt;
    __typeof__(curl_share_cleanup) *share_cleanup;
    __typeof__(curl_slist_append) *slist_append;
    __typeof__(curl_slist_free_all) *slist_free_all;
    __typeof__(curl_url) *url;
    __typeof__(curl_url_cleanup) *url_cleanup;
    __typeof__(curl_url_set) *url_set;
    __typeof__(curl_url_get) *url_get;
};

/* Filled by curl_dl_load(); all NULL before. */
extern struct curl_dl_fns curl_dl;

/* Loads CURL_DL_SONAME, resolves the table, checks the version and
 * features (curl_dl_check()) and runs curl_global_init().  Returns 0, at
 * once when already loaded; or -1 with *err set to one line naming what is
 * missing.  A failure is remembered: later calls fail alike without trying
 * again, so a broken installation costs one dlopen(), not one per send.
 * Not thread-safe (one loop thread). */
int curl_dl_load(struct errbuf *err);

/* curl_dl_load() with another file name or path; for tests. */
int curl_dl_load_from(const char *file, struct errbuf *err);

/* Starts loading on a background thread and returns at once; the next
 * curl_dl_load() joins it (waiting only if it is still running) and
 * returns its outcome.  Does nothing when already loaded, failed or
 * started.  If the thread cannot be created, curl_dl_load() loads inline.
 * The thread calls no curl function but curl_version_info and
 * curl_global_init, and the loop thread calls none before the join. */
void curl_dl_preload(void);
void curl_dl_preload_from(const char *file);
/* True unless a background load was started and not yet joined. */
bool curl_dl_preload_done(void);
/* How long the last load (dlopen, symbols, checks, curl_global_init) took,
 * on whichever thread ran it; for the log line. */
double curl_dl_load_ms(void);

/* Loaded and joined: the table may be used. */
bool curl_dl_loaded(void);

/* 0 if the library `v` describes can do what the router needs (version >=
 * CURL_DL_MIN_VERSION, TLS, asynchronous DNS so a lookup never blocks the
 * loop, and http, https, smtp and smtps); else -1 with *err set. */
int curl_dl_check(const curl_version_info_data *v, struct errbuf *err);

/* Undoes curl_dl_load() at exit: curl_global_cleanup() if loaded, and the
 * table is emptied (a later curl_dl_load() initialises again).  The library
 * stays mapped: OpenSSL's exit handlers live in it. */
void curl_dl_cleanup(void);

#endif
