/* test_silence.c -- silences: Alertmanager 0.25's create/update/expire
 * rules and messages (observed against the Debian build), states, the
 * silencer, GET order and filter, retention, and the snapshot file:
 * round trip, corrupt and truncated files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert.h"
#include "check_main.h"
#include "silence.h"
#include "silence_file.h"
#include "testutil.h"

#define S NS_PER_SEC
#define T0 (1700000000LL * S)
#define MIN (60 * S)
#define HOUR (60 * MIN)

static const struct silence_matcher_spec M_AB[] = {{"a", "b", false, true}};
static const struct silence_matcher_spec M_AC[] = {{"a", "c", false, true}};

static struct silence_input input(const struct silence_matcher_spec *m, size_t n, int64_t starts,
                                  int64_t ends)
{
    struct silence_input in = {NULL, m, n, starts, ends, "me", "because"};
    return in;
}

static char *create(struct silence_store *st, const struct silence_matcher_spec *m, size_t n,
                    int64_t starts, int64_t ends, int64_t now)
{
    static char id[SILENCE_ID_LEN + 1];
    struct silence_input in = input(m, n, starts, ends);
    struct errbuf err;
    ck_assert_int_eq(silence_store_set(st, &in, now, id, &err), 0);
    return id;
}

START_TEST(uuid_format)
{
    char seen[50][SILENCE_ID_LEN + 1];
    for (int i = 0; i < 50; i++) {
        silence_uuid_v4(seen[i]);
        ck_assert_uint_eq(strlen(seen[i]), 36);
        ck_assert(silence_id_valid(seen[i]));
        ck_assert_int_eq(seen[i][14], '4');
        ck_assert(strchr("89ab", seen[i][19]) != NULL);
        for (int k = 0; k < 36; k++)
            ck_assert(seen[i][k] == '-' || (seen[i][k] >= '0' && seen[i][k] <= '9') ||
                      (seen[i][k] >= 'a' && seen[i][k] <= 'f'));
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(seen[i], seen[j]);
    }
    ck_assert(silence_id_valid("00000000-0000-4000-8000-00000000000A"));
    ck_assert(!silence_id_valid("00000000-0000-4000-8000-00000000000"));
    ck_assert(!silence_id_valid("00000000-0000-4000-8000-0000000000000"));
    ck_assert(!silence_id_valid("00000000x0000-4000-8000-000000000000"));
    ck_assert(!silence_id_valid("x"));
}
END_TEST

START_TEST(states_at_time)
{
    struct silence s = {.starts_at = T0, .ends_at = T0 + HOUR};
    ck_assert_int_eq(silence_state_at(&s, T0 - 1), SILENCE_PENDING);
    ck_assert_int_eq(silence_state_at(&s, T0), SILENCE_ACTIVE);
    ck_assert_int_eq(silence_state_at(&s, T0 + HOUR), SILENCE_ACTIVE);
    ck_assert_int_eq(silence_state_at(&s, T0 + HOUR + 1), SILENCE_EXPIRED);
    ck_assert_str_eq(silence_state_str(SILENCE_PENDING), "pending");
    ck_assert_str_eq(silence_state_str(SILENCE_ACTIVE), "active");
    ck_assert_str_eq(silence_state_str(SILENCE_EXPIRED), "expired");
}
END_TEST

START_TEST(create_moves_past_start_to_now)
{
    struct silence_store *st = silence_store_new(NULL, 120 * HOUR);
    char *id = create(st, M_AB, 1, T0 - MIN, T0 + HOUR, T0);
    const struct silence *s = silence_store_get(st, id);
    ck_assert_ptr_nonnull(s);
    ck_assert(s->starts_at == T0);
    ck_assert(s->ends_at == T0 + HOUR);
    ck_assert(s->updated_at == T0);
    ck_assert_str_eq(s->created_by, "me");
    ck_assert_str_eq(s->comment, "because");
    ck_assert_uint_eq(s->matchers.n, 1);
    /* a future start is kept: pending */
    id = create(st, M_AB, 1, T0 + MIN, T0 + HOUR, T0);
    ck_assert_int_eq(silence_state_at(silence_store_get(st, id), T0), SILENCE_PENDING);
    ck_assert_uint_eq(silence_store_len(st), 2);
    ck_assert_ptr_null(silence_store_get(st, "00000000-0000-4000-8000-000000000000"));
    silence_store_free(st);
}
END_TEST

