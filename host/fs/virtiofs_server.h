/*
 * The host end of a virtio-fs device: one shared folder (hostfs) served
 * through a libfuse3 session by a pool of worker threads.
 *
 * Talks to: the device through struct fs_backend (requests in, completions
 * out), hostfs (host/fs/hostfs.h) through libfuse's low-level API, and
 * the event loop, where an eventfd brings completions back onto the
 * machine thread. Owns the session, the hostfs, the threads.
 *
 * Requests are fed to fuse_session_process_buf() by the workers; the
 * session's custom io only captures replies. Each request is handed to
 * libfuse under a unique of pvkit's own making (a worker number and a
 * sequence), so a reply finds its chain whatever uniques the guest sent,
 * and the guest's unique is put back in the reply header.
 */
#ifndef PVKIT_HOST_FS_VIRTIOFS_SERVER_H
#define PVKIT_HOST_FS_VIRTIOFS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_loop;
struct fs_backend;
struct hostfs_options;

#define VIRTIOFS_WORKERS 3

struct virtiofs_server_stats {
	uint64_t requests;     /* served by libfuse */
	uint64_t replies;      /* of which answered through libfuse */
	uint64_t no_reply;     /* libfuse said nothing: answered EIO */
	uint64_t refused_args; /* refused by virtiofs_check_args */
	uint64_t sessions;     /* FUSE sessions started (INIT after DESTROY
				  or a reset needs a new one) */
};

/* Opens o->root with hostfs and starts the workers. NULL with a one-line
   reason in err. The tag is copied (at most 36 bytes). */
struct fs_backend *virtiofs_server_open(const struct hostfs_options *o,
					const char *tag,
					struct event_loop *loop, char *err,
					size_t errlen);
void virtiofs_server_stats(struct fs_backend *b,
			   struct virtiofs_server_stats *out);

#endif
