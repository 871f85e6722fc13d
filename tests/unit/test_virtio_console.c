/*
 * virtio-console unit tests, playing Linux's virtio_console driver: the
 * MULTIPORT handshake (DEVICE_READY -> PORT_ADD, PORT_READY -> CONSOLE_PORT
 * or PORT_NAME and PORT_OPEN), host input held while the guest has the
 * port closed, output a back end takes only in part held in the ring and
 * resumed, and host connects announced with PORT_OPEN.
 */
#include <check.h>

#include "emulator/virtio/console.h"
#include "protocol/virtio_console.h"
#include "tests/unit/virtio_rig.h"

#define CTRL_RX_BUF (RIG_BUF + 0x10000) /* 8 buffers of 256 bytes */

struct rig {
	struct bus bus;
	struct virtio_console *c;
	struct virtio_dev *dev;
	struct vq_driver q[6];
	/* port 1's back end */
	uint8_t got[256];
	size_t got_len, take_max;
	int opens, rx_ready;
	bool open;
};

static size_t be_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct rig *r = opaque;
	size_t n = len < r->take_max ? len : r->take_max;
	memcpy(r->got + r->got_len, buf, n);
	r->got_len += n;
	r->take_max -= n;
	return n;
}

static void be_open(void *opaque, bool open)
{
	struct rig *r = opaque;
	r->open = open;
	r->opens++;
}

static void be_rx_ready(void *opaque)
{
	((struct rig *)opaque)->rx_ready++;
}

static const struct vcon_port_ops be_ops = {be_write, be_open, be_rx_ready};

static size_t con_write(void *opaque, const uint8_t *buf, size_t len)
{
	(void)opaque, (void)buf;
	return len;
}

static const struct vcon_port_ops con_ops = {.write = con_write};

/* Posts the driver's control receive buffers. */
static void post_ctrl_rx(struct rig *r)
{
	for (uint16_t k = 0; k < 8; k++) {
		drv_desc(&r->q[2], k, CTRL_RX_BUF + 256u * k, 256,
			 VIRTQ_DESC_F_WRITE, 0);
		drv_publish(&r->q[2], k);
	}
}

static struct rig *rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	rig_bus_init(&r->bus);
	r->c = virtio_console_create();
	ck_assert_int_eq(
		virtio_console_add_port(r->c, 0, NULL, &con_ops, r, true), 0);
	ck_assert_int_eq(virtio_console_add_port(r->c, 1,
						 "org.qemu.guest_agent.0",
						 &be_ops, r, false),
			 1);
	ck_assert_int_lt(
		virtio_console_add_port(r->c, 1, "again", &be_ops, r, false),
		0);
	r->dev = virtio_console_dev(r->c);
	r->dev->bus = &r->bus;
	for (unsigned q = 0; q < 6; q++)
		drv_setup(r->dev, &r->q[q], q, 16, ~0ull);
	post_ctrl_rx(r);
	r->take_max = 1 << 20;
	return r;
}

static void rig_del(struct rig *r)
{
	virtio_console_free(r->c);
	rig_bus_free(&r->bus);
	free(r);
}

/* The driver sends one control message (and the device returns it). */
static void ctrl_send(struct rig *r, uint32_t id, uint16_t event,
		      uint16_t value)
{
	struct virtio_console_control m = {id, event, value};
	memcpy(rig_ptr(&r->bus, RIG_BUF), &m, sizeof(m));
	drv_desc(&r->q[3], 0, RIG_BUF, sizeof(m), 0, 0);
	drv_publish(&r->q[3], 0);
	virtio_dev_notify(r->dev, 3);
	uint32_t hid, len;
	ck_assert(drv_get_used(&r->q[3], &hid, &len));
}

/* The next control message to the driver; name gets PORT_NAME's bytes. */
static bool ctrl_recv(struct rig *r, struct virtio_console_control *m,
		      char *name)
{
	uint32_t id, len;
	if (!drv_get_used(&r->q[2], &id, &len))
		return false;
	const uint8_t *b = rig_ptr(&r->bus, CTRL_RX_BUF + 256u * id);
	memcpy(m, b, sizeof(*m));
	if (name) {
		memcpy(name, b + sizeof(*m), len - sizeof(*m));
		name[len - sizeof(*m)] = 0;
	}
	drv_publish(&r->q[2], (uint16_t)id); /* recycle the buffer */
	return true;
}

static void expect(struct rig *r, uint32_t id, uint16_t event, uint16_t value)
{
	struct virtio_console_control m;
	char name[64];
	ck_assert_msg(ctrl_recv(r, &m, name), "no message (want event %u)",
		      event);
	ck_assert_uint_eq(m.id, id);
	ck_assert_uint_eq(m.event, event);
	ck_assert_uint_eq(m.value, value);
	if (event == VIRTIO_CONSOLE_PORT_NAME)
		ck_assert_str_eq(name, "org.qemu.guest_agent.0");
}