static void expect_err(struct silence_store *st, const struct silence_input *in, int64_t now,
                       int rc, const char *msg)
{
    char id[SILENCE_ID_LEN + 1];
    struct errbuf err;
    ck_assert_int_eq(silence_store_set(st, in, now, id, &err), rc);
    ck_assert_str_eq(err.msg, msg);
}

/* The 400/404 bodies Alertmanager 0.25 answered (see the test file's
 * opening comment). */
START_TEST(validation_messages)
{
    struct silence_store *st = silence_store_new(NULL, 120 * HOUR);
    struct silence_input in = input(M_AB, 1, T0 + HOUR, T0 + HOUR);
    expect_err(st, &in, T0, SILENCE_ERR_INVALID,
               "Failed to create silence: start time must be before end time");
    in = input(M_AB, 1, T0 - HOUR, T0 - MIN);
    expect_err(st, &in, T0, SILENCE_ERR_INVALID,
               "Failed to create silence: end time can't be in the past");
    in = input(M_AB, 0, T0, T0 + HOUR);
    expect_err(st, &in, T0, SILENCE_ERR_INVALID, "silence invalid: at least one matcher required");
    static const struct silence_matcher_spec all_empty[] = {{"a", ".*", true, true},
                                                            {"b", "", false, true}};
    in = input(all_empty, 2, T0, T0 + HOUR);
    expect_err(st, &in, T0, SILENCE_ERR_INVALID,
               "silence invalid: at least one matcher must not match the empty string");
    static const struct silence_matcher_spec bad_name[] = {{"a-b", "x", false, true}};
    in = input(bad_name, 1, T0, T0 + HOUR);
    expect_err(st, &in, T0, SILENCE_ERR_INVALID,
               "silence invalid: invalid label matcher 0: invalid label name \"a-b\"");
    static const struct silence_matcher_spec bad_re[] = {{"a", "x", false, true},
                                                         {"b", "(", true, true}};
    in = input(bad_re, 2, T0, T0 + HOUR);
    expect_err(st, &in, T0, SILENCE_ERR_INVALID,
               "silence invalid: invalid label matcher 1: invalid regular expression \"(\": "
               "error parsing regexp: missing closing ): `(`");
    in = input(M_AB, 1, T0, T0 + HOUR);
    in.id = "00000000-0000-4000-8000-000000000000";
    expect_err(st, &in, T0, SILENCE_ERR_NOT_FOUND, "silence not found");
    ck_assert_uint_eq(silence_store_len(st), 0);

    /* accepted by 0.25: a lone != (does not match ""), empty comment/author */
    static const struct silence_matcher_spec ne_empty[] = {{"a", "", false, false}};
    in = input(ne_empty, 1, T0, T0 + HOUR);
    in.comment = "";
    in.created_by = "";
    char id[SILENCE_ID_LEN + 1];
    struct errbuf err;
    ck_assert_int_eq(silence_store_set(st, &in, T0, id, &err), 0);
    ck_assert_str_eq(silence_store_get(st, id)->comment, "");
    silence_store_free(st);
}
END_TEST

START_TEST(update_in_place_keeps_id)
{
    struct silence_store *st = silence_store_new(NULL, 120 * HOUR);
    char id[SILENCE_ID_LEN + 1], id2[SILENCE_ID_LEN + 1];
    /* created at a now with sub-millisecond digits, as a real clock has */
    snprintf(id, sizeof id, "%s", create(st, M_AB, 1, T0 - MIN, T0 + HOUR, T0 + 123456));
    ck_assert(silence_store_get(st, id)->starts_at == T0 + 123456);
    uint64_t v = silence_store_version(st);
    /* active: same matchers, startsAt as the API printed it (ms; the
     * stored value has ns), new end and comment */
    const int64_t starts = silence_store_get(st, id)->starts_at;
    struct silence_input in = input(M_AB, 1, starts - starts % NS_PER_MS, T0 + 2 * HOUR);
    in.id = id;
    in.comment = "longer";
    struct errbuf err;
    ck_assert_int_eq(silence_store_set(st, &in, T0 + MIN, id2, &err), 0);
    ck_assert_str_eq(id2, id);
    ck_assert_uint_eq(silence_store_len(st), 1);
    const struct silence *s = silence_store_get(st, id);
    ck_assert_str_eq(s->comment, "longer");
    ck_assert(s->ends_at == T0 + 2 * HOUR);
    ck_assert(s->updated_at == T0 + MIN);
    ck_assert(silence_store_version(st) > v);

    /* pending: a new start that is not in the past is fine */
    snprintf(id, sizeof id, "%s", create(st, M_AB, 1, T0 + HOUR, T0 + 2 * HOUR, T0));
    in = input(M_AB, 1, T0 + 30 * MIN, T0 + 3 * HOUR);
    in.id = id;
    ck_assert_int_eq(silence_store_set(st, &in, T0, id2, &err), 0);
    ck_assert_str_eq(id2, id);
    ck_assert(silence_store_get(st, id)->starts_at == T0 + 30 * MIN);
    silence_store_free(st);
}
END_TEST

