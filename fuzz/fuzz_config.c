/* fuzz_config.c -- libFuzzer target for the YAML config loader.
 *
 * A config file is operator input, but it also arrives through reloads and
 * the template renderer, and a crash there takes the whole router down, so
 * config_parse must turn any bytes into either a config or a list of
 * positioned errors.  Beyond "no crash, no leak" each input checks two
 * promises the module makes:
 *   - every error is "fuzz.yml:..." (the file name leads every message);
 *   - a config that loads dumps (config_dump_redacted) to well-formed YAML,
 *     since GET /api/v2/status serves that text to amtool.
 * A broken promise aborts, which libFuzzer reports as a crash.
 *
 * basedir is a directory that does not exist: config_parse only joins paths
 * to it (templates, *_file), it never reads them, and the fuzzer must not
 * depend on the machine's files.
 *
 *   make fuzz                      (FUZZ_TIME=seconds per target)
 *   build-fuzz/fuzz_config -max_total_time=60 build-fuzz/corpus-fuzz_config \
 *       fuzz/seeds/fuzz_config */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../router/config.h"
#include "../router/config_yaml.h"
#include "../router/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    log_set_level("error");
    return 0;
}

static void check_messages(const struct cfg_diag *d, const char *file)
{
    size_t fl = strlen(file);
    for (size_t i = 0; i < d->n; i++) {
        if (strncmp(d->msgs[i], file, fl) != 0 || d->msgs[i][fl] != ':') {
            fprintf(stderr, "fuzz_config: message without the file name: %s\n", d->msgs[i]);
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Real configs are a few KB; 64 KB leaves room for anchors and nesting
     * while keeping each run fast enough to explore. */
    if (size > 65536)
        return 0;
    struct cfg_diag diag;
    cfg_diag_init(&diag);
    struct config *cfg =
        config_parse((const char *)data, size, "fuzz.yml", "/nonexistent-fuzz-dir", &diag);
    check_messages(&diag, "fuzz.yml");
    if (cfg != NULL) {
        if (diag.n != 0) {
            fprintf(stderr, "fuzz_config: a config was returned with %zu errors\n", diag.n);
            abort();
        }
        (void)config_receiver(cfg, cfg->route.receiver ? cfg->route.receiver : "");
        char *dump = config_dump_redacted(cfg);
        struct cfg_diag dd;
        cfg_diag_init(&dd);
        struct ynode *root = NULL;
        if (ynode_load(dump, strlen(dump), "dump.yml", &dd, &root) < 0) {
            fprintf(stderr, "fuzz_config: the redacted dump is not YAML: %s\n---\n%s\n---\n",
                    dd.n ? dd.msgs[0] : "?", dump);
            abort();
        }
        ynode_free(root);
        cfg_diag_deinit(&dd);
        free(dump);
        config_free(cfg);
    }
    cfg_diag_deinit(&diag);
    return 0;
}
