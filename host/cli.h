/* Shared by pvkit's subcommands (main.c). */
#ifndef PVKIT_HOST_CLI_H
#define PVKIT_HOST_CLI_H

#include <stdint.h>

/* Prints "pvkit: <message>" on stderr; returns 2 (bad usage). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A size such as "512M", "2G", "4096B": digits and an optional K, M, G,
   T, P or B suffix; a bare number counts in units of 1 << bare_shift
   (MiB for --mem as in QEMU, bytes for images as in qemu-img). Range
   checks are the caller's. Returns -1 for anything else or overflow. */
int cli_parse_size(const char *s, unsigned bare_shift, uint64_t *out);

int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_ctl(int argc, char **argv);

#endif
