/* fuzz_config_run.h - the contract of the config file parser
 * (src/conffile.h) on any bytes, shared by the libFuzzer target
 * (fuzz_config.c) and the replay of its corpus in tests/check_conffile.c. */
#ifndef TESTS_FUZZ_FUZZ_CONFIG_RUN_H
#define TESTS_FUZZ_FUZZ_CONFIG_RUN_H

#include <stddef.h>
#include <stdint.h>

/** Parses data as a config file and checks what came out: NULL when the
 * contract holds, else what broke it (static text). */
const char *fuzz_run_config(const uint8_t *data, size_t size);

#endif
