/*
 * The SBI that pvkit implements itself when a Linux Image boots without
 * firmware: BASE v1.0, TIME, IPI, RFENCE, HSM, SRST, the legacy console
 * calls, and pvkit's vendor extension. It plays the part of the M-mode
 * firmware: it answers ecalls from S-mode in place of a trap to M.
 */
#include "sbi.h"

#include "emulator/cpu/hart.h"
#include "emulator/machine.h"
#include "protocol/hypercall.h"

enum {
	SBI_SUCCESS = 0,
	SBI_ERR_FAILED = -1,
	SBI_ERR_NOT_SUPPORTED = -2,
	SBI_ERR_INVALID_PARAM = -3,
	SBI_ERR_INVALID_ADDRESS = PVKIT_SBI_ERR_INVALID_ADDRESS,
	SBI_ERR_ALREADY_AVAILABLE = -6,
};

enum {
	EXT_LEGACY_SET_TIMER = 0x00,
	EXT_LEGACY_PUTCHAR = 0x01,
	EXT_LEGACY_GETCHAR = 0x02,
	EXT_LEGACY_SHUTDOWN = 0x08,
	EXT_BASE = 0x10,
	EXT_TIME = 0x54494d45,
	EXT_IPI = 0x735049,
	EXT_RFENCE = 0x52464e43,
	EXT_HSM = 0x48534d,
	EXT_SRST = 0x53525354,
};

#define SBI_SPEC_V1_0 0x01000000
#define PVKIT_SBI_IMPL_ID 0x7076 /* "pv"; not a registered id */

enum { A0 = 10, A1 = 11, A2 = 12, A6 = 16, A7 = 17 };

static bool extension_present(uint64_t eid)
{
	switch (eid) {
	case EXT_LEGACY_SET_TIMER:
	case EXT_LEGACY_PUTCHAR:
	case EXT_LEGACY_GETCHAR:
	case EXT_LEGACY_SHUTDOWN:
	case EXT_BASE:
	case EXT_TIME:
	case EXT_IPI:
	case EXT_RFENCE:
	case EXT_HSM:
	case EXT_SRST:
	case PVKIT_SBI_EXT: return true;
	}
	return false;
}

struct sbi_ret {
	int64_t error;
	uint64_t value;
};

static struct sbi_ret base(struct hart *h, uint64_t fid)
{
	switch (fid) {
	case 0: return (struct sbi_ret){0, SBI_SPEC_V1_0};
	case 1: return (struct sbi_ret){0, PVKIT_SBI_IMPL_ID};
	case 2: return (struct sbi_ret){0, PVKIT_HYPERCALL_VERSION};
	case 3: return (struct sbi_ret){0, extension_present(h->x[A0])};
	case 4: /* mvendorid, marchid, mimpid */
	case 5:
	case 6: return (struct sbi_ret){0, 0};
	}
	return (struct sbi_ret){SBI_ERR_NOT_SUPPORTED, 0};
}

static void set_timer(struct machine *m, uint64_t when)
{
	m->hart.stimecmp = when;
	hart_update_timers(&m->hart, machine_ticks(m));
}

/* One hart: a hart mask selects hart 0 or nothing. */
static bool mask_has_hart0(uint64_t mask, uint64_t base)
{
	if (base == UINT64_MAX)
		return true;
	return base == 0 && (mask & 1);
}

static struct sbi_ret hsm(struct hart *h, uint64_t fid)
{
	uint64_t hartid = h->x[A0];
	switch (fid) {
	case 0: /* hart_start: hart 0 runs already */
		return (struct sbi_ret){hartid == 0 ? SBI_ERR_ALREADY_AVAILABLE
						    : SBI_ERR_INVALID_PARAM,
					0};
	case 2: /* hart_get_status: 0 = started */
		return (struct sbi_ret){hartid == 0 ? 0 : SBI_ERR_INVALID_PARAM,
					0};
	}
	return (struct sbi_ret){SBI_ERR_NOT_SUPPORTED, 0};
}

/* The snapshot goes to guest memory: two return registers cannot hold
   it (protocol/hypercall.h). The address comes from the guest, so it is
   checked to lie in RAM before anything is written. */
