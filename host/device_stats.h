/* Per-device counters as JSON (device_stats.c). */
#ifndef PVKIT_HOST_DEVICE_STATS_H
#define PVKIT_HOST_DEVICE_STATS_H

#include <jansson.h>

struct machine;
struct virtio_devices;

/* A new object: "cpu", "virtio" (one entry per occupied slot), "host"
   (cpu-seconds of this process), and "ide"/"ethoc"/"uart16550" when
   present. v may be NULL. */
json_t *device_stats_json(struct machine *m, const struct virtio_devices *v);

#endif
