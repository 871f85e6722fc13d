/*
 * Creating the virtio devices of `pvkit run` and wiring their host ends:
 * disks on raw or qcow2 images (image_open picks the back end), shared
 * folders (virtio-fs on a hostfs server each), virtio-net
 * on the --net back end (its link changes reach the device's STATUS), the
 * rng on getrandom, the balloon on the machine's balloon hooks (the
 * control socket's `balloon` and `query-balloon`), and a virtio-console
 * whose port 0 is a second guest console (hvc) on pvkit's stdout and
 * whose port 1 is the guest agent's unix socket.
 */
#include "virtio_devices.h"
#include "emulator/devices/ide.h"
#include "emulator/platform/memmap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "emulator/backend/block.h"
#include "emulator/backend/fs.h"
#include "emulator/machine.h"
#include "emulator/virtio/balloon.h"
#include "emulator/virtio/blk.h"
#include "emulator/virtio/console.h"
#include "emulator/virtio/fs.h"
#include "emulator/virtio/mmio.h"
#include "emulator/virtio/net.h"
#include "emulator/virtio/rng.h"
#include "host/block/image.h"
#include "host/fs/hostfs.h"
#include "host/fs/virtiofs_server.h"
#include "host/net/net.h"
#include "protocol/virtio_console.h"

#define AGENT_PORT 1

/* --- disks ------------------------------------------------------------------ */

static struct block_backend *open_disk(const struct disk_option *d, char *err,
				       size_t errlen)
{
	return image_open(d->path, d->format,
			  d->read_only ? IMAGE_READ_ONLY : 0, err, errlen);
}

/* --- net ------------------------------------------------------------------- */

static void net_link(void *opaque, bool up)
{
	virtio_net_set_link(opaque, up);
}

/* --- rng ---------------------------------------------------------------------- */

static ssize_t host_entropy(void *opaque, void *buf, size_t len)
{
	(void)opaque;
	ssize_t n;
	do
		n = getrandom(buf, len, GRND_NONBLOCK);
	while (n < 0 && errno == EINTR);
	return n < 0 ? 0 : n;
}

/* Under --icount the guest must see the same "random" bytes every run:
   a fixed-seed xorshift stream instead of the host's entropy. */
static ssize_t seeded_entropy(void *opaque, void *buf, size_t len)
{
	uint64_t *state = opaque;
	uint8_t *p = buf;
	for (size_t k = 0; k < len; k++) {
		uint64_t x = *state;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		*state = x;
		p[k] = (uint8_t)(x >> 24);
	}
	return (ssize_t)len;
}

/* --- balloon ------------------------------------------------------------------ */

#define BALLOON_PAGE 4096ull

/* QMP's `balloon value`: the guest's target size in bytes. */
static void balloon_set_target(void *opaque, uint64_t bytes)
{
	struct virtio_devices *v = opaque;
	uint64_t ram = v->machine->ram_size;
	if (bytes > ram)
		bytes = ram;
	virtio_balloon_set_target(v->balloon,
				  (uint32_t)((ram - bytes) / BALLOON_PAGE));
}

static uint64_t balloon_actual(void *opaque)
{
	struct virtio_devices *v = opaque;
	uint64_t given = virtio_balloon_actual(v->balloon) * BALLOON_PAGE;
	uint64_t ram = v->machine->ram_size;
	return given > ram ? 0 : ram - given;
}

static void balloon_actual_changed(void *opaque, uint32_t pages)
{
	struct virtio_devices *v = opaque;
	(void)pages;
	if (v->balloon_changed)
		v->balloon_changed(v->balloon_opaque, balloon_actual(v));
}

/* --- console port 0: hvc on pvkit's own console -------------------------- */

static size_t hvc_rx(void *opaque, const uint8_t *buf, size_t n)
{
	struct virtio_devices *v = opaque;
	return virtio_console_input(v->con, 0, buf, n);
}

static size_t hvc_write(void *opaque, const uint8_t *buf, size_t n)
{
	struct virtio_devices *v = opaque;
	struct machine *m = v->machine;
	/* The guest writing to this hvc means it is the console the guest
	   uses (console=hvcN, or a getty on it): console input follows. */
	if (!m->console_rx) {
		m->console_rx = hvc_rx;
		m->console_rx_opaque = v;
	}
	machine_console_write(m, buf, n);
	return n;
}

static const struct vcon_port_ops hvc_ops = {.write = hvc_write};

/* system_powerdown's button: a virt machine has no ACPI, so pvkit asks
   the guest agent, through the port the agent listens on. The 0xFF makes
   the agent drop any half-read request first. Returns -1 when the guest
   has not opened the port (no agent running). */
static int agent_powerdown(void *opaque)
{
	struct virtio_devices *v = opaque;
	static const char cmd[] = "\xff{\"execute\":\"guest-shutdown\","
				  "\"arguments\":{\"mode\":\"powerdown\"}}\n";
	if (!virtio_console_guest_open(v->con, AGENT_PORT))
		return -1;
	size_t n = sizeof(cmd) - 1;
	return virtio_console_input(v->con, AGENT_PORT, (const uint8_t *)cmd,
				    n) == n
		       ? 0
		       : -1;
}

/* --- life cycle ------------------------------------------------------------- */

