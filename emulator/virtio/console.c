/*
 * virtio-console with MULTIPORT. The driver says DEVICE_READY on the
 * control queue; we announce every port (PORT_ADD); for each PORT_READY
 * we say which is the console (CONSOLE_PORT) and name the others
 * (PORT_NAME), and tell whether the host end is connected (PORT_OPEN).
 * The driver's PORT_OPEN tells us when the guest opens or closes its end.
 *
 * Control messages for the driver wait in a small queue of our own until
 * it posts receive buffers. A port's output the back end cannot take
 * stays in the guest's ring (the chain is held, with an offset), which
 * throttles the guest as QEMU's virtio-serial does.
 */
#include "console.h"

#include <stdlib.h>
#include <string.h>

#include "emulator/virtio/virtio.h"
#include "protocol/virtio_console.h"

#define CON_QUEUE_SIZE 64
#define CON_NUM_QUEUES (2 * (VCON_MAX_PORTS + 1))
#define Q_CTRL_RX 2 /* device -> driver */
#define Q_CTRL_TX 3 /* driver -> device */
/* Pending control messages: a handful per port is all the handshake
   needs; beyond that a driver repeating itself loses the repeats. */
#define CTRL_PENDING 32
#define NAME_MAX_LEN 64

struct port {
	bool present;
	char name[NAME_MAX_LEN];
	const struct vcon_port_ops *ops;
	void *opaque;
	bool host_connected;
	bool guest_open;
	/* output the back end has not taken yet */
	bool tx_held;
	size_t tx_off;
	struct virtq_chain tx;
	struct vcon_port_stats st;
};

struct ctrl_msg {
	uint32_t id;
	uint16_t event, value;
};

struct virtio_console {
	struct virtio_dev dev;
	struct virtio_console_config cfg;
	struct port port[VCON_MAX_PORTS];
	struct ctrl_msg pending[CTRL_PENDING];
	unsigned pending_head, pending_count;
	struct virtq_chain chain; /* scratch for rx and control */
};

static bool multiport(const struct virtio_console *c)
{
	return virtio_has_feature(&c->dev, VIRTIO_CONSOLE_F_MULTIPORT);
}

static unsigned rx_queue(unsigned port)
{
	return port == 0 ? 0 : 2 + 2 * port;
}

static uint64_t con_features(struct virtio_dev *d)
{
	(void)d;
	return VIRTIO_BIT(VIRTIO_CONSOLE_F_MULTIPORT);
}

static void con_config_read(struct virtio_dev *d, uint32_t off, void *buf,
			    uint32_t len)
{
	struct virtio_console *c = d->priv;
	virtio_config_copy(buf, off, len, &c->cfg, sizeof(c->cfg));
}

/* --- control messages to the driver --------------------------------------- */

static void flush_ctrl(struct virtio_console *c)
{
	struct virtio_dev *d = &c->dev;
	struct virtq_chain *ch = &c->chain;
	while (c->pending_count && virtq_pop(d, Q_CTRL_RX, ch) == 1) {
		if (ch->nout) {
			virtio_dev_fail(d, "control receive buffer is not "
					   "writable");
			return;
		}
		struct ctrl_msg *m = &c->pending[c->pending_head];
		struct virtio_console_control cc = {m->id, m->event, m->value};
		size_t n = iov_from_buf(ch->iov, ch->nin, 0, &cc, sizeof(cc));
		if (m->event == VIRTIO_CONSOLE_PORT_NAME && n == sizeof(cc)) {
			const char *name = c->port[m->id].name;
			n += iov_from_buf(ch->iov, ch->nin, n, name,
					  strlen(name));
		}
		virtq_push(d, Q_CTRL_RX, ch->head, (uint32_t)n);
		c->pending_head = (c->pending_head + 1) % CTRL_PENDING;
		c->pending_count--;
	}
	virtq_notify_guest(d, Q_CTRL_RX);
}

static void send_ctrl(struct virtio_console *c, uint32_t id, uint16_t event,
		      uint16_t value)
{
	if (c->pending_count < CTRL_PENDING) {
		unsigned at =
			(c->pending_head + c->pending_count++) % CTRL_PENDING;
		c->pending[at] = (struct ctrl_msg){id, event, value};
	}
	flush_ctrl(c);
}

