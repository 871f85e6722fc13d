/*
 * Checks of a FUSE request's arguments against its length, before
 * libfuse sees it. libfuse 3.14 trusts its client (the kernel): it reads
 * fixed argument structs without looking at the length, and takes the
 * byte counts of WRITE, SETXATTR, BATCH_FORGET and IOCTL from the request
 * itself. A guest is not a kernel we trust, so every request is checked
 * here: the fixed part present, each name NUL-terminated inside the
 * request, every counted payload inside the request.
 *
 * Pure functions over a flat copy of the request; no state.
 */
#ifndef PVKIT_HOST_FS_VIRTIOFS_ARGS_H
#define PVKIT_HOST_FS_VIRTIOFS_ARGS_H

#include <stddef.h>
#include <stdint.h>

/* 0 when the request (header included, len bytes at req) is well formed
   for its opcode, else the errno to answer it with: EINVAL for a short or
   unterminated request, ENOSYS for an opcode pvkit does not pass on. */
int virtiofs_check_args(const uint8_t *req, size_t len);

#endif