static int attach(struct virtio_devices *v, struct virtio_dev *d, char *err,
		  size_t errlen)
{
	if (virtio_mmio_attach(v->machine->virtio, d) >= 0)
		return 0;
	snprintf(err, errlen,
		 "more virtio devices than the %d virtio-mmio "
		 "slots",
		 VIRTIO_SLOTS);
	return -1;
}

int virtio_devices_create(struct virtio_devices *v,
			  const struct virtio_options *o, struct machine *m,
			  struct event_loop *loop, char *err, size_t errlen)
{
	memset(v, 0, sizeof(*v));
	v->machine = m;
	for (int k = 0; k < o->ndisks; k++) {
		struct block_backend *be = open_disk(&o->disk[k], err, errlen);
		if (!be)
			return -1;
		if (o->disk[k].ide) {
			v->ide_be = be;
			v->ide = ide_create(&m->bus, &virt_memmap[VIRT_IDE],
					    m->plic, be);
			if (!v->ide)
				goto nomem;
			continue;
		}
		v->disk_be[v->ndisks] = be;
		v->blk[v->ndisks] = virtio_blk_create(be);
		if (!v->blk[v->ndisks]) {
			be->ops->close(be);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		v->ndisks++;
		if (attach(v, virtio_blk_dev(v->blk[v->ndisks - 1]), err,
			   errlen))
			return -1;
	}
	if (o->nshares && !(v->share_fds = hostfs_fd_budget_new()))
		goto nomem;
	for (int k = 0; k < o->nshares; k++) {
		const struct share_option *so = &o->share[k];
		struct hostfs_options ho;
		hostfs_default_options(&ho, so->path);
		ho.read_only = so->read_only;
		ho.fd_budget = v->share_fds;
		struct fs_backend *be =
			virtiofs_server_open(&ho, so->tag, loop, err, errlen);
		if (!be)
			return -1;
		v->share_be[v->nshares] = be;
		v->fs[v->nshares] = virtio_fs_create(be);
		v->nshares++;
		if (!v->fs[v->nshares - 1])
			goto nomem;
		if (attach(v, virtio_fs_dev(v->fs[v->nshares - 1]), err,
			   errlen))
			return -1;
	}
	for (int k = 0; k < o->nnets; k++) {
		struct virtio_net *n = virtio_net_create(o->net[k]);
		if (!n)
			goto nomem;
		v->net[v->nnets] = n;
		v->net_be[v->nnets++] = o->net[k];
		net_backend_set_link_notify(o->net[k], net_link, n);
		if (attach(v, virtio_net_dev(n), err, errlen))
			return -1;
	}
	if (o->rng) {
		v->rng_state = 0x9e3779b97f4a7c15ull;
		v->rng = m->cfg.icount ? virtio_rng_create(seeded_entropy,
							   &v->rng_state)
				       : virtio_rng_create(host_entropy, NULL);
		if (!v->rng)
			goto nomem;
		if (attach(v, virtio_rng_dev(v->rng), err, errlen))
			return -1;
	}
	if (o->balloon) {
		struct virtio_balloon_options bo = {
			.no_stats = o->balloon_no_stats,
			.no_deflate_on_oom = o->balloon_no_oom,
			.no_free_page_reporting = o->balloon_no_reporting,
			.actual_changed = balloon_actual_changed,
			.opaque = v,
		};
		v->balloon = virtio_balloon_create(&bo);
		if (!v->balloon)
			goto nomem;
		if (attach(v, virtio_balloon_dev(v->balloon), err, errlen))
			return -1;
		m->balloon.opaque = v;
		m->balloon.set_target = balloon_set_target;
		m->balloon.actual = balloon_actual;
	}
	if (o->agent) {
		v->con = virtio_console_create();
		if (!v->con)
			goto nomem;
		virtio_console_add_port(v->con, 0, NULL, &hvc_ops, v, true);
		if (port_socket_open(&v->agent, o->agent, v->con, AGENT_PORT,
				     VIRTIO_CONSOLE_AGENT_PORT_NAME, loop, err,
				     errlen))
			return -1;
		v->agent_open = true;
		m->powerdown.opaque = v;
		m->powerdown.request = agent_powerdown;
		if (attach(v, virtio_console_dev(v->con), err, errlen))
			return -1;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

void virtio_devices_quiesce(struct virtio_devices *v)
{
	for (int k = 0; k < v->nshares; k++)
		v->share_be[k]->ops->cancel_all(v->share_be[k]);
}

void virtio_devices_free(struct virtio_devices *v)
{
	for (int k = 0; k < v->nshares; k++) {
		virtio_fs_free(v->fs[k]);
		v->share_be[k]->ops->close(v->share_be[k]);
	}
	hostfs_fd_budget_free(v->share_fds); /* after every share's close */
	if (v->agent_open)
		port_socket_close(&v->agent);
	virtio_console_free(v->con);
	virtio_balloon_free(v->balloon);
	virtio_rng_free(v->rng);
	for (int k = 0; k < v->nnets; k++) {
		net_backend_set_link_notify(v->net_be[k], NULL, NULL);
		virtio_net_free(v->net[k]);
	}
	ide_free(v->ide);
	if (v->ide_be)
		v->ide_be->ops->close(v->ide_be);
	for (int k = 0; k < v->ndisks; k++) {
		virtio_blk_free(v->blk[k]);
		v->disk_be[k]->ops->close(v->disk_be[k]);
	}
	memset(v, 0, sizeof(*v));
}
