/* template_internal.h -- shared by template_*.c only: the parse tree, the
 * value model, the execution state and the helpers between the files.
 *
 * template_lex.c    lexer: text and {{ }} tokens, trim markers, comments
 * template_parse.c  parser: tokens -> tree of struct tnode
 * template_exec.c   the evaluator: tree + data -> output
 * template_value.c  data-model fields and methods, printing values (fmt %v)
 * template_funcs.c  the function table (Go built-ins + Alertmanager's)
 * template_fmt.c    printf verbs, escapers, JSON
 * template_time.c   time.Time / time.Duration: Go layouts, zones; the time
 *                   functions (date tz since now humanizeDuration) and toJson
 * template.c        the set of named templates, public entry points
 *
 * Memory: a parsed file's nodes live in one arena owned by the set; every
 * intermediate value of one execution lives in one scratch arena freed when
 * the execution ends, so values are plain structs with borrowed pointers and
 * nothing is freed one by one.  Errors inside execution longjmp to the entry
 * point (tx_fail), which is safe because the scratch arena owns everything. */
#ifndef ROUTER_TEMPLATE_INTERNAL_H
#define ROUTER_TEMPLATE_INTERNAL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "labels.h"
#include "template.h"

/* ---- arena ---------------------------------------------------------- */

struct arena_chunk;
struct arena {
    struct arena_chunk *head;
    size_t used; /* total bytes handed out */
    size_t max;  /* 0 = unlimited */
};

void arena_init(struct arena *a, size_t max);
void arena_free(struct arena *a);
/* NULL only when max would be exceeded. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* ---- parse tree ----------------------------------------------------- */

enum tn_kind {
    /* statements */
    N_LIST,
    N_TEXT,
    N_ACTION,
    N_IF,
    N_RANGE,
    N_WITH,
    N_TEMPLATE,
    N_BREAK,
    N_CONTINUE,
    /* expressions */
    N_PIPE,
    N_CMD,
    N_FIELD,
    N_VAR,
    N_DOT,
    N_NIL,
    N_BOOL,
    N_NUM,
    N_STR,
    N_IDENT,
    N_CHAIN
};

struct tfunc;

struct tnode {
    enum tn_kind kind;
    uint32_t pos, end;   /* byte span in the source, for error messages */
    struct tnode **kids; /* LIST items, PIPE commands, CMD operands */
    size_t nkids;
    const char **names; /* FIELD/VAR/CHAIN field chain; PIPE declared variables */
    size_t nnames;
    const char *str; /* TEXT, STR value, VAR name, TEMPLATE name, IDENT name */
    size_t slen;
    struct tnode *pipe;  /* IF/RANGE/WITH/TEMPLATE/ACTION pipeline; CHAIN operand */
    struct tnode *list;  /* IF/RANGE/WITH body */
    struct tnode *elist; /* else branch, or NULL */
    bool flag;           /* PIPE: "=" (assign) rather than ":="; BOOL value; NUM is float */
    int64_t i;
    double f;
    const struct tfunc *fn; /* IDENT */
    const struct tsrc *src;
};

/* A parsed file's source, kept for line:col in execution errors. */
struct tsrc {
    const char *name;
    const char *text;
    size_t len;
};

/* Fills line and col (1-based, col in bytes) of byte offset pos. */
void tsrc_linecol(const struct tsrc *src, size_t pos, int *line, int *col);

struct tdef {
    const char *name;
    struct tnode *root;
};

/* Parses into arena `a`; appends the file's templates (its top level first,
 * named `name`, then each define/block) to *defs.  0, or -1 with err. */
int tparse(struct arena *a, const char *name, const char *text, size_t len, struct tdef **defs,
           size_t *ndefs, struct errbuf *err);

struct tmpl_set {
    struct tdef *defs;
    size_t ndefs, cap;
    struct arena **arenas; /* one per parsed file */
    size_t narenas;
    const struct tmpl_set *parent; /* inline text's set: lookups fall back here */
};

const struct tnode *tset_lookup(const struct tmpl_set *s, const char *name);
/* Adds (or replaces) a definition, following Go's empty-body rule. */
void tset_define(struct tmpl_set *s, const char *name, struct tnode *root);