static struct sbi_ret host_time(struct machine *m, uint64_t pa_lo,
				uint64_t pa_hi)
{
	struct pvkit_time_snapshot snap;
	uint8_t raw[sizeof(snap)];
	if (pa_hi != 0 || (pa_lo & 7) ||
	    !bus_is_ram(&m->bus, pa_lo, sizeof(raw)))
		return (struct sbi_ret){SBI_ERR_INVALID_ADDRESS, 0};
	machine_host_time(m, &snap);
	uint64_t fields[] = {(uint64_t)snap.host_ns, snap.ticks,
			     snap.disruptions, snap.timebase_hz};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		for (int b = 0; b < 8; b++) /* little-endian on any host */
			raw[i * 8 + b] = (uint8_t)(fields[i] >> (8 * b));
	bus_copy_to_ram(&m->bus, pa_lo, raw, sizeof(raw));
	/* A strange place for it, but the guest's choice: decoded code on
	   either page the snapshot touches (8-byte alignment lets it cross
	   one) is stale now. */
	uint64_t first = (pa_lo - m->bus.ram_base) >> PAGE_SHIFT,
		 last = (pa_lo + sizeof(raw) - 1 - m->bus.ram_base) >>
			PAGE_SHIFT;
	if ((m->bus.page_flags[first] | m->bus.page_flags[last]) & PAGE_CODE)
		hart_code_flush(&m->hart);
	return (struct sbi_ret){0, (uint64_t)snap.host_ns};
}

static struct sbi_ret vendor(struct machine *m, struct hart *h, uint64_t fid)
{
	switch (fid) {
	case PVKIT_SBI_VERSION:
		return (struct sbi_ret){0, PVKIT_HYPERCALL_VERSION};
	case PVKIT_SBI_HOST_TIME: return host_time(m, h->x[A0], h->x[A1]);
	}
	return (struct sbi_ret){SBI_ERR_NOT_SUPPORTED, 0};
}

bool sbi_handle_ecall(void *opaque, struct hart *h)
{
	struct machine *m = opaque;
	uint64_t eid = h->x[A7], fid = h->x[A6];
	struct sbi_ret r = {SBI_ERR_NOT_SUPPORTED, 0};

	switch (eid) { /* legacy calls return in a0 only */
	case EXT_LEGACY_SET_TIMER:
		set_timer(m, h->x[A0]);
		h->x[A0] = 0;
		return true;
	case EXT_LEGACY_PUTCHAR: {
		uint8_t c = (uint8_t)h->x[A0];
		machine_console_write(m, &c, 1);
		h->x[A0] = 0;
		return true;
	}
	case EXT_LEGACY_GETCHAR:
		h->x[A0] = (uint64_t)(int64_t)machine_console_getchar(m);
		return true;
	case EXT_LEGACY_SHUTDOWN: machine_request_exit(m, 0); return true;
	}

	switch (eid) {
	case EXT_BASE: r = base(h, fid); break;
	case EXT_TIME:
		if (fid == 0) {
			set_timer(m, h->x[A0]);
			r = (struct sbi_ret){0, 0};
		}
		break;
	case EXT_IPI:
		if (fid == 0) {
			if (mask_has_hart0(h->x[A0], h->x[A1]))
				h->mip |= MIP_SSIP;
			r = (struct sbi_ret){0, 0};
		}
		break;
	case EXT_RFENCE:
		if (fid <= 6) {
			if (mask_has_hart0(h->x[A0], h->x[A1])) {
				if (fid == 0)
					hart_code_flush(h);
				else
					hart_tlb_flush(h);
			}
			r = (struct sbi_ret){0, 0};
		}
		break;
	case EXT_HSM: r = hsm(h, fid); break;
	case EXT_SRST:
		if (fid == 0 && h->x[A0] <= 2) {
			if (h->x[A0] == 0)
				machine_request_exit(m, h->x[A1] ? 1 : 0);
			else
				machine_request_reboot(m);
			r = (struct sbi_ret){0, 0};
		} else if (fid == 0) {
			r.error = SBI_ERR_INVALID_PARAM;
		}
		break;
	case PVKIT_SBI_EXT: r = vendor(m, h, fid); break;
	}
	h->x[A0] = (uint64_t)r.error;
	h->x[A1] = r.value;
	return true;
}
