#!/bin/sh
# pvkit guest test: CPU description, RTC and userspace floating point.
#  1. /proc/cpuinfo has an "isa : rv64..." line whose base ISA has f and d.
#  2. The RTC (rtc0: /sys/class/rtc/rtc0/since_epoch, and `hwclock -r`
#     through /dev/rtc0) reads host time: pvkit.hosttime=SECONDS on the
#     command line is the host's clock when the guest was started, so the RTC
#     must be within [hosttime - slack, hosttime + uptime + slack], slack =
#     pvkit.rtcslack (default 5 s). The system clock (set from the RTC by
#     RTC_HCTOSYS) must agree with the RTC.
#  3. Floating point in userspace gives known results (busybox awk uses
#     double arithmetic and libm: hardware F/D instructions on rv64gc).
# Exit status 0 = pass.
fail=0
ok()  { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# --- 1. ISA --------------------------------------------------------------
isa=$(sed -n 's/^isa[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
case $isa in
    rv64*)
        base=${isa%%_*}; ext=${base#rv64}
        case $ext in *g*) ext="${ext}imafd" ;; esac
        has_f=no; has_d=no
        case $ext in *f*) has_f=yes ;; esac
        case $ext in *d*) has_d=yes ;; esac
        if [ $has_f = yes ] && [ $has_d = yes ]; then ok "isa $isa has f and d"
        else bad "isa $isa lacks f or d (f=$has_f d=$has_d)"; fi
        ;;
    "") bad "no isa line in /proc/cpuinfo" ;;
    *)  bad "isa '$isa' is not rv64" ;;
esac

# --- 2. RTC ---------------------------------------------------------------
slack=${PVKIT_RTCSLACK:-5}
if [ ! -e /sys/class/rtc/rtc0/since_epoch ]; then
    bad "no rtc0 (/sys/class/rtc/rtc0 missing)"
else
    rtc=$(cat /sys/class/rtc/rtc0/since_epoch)
    up=$(cut -d. -f1 /proc/uptime)
    now=$(date +%s)
    echo "info: rtc0=$(cat /sys/class/rtc/rtc0/name 2>/dev/null) since_epoch=$rtc date=$now uptime=${up}s hosttime=${PVKIT_HOSTTIME:-unset}"
    if [ -z "${PVKIT_HOSTTIME:-}" ]; then
        bad "pvkit.hosttime=SECONDS not on the kernel command line"
    else
        lo=$((PVKIT_HOSTTIME - slack))
        hi=$((PVKIT_HOSTTIME + up + slack))
        if [ "$rtc" -ge "$lo" ] && [ "$rtc" -le "$hi" ]; then
            ok "rtc $rtc within [$lo, $hi] (host $PVKIT_HOSTTIME, offset $((rtc - PVKIT_HOSTTIME))s)"
        else
            bad "rtc $rtc outside [$lo, $hi] (host $PVKIT_HOSTTIME, offset $((rtc - PVKIT_HOSTTIME))s)"
        fi
    fi
    d=$((now - rtc)); [ $d -lt 0 ] && d=$((-d))
    if [ $d -le 2 ]; then ok "system clock agrees with rtc (diff ${d}s)"
    else bad "system clock $now vs rtc $rtc (diff ${d}s): RTC_HCTOSYS?"; fi
    if hw=$(hwclock -r -u 2>&1); then ok "hwclock -r: $hw"
    else bad "hwclock -r failed: $hw"; fi
fi

# --- 3. floating point ---------------------------------------------------
fp_check() { # name expected awk-program
    got=$(awk "BEGIN{$3}" 2>&1)
    if [ "$got" = "$2" ]; then ok "fp $1 = $got"; else bad "fp $1: got '$got', want '$2'"; fi
}
fp_check "1/3*3+sqrt(2)" 2.414214 'printf "%.6f", 1/3*3+sqrt(2)'
fp_check "H(1000)" 7.485470861 'x=0; for(i=1;i<=1000;i++) x+=1/i; printf "%.9f", x'
fp_check "sin(1)+exp(1)+log(10)" 5.862338 'printf "%.6f", sin(1)+exp(1)+log(10)'
fp_check "4*atan2(1,1)" 3.141593 'printf "%.6f", 4*atan2(1,1)'
fp_check "1e300*1e10" inf 'x=1e300*1e10; printf "%s", (x > 1e308 ? "inf" : "finite")'

if [ $fail -eq 0 ]; then echo "cpuinfo-rtc-fp: PASS"; else echo "cpuinfo-rtc-fp: FAIL"; fi
exit $fail
