/* envtmpl.h -- the config template: Alertmanager YAML rendered from the
 * environment before the config is loaded (DESIGN.md 6).
 *
 * This is the first step of start-up when no --config.file is given:
 * config.tmpl -> envtmpl_render() -> YAML text -> config_parse().
 *
 * Syntax (braced forms only, so Go-template `$var`s pass through untouched):
 *   ${NAME}               the value; an error if NAME is unset (empty is fine)
 *   ${NAME:-placeholder}  the value, or the placeholder when NAME is unset or
 *                         empty -- reported as a warning naming the variable,
 *                         the line and the receiver that will not deliver
 *   ${NAME-default}       the value, or `default` when NAME is unset or empty,
 *                         silently: an ordinary setting with a sensible value
 *                         (a timer), not something the operator must provide.
 *                         Unlike the shell's ${NAME-word}, empty counts as
 *                         unset here too, so `NAME=` in an .env file means
 *                         "the default" and never an empty YAML value.
 *   ${NAME:?message}      the value; an error with `message` if unset or empty
 *   $$                    a literal `$`
 * NAME is [A-Za-z_][A-Za-z0-9_]*; a reference must close on its own line.
 * Text inside YAML comments is copied as it is (a comment may mention
 * ${NAME} without being rendered).
 *
 * Values come from the environment and are inserted so that they can never
 * change the YAML's structure: inside "double quotes" they are escaped; inside
 * 'single quotes' a quote is doubled and line breaks are refused; in block
 * scalars (| and >) line breaks and control characters are refused; a plain
 * (unquoted) scalar that is exactly the reference is double-quoted when the
 * value holds anything YAML would read as syntax, and a reference that is only
 * part of a plain scalar refuses such values.  Line breaks are never emitted,
 * so line N of the output is line N of the template and config errors point at
 * the template's lines.  Placeholders, defaults and messages are template text and are
 * copied as written.  No message ever contains a variable's value.
 *
 * Nothing here reads the environment directly: the caller passes a lookup
 * function (envtmpl_getenv for the real one), so tests need no setenv. */
#ifndef ROUTER_ENVTMPL_H
#define ROUTER_ENVTMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum envtmpl_form {
    ENVTMPL_FORM_PLAIN,    /* ${NAME} */
    ENVTMPL_FORM_DEFAULT,  /* ${NAME:-placeholder} */
    ENVTMPL_FORM_REQUIRED, /* ${NAME:?message} */
    ENVTMPL_FORM_OPTIONAL, /* ${NAME-default} */
};

/* The YAML quoting around a reference, which decides how a value is escaped. */
enum envtmpl_ctx {
    ENVTMPL_CTX_PLAIN,
    ENVTMPL_CTX_DQUOTE,
    ENVTMPL_CTX_SQUOTE,
    ENVTMPL_CTX_BLOCK,
};

enum envtmpl_outcome {
    ENVTMPL_VALUE,       /* the variable's value was inserted */
    ENVTMPL_EMPTY,       /* ${NAME} with NAME set to "": nothing inserted */
    ENVTMPL_PLACEHOLDER, /* unset or empty: the template's placeholder was inserted */
    ENVTMPL_DEFAULTED,   /* ${NAME-default}, unset or empty: the default, no warning */
    ENVTMPL_FAILED,      /* an error was reported for this reference */
};

/* One ${...} found in the template, in template order. */
struct envtmpl_ref {
    char *name;    /* owned */
    int line, col; /* 1-based position of the '$' */
    enum envtmpl_form form;
    enum envtmpl_ctx ctx;
    enum envtmpl_outcome outcome;
    bool was_set;   /* the variable exists (its value may be empty) */
    char *key;      /* the YAML key on that line ("api_url"), or NULL; owned */
    char *receiver; /* the enclosing receiver's name, or NULL; owned */
    char *section;  /* the top-level section ("receivers"), or NULL; owned */
};

/* What rendering found.  warnings: one line per variable that fell back to
 * its placeholder ("config.tmpl:27: ROUTER_X is not set; ..."); errors: every
 * error, "config.tmpl:LINE:COL: message", in template order.  All owned. */
struct envtmpl_report {
    struct envtmpl_ref *refs;
    size_t n_refs, cap_refs;
    char **warnings;
    size_t n_warnings, cap_warnings;
    char **errors;
    size_t n_errors, cap_errors;
};

void envtmpl_report_init(struct envtmpl_report *rep);
void envtmpl_report_deinit(struct envtmpl_report *rep);

/* Looks a variable up: its value (borrowed, possibly ""), or NULL if unset. */
typedef const char *envtmpl_get_fn(const char *name, void *ud);
/* The process environment (getenv); ud is ignored. */
const char *envtmpl_getenv(const char *name, void *ud);

/* Renders text[0..len) into out (appended; out's cap applies) and fills rep
 * (which must be initialised; previous content is kept).  tmpl_name prefixes
 * every message.  Returns 0, or -1 when rep->errors gained at least one
 * error -- every error in the template is reported, not only the first. */
int envtmpl_render(const char *text, size_t len, const char *tmpl_name, envtmpl_get_fn *get,
                   void *ud, struct buf *out, struct envtmpl_report *rep);

/* Reads a whole template file into out (at most max bytes).  Returns 0, or -1
 * with "open config.tmpl: No such file or directory" or the like in err. */
int envtmpl_read_file(const char *path, size_t max, struct buf *out, struct errbuf *err);

#endif
