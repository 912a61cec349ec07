/* fuzz_api_alerts.c -- libFuzzer target for POST /api/v2/alerts and
 * POST /api/v1/alerts bodies, from bytes to stored alerts.
 *
 * Every alert the router ever sees comes through this path, from any
 * client that can reach the port, so no body may crash it.  The target
 * calls what the handler calls (api_decode_alerts, then api_ingest_alerts
 * into a fresh store), for both versions, on a NUL-terminated writable
 * copy as api_body_copy() gives the handler.  It also checks what the
 * handler relies on: a decode error has a message, and every alert the
 * ingest stored is in the store.
 *
 *   make fuzz FUZZ=api_alerts FUZZ_TIME=60 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../router/api_internal.h"
#include "../router/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    log_set_level("error");
    return 0;
}

static void one(const uint8_t *data, size_t size, int version)
{
    char *body = malloc(size + 1);
    memcpy(body, data, size);
    body[size] = '\0';
    struct api_alerts_body d;
    struct errbuf err;
    err.msg[0] = '\0';
    int rc = api_decode_alerts(body, size, version, &d, &err);
    if (rc == -1 || rc > API_ALERTS_EMPTY) {
        if (err.msg[0] == '\0')
            abort(); /* the handler would answer an empty message */
        if (version == 1 && rc > 0)
            abort(); /* v1 has no schema step */
    }
    if (rc == 0) {
        struct api a;
        memset(&a, 0, sizeof a);
        a.alerts = alert_store_new();
        struct buf msgs = BUF_INIT;
        size_t bad = api_ingest_alerts(&a, &d, &msgs);
        if (bad > d.ne || (bad > 0) != (msgs.len > 0))
            abort();
        size_t n = alert_store_len(a.alerts);
        if (n > d.ne - bad || (d.ne > bad && n == 0))
            abort(); /* the valid ones are stored, same label sets merged */
        buf_deinit(&msgs);
        alert_store_free(a.alerts);
    }
    api_alerts_body_deinit(&d);
    free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    one(data, size, 2);
    one(data, size, 1);
    return 0;
}
