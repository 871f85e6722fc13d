#include "machine.h"

#include "emulator/devices/ethoc.h"
#include "emulator/devices/goldfish_rtc.h"
#include "emulator/devices/plic.h"
#include "emulator/devices/syscon.h"
#include "emulator/devices/uart16550.h"
#include "emulator/platform/boot.h"
#include "emulator/platform/memmap.h"
#include "emulator/platform/sbi.h"
#include "emulator/virtio/mmio.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

/* Instructions per slice between looks at time, devices and the host:
   short enough for a timely timer tick, long enough to cost nothing. */
#define SLICE_INSNS 200000
#define IDLE_WAIT_CAP_NS 50000000

static uint64_t clock_now(void *opaque)
{
	return vclock_ticks(&((struct machine *)opaque)->clock);
}

static void clock_set(void *opaque, uint64_t ticks)
{
	vclock_set_ticks(&((struct machine *)opaque)->clock, ticks);
}

static uint64_t wall_now(void *opaque)
{
	return (uint64_t)machine_wall_ns(opaque);
}

uint64_t machine_ticks(struct machine *m)
{
	return vclock_ticks(&m->clock);
}

int64_t machine_wall_ns(struct machine *m)
{
	return vclock_wall_ns(&m->clock);
}

void machine_host_time(struct machine *m, struct pvkit_time_snapshot *snap)
{
	/* The host's real time, not the guest's lagging wall clock, so a
	   guest time sync can catch up after a pause. Under --icount there
	   is no host time to give unless sync was asked for: the virtual
	   wall clock keeps runs reproducible. */
	bool real = !m->cfg.icount || m->cfg.time_sync;
	snap->host_ns = real ? host_realtime_ns() : machine_wall_ns(m);
	snap->ticks = machine_ticks(m);
	snap->disruptions = m->disruptions;
	snap->timebase_hz = TIMEBASE_HZ;
}

void machine_request_exit(struct machine *m, int status)
{
	if (!m->exit_requested)
		m->exit_status = status;
	m->exit_requested = true;
	m->hart.stop = true;
	hart_kick(&m->hart);
}

void machine_pause(struct machine *m)
{
	if (m->paused)
		return;
	m->paused = true;
	m->disruptions++;
	vclock_pause(&m->clock);
	hart_kick(&m->hart);
}

void machine_resume(struct machine *m)
{
	if (!m->paused)
		return;
	m->paused = false;
	m->disruptions++;
	vclock_resume(&m->clock);
}

void machine_clock_stepped(struct machine *m)
{
	m->disruptions++;
}

void machine_request_reboot(struct machine *m)
{
	m->reboot_requested = true;
	m->hart.stop = true;
	hart_kick(&m->hart);
}

static void on_syscon(void *opaque, enum syscon_action action, int code)
{
	struct machine *m = opaque;
	if (action == SYSCON_REBOOT)
		machine_request_reboot(m);
	else
		machine_request_exit(m, action == SYSCON_POWEROFF ? 0 : code);
}

static void on_plic_line(void *opaque, int ctx, bool level)
{
	struct machine *m = opaque;
	hart_set_irq(&m->hart, ctx == 0 ? MIP_MEIP : MIP_SEIP, level);
}

/* --- console ------------------------------------------------------------ */

void machine_console_write(struct machine *m, const uint8_t *buf, size_t n)
{
	if (m->console.write)
		m->console.write(m->console.opaque, buf, n);
}

static void console_sink_write(void *opaque, const uint8_t *buf, size_t n)
{
	machine_console_write(opaque, buf, n);
}

static void console_drain(struct machine *m)
{
	if (!m->console_in_len || m->sbi_console_used ||
	    (!m->uart && !m->console_rx))
		return;
	size_t took = m->console_rx
			      ? m->console_rx(m->console_rx_opaque,
					      m->console_in, m->console_in_len)
			      : uart16550_receive(m->uart, m->console_in,
						  m->console_in_len);
	memmove(m->console_in, m->console_in + took, m->console_in_len - took);
	m->console_in_len -= took;
}

size_t machine_console_input(struct machine *m, const uint8_t *buf, size_t n)
{
	size_t room = sizeof(m->console_in) - m->console_in_len;
	if (n > room)
		n = room;
	memcpy(m->console_in + m->console_in_len, buf, n);
	m->console_in_len += n;
	console_drain(m);
	return n;
}

int machine_console_getchar(struct machine *m)
{
	m->sbi_console_used = true; /* the guest reads hvc: route input here */
	if (!m->console_in_len)
		return -1;
	int c = m->console_in[0];
	memmove(m->console_in, m->console_in + 1, --m->console_in_len);
	return c;
}

/* --- HTIF and the magic instruction ------------------------------------- */