/* Cases that Alertmanager answers with a new id, expiring the old one. */
START_TEST(update_replaces_and_expires_old)
{
    struct silence_store *st = silence_store_new(NULL, 120 * HOUR);
    char old[SILENCE_ID_LEN + 1], id2[SILENCE_ID_LEN + 1];
    struct errbuf err;
    int64_t now = T0 + MIN;

    /* 1. matchers changed */
    snprintf(old, sizeof old, "%s", create(st, M_AB, 1, T0, T0 + HOUR, T0));
    struct silence_input in = input(M_AC, 1, T0, T0 + HOUR);
    in.id = old;
    ck_assert_int_eq(silence_store_set(st, &in, now, id2, &err), 0);
    ck_assert_str_ne(id2, old);
    ck_assert(silence_store_get(st, old)->ends_at == now);
    ck_assert_int_eq(silence_state_at(silence_store_get(st, old), now + 1), SILENCE_EXPIRED);
    ck_assert(silence_store_get(st, id2)->starts_at == now); /* past start -> now */
    ck_assert_str_eq(silence_store_get(st, id2)->matchers.v[0].value, "c");

    /* 2. active, startsAt changed by a second or more */
    snprintf(old, sizeof old, "%s", create(st, M_AB, 1, T0, T0 + HOUR, T0));
    in = input(M_AB, 1, T0 + 2 * S, T0 + HOUR);
    in.id = old;
    ck_assert_int_eq(silence_store_set(st, &in, T0 + 3 * S, id2, &err), 0);
    ck_assert_str_ne(id2, old);
    ck_assert(silence_store_get(st, old)->ends_at == T0 + 3 * S);

    /* 3. pending, new start in the past: old becomes starts=ends=now */
    snprintf(old, sizeof old, "%s", create(st, M_AB, 1, T0 + HOUR, T0 + 2 * HOUR, T0));
    in = input(M_AB, 1, T0 - MIN, T0 + 2 * HOUR);
    in.id = old;
    ck_assert_int_eq(silence_store_set(st, &in, T0, id2, &err), 0);
    ck_assert_str_ne(id2, old);
    const struct silence *o = silence_store_get(st, old);
    ck_assert(o->starts_at == T0 && o->ends_at == T0);
    ck_assert(silence_store_get(st, id2)->starts_at == T0);

    /* 4. expired: never updated in place, and stays as it was */
    snprintf(old, sizeof old, "%s", create(st, M_AB, 1, T0, T0 + HOUR, T0));
    ck_assert_int_eq(silence_store_expire(st, old, T0 + MIN, &err), 0);
    in = input(M_AB, 1, T0 + 2 * MIN, T0 + HOUR);
    in.id = old;
    ck_assert_int_eq(silence_store_set(st, &in, T0 + 2 * MIN, id2, &err), 0);
    ck_assert_str_ne(id2, old);
    ck_assert(silence_store_get(st, old)->ends_at == T0 + MIN);
    silence_store_free(st);
}
END_TEST

/* Our one deliberate difference: a rejected update leaves the old silence
 * alone (0.25 expired it before noticing the bad regex). */
