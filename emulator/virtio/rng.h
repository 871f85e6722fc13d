/*
 * virtio-rng (device ID 4): fills the driver's buffers with entropy.
 *
 * Talks to: the virtio core, and an entropy source the host provides as
 * a callback (host/ wires getrandom). Owns nothing else.
 */
#ifndef PVKIT_VIRTIO_RNG_H
#define PVKIT_VIRTIO_RNG_H

#include <stddef.h>
#include <sys/types.h>

struct virtio_dev;
struct virtio_rng;

/* Fills buf with up to len random bytes; returns how many (0 when none
   are available now) or -1. */
typedef ssize_t (*entropy_fn)(void *opaque, void *buf, size_t len);

struct virtio_rng *virtio_rng_create(entropy_fn fill, void *opaque);
void virtio_rng_free(struct virtio_rng *r);
struct virtio_dev *virtio_rng_dev(struct virtio_rng *r);

#endif