/* ---- lexer (template_lex.c), for the parser ---------------------------- */

enum tt {
    T_EOF,
    T_TEXT,
    T_LDELIM,
    T_RDELIM,
    T_SPACE,
    T_IDENT,
    T_FIELD,
    T_VAR,
    T_DOT,
    T_STRING,
    T_RAWSTRING,
    T_CHAR,
    T_NUMBER,
    T_BOOL,
    T_NIL,
    T_LPAREN,
    T_RPAREN,
    T_PIPE,
    T_DECLARE,
    T_ASSIGN,
    T_COMMA,
    /* keywords */
    T_BLOCK,
    T_BREAK,
    T_CONTINUE,
    T_DEFINE,
    T_ELSE,
    T_END,
    T_IF,
    T_RANGE,
    T_TEMPLATE,
    T_WITH
};

struct tok {
    enum tt t;
    size_t pos, len;
};

struct tp {
    struct arena *a;
    struct tsrc *src;
    const char *s;
    size_t n, pos;
    jmp_buf jb;
    struct errbuf *err;
    bool in_action, trim_text;
    int parens;
    struct tok peek[3];
    int npeek;
    const char **vars;
    size_t nvars, capvars;
    struct tdef *defs;
    size_t ndefs, capdefs;
    int depth, range_depth;
};

__attribute__((format(printf, 3, 4))) _Noreturn void tp_error(struct tp *p, size_t pos,
                                                              const char *fmt, ...);
void *tp_alloc(struct tp *p, size_t n); /* zeroed, from the parse arena */
struct tok tp_next(struct tp *p);
void tp_backup(struct tp *p, struct tok t);
struct tok tp_peek(struct tp *p);
struct tok tp_next_nonspace(struct tp *p);
struct tok tp_peek_nonspace(struct tp *p);
_Noreturn void tp_unexpected(struct tp *p, struct tok t, const char *ctx);
struct tok tp_expect(struct tp *p, enum tt want, const char *ctx);
/* Decodes a "..", `..` or '..' literal token into the arena. */
char *tp_unquote(struct tp *p, struct tok t, size_t *outlen);
size_t tp_rune_at(const unsigned char *s, size_t n, int64_t *r);

/* ---- values --------------------------------------------------------- */

enum tv_kind {
    TV_NIL,
    TV_BOOL,
    TV_INT,
    TV_FLOAT,
    TV_STRING,
    TV_HTML,
    TV_KV,    /* map[string]string: labels sorted by name */
    TV_PAIRS, /* SortedPairs(): alertname first, then by name */
    TV_PAIR,
    TV_STRINGS, /* []string */
    TV_ALERTS,
    TV_ALERT,
    TV_DATA,
    TV_TIME,
    TV_DURATION
};

struct ttime {
    int64_t sec; /* unix seconds */
    int32_t nsec;
    int32_t off; /* zone offset, seconds east of UTC */
    const char *zone;
};

struct tval {
    enum tv_kind k;
    union {
        bool b;
        int64_t i; /* INT; DURATION in ns */
        double f;
        struct {
            const char *p;
            size_t n;
        } s; /* STRING, HTML */
        struct {
            const struct label *v;
            size_t n;
        } kv; /* KV, PAIRS, PAIR (n == 1) */
        struct {
            const char *const *v;
            size_t n;
        } strs;
        struct {
            const struct tmpl_alert *const *v;
            size_t n;
        } alerts;
        const struct tmpl_alert *alert;
        const struct tmpl_data *data;
        struct ttime t;
    } u;
};

/* ---- execution ------------------------------------------------------ */

struct tvar {
    const char *name;
    struct tval v;
};

struct tx {
    const struct tmpl_set *set;
    const struct tmpl_data *data;
    bool html;
    struct buf *out;
    size_t out_base; /* out->len when execution started */
    struct arena scratch;
    jmp_buf jb;
    struct errbuf *err;
    unsigned depth;
    uint64_t steps;
    struct tvar *vars;
    size_t nvars, capvars, frame; /* variables visible: vars[frame..nvars) */
    const char *tname;            /* template being executed */
    const struct tnode *at;       /* node being evaluated, for errors */
    int64_t now_ms;
    /* .Alerts and its Firing/Resolved subsets, built once per execution */
    const struct tmpl_alert **all, **firing, **resolved;
    size_t nall, nfiring, nresolved;
};