START_TEST(rejected_update_keeps_old)
{
    struct silence_store *st = silence_store_new(NULL, 120 * HOUR);
    char old[SILENCE_ID_LEN + 1], id2[SILENCE_ID_LEN + 1];
    snprintf(old, sizeof old, "%s", create(st, M_AB, 1, T0, T0 + HOUR, T0));
    static const struct silence_matcher_spec bad_re[] = {{"a", "(", true, true}};
    struct silence_input in = input(bad_re, 1, T0, T0 + HOUR);
    in.id = old;
    struct errbuf err;
    ck_assert_int_eq(silence_store_set(st, &in, T0 + MIN, id2, &err), SILENCE_ERR_INVALID);
    ck_assert_int_eq(silence_state_at(silence_store_get(st, old), T0 + 2 * MIN), SILENCE_ACTIVE);
    ck_assert_uint_eq(silence_store_len(st), 1);
    silence_store_free(st);
}
END_TEST

START_TEST(expire_rules)
{
    struct silence_store *st = silence_store_new(NULL, 120 * HOUR);
    char act[SILENCE_ID_LEN + 1], pend[SILENCE_ID_LEN + 1];
    snprintf(act, sizeof act, "%s", create(st, M_AB, 1, T0, T0 + HOUR, T0));
    snprintf(pend, sizeof pend, "%s", create(st, M_AB, 1, T0 + HOUR, T0 + 2 * HOUR, T0));
    struct errbuf err;
    int64_t now = T0 + MIN;
    ck_assert_int_eq(silence_store_expire(st, act, now, &err), 0);
    ck_assert(silence_store_get(st, act)->ends_at == now);
    ck_assert(silence_store_get(st, act)->starts_at == T0);
    ck_assert(silence_store_get(st, act)->updated_at == now);
    ck_assert_int_eq(silence_store_expire(st, pend, now, &err), 0);
    ck_assert(silence_store_get(st, pend)->starts_at == now);
    ck_assert(silence_store_get(st, pend)->ends_at == now);
    /* already expired: success, nothing changes (0.25 answers 200) */
    uint64_t v = silence_store_version(st);
    ck_assert_int_eq(silence_store_expire(st, act, now + MIN, &err), 0);
    ck_assert(silence_store_get(st, act)->ends_at == now);
    ck_assert(silence_store_version(st) == v);
    ck_assert_int_eq(silence_store_expire(st, "00000000-0000-4000-8000-000000000000", now, &err),
                     SILENCE_ERR_NOT_FOUND);
    ck_assert_str_eq(err.msg, "silence not found");
    silence_store_free(st);
}
END_TEST

START_TEST(mutes_active_only)
{
    struct silence_store *st = silence_store_new(NULL, 120 * HOUR);
    static const struct silence_matcher_spec sev[] = {{"severity", "warning|info", true, true},
                                                      {"team", "db", false, false}};
    static const struct silence_matcher_spec env[] = {{"env", "", false, true},
                                                      {"alertname", "Disk", false, true}};
    char a[SILENCE_ID_LEN + 1], b[SILENCE_ID_LEN + 1];
    snprintf(a, sizeof a, "%s", create(st, sev, 2, T0, T0 + HOUR, T0));
    snprintf(b, sizeof b, "%s", create(st, env, 2, T0, T0 + HOUR, T0));
    create(st, M_AB, 1, T0 + HOUR, T0 + 2 * HOUR, T0); /* pending: never mutes */

    struct label l1[] = {{"alertname", "Disk"}, {"severity", "warning"}};
    struct labels ls1 = {2, l1}; /* no team, no env */
    struct silence_ids ids = {0};
    ck_assert(silence_store_mutes(st, &ls1, T0 + MIN, &ids));
    ck_assert_uint_eq(ids.n, 2);
    ck_assert(strcmp(ids.v[0], ids.v[1]) < 0); /* sorted */
    ck_assert(strcmp(ids.v[0], a) == 0 || strcmp(ids.v[0], b) == 0);

    struct label l2[] = {{"a", "b"},
                         {"alertname", "Disk"},
                         {"env", "prod"},
                         {"severity", "critical"},
                         {"team", "db"}};
    struct labels ls2 = {5, l2};
    ck_assert(!silence_store_mutes(st, &ls2, T0 + MIN, &ids));
    ck_assert_uint_eq(ids.n, 0);
    ck_assert(silence_store_mutes(st, &ls2, T0 + HOUR + MIN, &ids)); /* pending now active */
    ck_assert_uint_eq(ids.n, 1);

    struct label l3[] = {{"severity", "warning"}, {"team", "db"}};
    struct labels ls3 = {2, l3};
    ck_assert(!silence_store_mutes(st, &ls3, T0 + MIN, &ids));      /* team!="db" fails */
    ck_assert(!silence_store_mutes(st, &ls1, T0 + 3 * HOUR, &ids)); /* all expired */
    silence_ids_deinit(&ids);

    size_t c[SILENCE_STATE_COUNT];
    silence_store_count(st, T0 + MIN, c);
    ck_assert_uint_eq(c[SILENCE_ACTIVE], 2);
    ck_assert_uint_eq(c[SILENCE_PENDING], 1);
    ck_assert_uint_eq(c[SILENCE_EXPIRED], 0);
    silence_store_free(st);
}
END_TEST

