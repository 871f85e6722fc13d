/*
 * libFuzzer harness over the whole virtio-fs path with a guest's raw FUSE
 * requests: the device's framing (emulator/virtio/fs.c), the server's
 * argument checks, worker threads and reply capture (host/fs/
 * virtiofs_server.c), libfuse 3.14 and hostfs over a real temporary
 * folder. Each input is a burst of chains after a good INIT; a device
 * reset ends it (which also restarts the FUSE session).
 *
 * Oracles beyond the sanitizers: every chain comes back, with at most the
 * room it offered; a reply header, when there is one, has the guest's
 * unique and a len equal to the bytes written; and the host file next to
 * the share, and the folder that holds both, never change.
 *
 * Input: records [u8 room][u8 queue][u16 len][len bytes], at most 30:
 *   the bytes go to guest RAM as the request (header and all, so its len
 *   and opcode are the input's); room * 32 writable bytes follow (0 = no
 *   writable part); queue bit 0 selects hiprio (0) or the request queue.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emulator/backend/fs.h"
#include "emulator/virtio/fs.h"
#include "host/event_loop.h"
#include "host/fs/hostfs.h"
#include "host/fs/virtiofs_server.h"
#include "protocol/virtio_fs.h"
#include "tests/fuzz/fuzz_rig.h"

#define RAM_SIZE (1u << 20)
#define NUM 64
#define MAX_CHAINS 30 /* descriptors 0..59; the INIT uses 62, 63 */
#define REQ_OFF 0x10000u   /* request k at REQ_OFF + k * SLOT */
#define REPLY_OFF 0x80000u /* reply k at REPLY_OFF + k * SLOT */
#define SLOT 0x2000u
#define SECRET "the host's secret\n"

struct world {
	char top[64], share[96], secret[96];
	struct event_loop loop;
	struct fs_backend *be;
	struct virtio_fs *fs;
	struct virtio_dev *dev;
	struct bus bus;
	unsigned top_entries;
};

static unsigned count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	FZ_CHECK(d);
	unsigned n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	FZ_CHECK(f);
	fputs(text, f);
	fclose(f);
}

static char cleanup_dir[64];

static void remove_world(void)
{
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cleanup_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", cleanup_dir);
}

/* One share for the whole run: {a, d/, l -> ../secret.txt} next to
   secret.txt; the folder goes when the fuzzer exits. */
static struct world *world(void)
{
	static struct world *w;
	if (w)
		return w;
	w = calloc(1, sizeof(*w));
	strcpy(w->top, "/tmp/pvkit-fuzz-fs-XXXXXX");
	FZ_CHECK(mkdtemp(w->top));
	strcpy(cleanup_dir, w->top);
	atexit(remove_world);
	snprintf(w->share, sizeof(w->share), "%s/share", w->top);
	snprintf(w->secret, sizeof(w->secret), "%s/secret.txt", w->top);
	FZ_CHECK(!mkdir(w->share, 0755));
	put_file(w->secret, SECRET);
	char p[160];
	snprintf(p, sizeof(p), "%s/a", w->share);
	put_file(p, "hello\n");
	snprintf(p, sizeof(p), "%s/d", w->share);
	FZ_CHECK(!mkdir(p, 0755));
	snprintf(p, sizeof(p), "%s/l", w->share);
	FZ_CHECK(!symlink("../secret.txt", p));
	w->top_entries = count_entries(w->top);
	event_loop_init(&w->loop);
	struct hostfs_options o;
	hostfs_default_options(&o, w->share);
	char err[256];
	w->be = virtiofs_server_open(&o, "fuzz", &w->loop, err, sizeof(err));
	FZ_CHECK(w->be);
	w->fs = virtio_fs_create(w->be);
	w->dev = virtio_fs_dev(w->fs);
	w->bus.ram = calloc(1, RAM_SIZE);
	w->bus.page_flags = calloc(RAM_SIZE >> PAGE_SHIFT, 1);
	w->bus.ram_base = FZ_RAM_BASE;
	w->bus.ram_size = RAM_SIZE;
	w->dev->bus = &w->bus;
	return w;
}

static uint8_t *ram(struct world *w, uint32_t off)
{
	return w->bus.ram + off;
}

static void set_desc(struct world *w, unsigned q, uint16_t i, uint32_t off,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc d = {FZ_RAM_BASE + off, len, flags, next};
	memcpy(ram(w, 0x4000u * q + 16u * i), &d, sizeof(d));
}

static void publish(struct world *w, unsigned q, uint16_t head)
{
	uint8_t *a = ram(w, 0x4000u * q + 0x1000u);
	uint16_t idx;
	memcpy(&idx, a + 2, 2);
	memcpy(a + 4 + 2 * (idx % NUM), &head, 2);
	idx++;
	memcpy(a + 2, &idx, 2);
}

static uint16_t used_idx(struct world *w, unsigned q)
{
	uint16_t v;
	memcpy(&v, ram(w, 0x4000u * q + 0x2000u + 2), 2);
	return v;
}