static void htif_store(void *opaque, uint64_t pa)
{
	struct machine *m = opaque;
	if (!m->htif_tohost || pa - m->htif_tohost >= 8)
		return;
	uint64_t cmd;
	if (!bus_read(&m->bus, m->htif_tohost, 8, &cmd) || cmd == 0)
		return;
	unsigned dev = (unsigned)(cmd >> 56), op = (unsigned)(cmd >> 48) & 0xff;
	uint64_t payload = cmd & ((1ull << 48) - 1);
	if (dev == 0 && op == 0 && (payload & 1)) {
		machine_request_exit(m, (int)(payload >> 1));
	} else if (dev == 1 && op == 1) {
		uint8_t c = (uint8_t)payload;
		machine_console_write(m, &c, 1);
		bus_write(&m->bus, m->htif_tohost, 8, 0);
		if (m->htif_fromhost)
			bus_write(&m->bus, m->htif_fromhost, 8,
				  (1ull << 56) | (1ull << 48));
		return;
	}
	bus_write(&m->bus, m->htif_tohost, 8, 0);
}

static void magic_dispatch(void *opaque, struct hart *h, unsigned n)
{
	struct machine *m = opaque;
	if (n < PVKIT_MAGIC_COUNT && m->magic[n].fn)
		m->magic[n].fn(m->magic[n].opaque, m, h);
}

void machine_set_magic(struct machine *m, unsigned n, magic_fn fn, void *opaque)
{
	if (n < PVKIT_MAGIC_COUNT && n != 0 && n != 7) {
		m->magic[n].fn = fn;
		m->magic[n].opaque = opaque;
	}
}

enum { REG_A0 = 10, REG_A1 = 11, REG_A2 = 12, REG_A3 = 13 };

static void magic_ping(void *opaque, struct machine *m, struct hart *h)
{
	(void)opaque;
	(void)m;
	h->x[REG_A0] += 1;
}

static void magic_host_time(void *opaque, struct machine *m, struct hart *h)
{
	(void)opaque;
	struct pvkit_time_snapshot snap;
	machine_host_time(m, &snap);
	h->x[REG_A0] = (uint64_t)snap.host_ns;
	h->x[REG_A1] = snap.ticks;
	h->x[REG_A2] = snap.disruptions;
	h->x[REG_A3] = m->cfg.time_sync;
}

static void magic_clock_stepped(void *opaque, struct machine *m, struct hart *h)
{
	(void)opaque;
	machine_clock_stepped(m);
	h->x[REG_A0] = m->disruptions;
}

static void magic_bench_mark(void *opaque, struct machine *m, struct hart *h)
{
	(void)opaque;
	(void)m;
	h->x[REG_A0] = h->instret;
}

/* --- life cycle ----------------------------------------------------------- */

static int create_devices(struct machine *m, char *err, size_t errlen)
{
	const struct memmap_entry *mm = virt_memmap;
	struct char_sink sink = {m, console_sink_write};
	if (aclint_init(&m->aclint, &m->bus, &mm[VIRT_ACLINT], &m->hart,
			clock_now, clock_set, m) != 0)
		goto fail;
	m->plic = plic_create(&m->bus, &mm[VIRT_PLIC], on_plic_line, m);
	if (!m->plic)
		goto fail;
	m->uart = uart16550_create(&m->bus, &mm[VIRT_UART0], m->plic, &sink);
	m->rtc = goldfish_rtc_create(&m->bus, &mm[VIRT_RTC], m->plic, wall_now,
				     m);
	m->syscon = syscon_create(&m->bus, &mm[VIRT_TEST], on_syscon, m);
	m->virtio = virtio_mmio_create(&m->bus, &mm[VIRT_VIRTIO], m->plic);
	if (m->cfg.ethoc_net) {
		m->ethoc = ethoc_create(&m->bus, &mm[VIRT_ETHOC], m->plic,
					m->cfg.ethoc_net);
		if (!m->ethoc)
			goto fail;
	}
	if (!m->uart || !m->rtc || !m->syscon || !m->virtio)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot create the platform devices");
	return -1;
}

int machine_init(struct machine *m, const struct machine_config *cfg, char *err,
		 size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	m->ram_size = cfg->ram_size;
	if (bus_init(&m->bus, virt_memmap[VIRT_DRAM].base, cfg->ram_size)) {
		snprintf(err, errlen, "cannot allocate %llu MiB of guest RAM",
			 (unsigned long long)(cfg->ram_size >> 20));
		return -1;
	}
	struct hart_env env = {
		.opaque = m,
		.time_now = clock_now,
		.sbi_call = NULL,
		.magic = magic_dispatch,
		.watch_store = htif_store,
	};
	if (hart_init(&m->hart, &m->bus, &env)) {
		snprintf(err, errlen, "cannot allocate the block cache");
		bus_free(&m->bus);
		return -1;
	}
	vclock_init(&m->clock, cfg->icount, cfg->cpu_hz, &m->hart.instret);
	m->clock.aligned = cfg->icount && cfg->time_sync;
	machine_set_magic(m, PVKIT_MAGIC_PING, magic_ping, NULL);
	machine_set_magic(m, PVKIT_MAGIC_HOST_TIME, magic_host_time, NULL);
	machine_set_magic(m, PVKIT_MAGIC_BENCH_MARK, magic_bench_mark, NULL);
	machine_set_magic(m, PVKIT_MAGIC_CLOCK_STEPPED, magic_clock_stepped,
			  NULL);
	if (create_devices(m, err, errlen) || boot_load(m, cfg, err, errlen)) {
		machine_free(m);
		return -1;
	}
	if (m->firmware_sbi)
		m->hart.env.sbi_call = sbi_handle_ecall;
	return 0;
}