START_TEST(query_order_and_filter)
{
    struct silence_store *st = silence_store_new(NULL, 120 * HOUR);
    static const struct silence_matcher_spec two[] = {{"a", "b", false, true},
                                                      {"x", "y.*", true, true}};
    char e1[37], e2[37], a1[37], a2[37], p1[37], p2[37];
    struct errbuf err;
    snprintf(e1, sizeof e1, "%s", create(st, M_AB, 1, T0, T0 + HOUR, T0));
    snprintf(e2, sizeof e2, "%s", create(st, M_AB, 1, T0, T0 + HOUR, T0));
    silence_store_expire(st, e1, T0 + MIN, &err);
    silence_store_expire(st, e2, T0 + 2 * MIN, &err);
    snprintf(a1, sizeof a1, "%s", create(st, M_AB, 1, T0, T0 + 5 * HOUR, T0));
    snprintf(a2, sizeof a2, "%s", create(st, two, 2, T0, T0 + 4 * HOUR, T0));
    snprintf(p1, sizeof p1, "%s", create(st, M_AB, 1, T0 + 3 * HOUR, T0 + 5 * HOUR, T0));
    snprintf(p2, sizeof p2, "%s", create(st, M_AC, 1, T0 + 2 * HOUR, T0 + 5 * HOUR, T0));

    const struct silence **v;
    size_t n = silence_store_query(st, NULL, T0 + 10 * MIN, &v);
    ck_assert_uint_eq(n, 6);
    const char *want[] = {a2, a1, p2, p1, e2, e1};
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(v[i]->id, want[i]);
    free(v);

    struct matchers f = {0};
    ck_assert_int_eq(matchers_parse("a=\"b\"", &f, &err), 0);
    n = silence_store_query(st, &f, T0 + 10 * MIN, &v);
    ck_assert_uint_eq(n, 5); /* all but a=c */
    free(v);
    matchers_deinit(&f);
    memset(&f, 0, sizeof f);
    /* syntactic: x=~"y.*" finds a2, x="y" or x=~"y" do not */
    ck_assert_int_eq(matchers_parse("x=~\"y.*\"", &f, &err), 0);
    n = silence_store_query(st, &f, T0 + 10 * MIN, &v);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(v[0]->id, a2);
    free(v);
    matchers_deinit(&f);
    memset(&f, 0, sizeof f);
    ck_assert_int_eq(matchers_parse("x=~\"y\"", &f, &err), 0);
    n = silence_store_query(st, &f, T0 + 10 * MIN, &v);
    ck_assert_uint_eq(n, 0);
    free(v);
    matchers_deinit(&f);
    silence_store_free(st);
}
END_TEST

START_TEST(retention_gc)
{
    struct silence_store *st = silence_store_new(NULL, 2 * HOUR);
    char a[37], b[37];
    snprintf(a, sizeof a, "%s", create(st, M_AB, 1, T0, T0 + HOUR, T0));
    snprintf(b, sizeof b, "%s", create(st, M_AB, 1, T0, T0 + 5 * HOUR, T0));
    ck_assert_uint_eq(silence_store_gc(st, T0 + 3 * HOUR - 1), 0);
    ck_assert_uint_eq(silence_store_gc(st, T0 + 3 * HOUR), 1); /* ends + retention */
    ck_assert_ptr_null(silence_store_get(st, a));
    ck_assert_ptr_nonnull(silence_store_get(st, b));
    silence_store_free(st);
}
END_TEST

/* ---- persistence ---------------------------------------------------- */

static char tmpdir[64];

static void mk_tmpdir(void)
{
    tu_mkdtemp(tmpdir, sizeof tmpdir, "silence");
}

/* Removes the test directory and what the store left in it. */
static void rm_tmpdir(void)
{
    tu_rmdir(tmpdir);
}

