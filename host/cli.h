/* Shared by pvkit's subcommands (main.c). */
#ifndef PVKIT_HOST_CLI_H
#define PVKIT_HOST_CLI_H

/* Prints "pvkit: <message>" on stderr; returns 2 (bad usage). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_ctl(int argc, char **argv);

#endif
