// SPDX-License-Identifier: GPL-2.0
/*
 * pvkit_ptp: pvkit's paravirtual clock as a PTP hardware clock (/dev/ptpN),
 * the way ptp_kvm exposes KVM's host clock, so phc2sys or chrony can keep
 * the guest's clock on the host's. Reads host time with pvkit's SBI
 * vendor extension (hypercall.h: PVKIT_SBI_EXT, PVKIT_SBI_HOST_TIME), which
 * writes a snapshot {host ns, time CSR, disruption counter} into a buffer
 * of ours. Read-only: the host's clock is not the guest's to adjust.
 */
#include <linux/module.h>
#include <linux/ptp_clock_kernel.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <asm/sbi.h>

#include "hypercall.h"

struct pvkit_ptp {
	struct ptp_clock_info info;
	struct ptp_clock *clock;
	spinlock_t lock; /* one snapshot buffer, one reader at a time */
	struct pvkit_time_snapshot *snap;
	u64 last_disruptions;
};

static struct pvkit_ptp *the_clock;

/* Fills pc->snap; the caller holds pc->lock. */
static int pvkit_snapshot(struct pvkit_ptp *pc)
{
	/* RV64: the whole address fits in a0, a1 (the high bits) is 0 */
	struct sbiret ret = sbi_ecall(PVKIT_SBI_EXT, PVKIT_SBI_HOST_TIME,
				      (unsigned long)__pa(pc->snap), 0, 0, 0,
				      0, 0);

	if (ret.error)
		return sbi_err_map_linux_errno(ret.error);
	if (pc->snap->disruptions != pc->last_disruptions) {
		pr_debug("pvkit_ptp: disruption %llu\n", pc->snap->disruptions);
		pc->last_disruptions = pc->snap->disruptions;
	}
	return 0;
}

static int pvkit_ptp_gettimex(struct ptp_clock_info *info,
			      struct timespec64 *ts,
			      struct ptp_system_timestamp *sts)
{
	struct pvkit_ptp *pc = container_of(info, struct pvkit_ptp, info);
	unsigned long flags;
	int err;

	spin_lock_irqsave(&pc->lock, flags);
	ptp_read_system_prets(sts);
	err = pvkit_snapshot(pc);
	ptp_read_system_postts(sts);
	if (!err)
		*ts = ns_to_timespec64(pc->snap->host_ns);
	spin_unlock_irqrestore(&pc->lock, flags);
	return err;
}

static int pvkit_ptp_gettime(struct ptp_clock_info *info,
			     struct timespec64 *ts)
{
	return pvkit_ptp_gettimex(info, ts, NULL);
}

static int pvkit_ptp_adjfine(struct ptp_clock_info *info, long scaled_ppm)
{
	return -EOPNOTSUPP;
}

static int pvkit_ptp_adjtime(struct ptp_clock_info *info, s64 delta)
{
	return -EOPNOTSUPP;
}

static int pvkit_ptp_settime(struct ptp_clock_info *info,
			     const struct timespec64 *ts)
{
	return -EOPNOTSUPP;
}

static int pvkit_ptp_enable(struct ptp_clock_info *info,
			    struct ptp_clock_request *rq, int on)
{
	return -EOPNOTSUPP;
}

static const struct ptp_clock_info pvkit_ptp_info = {
	.owner = THIS_MODULE,
	.name = "pvkit paravirtual clock",
	.adjfine = pvkit_ptp_adjfine,
	.adjtime = pvkit_ptp_adjtime,
	.gettime64 = pvkit_ptp_gettime,
	.gettimex64 = pvkit_ptp_gettimex,
	.settime64 = pvkit_ptp_settime,
	.enable = pvkit_ptp_enable,
};

static int __init pvkit_ptp_init(void)
{
	struct pvkit_ptp *pc;
	unsigned long flags;
	int err;

	if (sbi_probe_extension(PVKIT_SBI_EXT) <= 0)
		return -ENODEV; /* not on pvkit */

	pc = kzalloc(sizeof(*pc), GFP_KERNEL);
	if (!pc)
		return -ENOMEM;
	/* its own allocation: naturally aligned, in the linear map */
	pc->snap = kzalloc(sizeof(*pc->snap), GFP_KERNEL);
	if (!pc->snap) {
		kfree(pc);
		return -ENOMEM;
	}
	spin_lock_init(&pc->lock);
	pc->info = pvkit_ptp_info;

	spin_lock_irqsave(&pc->lock, flags);
	err = pvkit_snapshot(pc);
	spin_unlock_irqrestore(&pc->lock, flags);
	if (err) {
		pr_err("pvkit_ptp: HOST_TIME call failed (%d)\n", err);
		goto fail;
	}

	pc->clock = ptp_clock_register(&pc->info, NULL);
	if (IS_ERR(pc->clock)) {
		err = PTR_ERR(pc->clock);
		goto fail;
	}
	the_clock = pc;
	pr_info("pvkit_ptp: /dev/ptp%d is the host's clock (timebase %llu Hz)\n",
		ptp_clock_index(pc->clock), pc->snap->timebase_hz);
	return 0;
fail:
	kfree(pc->snap);
	kfree(pc);
	return err;
}

static void __exit pvkit_ptp_exit(void)
{
	ptp_clock_unregister(the_clock->clock);
	kfree(the_clock->snap);
	kfree(the_clock);
}

module_init(pvkit_ptp_init);
module_exit(pvkit_ptp_exit);

MODULE_DESCRIPTION("pvkit paravirtual clock as a PTP hardware clock");
MODULE_LICENSE("GPL");