/* How many files in tmpdir start with "silences.json.corrupt-". */
static int count_backups(void)
{
    return tu_count_files(tmpdir, SILENCE_FILE_NAME ".corrupt-*");
}

static void path_of(char *p, size_t n)
{
    snprintf(p, n, "%s/%s", tmpdir, SILENCE_FILE_NAME);
}

START_TEST(snapshot_round_trip)
{
    mk_tmpdir();
    struct silence_store *st = silence_store_new(tmpdir, 120 * HOUR);
    struct errbuf err;
    ck_assert_int_eq(silence_store_load(st, T0, &err), 0); /* no file yet */
    static const struct silence_matcher_spec ms[] = {
        {"team", "d\"b\\\n", false, false}, {"svc", "ä|é.*", true, true}, {"x", "y", true, false}};
    char a[37], b[37];
    snprintf(a, sizeof a, "%s", create(st, ms, 3, T0, T0 + HOUR, T0 + 123));
    struct silence_input in = input(M_AB, 1, T0 + HOUR, T0 + 2 * HOUR);
    in.comment = "ünïcode \"quoted\"";
    ck_assert_int_eq(silence_store_set(st, &in, T0, b, &err), 0);
    silence_store_free(st);

    st = silence_store_new(tmpdir, 120 * HOUR);
    ck_assert_int_eq(silence_store_load(st, T0 + MIN, &err), 0);
    ck_assert_uint_eq(silence_store_len(st), 2);
    const struct silence *s = silence_store_get(st, a);
    ck_assert_ptr_nonnull(s);
    ck_assert(s->starts_at == T0 + 123 && s->ends_at == T0 + HOUR && s->updated_at == T0 + 123);
    ck_assert_uint_eq(s->matchers.n, 3);
    ck_assert_int_eq(s->matchers.v[0].type, MATCH_NE);
    ck_assert_str_eq(s->matchers.v[0].value, "d\"b\\\n");
    ck_assert_int_eq(s->matchers.v[1].type, MATCH_RE);
    ck_assert_int_eq(s->matchers.v[2].type, MATCH_NRE);
    ck_assert_str_eq(silence_store_get(st, b)->comment, "ünïcode \"quoted\"");
    /* the regexes work after the reload */
    struct label l[] = {{"svc", "élan"}};
    struct labels ls = {1, l};
    struct silence_ids ids = {0};
    ck_assert(silence_store_mutes(st, &ls, T0 + MIN, &ids));
    ck_assert_str_eq(ids.v[0], a);
    silence_ids_deinit(&ids);
    /* retention applies on load */
    silence_store_free(st);
    st = silence_store_new(tmpdir, HOUR);
    ck_assert_int_eq(silence_store_load(st, T0 + 2 * HOUR, &err), 0);
    ck_assert_uint_eq(silence_store_len(st), 1);
    silence_store_free(st);
    ck_assert_int_eq(count_backups(), 0);
    rm_tmpdir();
}
END_TEST

START_TEST(corrupt_file_is_kept_aside)
{
    mk_tmpdir();
    char p[600];
    path_of(p, sizeof p);
    tu_write_file(tmpdir, SILENCE_FILE_NAME, "\x00\x01garbage", 9);
    struct silence_store *st = silence_store_new(tmpdir, 120 * HOUR);
    struct errbuf err;
    ck_assert_int_eq(silence_store_load(st, T0, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "is unusable"));
    ck_assert_ptr_nonnull(strstr(err.msg, "kept as"));
    ck_assert_uint_eq(silence_store_len(st), 0);
    ck_assert_int_eq(count_backups(), 1);
    ck_assert_int_eq(access(p, F_OK), -1);
    /* the store works and writes a fresh file */
    create(st, M_AB, 1, T0, T0 + HOUR, T0);
    silence_store_free(st);
    st = silence_store_new(tmpdir, 120 * HOUR);
    ck_assert_int_eq(silence_store_load(st, T0, &err), 0);
    ck_assert_uint_eq(silence_store_len(st), 1);
    silence_store_free(st);

    /* a wrong format name or count is also unusable */
    const char *bad = "{\"format\":\"alertrouter-silences\",\"version\":1,\"count\":3,"
                      "\"silences\":[]}";
    tu_write_file(tmpdir, SILENCE_FILE_NAME, bad, strlen(bad));
    st = silence_store_new(tmpdir, 120 * HOUR);
    ck_assert_int_eq(silence_store_load(st, T0, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "count 3"));
    silence_store_free(st);
    rm_tmpdir();
}
END_TEST

