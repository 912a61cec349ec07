/* goquote.h -- strings quoted as Go's %q / strconv.Quote prints them.
 *
 * Alertmanager's error messages quote user input with %q ("invalid label
 * name \"a-b\""); clients and tests compare those bodies, so we quote the
 * same way: `"` and `\` escaped, \a \b \f \n \r \t \v named, other control
 * bytes and invalid UTF-8 as \xNN, valid UTF-8 kept as is. */
#ifndef ROUTER_GOQUOTE_H
#define ROUTER_GOQUOTE_H

#include "buf.h"

/* Appends the quoted form of s, quotes included, to out. */
void goquote_append(struct buf *out, const char *s);

#endif