void machine_free(struct machine *m)
{
	hart_free(&m->hart);
	uart16550_free(m->uart);
	goldfish_rtc_free(m->rtc);
	syscon_free(m->syscon);
	plic_free(m->plic);
	bus_free(&m->bus);
	virtio_mmio_free(m->virtio);
	ethoc_free(m->ethoc);
	m->ethoc = NULL;
	m->virtio = NULL;
	m->uart = NULL;
	m->rtc = NULL;
	m->syscon = NULL;
	m->plic = NULL;
}

/* Host ns until the next timer or alarm the idle hart waits for. */
static int64_t idle_wait_ns(struct machine *m)
{
	struct hart *h = &m->hart;
	uint64_t next = h->mtimecmp;
	if ((h->menvcfg & MENVCFG_STCE) && h->stimecmp < next)
		next = h->stimecmp;
	int64_t wait = IDLE_WAIT_CAP_NS;
	if (next != UINT64_MAX) {
		int64_t t = vclock_wait_ns(&m->clock, next);
		if (t < wait)
			wait = t;
	}
	uint64_t alarm = goldfish_rtc_next_deadline_ns(m->rtc);
	if (alarm != UINT64_MAX) {
		int64_t now = machine_wall_ns(m);
		int64_t t = (int64_t)alarm - now;
		if (t < wait)
			wait = t < 0 ? 0 : t;
	}
	return wait;
}

static void idle(struct machine *m, int64_t ns)
{
	if (m->host_poll) {
		m->host_poll(m->host_opaque, m, ns);
	} else if (ns > 0) {
		struct timespec ts = {ns / 1000000000, ns % 1000000000};
		nanosleep(&ts, NULL);
	}
}

/* Clock-rate matching, as the classic throttle does: compare the
   instructions run with what the target rate allows since the stretch
   began and sleep the difference. A stretch restarts after idling or
   after falling far behind, so the guest never runs in catch-up bursts. */
static void pace(struct machine *m)
{
	uint64_t hz = m->cfg.cpu_hz;
	int64_t now = host_monotonic_ns();
	uint64_t ran = m->hart.instret - m->pace_base_instret;
	int64_t due = (int64_t)((unsigned __int128)ran * 1000000000u / hz);
	int64_t ahead = due - (now - m->pace_base_ns);
	if (ahead > 200000) {
		struct timespec ts = {ahead / 1000000000, ahead % 1000000000};
		nanosleep(&ts, NULL);
	} else if (ahead < -100000000) {
		m->pace_base_ns = now;
		m->pace_base_instret = m->hart.instret;
	}
}

/* --icount --time-sync on: hold virtual time to host time (vclock.h) */
static void align(struct machine *m)
{
	int64_t ahead = vclock_align(&m->clock);
	if (ahead > 200000) {
		if (ahead > IDLE_WAIT_CAP_NS)
			ahead = IDLE_WAIT_CAP_NS;
		struct timespec ts = {0, ahead};
		nanosleep(&ts, NULL);
	}
}

static void pace_restart(struct machine *m)
{
	m->pace_base_ns = host_monotonic_ns();
	m->pace_base_instret = m->hart.instret;
}

int machine_run(struct machine *m)
{
	struct hart *h = &m->hart;
	char err[256];
	bool paced = m->cfg.cpu_hz && !m->cfg.icount;
	uint64_t slice = SLICE_INSNS;
	if (paced && m->cfg.cpu_hz / 1000 < slice)
		slice = m->cfg.cpu_hz / 1000 + 1; /* about 1 ms of guest time */
	pace_restart(m);
	while (!m->exit_requested) {
		if (m->reboot_requested) {
			m->reboot_requested = false;
			virtio_mmio_reset_all(m->virtio);
			if (m->ethoc)
				ethoc_reset(m->ethoc);
			if (boot_reset(m, err, sizeof(err))) {
				fprintf(stderr, "pvkit: reboot failed: %s\n",
					err);
				return 1;
			}
		}
		if (m->paused) {
			idle(m, IDLE_WAIT_CAP_NS);
			pace_restart(m);
			continue;
		}
		if (m->clock.aligned)
			align(m);
		hart_update_timers(h, machine_ticks(m));
		goldfish_rtc_poll(m->rtc);
		console_drain(m);
		if (h->wfi && !hart_irq_pending(h)) {
			idle(m, idle_wait_ns(m));
			pace_restart(m);
			continue;
		}
		h->wfi = false;
		if (m->host_poll)
			m->host_poll(m->host_opaque, m, 0);
		h->stop = false;
		hart_run(h, slice);
		if (paced)
			pace(m);
	}
	return m->exit_status;
}