/* Runs the event loop until total chains came back on both queues. */
static void drain(struct world *w, unsigned total)
{
	for (int spins = 0; spins < 2000; spins++) {
		if ((unsigned)(used_idx(w, 0) + used_idx(w, 1)) >= total)
			return;
		event_loop_poll(&w->loop, NULL, 1000000);
	}
	FZ_CHECK(!"a chain never came back");
}

static void check_reply(struct world *w, unsigned q, unsigned k,
			uint32_t room, uint64_t unique)
{
	/* find chain k's used entry on queue q */
	uint16_t n = used_idx(w, q);
	for (uint16_t i = 0; i < n; i++) {
		struct virtq_used_elem e;
		memcpy(&e, ram(w, 0x4000u * q + 0x2000u + 4 + 8 * (i % NUM)),
		       sizeof(e));
		if (e.id != 2 * k)
			continue;
		FZ_CHECK(e.len <= room);
		if (e.len >= sizeof(struct vfs_out_header)) {
			struct vfs_out_header o;
			memcpy(&o, ram(w, REPLY_OFF + k * SLOT), sizeof(o));
			FZ_CHECK(o.len == e.len);
			FZ_CHECK(o.unique == unique || o.unique == 0);
		}
		return;
	}
	FZ_CHECK(!"chain missing from the used ring");
}

static void setup_queues(struct world *w)
{
	struct virtio_dev *d = w->dev;
	d->guest_features = d->host_features;
	d->status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		    VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
	memset(w->bus.ram, 0, REQ_OFF);
	for (unsigned q = 0; q < 2; q++) {
		d->vq[q].num = NUM;
		d->vq[q].desc_pa = FZ_RAM_BASE + 0x4000u * q;
		d->vq[q].avail_pa = FZ_RAM_BASE + 0x4000u * q + 0x1000u;
		d->vq[q].used_pa = FZ_RAM_BASE + 0x4000u * q + 0x2000u;
		FZ_CHECK(virtio_queue_enable(d, q));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct world *w = world();
	struct fz_in in = {data, size};
	setup_queues(w);

	/* a good INIT first (descriptors 62, 63 of the request queue) */
	struct {
		struct vfs_in_header h;
		struct vfs_init_in i;
	} init = {{sizeof(init), VFS_OP_INIT, 1, 0, 0, 0, 0, 0, 0},
		  {7, 31, 65536, 0, 0, {0}}};
	memcpy(ram(w, REQ_OFF - SLOT), &init, sizeof(init));
	set_desc(w, 1, 62, REQ_OFF - SLOT, sizeof(init), VIRTQ_DESC_F_NEXT, 63);
	set_desc(w, 1, 63, REPLY_OFF - SLOT, 256, VIRTQ_DESC_F_WRITE, 0);
	publish(w, 1, 62);
	virtio_dev_notify(w->dev, 1);
	drain(w, 1);

	unsigned sent[2] = {0, 1};
	uint32_t rooms[MAX_CHAINS];
	uint64_t uniques[MAX_CHAINS];
	unsigned queues[MAX_CHAINS], n = 0;
	while (in.n >= 4 && n < MAX_CHAINS) {
		uint32_t room = 32u * fz_u8(&in);
		unsigned q = fz_u8(&in) & 1;
		uint16_t len = fz_u16(&in);
		if (len > in.n)
			len = (uint16_t)in.n;
		if (len > SLOT)
			len = SLOT;
		memset(ram(w, REQ_OFF + n * SLOT), 0, SLOT);
		memcpy(ram(w, REQ_OFF + n * SLOT), in.p, len);
		in.p += len, in.n -= len;
		uint64_t unique = 0;
		if (len >= 16)
			memcpy(&unique, ram(w, REQ_OFF + n * SLOT + 8), 8);
		uint16_t d = (uint16_t)(2 * n);
		/* an empty readable part still needs a descriptor: 1 byte */
		set_desc(w, q, d, REQ_OFF + n * SLOT, len ? len : 1,
			 room ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(d + 1));
		if (room)
			set_desc(w, q, (uint16_t)(d + 1), REPLY_OFF + n * SLOT,
				 room, VIRTQ_DESC_F_WRITE, 0);
		publish(w, q, d);
		rooms[n] = room;
		uniques[n] = unique;
		queues[n] = q;
		sent[q]++;
		n++;
	}
	virtio_dev_notify(w->dev, 0);
	virtio_dev_notify(w->dev, 1);
	drain(w, sent[0] + sent[1]);
	for (unsigned k = 0; k < n; k++)
		check_reply(w, queues[k], k, rooms[k], uniques[k]);

	/* the oracle: nothing outside the share moved */
	FZ_CHECK(count_entries(w->top) == w->top_entries);
	char buf[64] = {0};
	int fd = open(w->secret, O_RDONLY);
	FZ_CHECK(fd >= 0);
	FZ_CHECK(read(fd, buf, sizeof(buf) - 1) == (ssize_t)strlen(SECRET));
	close(fd);
	FZ_CHECK(!strcmp(buf, SECRET));

	virtio_dev_reset(w->dev); /* a fresh FUSE session for the next */
	return 0;
}
