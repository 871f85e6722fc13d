/*
 * Per-device counters as JSON, for the control socket's
 * `query-pvkit-stats` and for benchmarks: the CPU, every virtio-mmio
 * slot with a device, each shared folder (virtio-fs: its device and
 * server counters), the emulated twins (IDE, ethoc, 16550) and the host
 * CPU time of this process. Reads the devices' own counters; owns nothing.
 */
#include "device_stats.h"

#include <sys/resource.h>

#include "emulator/backend/fs.h"
#include "emulator/devices/ethoc.h"
#include "emulator/devices/ide.h"
#include "emulator/devices/uart16550.h"
#include "emulator/machine.h"
#include "emulator/platform/memmap.h"
#include "emulator/virtio/fs.h"
#include "emulator/virtio/mmio.h"
#include "emulator/virtio/net.h"
#include "emulator/virtio/virtio.h"
#include "host/fs/virtiofs_server.h"
#include "virtio_devices.h"

static json_t *virtio_json(const struct virtio_dev *d, unsigned slot)
{
	const struct virtio_stats *s = &d->stats;
	return json_pack(
		"{s:i,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "slot", (int)slot,
		"name", d->ops->name, "mmio-exits", (json_int_t)s->mmio_exits,
		"notifications", (json_int_t)s->notifications, "interrupts",
		(json_int_t)s->interrupts, "requests", (json_int_t)s->requests,
		"bytes-in", (json_int_t)s->bytes_in, "bytes-out",
		(json_int_t)s->bytes_out, "bad-chains",
		(json_int_t)s->bad_chains);
}

/* A shared folder: the device's framing counters and its server's. */
static json_t *share_json(const struct virtio_fs *f, struct fs_backend *be)
{
	const struct virtio_fs_stats *d = virtio_fs_stats(f);
	struct virtiofs_server_stats s;
	virtiofs_server_stats(be, &s);
	return json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "tag",
			 be->tag, "requests", (json_int_t)d->submitted,
			 "completed", (json_int_t)d->completed, "refused",
			 (json_int_t)(d->refused + s.refused_args),
			 "dropped-at-reset", (json_int_t)d->dropped,
			 "max-in-flight", (json_int_t)d->max_inflight,
			 "fuse-replies", (json_int_t)s.replies, "no-reply",
			 (json_int_t)s.no_reply, "sessions",
			 (json_int_t)s.sessions);
}

json_t *device_stats_json(struct machine *m, const struct virtio_devices *v)
{
	const struct hart *h = &m->hart;
	json_t *out = json_pack("{s:{s:I,s:I,s:I}}", "cpu", "instructions",
				(json_int_t)h->instret, "blocks-decoded",
				(json_int_t)h->stat_blocks_built,
				"code-flushes", (json_int_t)h->stat_flushes);
	json_t *vio = json_array();
	for (unsigned k = 0; m->virtio && k < VIRTIO_SLOTS; k++) {
		const struct virtio_dev *d = virtio_mmio_device(m->virtio, k);
		if (d)
			json_array_append_new(vio, virtio_json(d, k));
	}
	json_object_set_new(out, "virtio", vio);
	/* this process's CPU time, so a benchmark can take the host cost of
	   just the work between two snapshots */
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		json_object_set_new(
			out, "host",
			json_pack("{s:f}", "cpu-seconds",
				  (double)ru.ru_utime.tv_sec +
					  (double)ru.ru_utime.tv_usec * 1e-6 +
					  (double)ru.ru_stime.tv_sec +
					  (double)ru.ru_stime.tv_usec * 1e-6));
	if (m->uart) {
		struct uart16550_stats s;
		uart16550_get_stats(m->uart, &s);
		json_object_set_new(
			out, "uart16550",
			json_pack("{s:I,s:I,s:I,s:I}", "mmio-exits",
				  (json_int_t)s.mmio_exits, "interrupts",
				  (json_int_t)s.interrupts, "tx-bytes",
				  (json_int_t)s.tx_bytes, "rx-bytes",
				  (json_int_t)s.rx_bytes));
	}
	if (v && v->ide) {
		struct ide_stats s;
		ide_get_stats(v->ide, &s);
		json_object_set_new(
			out, "ide",
			json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "commands",
				  (json_int_t)s.commands, "sectors",
				  (json_int_t)s.sectors, "bytes",
				  (json_int_t)s.bytes, "pio-accesses",
				  (json_int_t)s.pio, "mmio-exits",
				  (json_int_t)s.mmio, "interrupts",
				  (json_int_t)s.interrupts, "errors",
				  (json_int_t)s.errors));
	}
	if (v && v->nshares) {
		json_t *shares = json_array();
		for (int k = 0; k < v->nshares; k++)
			json_array_append_new(
				shares, share_json(v->fs[k], v->share_be[k]));
		json_object_set_new(out, "virtio-fs", shares);
	}
	json_t *nets = json_array();
	for (int k = 0; v && k < v->nnets; k++) {
		const struct virtio_net_stats *s = virtio_net_stats(v->net[k]);
		json_array_append_new(
			nets,
			json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
				  "s:I,s:I}",
				  "tx-frames", (json_int_t)s->tx_frames,
				  "tx-bytes", (json_int_t)s->tx_bytes,
				  "rx-frames", (json_int_t)s->rx_frames,
				  "rx-bytes", (json_int_t)s->rx_bytes,
				  "tx-dropped", (json_int_t)s->tx_dropped,
				  "tx-bad-offload",
				  (json_int_t)s->tx_bad_offload, "tx-csum",
				  (json_int_t)s->tx_csum, "tx-gso",
				  (json_int_t)s->tx_gso, "rx-csum-valid",
				  (json_int_t)s->rx_csum_valid, "rx-coalesced",
				  (json_int_t)s->rx_coalesced, "rx-dropped",
				  (json_int_t)s->rx_dropped, "rx-no-buffer",
				  (json_int_t)s->rx_no_buffer));
	}
	json_object_set_new(out, "virtio-net", nets);
	if (m->ethoc) {
		struct ethoc_stats s;
		ethoc_get_stats(m->ethoc, &s);
		json_object_set_new(
			out, "ethoc",
			json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "tx-frames",
				  (json_int_t)s.tx_frames, "tx-bytes",
				  (json_int_t)s.tx_bytes, "rx-frames",
				  (json_int_t)s.rx_frames, "rx-bytes",
				  (json_int_t)s.rx_bytes, "rx-no-buffer",
				  (json_int_t)s.rx_no_buffer, "interrupts",
				  (json_int_t)s.interrupts, "mmio-exits",
				  (json_int_t)(s.mmio_reads + s.mmio_writes)));
	}
	return out;
}
