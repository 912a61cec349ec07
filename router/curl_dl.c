/* curl_dl.c -- dlopen()s libcurl and resolves the functions the router
 * calls into one table; see curl_dl.h for why it is not linked.
 *
 * Everything is checked before anything is used: every symbol must resolve
 * and the library must be new enough and able to do TLS, asynchronous DNS,
 * HTTP(S) and SMTP(S), so a wrong library fails here with one line instead
 * of at the first send that needs what it lacks.  Only then does
 * curl_global_init() run and the table become visible. */
#include "curl_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

struct curl_dl_fns curl_dl;

#define FN(name) {"curl_" #name, offsetof(struct curl_dl_fns, name)}
static const struct {
    const char *sym;
    size_t off;
} fns[] = {
    FN(global_init),      FN(global_cleanup),     FN(version_info),
    FN(free),             FN(easy_init),          FN(easy_cleanup),
    FN(easy_setopt),      FN(easy_getinfo),       FN(easy_strerror),
    FN(multi_init),       FN(multi_cleanup),      FN(multi_setopt),
    FN(multi_add_handle), FN(multi_remove_handle), FN(multi_socket_action),
    FN(multi_info_read),  FN(multi_assign),       FN(multi_strerror),
    FN(share_init),       FN(share_setopt),       FN(share_cleanup),
    FN(slist_append),     FN(slist_free_all),     FN(url),
    FN(url_cleanup),      FN(url_set),            FN(url_get),
};
#undef FN

/* A member of the struct missing from fns[] would stay NULL and crash at
 * its first call; this catches it at build time.  POSIX guarantees that a
 * data pointer (dlsym's result) can hold a function pointer. */
_Static_assert(sizeof fns / sizeof fns[0] * sizeof(void (*)(void)) == sizeof(struct curl_dl_fns),
               "curl_dl.c: fns[] must name every member of struct curl_dl_fns");
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function pointers fit in void *");

static enum { DL_NOT_TRIED, DL_LOADED, DL_FAILED } state;
static struct errbuf failure; /* why, when DL_FAILED */
static double load_ms;        /* how long open_and_init() took */

/* The background load (curl_dl_preload).  The thread writes only pre.rc,
 * `failure`, `load_ms` and the table; the loop thread reads them after
 * pthread_join(), which orders the writes before the reads.  `state` is the
 * loop thread's alone. */
static struct {
    bool running; /* started and not yet joined */
    pthread_t tid;
    const char *file;
    int rc;
} pre;

static bool has_protocol(const curl_version_info_data *v, const char *name)
{
    for (const char *const *p = v->protocols; p && *p; p++)
        if (strcmp(*p, name) == 0)
            return true;
    return false;
}

int curl_dl_check(const curl_version_info_data *v, struct errbuf *err)
{
    const char *ver = v->version ? v->version : "?";
    if (v->version_num < CURL_DL_MIN_VERSION) {
        errbuf_set(err, "libcurl %s is too old: alertrouter needs " CURL_DL_MIN_VERSION_STR
                        " or later", ver);
        return -1;
    }
    if (!(v->features & CURL_VERSION_SSL) || v->ssl_version == NULL) {
        errbuf_set(err, "libcurl %s was built without TLS support", ver);
        return -1;
    }
    if (!(v->features & CURL_VERSION_ASYNCHDNS)) {
        errbuf_set(err, "libcurl %s was built without asynchronous DNS (a lookup would block "
                        "the event loop)", ver);
        return -1;
    }
    static const char *const need[] = {"http", "https", "smtp", "smtps"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        if (!has_protocol(v, need[i])) {
            errbuf_set(err, "libcurl %s was built without %s support", ver, need[i]);
            return -1;
        }
    }
    return 0;
}

/* Fills `t` from the library at `h`; -1 naming the first missing symbol. */
static int resolve(void *h, const char *file, struct curl_dl_fns *t, struct errbuf *err)
{
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        dlerror();
        void *p = dlsym(h, fns[i].sym);
        if (p == NULL) {
            const char *why = dlerror();
            errbuf_set(err, "%s has no %s%s%s", file, fns[i].sym, why ? ": " : "", why ? why : "");
            return -1;
        }
        memcpy((char *)t + fns[i].off, &p, sizeof p);
    }
    return 0;
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int load_library(const char *file, struct errbuf *err)
{
    void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *why = dlerror();
        errbuf_set(err, "cannot load libcurl: %s", why ? why : file);
        return -1;
    }
    struct curl_dl_fns t;
    if (resolve(h, file, &t, err) < 0 || curl_dl_check(t.version_info(CURLVERSION_NOW), err) < 0) {
        /* No curl code has run beyond curl_version_info: safe to unmap. */
        dlclose(h);
        return -1;
    }
    if (t.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        /* Half-initialised TLS state may point into the library: keep it. */
        errbuf_set(err, "curl_global_init failed");
        return -1;
    }
    curl_dl = t;
    return 0;
}

static int open_and_init(const char *file, struct errbuf *err)
{
    double t0 = mono_ms();
    int rc = load_library(file, err);
    load_ms = mono_ms() - t0;
    return rc;
}

static void *preload_main(void *arg)
{
    (void)arg;
    pre.rc = open_and_init(pre.file, &failure);
    return NULL;
}

void curl_dl_preload_from(const char *file)
{
    if (state != DL_NOT_TRIED || pre.running)
        return;
    pre.file = file;
    /* The thread starts with every signal blocked, so SIGTERM/SIGHUP are
     * always taken by the loop thread, whose handlers expect it. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    /* Without a thread (resource limits) the first send loads it inline. */
    if (pthread_create(&pre.tid, NULL, preload_main, NULL) == 0)
        pre.running = true;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void curl_dl_preload(void)
{
    curl_dl_preload_from(CURL_DL_SONAME);
}

/* Adopts the background load's outcome; waits for it if still running. */
static void join_preload(void)
{
    if (!pre.running)
        return;
    pthread_join(pre.tid, NULL);
    pre.running = false;
    state = pre.rc == 0 ? DL_LOADED : DL_FAILED;
}

bool curl_dl_preload_done(void)
{
    return !pre.running;
}

double curl_dl_load_ms(void)
{
    return load_ms;
}

int curl_dl_load_from(const char *file, struct errbuf *err)
{
    join_preload();
    if (state == DL_NOT_TRIED)
        state = open_and_init(file, &failure) == 0 ? DL_LOADED : DL_FAILED;
    if (state == DL_LOADED)
        return 0;
    *err = failure;
    return -1;
}

int curl_dl_load(struct errbuf *err)
{
    return curl_dl_load_from(CURL_DL_SONAME, err);
}

bool curl_dl_loaded(void)
{
    return !pre.running && state == DL_LOADED;
}

void curl_dl_cleanup(void)
{
    join_preload();
    if (state != DL_LOADED)
        return;
    curl_dl.global_cleanup();
    /* A later curl_dl_load() initialises again (dlopen only counts up). */
    memset(&curl_dl, 0, sizeof curl_dl);
    state = DL_NOT_TRIED;
}
