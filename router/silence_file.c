/* silence_file.c -- see silence_file.h. */
#include "silence_file.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "mem.h"

#define FORMAT_NAME "alertrouter-silences"
#define FORMAT_VERSION 1

static json_t *silence_to_json(const struct silence *s)
{
    json_t *ms = json_array();
    for (size_t i = 0; i < s->matchers.n; i++) {
        const struct matcher *m = &s->matchers.v[i];
        json_array_append_new(ms, json_pack("{s:s, s:s, s:s}", "name", m->name, "type",
                                            match_type_str(m->type), "value", m->value));
    }
    return json_pack("{s:s, s:o, s:I, s:I, s:I, s:s, s:s}", "id", s->id, "matchers", ms, "startsAt",
                     (json_int_t)s->starts_at, "endsAt", (json_int_t)s->ends_at, "updatedAt",
                     (json_int_t)s->updated_at, "createdBy", s->created_by, "comment", s->comment);
}

int silence_file_write(const char *path, struct silence *const *v, size_t n, struct errbuf *err)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, silence_to_json(v[i]));
    json_t *doc = json_pack("{s:s, s:i, s:I, s:o}", "format", FORMAT_NAME, "version",
                            FORMAT_VERSION, "count", (json_int_t)n, "silences", arr);
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
    json_decref(doc);
    if (!text) {
        errbuf_set(err, "%s: cannot serialise silences", path);
        return -1;
    }

    /* the final newline is for whoever looks at the file with cat */
    struct buf b = BUF_INIT;
    buf_puts(&b, text);
    buf_putc(&b, '\n');
    free(text);
    int rc = fileio_replace(path, b.p, b.len, err);
    buf_deinit(&b);
    return rc;
}

/* Parses one entry; NULL with the reason in err. */
static struct silence *silence_from_json(json_t *o, struct errbuf *err)
{
    const char *id, *by, *comment;
    json_t *ms;
    json_int_t starts, ends, updated;
    json_error_t je;
    if (json_unpack_ex(o, &je, JSON_STRICT, "{s:s, s:o, s:I, s:I, s:I, s:s, s:s}", "id", &id,
                       "matchers", &ms, "startsAt", &starts, "endsAt", &ends, "updatedAt", &updated,
                       "createdBy", &by, "comment", &comment) < 0) {
        errbuf_set(err, "%s", je.text);
        return NULL;
    }
    if (!silence_id_valid(id)) {
        errbuf_set(err, "bad id");
        return NULL;
    }
    if (!json_is_array(ms) || json_array_size(ms) == 0) {
        errbuf_set(err, "silence %s: no matchers", id);
        return NULL;
    }
    struct silence *s = xcalloc(1, sizeof *s);
    memcpy(s->id, id, SILENCE_ID_LEN + 1);
    s->starts_at = starts;
    s->ends_at = ends;
    s->updated_at = updated;
    s->created_by = xstrdup(by);
    s->comment = xstrdup(comment);
    size_t i;
    json_t *jm;
    json_array_foreach(ms, i, jm)
    {
        const char *name, *type, *value;
        if (json_unpack_ex(jm, &je, JSON_STRICT, "{s:s, s:s, s:s}", "name", &name, "type", &type,
                           "value", &value) < 0) {
            errbuf_set(err, "silence %s: matcher %zu: %s", id, i, je.text);
            silence_free(s);
            return NULL;
        }
        enum match_type t;
        if (strcmp(type, "=") == 0)
            t = MATCH_EQ;
        else if (strcmp(type, "!=") == 0)
            t = MATCH_NE;
        else if (strcmp(type, "=~") == 0)
            t = MATCH_RE;
        else if (strcmp(type, "!~") == 0)
            t = MATCH_NRE;
        else {
            errbuf_set(err, "silence %s: matcher %zu: unknown type \"%s\"", id, i, type);
            silence_free(s);
            return NULL;
        }
        struct matcher m;
        struct errbuf merr;
        if (matcher_init(&m, t, name, value, &merr) < 0) {
            errbuf_set(err, "silence %s: matcher %zu: %s", id, i, merr.msg);
            silence_free(s);
            return NULL;
        }
        matchers_push(&s->matchers, &m);
    }
    return s;
}

/* Keeps the bad file for a human: renamed (whole file unusable) or hard
 * linked (some entries skipped; the next snapshot replaces `path`).
 * `backup` gets the copy's name, or why there is none. */
static void keep_aside(const char *path, bool move, struct buf *backup)
{
    if (fileio_keep_copy(path, move, backup) < 0) {
        buf_reset(backup);
        buf_printf(backup, "(could not keep a copy: %s)", strerror(errno));
    }
}

int silence_file_read(const char *path, struct silence ***out, size_t *n, struct errbuf *err)
{
    *out = NULL;
    *n = 0;
    if (access(path, F_OK) < 0 && errno == ENOENT)
        return 0;
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    struct errbuf why;
    json_t *arr = NULL;
    json_int_t count = -1;
    int version = 0;
    const char *format = NULL;
    if (!doc) {
        errbuf_set(&why, "%s (line %d, column %d)", je.text, je.line, je.column);
    } else if (json_unpack_ex(doc, &je, 0, "{s:s, s:i, s:I, s:o}", "format", &format, "version",
                              &version, "count", &count, "silences", &arr) < 0) {
        errbuf_set(&why, "%s", je.text);
        arr = NULL;
    } else if (strcmp(format, FORMAT_NAME) != 0 || version != FORMAT_VERSION) {
        errbuf_set(&why, "unknown format \"%s\" version %d", format, version);
        arr = NULL;
    } else if (!json_is_array(arr) || (json_int_t)json_array_size(arr) != count) {
        errbuf_set(&why, "count %lld does not match the %zu entries", (long long)count,
                   json_is_array(arr) ? json_array_size(arr) : 0);
        arr = NULL;
    }
    struct buf backup = BUF_INIT;
    if (!arr) {
        json_decref(doc);
        keep_aside(path, true, &backup);
        errbuf_set(err,
                   "silences snapshot %s is unusable: %s; kept as %s; starting with no "
                   "silences",
                   path, why.msg, buf_str(&backup));
        buf_deinit(&backup);
        return -1;
    }

    size_t total = json_array_size(arr), skipped = 0;
    struct silence **v = xmalloc((total ? total : 1) * sizeof *v);
    struct errbuf first;
    first.msg[0] = '\0';
    for (size_t i = 0; i < total; i++) {
        struct errbuf e;
        struct silence *s = silence_from_json(json_array_get(arr, i), &e);
        if (s) {
            v[(*n)++] = s;
        } else {
            if (!skipped)
                errbuf_set(&first, "entry %zu: %s", i, e.msg);
            skipped++;
        }
    }
    json_decref(doc);
    *out = v;
    if (!skipped)
        return 0;
    keep_aside(path, false, &backup);
    errbuf_set(err, "silences snapshot %s: skipped %zu invalid entries (first: %s); kept as %s",
               path, skipped, first.msg, buf_str(&backup));
    buf_deinit(&backup);
    return -1;
}