_Noreturn void tx_fail(struct tx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *tx_alloc(struct tx *x, size_t n);
char *tx_strndup(struct tx *x, const char *s, size_t n);
/* Runs `root` with dot = data into x->out; 0 or -1 with x->err. */
int tx_run(struct tx *x, const char *name, const struct tnode *root, struct tval dot);

struct tval tv_str(const char *p, size_t n);
struct tval tv_cstr(const char *s);
struct tval tv_int(int64_t i);
bool tv_truth(const struct tval *v);
const char *tv_typename(const struct tval *v);
/* Go's len(v) into *n: bytes of a string, entries of a map or a slice;
 * false for any other kind (nil included). */
bool tv_len(const struct tval *v, size_t *n);
/* Go's fmt %v of v, appended to b (a scratch buffer without max). */
void tv_print(struct tx *x, struct buf *b, const struct tval *v);
/* A string value's text, or failure "wrong type ... expected string". */
struct tval tv_want_string(struct tx *x, const struct tval *v, const char *fn);
/* .Name on v, with method arguments args[0..nargs). */
struct tval tv_field(struct tx *x, const struct tval *v, const char *name, const struct tval *args,
                     size_t nargs);
/* A label set as KV, for the data model. */
struct tval tv_kv(const struct labels *ls);
struct tval tv_alerts_filter(struct tx *x, const struct tval *as, const char *status);
struct tval tv_sorted_pairs(struct tx *x, const struct tval *kv);

/* ---- functions ------------------------------------------------------ */

typedef struct tval (*tfunc_fn)(struct tx *x, const struct tval *args, size_t n);
struct tfunc {
    const char *name;
    tfunc_fn fn;
    int min, max; /* argument count; max -1 = variadic */
};
const struct tfunc *tfunc_find(const char *name, size_t n);
/* A finished scratch buffer (from tx_sbuf) as a string value in the arena. */
struct tval tx_take(struct tx *x, struct buf *b, enum tv_kind k);
void tx_sbuf(struct buf *b);
/* Implemented in template_time.c. */
struct tval tf_date(struct tx *x, const struct tval *a, size_t n);
struct tval tf_tz(struct tx *x, const struct tval *a, size_t n);
struct tval tf_now(struct tx *x, const struct tval *a, size_t n);
struct tval tf_since(struct tx *x, const struct tval *a, size_t n);
struct tval tf_humanizeduration(struct tx *x, const struct tval *a, size_t n);
struct tval tf_tojson(struct tx *x, const struct tval *a, size_t n);
extern const struct tfunc tfunc_and, tfunc_or;

/* ---- formatting ----------------------------------------------------- */

void tfmt_printf(struct tx *x, struct buf *b, const char *fmt, size_t flen, const struct tval *args,
                 size_t n);
void tfmt_html_escape(struct buf *b, const char *s, size_t n, bool template_html);
void tfmt_js_escape(struct buf *b, const char *s, size_t n);
void tfmt_query_escape(struct buf *b, const char *s, size_t n);
void tfmt_quote(struct buf *b, const char *s, size_t n);
void tfmt_float(struct buf *b, double f, char verb, int prec);
void tfmt_json(struct tx *x, struct buf *b, const struct tval *v);
void tfmt_json_string(struct buf *b, const char *s, size_t n);

/* ---- time ----------------------------------------------------------- */

struct ttime ttime_from_ms(int64_t ms);
bool ttime_is_zero(const struct ttime *t);
void ttime_format(struct buf *b, const struct ttime *t, const char *layout, size_t n);
void ttime_string(struct buf *b, const struct ttime *t);
void tdur_string(struct buf *b, int64_t ns);
/* Converts t to zone `name` (IANA name, "UTC", "Local"); -1 if unknown. */
int ttime_in_zone(struct tx *x, struct ttime *t, const char *name);
void ttime_rfc3339(struct buf *b, const struct ttime *t);

#endif
