/*
 * A driver's side of a split virtqueue, for the virtio unit tests: guest
 * RAM from malloc (so AddressSanitizer sees any access past its end, which
 * it cannot in the emulator's mmap'd RAM), a bus around it, and helpers
 * that lay out descriptors and publish chains the way a driver does.
 * Header-only: each test file includes it and gets its own copy.
 */
#ifndef PVKIT_TESTS_VIRTIO_RIG_H
#define PVKIT_TESTS_VIRTIO_RIG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator/mem/bus.h"
#include "emulator/virtio/virtio.h"

#define RIG_RAM_BASE 0x80000000ull
#define RIG_RAM_SIZE (1u << 20)
/* ring areas of queue q, then buffers */
#define RIG_DESC(q) (RIG_RAM_BASE + 0x1000 + 0x3000 * (uint64_t)(q))
#define RIG_AVAIL(q) (RIG_DESC(q) + 0x1000)
#define RIG_USED(q) (RIG_DESC(q) + 0x2000)
#define RIG_BUF (RIG_RAM_BASE + 0x40000)

struct vq_driver {
	struct bus *bus;
	uint64_t desc, avail, used;
	uint16_t num, avail_idx, used_seen;
};

/* A bus over malloc'd RAM; free with rig_bus_free, not bus_free. */
static inline void rig_bus_init(struct bus *b)
{
	memset(b, 0, sizeof(*b));
	b->ram = calloc(1, RIG_RAM_SIZE);
	b->page_flags = calloc(RIG_RAM_SIZE >> PAGE_SHIFT, 1);
	b->ram_base = RIG_RAM_BASE;
	b->ram_size = RIG_RAM_SIZE;
}

static inline void rig_bus_free(struct bus *b)
{
	free(b->ram);
	free(b->page_flags);
	memset(b, 0, sizeof(*b));
}

static inline void *rig_ptr(struct bus *b, uint64_t pa)
{
	return b->ram + (pa - b->ram_base);
}

static inline void drv_init(struct vq_driver *v, struct bus *b, unsigned q,
			    uint16_t num)
{
	*v = (struct vq_driver){
		b, RIG_DESC(q), RIG_AVAIL(q), RIG_USED(q), num, 0, 0};
}

static inline void drv_desc(struct vq_driver *v, uint16_t i, uint64_t addr,
			    uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc d = {addr, len, flags, next};
	memcpy(rig_ptr(v->bus, v->desc + 16ull * i), &d, sizeof(d));
}

/* A descriptor in an indirect table at table_pa. */
static inline void drv_table(struct bus *b, uint64_t table_pa, uint16_t i,
			     uint64_t addr, uint32_t len, uint16_t flags,
			     uint16_t next)
{
	struct virtq_desc d = {addr, len, flags, next};
	memcpy(rig_ptr(b, table_pa + 16ull * i), &d, sizeof(d));
}

/* Publishes head on the available ring. */
static inline void drv_publish(struct vq_driver *v, uint16_t head)
{
	uint8_t *a = rig_ptr(v->bus, v->avail);
	memcpy(a + 4 + 2 * (size_t)(v->avail_idx % v->num), &head, 2);
	v->avail_idx++;
	memcpy(a + 2, &v->avail_idx, 2);
}

static inline void drv_set_avail_flags(struct vq_driver *v, uint16_t f)
{
	memcpy(rig_ptr(v->bus, v->avail), &f, 2);
}

static inline void drv_set_used_event(struct vq_driver *v, uint16_t e)
{
	memcpy((uint8_t *)rig_ptr(v->bus, v->avail) + 4 + 2 * (size_t)v->num,
	       &e, 2);
}

static inline uint16_t drv_avail_event(struct vq_driver *v)
{
	uint16_t e;
	memcpy(&e, (uint8_t *)rig_ptr(v->bus, v->used) + 4 + 8 * (size_t)v->num,
	       2);
	return e;
}

static inline uint16_t drv_used_idx(struct vq_driver *v)
{
	uint16_t i;
	memcpy(&i, (uint8_t *)rig_ptr(v->bus, v->used) + 2, 2);
	return i;
}

/* The next used element: false when the device has returned none. */
static inline bool drv_get_used(struct vq_driver *v, uint32_t *id,
				uint32_t *len)
{
	if (drv_used_idx(v) == v->used_seen)
		return false;
	struct virtq_used_elem e;
	memcpy(&e,
	       (uint8_t *)rig_ptr(v->bus, v->used) + 4 +
		       8 * (size_t)(v->used_seen % v->num),
	       sizeof(e));
	v->used_seen++;
	*id = e.id;
	*len = e.len;
	return true;
}

/* Sets up queue q of d as a driver would (without a transport) and
   negotiates features (host features & want). */
static inline void drv_setup(struct virtio_dev *d, struct vq_driver *v,
			     unsigned q, uint16_t num, uint64_t want)
{
	d->guest_features = d->host_features & want;
	d->status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		    VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
	drv_init(v, d->bus, q, num);
	d->vq[q].num = num;
	d->vq[q].desc_pa = v->desc;
	d->vq[q].avail_pa = v->avail;
	d->vq[q].used_pa = v->used;
	ck_assert(virtio_queue_enable(d, q));
}

/* What the code under test logs on stderr, captured: a broken device
   must say so in exactly one line. */
struct rig_log {
	int saved;
	FILE *f;
};

static inline void rig_log_begin(struct rig_log *l)
{
	fflush(stderr);
	l->f = tmpfile();
	l->saved = dup(2);
	dup2(fileno(l->f), 2);
}

/* Restores stderr; returns the lines logged, each checked to say the
   device needs reset. */
static inline int rig_log_end(struct rig_log *l)
{
	fflush(stderr);
	dup2(l->saved, 2);
	close(l->saved);
	rewind(l->f);
	char line[512];
	int n = 0;
	while (fgets(line, sizeof(line), l->f)) {
		n++;
		ck_assert_msg(strstr(line, "device needs reset"), "logged: %s",
			      line);
	}
	fclose(l->f);
	return n;
}

#endif