static void set_guest_open(struct virtio_console *c, unsigned id, bool open)
{
	struct port *p = &c->port[id];
	if (p->guest_open == open)
		return;
	p->guest_open = open;
	if (p->ops && p->ops->guest_open)
		p->ops->guest_open(p->opaque, open);
	if (open && p->ops && p->ops->rx_ready)
		p->ops->rx_ready(p->opaque);
}

/* One message from the driver. */
static void handle_ctrl(struct virtio_console *c,
			const struct virtio_console_control *m)
{
	struct port *p = m->id < VCON_MAX_PORTS ? &c->port[m->id] : NULL;
	switch (m->event) {
	case VIRTIO_CONSOLE_DEVICE_READY:
		if (m->value != 1)
			break;
		for (unsigned k = 0; k < VCON_MAX_PORTS; k++)
			if (c->port[k].present)
				send_ctrl(c, k, VIRTIO_CONSOLE_PORT_ADD, 1);
		break;
	case VIRTIO_CONSOLE_PORT_READY:
		if (!p || !p->present || m->value != 1)
			break;
		if (m->id == 0)
			send_ctrl(c, 0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
		else
			send_ctrl(c, m->id, VIRTIO_CONSOLE_PORT_NAME, 1);
		if (p->host_connected)
			send_ctrl(c, m->id, VIRTIO_CONSOLE_PORT_OPEN, 1);
		break;
	case VIRTIO_CONSOLE_PORT_OPEN:
		if (p && p->present)
			set_guest_open(c, m->id, m->value != 0);
		break;
	}
}

static void ctrl_tx(struct virtio_console *c)
{
	struct virtio_dev *d = &c->dev;
	struct virtq_chain *ch = &c->chain;
	struct virtio_console_control m;
	while (virtq_pop(d, Q_CTRL_TX, ch) == 1) {
		if (ch->out_len < sizeof(m)) {
			virtio_dev_fail(d, "control message of %zu bytes",
					ch->out_len);
			return;
		}
		iov_to_buf(ch->iov, ch->nout, 0, &m, sizeof(m));
		/* return the buffer first: handling may queue replies */
		virtq_push(d, Q_CTRL_TX, ch->head, 0);
		handle_ctrl(c, &m);
	}
	virtq_notify_guest(d, Q_CTRL_TX);
}

/* --- port data -------------------------------------------------------------- */

/* Feeds held and new output of port id to its back end until it stops
   taking bytes. */
static void port_tx(struct virtio_console *c, unsigned id)
{
	struct virtio_dev *d = &c->dev;
	struct port *p = &c->port[id];
	unsigned q = rx_queue(id) + 1;
	for (;;) {
		if (!p->tx_held) {
			if (virtq_pop(d, q, &p->tx) != 1)
				break;
			if (p->tx.nin) {
				virtio_dev_fail(d,
						"port %u: output buffer is "
						"device-writable",
						id);
				return;
			}
			p->tx_held = true;
			p->tx_off = 0;
		}
		struct virtq_chain *t = &p->tx;
		while (p->tx_off < t->out_len) {
			size_t off = p->tx_off;
			unsigned k = 0;
			while (off >= t->iov[k].iov_len)
				off -= t->iov[k++].iov_len;
			const uint8_t *b =
				(const uint8_t *)t->iov[k].iov_base + off;
			size_t len = t->iov[k].iov_len - off, took = len;
			if (p->ops && p->ops->write && p->host_connected)
				took = p->ops->write(p->opaque, b, len);
			else
				p->st.discarded_from_guest += len;
			p->tx_off += took;
			p->st.bytes_from_guest += took;
			if (took < len)
				goto out; /* back end full: hold the rest */
		}
		virtq_push(d, q, t->head, 0);
		p->tx_held = false;
	}
out:
	virtq_notify_guest(d, q);
}

static bool port_open(const struct virtio_console *c, unsigned id)
{
	if (id >= VCON_MAX_PORTS || !c->port[id].present)
		return false;
	if (!multiport(c)) /* one console port, open once the driver is up */
		return id == 0 && (c->dev.status & VIRTIO_STATUS_DRIVER_OK);
	return c->port[id].guest_open;
}

size_t virtio_console_input(struct virtio_console *c, unsigned port,
			    const uint8_t *buf, size_t len)
{
	struct virtio_dev *d = &c->dev;
	struct virtq_chain *ch = &c->chain;
	if (!port_open(c, port))
		return 0;
	unsigned q = rx_queue(port);
	size_t taken = 0;
	while (taken < len && virtq_pop(d, q, ch) == 1) {
		if (ch->nout) {
			virtio_dev_fail(d,
					"port %u: input buffer is not "
					"writable",
					port);
			break;
		}
		size_t n = iov_from_buf(ch->iov, ch->nin, 0, buf + taken,
					len - taken);
		virtq_push(d, q, ch->head, (uint32_t)n);
		taken += n;
	}
	c->port[port].st.bytes_to_guest += taken;
	virtq_notify_guest(d, q);
	return taken;
}

static void con_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_console *c = d->priv;
	if (q == Q_CTRL_RX) {
		flush_ctrl(c);
		return;
	}
	if (q == Q_CTRL_TX) {
		if (multiport(c))
			ctrl_tx(c);
		return;
	}
	unsigned id = q < 2 ? 0 : q / 2 - 1;
	struct port *p = &c->port[id];
	if (!p->present)
		return;
	if (q & 1)
		port_tx(c, id);
	else if (p->ops && p->ops->rx_ready)
		p->ops->rx_ready(p->opaque); /* new receive buffers */
}

