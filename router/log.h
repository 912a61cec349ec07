/* log.h -- leveled, structured logging on stderr (--log.level, --log.format).
 *
 * Lines look like Alertmanager's so that existing log pipelines keep
 * parsing them:
 *   logfmt: ts=2026-11-26T18:31:19.123Z caller=main.c:120 level=info msg="Starting" version=0.1.0
 *   json:   {"ts":"...","caller":"main.c:120","level":"info","msg":"Starting","version":"0.1.0"}
 *
 * Never pass a secret (password, token, webhook URL) as a value: log the
 * receiver name instead. */
#ifndef ROUTER_LOG_H
#define ROUTER_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_LOGFMT, LOG_JSON };

/* Parse "debug|info|warn|error" / "logfmt|json"; -1 if unknown. */
int log_set_level(const char *s);
int log_set_format(const char *s);
bool log_enabled(enum log_level lvl);

/* Writes one line: msg plus NULL-terminated (key, value) string pairs.
 * A NULL value is written as an empty string. */
void log_kv_at(const char *file, int line, enum log_level lvl, const char *msg, ...);

#define log_debug(...) log_kv_at(__FILE__, __LINE__, LOG_DEBUG, __VA_ARGS__, (const char *)0)
#define log_info(...) log_kv_at(__FILE__, __LINE__, LOG_INFO, __VA_ARGS__, (const char *)0)
#define log_warn(...) log_kv_at(__FILE__, __LINE__, LOG_WARN, __VA_ARGS__, (const char *)0)
#define log_error(...) log_kv_at(__FILE__, __LINE__, LOG_ERROR, __VA_ARGS__, (const char *)0)

#endif
