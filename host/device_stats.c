/*
 * Per-device counters as JSON, for the control socket's
 * `query-pvkit-stats` and for benchmarks: the CPU, every virtio-mmio
 * slot with a device, and the emulated twins (IDE, ethoc). Reads the
 * devices' own counters; owns nothing.
 */
#include "device_stats.h"

#include "emulator/devices/ethoc.h"
#include "emulator/devices/ide.h"
#include "emulator/machine.h"
#include "emulator/platform/memmap.h"
#include "emulator/virtio/mmio.h"
#include "emulator/virtio/net.h"
#include "emulator/virtio/virtio.h"
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