START_TEST(invalid_entry_skipped_and_kept)
{
    mk_tmpdir();
    char p[600];
    path_of(p, sizeof p);
    const char *doc =
        "{\"format\":\"alertrouter-silences\",\"version\":1,\"count\":2,\"silences\":["
        "{\"id\":\"11111111-1111-4111-8111-111111111111\",\"matchers\":[{\"name\":\"a\","
        "\"type\":\"=~\",\"value\":\"(\"}],\"startsAt\":1,\"endsAt\":9000000000000000000,"
        "\"updatedAt\":1,\"createdBy\":\"x\",\"comment\":\"y\"},"
        "{\"id\":\"22222222-2222-4222-8222-222222222222\",\"matchers\":[{\"name\":\"a\","
        "\"type\":\"=\",\"value\":\"b\"}],\"startsAt\":1,\"endsAt\":9000000000000000000,"
        "\"updatedAt\":1,\"createdBy\":\"x\",\"comment\":\"y\"}]}";
    tu_write_file(tmpdir, SILENCE_FILE_NAME, doc, strlen(doc));
    struct silence_store *st = silence_store_new(tmpdir, 120 * HOUR);
    struct errbuf err;
    ck_assert_int_eq(silence_store_load(st, T0, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "skipped 1 invalid entries"));
    ck_assert_ptr_nonnull(strstr(err.msg, "11111111-1111-4111-8111-111111111111"));
    ck_assert_uint_eq(silence_store_len(st), 1);
    ck_assert_ptr_nonnull(silence_store_get(st, "22222222-2222-4222-8222-222222222222"));
    ck_assert_int_eq(count_backups(), 1);
    silence_store_free(st);
    rm_tmpdir();
}
END_TEST

/* A snapshot cut at every byte either loads completely (only trailing
 * whitespace lost) or is rejected and kept; never a partial set. */
START_TEST(truncated_at_every_byte)
{
    mk_tmpdir();
    struct silence_store *st = silence_store_new(tmpdir, 120 * HOUR);
    for (int i = 0; i < 3; i++)
        create(st, M_AB, 1, T0, T0 + HOUR, T0);
    silence_store_free(st);
    static char full[8192];
    size_t len = tu_read_file(tmpdir, SILENCE_FILE_NAME, full, sizeof full);
    ck_assert(len > 100 && len < sizeof full);
    int rejected = 0;
    for (size_t cut = 0; cut < len; cut++) {
        tu_write_file(tmpdir, SILENCE_FILE_NAME, full, cut);
        st = silence_store_new(tmpdir, 120 * HOUR);
        struct errbuf err;
        int rc = silence_store_load(st, T0, &err);
        if (rc == 0) {
            ck_assert_uint_eq(silence_store_len(st), 3);
            ck_assert(cut >= len - 1); /* only the final newline */
        } else {
            ck_assert_uint_eq(silence_store_len(st), 0);
            rejected++;
        }
        silence_store_free(st);
        /* the rejected file was moved aside: drop the backups as we go */
        rm_tmpdir();
        ck_assert_int_eq(mkdir(tmpdir, 0700), 0);
    }
    ck_assert_int_ge(rejected, (int)len - 1);
    rm_tmpdir();
}
END_TEST

Suite *silence_suite(void)
{
    Suite *s = suite_create("silence");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, uuid_format);
    tcase_add_test(tc, states_at_time);
    tcase_add_test(tc, create_moves_past_start_to_now);
    tcase_add_test(tc, validation_messages);
    tcase_add_test(tc, update_in_place_keeps_id);
    tcase_add_test(tc, update_replaces_and_expires_old);
    tcase_add_test(tc, rejected_update_keeps_old);
    tcase_add_test(tc, expire_rules);
    tcase_add_test(tc, mutes_active_only);
    tcase_add_test(tc, query_order_and_filter);
    tcase_add_test(tc, retention_gc);
    tcase_add_test(tc, snapshot_round_trip);
    tcase_add_test(tc, corrupt_file_is_kept_aside);
    tcase_add_test(tc, invalid_entry_skipped_and_kept);
    tcase_add_test(tc, truncated_at_every_byte);
    suite_add_tcase(s, tc);
    return s;
}
