/* notify_email.h -- the email notifier: Alertmanager's email_configs, sent
 * over SMTP through http_client's curl multi (see notify_email.c).
 *
 * The pipeline reaches it through notifiers_build(); the message builder
 * is public so that tests can compare a whole rendered mail with an
 * expected file. */
#ifndef ROUTER_NOTIFY_EMAIL_H
#define ROUTER_NOTIFY_EMAIL_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "notify.h"
#include "template.h"

/* An email notifier for receivers[...].email_configs[idx].  `cfg` and `env`
 * are borrowed as for notifier_webhook_new().  Templates come from
 * env->tmpl, or from the built-in default.tmpl when it is NULL.  Returns a
 * new notifier; free with notifier_free(). */
struct notifier *notifier_email_new(const struct email_cfg *cfg, const char *receiver, unsigned idx,
                                    const struct notify_env *env);

/* What varies between two renderings of the same notification; tests fix
 * it, the notifier takes the clock and fresh random tokens. */
struct email_fixed {
    time_t date;
    const char *message_id; /* "<...@...>" */
    const char *boundary;   /* must be a valid MIME boundary */
};

/* One rendered mail: the message and its envelope. */
struct email_msg {
    struct buf msg;  /* RFC 5322 text, CRLF line ends */
    char *mail_from; /* "<addr-spec>" */
    char **rcpt;     /* "<addr-spec>" each, NULL-terminated */
    size_t n_rcpt;
};

/* Renders the mail for `alerts` (the send's alerts, after the
 * send_resolved filter): `to`, `from` and every header value with the
 * text templates, `text` and `html` (HTML-escaping) as the two parts of a
 * multipart/alternative body, quoted-printable.  Returns 0 and fills *m
 * (free with email_msg_deinit), or -1 with err saying what is wrong -- a
 * template error, an unparsable address, a line break in a header value --
 * which no retry can fix. */
int email_build(const struct email_cfg *cfg, const struct tmpl_set *ts,
                const struct notify_req *req, struct alert *const *alerts, size_t n,
                const struct email_fixed *fx, struct email_msg *m, struct errbuf *err);
void email_msg_deinit(struct email_msg *m);

/* The curl URL for cfg->smarthost: smtps://host:port/<hello> for port 465
 * or force_implicit_tls: true (implicit TLS, as Alertmanager),
 * smtp://host:port/<hello> otherwise; the
 * path is the EHLO name, percent-encoded.  Returns -1 with err set when
 * the smarthost is not host:port. */
int email_url(const struct email_cfg *cfg, struct buf *out, struct errbuf *err);

#endif