static void con_reset(struct virtio_dev *d)
{
	struct virtio_console *c = d->priv;
	for (unsigned k = 0; k < VCON_MAX_PORTS; k++) {
		struct port *p = &c->port[k];
		if (p->guest_open && p->ops && p->ops->guest_open)
			p->ops->guest_open(p->opaque, false);
		p->guest_open = false;
		p->tx_held = false;
	}
	c->pending_head = c->pending_count = 0;
}

static const struct virtio_dev_ops console_ops = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.num_queues = CON_NUM_QUEUES,
	.queue_size = CON_QUEUE_SIZE,
	.config_size = sizeof(struct virtio_console_config),
	.features = con_features,
	.config_read = con_config_read,
	.queue_notify = con_notify,
	.reset = con_reset,
};

struct virtio_console *virtio_console_create(void)
{
	struct virtio_console *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cfg.max_nr_ports = VCON_MAX_PORTS;
	virtio_dev_init(&c->dev, &console_ops, c);
	return c;
}

void virtio_console_free(struct virtio_console *c)
{
	free(c);
}

struct virtio_dev *virtio_console_dev(struct virtio_console *c)
{
	return &c->dev;
}

int virtio_console_add_port(struct virtio_console *c, unsigned port,
			    const char *name, const struct vcon_port_ops *ops,
			    void *opaque, bool host_connected)
{
	if (port >= VCON_MAX_PORTS || c->port[port].present ||
	    (port == 0) != (name == NULL) ||
	    (name && strlen(name) >= NAME_MAX_LEN))
		return -1;
	struct port *p = &c->port[port];
	p->present = true;
	if (name)
		strcpy(p->name, name);
	p->ops = ops;
	p->opaque = opaque;
	p->host_connected = host_connected;
	return (int)port;
}

void virtio_console_writable(struct virtio_console *c, unsigned port)
{
	if (port < VCON_MAX_PORTS && c->port[port].present &&
	    c->dev.vq[rx_queue(port) + 1].ready)
		port_tx(c, port);
}

void virtio_console_set_host_connected(struct virtio_console *c, unsigned port,
				       bool connected)
{
	if (port >= VCON_MAX_PORTS || !c->port[port].present ||
	    c->port[port].host_connected == connected)
		return;
	c->port[port].host_connected = connected;
	if (multiport(c) && (c->dev.status & VIRTIO_STATUS_DRIVER_OK))
		send_ctrl(c, port, VIRTIO_CONSOLE_PORT_OPEN, connected);
}

bool virtio_console_guest_open(const struct virtio_console *c, unsigned port)
{
	return port_open(c, port);
}

const struct vcon_port_stats *
virtio_console_port_stats(const struct virtio_console *c, unsigned port)
{
	return port < VCON_MAX_PORTS ? &c->port[port].st : NULL;
}
