/* silence.h -- silences: create/update with Alertmanager's rules, expire,
 * query, state at a time, the silencer's "is this label set muted", and
 * retention.  Persisted under --storage.path (silence_file.h).
 *
 * Flow: api (POST/GET/DELETE silences) -> silence_store_*; the pipeline's
 * silencer stage and the API's alert status -> silence_store_mutes().
 *
 * Semantics (reference 1.5 and 5.1, Alertmanager 0.25, observed):
 *  - state at t: pending if t < starts_at; expired if t > ends_at; else
 *    active.  Only active silences mute.
 *  - create: a new UUIDv4; a starts_at in the past is moved to now.
 *  - update (id given): in place, same id, when the matchers are identical
 *    and the silence is active (starts_at unchanged at second resolution,
 *    ends_at not in the past) or pending (new starts_at not in the past).
 *    Otherwise the old silence is expired (unless it already is) and a new
 *    id is returned.
 *  - expire: active -> ends_at := now; pending -> starts_at := ends_at :=
 *    now; expired -> nothing (success, as 0.25 answers 200).
 *  - retention: a silence is dropped `retention` after its ends_at.
 * One deliberate difference: 0.25 expires the old silence BEFORE validating
 * the replacement, so a rejected update (e.g. a bad regex) still expired
 * it.  We validate first: the same 400, and the old silence survives.
 *
 * Silences live in an array in creation order: there are hundreds, not
 * millions, and the silencer looks at every one of them anyway. */
#ifndef ROUTER_SILENCE_H
#define ROUTER_SILENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "labels.h"
#include "matcher.h"

#define SILENCE_ID_LEN 36

enum silence_state { SILENCE_ACTIVE, SILENCE_PENDING, SILENCE_EXPIRED };
#define SILENCE_STATE_COUNT 3

/* "active", "pending", "expired". */
const char *silence_state_str(enum silence_state s);

/* Times are ns since the Unix epoch, as in alert.h. */
struct silence {
    char id[SILENCE_ID_LEN + 1];
    struct matchers matchers; /* in the order given (order matters to updates) */
    int64_t starts_at, ends_at, updated_at;
    char *created_by;
    char *comment;
};

enum silence_state silence_state_at(const struct silence *s, int64_t t);
void silence_free(struct silence *s); /* accepts NULL */

/* Writes a fresh random (getrandom) version-4 UUID, lowercase
 * 8-4-4-4-12. */
void silence_uuid_v4(char out[SILENCE_ID_LEN + 1]);
/* True if s is a UUID in that textual form (any version, either case). */
bool silence_id_valid(const char *s);

/* One matcher as the API receives it (borrowed strings). */
struct silence_matcher_spec {
    const char *name;
    const char *value;
    bool is_regex;
    bool is_equal; /* the API's default is true */
};

/* A create or update request (borrowed).  The API checks that the
 * required fields are present (422) before calling. */
struct silence_input {
    const char *id; /* NULL or "" = create */
    const struct silence_matcher_spec *matchers;
    size_t n_matchers;
    int64_t starts_at, ends_at;
    const char *created_by;
    const char *comment;
};

struct silence_store;

/* Returns a new empty store.  dir: where the snapshot lives (NULL = memory
 * only); retention: --data.retention in ns.  Call silence_store_load()
 * before use to restore the previous state. */
struct silence_store *silence_store_new(const char *dir, int64_t retention);
void silence_store_free(struct silence_store *st); /* accepts NULL */

/* Reads the snapshot (a missing file is an empty store).  A corrupt or
 * truncated file is moved aside (kept as <file>.corrupt-<unix time>) and
 * the store starts empty; entries that no longer validate are skipped and
 * the file is kept the same way.  Returns -1 with the whole story in err
 * (for the log) in either case, 0 when everything loaded. */
int silence_store_load(struct silence_store *st, int64_t now, struct errbuf *err);
/* Writes the snapshot now (temp file, fsync, rename).  Every change made
 * through this API already does so; main calls it at shutdown. */
int silence_store_snapshot(struct silence_store *st, struct errbuf *err);

#define SILENCE_ERR_INVALID (-1)   /* 400, message in err */
#define SILENCE_ERR_NOT_FOUND (-2) /* "silence not found": 404 on POST, 500 on DELETE (0.25) */

/* Creates or updates a silence (the rules above).  Writes the resulting id
 * (new or same) to id_out.  Returns 0, SILENCE_ERR_INVALID or
 * SILENCE_ERR_NOT_FOUND with Alertmanager's 400/404 body in err:
 * "Failed to create silence: start time must be before end time",
 * "Failed to create silence: end time can't be in the past",
 * "silence invalid: at least one matcher required",
 * "silence invalid: invalid label matcher 0: invalid label name \"a-b\"",
 * "silence invalid: invalid label matcher 1: invalid regular expression
 *  \"(\": error parsing regexp: ...",
 * "silence invalid: at least one matcher must not match the empty string". */
int silence_store_set(struct silence_store *st, const struct silence_input *in, int64_t now,
                      char id_out[SILENCE_ID_LEN + 1], struct errbuf *err);
/* DELETE: returns 0 (also for an already expired silence) or
 * SILENCE_ERR_NOT_FOUND. */
int silence_store_expire(struct silence_store *st, const char *id, int64_t now, struct errbuf *err);

/* Borrowed: valid until the store is next modified. */
const struct silence *silence_store_get(const struct silence_store *st, const char *id);
size_t silence_store_len(const struct silence_store *st);
/* Bumped by every change; lets callers cache silencing results. */
uint64_t silence_store_version(const struct silence_store *st);

/* GET /api/v2/silences: the silences whose matchers include, syntactically,
 * every filter matcher (same name, operator and value; filter may be NULL),
 * in Alertmanager's order: active by ends_at ascending, pending by
 * starts_at ascending, expired by ends_at descending.  *out is a new array
 * (free() it) of borrowed pointers. */
size_t silence_store_query(const struct silence_store *st, const struct matchers *filter,
                           int64_t now, const struct silence ***out);

/* The silencer: the ids of the silences active at `now` whose matchers all
 * match ls, sorted, in *out (reset first).  Borrowed ids, valid until the
 * store is next modified.  Returns true if any. */
struct silence_ids {
    size_t n, cap;
    const char **v;
};
bool silence_store_mutes(const struct silence_store *st, const struct labels *ls, int64_t now,
                         struct silence_ids *out);
void silence_ids_deinit(struct silence_ids *ids);

/* Counts by state at now (alertmanager_silences{state=...}), indexed by
 * enum silence_state. */
void silence_store_count(const struct silence_store *st, int64_t now,
                         size_t counts[SILENCE_STATE_COUNT]);
/* Drops silences whose ends_at + retention <= now; returns how many. */
size_t silence_store_gc(struct silence_store *st, int64_t now);

#endif