/* Linux's probe and port set-up, up to both ports ready. */
static void handshake(struct rig *r)
{
	struct virtio_console_config cfg;
	virtio_dev_config_read(r->dev, 0, &cfg, sizeof(cfg));
	ck_assert_uint_eq(cfg.max_nr_ports, VCON_MAX_PORTS);
	ctrl_send(r, VIRTIO_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1);
	expect(r, 0, VIRTIO_CONSOLE_PORT_ADD, 1);
	expect(r, 1, VIRTIO_CONSOLE_PORT_ADD, 1);
	ctrl_send(r, 0, VIRTIO_CONSOLE_PORT_READY, 1);
	expect(r, 0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	expect(r, 0, VIRTIO_CONSOLE_PORT_OPEN, 1); /* the console's host end */
	ctrl_send(r, 0, VIRTIO_CONSOLE_PORT_OPEN, 1); /* hvc set up */
	ctrl_send(r, 1, VIRTIO_CONSOLE_PORT_READY, 1);
	expect(r, 1, VIRTIO_CONSOLE_PORT_NAME, 1);
	struct virtio_console_control m;
	ck_assert(!ctrl_recv(r, &m, NULL)); /* no client: no PORT_OPEN */
}

START_TEST(multiport_handshake)
{
	struct rig *r = rig_new();
	handshake(r);
	ck_assert(virtio_console_guest_open(r->c, 0));
	ck_assert(!virtio_console_guest_open(r->c, 1));
	virtio_console_set_host_connected(r->c, 1, true);
	expect(r, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	virtio_console_set_host_connected(r->c, 1, false);
	expect(r, 1, VIRTIO_CONSOLE_PORT_OPEN, 0);
	rig_del(r);
}
END_TEST

START_TEST(input_waits_for_the_guest_to_open)
{
	struct rig *r = rig_new();
	handshake(r);
	/* port 1 receive buffers: queue 4 */
	drv_desc(&r->q[4], 0, RIG_BUF + 0x1000, 8, VIRTQ_DESC_F_WRITE, 0);
	drv_desc(&r->q[4], 1, RIG_BUF + 0x2000, 8, VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&r->q[4], 0);
	drv_publish(&r->q[4], 1);
	const uint8_t msg[] = "0123456789abcdefXYZ";
	ck_assert_uint_eq(virtio_console_input(r->c, 1, msg, 19), 0);
	ctrl_send(r, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	ck_assert(r->open);
	ck_assert_int_eq(r->rx_ready, 1); /* told to deliver now */
	ck_assert_uint_eq(virtio_console_input(r->c, 1, msg, 19), 16);
	uint32_t id, len;
	ck_assert(drv_get_used(&r->q[4], &id, &len));
	ck_assert_uint_eq(len, 8);
	ck_assert_mem_eq(rig_ptr(&r->bus, RIG_BUF + 0x2000), "89abcdef", 8);
	/* new buffers: the back end hears of it */
	drv_publish(&r->q[4], 0);
	virtio_dev_notify(r->dev, 4);
	ck_assert_int_eq(r->rx_ready, 2);
	ck_assert_uint_eq(virtio_console_input(r->c, 1, msg + 16, 3), 3);
	ctrl_send(r, 1, VIRTIO_CONSOLE_PORT_OPEN, 0);
	ck_assert(!r->open);
	ck_assert_uint_eq(virtio_console_input(r->c, 1, msg, 3), 0);
	rig_del(r);
}
END_TEST

START_TEST(output_held_until_the_back_end_takes_it)
{
	struct rig *r = rig_new();
	handshake(r);
	virtio_console_set_host_connected(r->c, 1, true);
	expect(r, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	memcpy(rig_ptr(&r->bus, RIG_BUF), "hello, world", 12);
	drv_desc(&r->q[5], 0, RIG_BUF, 5, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(&r->q[5], 1, RIG_BUF + 5, 7, 0, 0);
	drv_publish(&r->q[5], 0);
	r->take_max = 3;
	virtio_dev_notify(r->dev, 5);
	uint32_t id, len;
	ck_assert(!drv_get_used(&r->q[5], &id, &len)); /* held */
	ck_assert_uint_eq(r->got_len, 3);
	r->take_max = 100;
	virtio_console_writable(r->c, 1);
	ck_assert(drv_get_used(&r->q[5], &id, &len));
	ck_assert_uint_eq(r->got_len, 12);
	ck_assert_mem_eq(r->got, "hello, world", 12);
	/* no host end: output is dropped, never held */
	virtio_console_set_host_connected(r->c, 1, false);
	drv_publish(&r->q[5], 0);
	virtio_dev_notify(r->dev, 5);
	ck_assert(drv_get_used(&r->q[5], &id, &len));
	ck_assert_uint_eq(r->got_len, 12);
	ck_assert_uint_eq(
		virtio_console_port_stats(r->c, 1)->discarded_from_guest, 12);
	rig_del(r);
}
END_TEST

START_TEST(reset_closes_ports)
{
	struct rig *r = rig_new();
	handshake(r);
	ctrl_send(r, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	ck_assert(r->open);
	virtio_dev_reset(r->dev);
	ck_assert(!r->open);
	ck_assert(!virtio_console_guest_open(r->c, 0));
	rig_del(r);
}
END_TEST

Suite *virtio_console_suite(void)
{
	Suite *s = suite_create("virtio_console");
	TCase *tc = tcase_create("multiport");
	tcase_add_test(tc, multiport_handshake);
	tcase_add_test(tc, input_waits_for_the_guest_to_open);
	tcase_add_test(tc, output_held_until_the_back_end_takes_it);
	tcase_add_test(tc, reset_closes_ports);
	suite_add_tcase(s, tc);
	return s;
}
