#!/bin/sh
# pvkit_ptp.ko (loaded by /init) exposes the paravirtual clock as a PTP
# clock: /dev/ptp0 exists, names itself, and reads the same host time as
# the magic instruction (each PTP read must fall between two magic reads
# taken around it, within 1 ms).
[ -c /dev/ptp0 ] || { echo "FAIL: no /dev/ptp0"; lsmod; dmesg | grep -i ptp; exit 1; }
name=$(cat /sys/class/ptp/ptp0/clock_name)
[ "$name" = "pvkit paravirtual clock" ] ||
	{ echo "FAIL: /dev/ptp0 is '$name', not pvkit's clock"; exit 1; }
echo "info: /dev/ptp0 is '$name'"
pvkit-clock ptp /dev/ptp0 1000
