/*
 * `--pcap FILE`: a back end that wraps another and records every frame
 * the guest sends and every frame it takes, in libpcap's classic format
 * (Ethernet link type), readable by tcpdump, tshark and Wireshark. Each
 * frame is flushed as it is written, so the file is whole however pvkit
 * ends: poweroff, a signal, even a crash.
 *
 * Talks to: the wrapped back end (it becomes that one's front end and
 * forwards to the real one), libpcap's dump writer. Owns: the wrapped
 * back end and the pcap file.
 */
#include "net_internal.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define SNAPLEN 65535

struct pcapw {
	struct net_common c;
	struct net_backend *inner;
	pcap_t *pcap;
	pcap_dumper_t *dump;
	uint8_t *tbuf; /* a guest frame gathered for the file */
};

static struct pcapw *pcapw_of(struct net_backend *b)
{
	return (struct pcapw *)b;
}

static void record(struct pcapw *w, const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h;
	gettimeofday(&h.ts, NULL);
	h.len = (bpf_u_int32)len;
	h.caplen = (bpf_u_int32)(len < SNAPLEN ? len : SNAPLEN);
	pcap_dump((u_char *)w->dump, &h, frame);
	pcap_dump_flush(w->dump);
}

/* The front end's MAC lives in our net_backend; the wrapped one builds
   frames with it (TUN), so it follows along. */
static void sync_mac(struct pcapw *w)
{
	memcpy(w->inner->mac, w->c.nb.mac, 6);
}

static bool pcapw_receive(void *opaque, const uint8_t *frame, size_t len)
{
	struct pcapw *w = opaque;
	sync_mac(w);
	if (!w->c.nb.front.receive)
		return true; /* no NIC: gone, as on a wire */
	if (!w->c.nb.front.receive(w->c.nb.front.opaque, frame, len))
		return false; /* retried later: record it when it is taken */
	record(w, frame, len);
	w->c.st.rx_frames++;
	w->c.st.rx_bytes += len;
	return true;
}

static void pcapw_flush(void *opaque)
{
	struct pcapw *w = opaque;
	if (w->c.nb.front.flush)
		w->c.nb.front.flush(w->c.nb.front.opaque);
}

static void pcapw_link(void *opaque, bool up)
{
	net_set_link(opaque, up);
}

static void pcapw_send(struct net_backend *b, const struct iovec *iov,
		       int iovcnt)
{
	struct pcapw *w = pcapw_of(b);
	sync_mac(w);
	size_t len = net_iov_len(iov, iovcnt);
	if (iovcnt == 1) {
		record(w, iov[0].iov_base, len);
	} else {
		size_t n = net_iov_gather(iov, iovcnt, w->tbuf, SNAPLEN);
		struct pcap_pkthdr h;
		gettimeofday(&h.ts, NULL);
		h.len = (bpf_u_int32)len;
		h.caplen = (bpf_u_int32)n;
		pcap_dump((u_char *)w->dump, &h, w->tbuf);
		pcap_dump_flush(w->dump);
	}
	w->c.st.tx_frames++;
	w->c.st.tx_bytes += len;
	w->inner->ops->send(w->inner, iov, iovcnt);
}

static void pcapw_rx_ready(struct net_backend *b)
{
	struct pcapw *w = pcapw_of(b);
	if (w->inner->ops->rx_ready)
		w->inner->ops->rx_ready(w->inner);
}

static int pcapw_poll_fds(struct net_backend *b, int *fds, int max)
{
	struct pcapw *w = pcapw_of(b);
	return w->inner->ops->poll_fds(w->inner, fds, max);
}

static void pcapw_poll(struct net_backend *b, int64_t now_ns)
{
	struct pcapw *w = pcapw_of(b);
	w->inner->ops->poll(w->inner, now_ns);
}

static int64_t pcapw_deadline(struct net_backend *b)
{
	struct pcapw *w = pcapw_of(b);
	return w->inner->ops->next_deadline_ns(w->inner);
}

static void pcapw_close(struct net_backend *b)
{
	struct pcapw *w = pcapw_of(b);
	net_backend_close(w->inner);
	if (w->dump) {
		pcap_dump_flush(w->dump);
		pcap_dump_close(w->dump);
	}
	if (w->pcap)
		pcap_close(w->pcap);
	net_common_free(&w->c);
	free(w->tbuf);
	free(w);
}

static const struct net_ops pcapw_ops = {
	.send = pcapw_send,
	.rx_ready = pcapw_rx_ready,
	.poll_fds = pcapw_poll_fds,
	.poll = pcapw_poll,
	.next_deadline_ns = pcapw_deadline,
	.close = pcapw_close,
};

struct net_backend *net_pcap_open(struct net_backend *b, const char *path,
				  char *err, size_t errlen)
{
	struct pcapw *w = calloc(1, sizeof(*w));
	if (!w || net_common_init(&w->c, &pcapw_ops, NULL, "pcap", 1) ||
	    !(w->tbuf = malloc(SNAPLEN))) {
		net_err(err, errlen, "--pcap: out of memory");
		goto fail;
	}
	w->inner = b;
	w->pcap = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	if (!w->pcap) {
		net_err(err, errlen, "--pcap: pcap_open_dead failed");
		goto fail;
	}
	w->dump = pcap_dump_open(w->pcap, path);
	if (!w->dump) {
		net_err(err, errlen, "--pcap: %s", pcap_geterr(w->pcap));
		goto fail;
	}
	pcap_dump_flush(w->dump); /* the file header, even with no frames */
	memcpy(w->c.nb.mac, b->mac, 6);
	w->c.nb.rx_csum_trusted = b->rx_csum_trusted;
	w->c.nb.rx_flushes = b->rx_flushes;
	b->front = (struct net_frontend){w, pcapw_receive, pcapw_flush};
	net_backend_set_link_notify(b, pcapw_link, &w->c);
	return &w->c.nb;
fail:
	if (w) {
		w->inner = NULL;
		if (w->dump)
			pcap_dump_close(w->dump);
		if (w->pcap)
			pcap_close(w->pcap);
		if (w->c.q)
			net_common_free(&w->c);
		free(w->tbuf);
		free(w);
	}
	net_backend_close(b);
	return NULL;
}
