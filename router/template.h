/* template.h -- Go text/template-compatible engine for notification texts.
 *
 * Notifiers turn an aggregation group's alerts into message texts (Slack
 * title, email subject and body, Teams card text) by executing the templates
 * Alertmanager users already have: Go text/template syntax with
 * Alertmanager's functions (toUpper, join, SortedPairs, ...) and its data
 * model (.Receiver, .Alerts.Firing, .CommonLabels, ...).  A tmpl_set holds
 * the named templates: the built-in default.tmpl (embedded in the binary)
 * plus the files listed under `templates:` in the config, which may override
 * them.  A config field such as `title: '{{ template "slack.default.title" . }}'`
 * is executed with tmpl_exec_string.
 *
 * The data model is this module's own plain structs (filled by the
 * notifiers), so the engine does not depend on the alert store.
 *
 * Errors: parse errors read "file:line:col: message" (config errors); an
 * execution error fills err with Go-like text and returns -1, never crashes.
 * Execution is bounded: output size, template call depth, evaluation steps
 * and scratch memory all have caps (TMPL_* below). */
#ifndef ROUTER_TEMPLATE_H
#define ROUTER_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "labels.h"

/* Go's zero time.Time (0001-01-01 00:00:00 UTC), e.g. a firing alert's EndsAt. */
#define TMPL_TIME_ZERO INT64_MIN

#define TMPL_OUTPUT_MAX (1u << 20)   /* bytes of rendered text */
#define TMPL_DEPTH_MAX 1000          /* nested template calls + expression nesting */
#define TMPL_STEPS_MAX 20000000      /* evaluation steps (bounds CPU time) */
#define TMPL_SCRATCH_MAX (64u << 20) /* bytes of intermediate values */

/* One alert as templates see it (Alertmanager's template.Alert).  All
 * pointers are borrowed from the caller for the duration of the call. */
struct tmpl_alert {
    const char *status; /* "firing" | "resolved" */
    struct labels labels;
    struct labels annotations;
    int64_t starts_at_ms; /* unix ms, or TMPL_TIME_ZERO */
    int64_t ends_at_ms;
    const char *generator_url;
    const char *fingerprint; /* 16 hex digits */
};

/* The notification (Alertmanager's template.Data).  Label sets must be
 * sorted by name (labels_sort); `receiver` is already regex-escaped as
 * Alertmanager does (team.a -> team\.a). */
struct tmpl_data {
    const char *receiver;
    const char *status; /* "firing" | "resolved" */
    const char *external_url;
    const struct tmpl_alert *alerts;
    size_t nalerts;
    struct labels group_labels;
    struct labels common_labels;
    struct labels common_annotations;
    int64_t now_ms; /* "now" for since(); 0 = the real clock */
};

struct tmpl_set;

/* Returns a new, empty set; free with tmpl_set_free(). */
struct tmpl_set *tmpl_set_new(void);
void tmpl_set_free(struct tmpl_set *s);

/* Parses `text` (len bytes, need not be NUL-terminated) as a template file
 * named `name` (used in error messages and as the name of its top-level
 * template).  Its {{ define }}s are added to the set; a later definition
 * replaces an earlier one unless the new body is empty (Go's rule).  On
 * error returns -1, leaves the set unchanged and fills err with
 * "name:line:col: message". */
int tmpl_set_parse(struct tmpl_set *s, const char *name, const char *text, size_t len,
                   struct errbuf *err);
/* Reads and parses one file (error messages use `path`). */
int tmpl_set_parse_file(struct tmpl_set *s, const char *path, struct errbuf *err);
/* Parses the built-in default.tmpl compiled into the binary. */
int tmpl_set_load_default(struct tmpl_set *s, struct errbuf *err);
/* Whether a template named `name` is defined. */
bool tmpl_set_has(const struct tmpl_set *s, const char *name);

/* Checks that `text` (a config field) parses, without executing it.  Errors
 * read "<field>:line:col: message" with field as given. */
int tmpl_check_string(const struct tmpl_set *s, const char *field, const char *text,
                      struct errbuf *err);

/* Executes `text` (a config field; its own {{ define }}s are local to this
 * call) against `data`, appending the result to `out`.  With html=true the
 * output of every action is HTML-escaped unless it came from safeHtml
 * (Alertmanager renders email `html` with html/template).  Returns 0, or -1
 * with err filled (parse or execution error, or a limit); on -1 `out` may
 * hold partial output, which callers discard. */
int tmpl_exec_string(const struct tmpl_set *s, const char *text, const struct tmpl_data *data,
                     bool html, struct buf *out, struct errbuf *err);
/* Executes the named template, as {{ template "name" . }} would. */
int tmpl_exec_named(const struct tmpl_set *s, const char *name, const struct tmpl_data *data,
                    bool html, struct buf *out, struct errbuf *err);

#endif
