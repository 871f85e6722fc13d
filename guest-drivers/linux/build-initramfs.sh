#!/bin/sh
# Pack the pvkit guest initramfs: build/guest/initramfs.cpio.gz holding
# busybox (build/guest/busybox) and its applet links, /init (init),
# udhcpc's default script (udhcpc.script),
# /tests/*.sh (tests/), and /usr/bin/pvkit-agent, /usr/bin/pvkit-iobench,
# /usr/bin/pvkit-clock and /lib/modules/pvkit_ptp.ko if build/guest has
# them. Deterministic (fixed owners and mtimes, gzip -n), cached by a hash
# of its contents.
set -eu
. "$(dirname "$0")/lib.sh"
guest_lock
need cpio; need gzip

[ -f "$OUT/busybox" ] && [ -f "$OUT/busybox.links" ] ||
    die "build/guest/busybox missing: run build-busybox.sh (make guest) first"

AGENT=
[ -f "$OUT/pvkit-agent" ] && AGENT=$OUT/pvkit-agent
IOBENCH=
[ -f "$OUT/pvkit-iobench" ] && IOBENCH=$OUT/pvkit-iobench
CLOCK=
[ -f "$OUT/pvkit-clock" ] && CLOCK=$OUT/pvkit-clock
PTP=
[ -f "$OUT/pvkit_ptp.ko" ] && PTP=$OUT/pvkit_ptp.ko
TESTS=$(cd "$ROOT" && ls guest-drivers/linux/tests/*.sh 2>/dev/null | sort)

KEY=$(cache_key initramfs-v1 \
    guest-drivers/linux/build-initramfs.sh guest-drivers/linux/lib.sh \
    guest-drivers/linux/init guest-drivers/linux/udhcpc.script $TESTS \
    "with-busybox:" "$OUT/busybox" "$OUT/busybox.links" \
    "with-agent:" ${AGENT:+"$AGENT"} \
    "with-iobench:" ${IOBENCH:+"$IOBENCH"} \
    "with-clock:" ${CLOCK:+"$CLOCK"} "with-ptp:" ${PTP:+"$PTP"})
CDIR=$CACHE/$KEY

if [ ! -f "$CDIR/initramfs.cpio.gz" ]; then
    stage "initramfs: packing ($KEY)${AGENT:+ with pvkit-agent}"
    R=$WORK/initramfs-root
    rm -rf "$R"
    mkdir -p "$R"
    for d in bin sbin usr/bin usr/sbin dev proc sys tmp mnt root run etc \
             var/log tests; do
        mkdir -p "$R/$d"
    done
    chmod 1777 "$R/tmp"
    chmod 0700 "$R/root"
    cp "$OUT/busybox" "$R/bin/busybox"
    chmod 0755 "$R/bin/busybox"
    # Applet links (busybox.links lists absolute paths like /usr/bin/awk).
    while IFS= read -r p; do
        case $p in /*) ;; *) continue ;; esac
        [ "$p" = /bin/busybox ] && continue
        [ -e "$R$p" ] || [ -L "$R$p" ] && continue
        mkdir -p "$R$(dirname "$p")"
        depth=$(echo "${p#/}" | tr -cd / | wc -c)
        up=; i=0
        while [ $i -lt "$depth" ]; do up="../$up"; i=$((i + 1)); done
        ln -s "${up}bin/busybox" "$R$p"
    done < "$OUT/busybox.links"
    [ -L "$R/bin/sh" ] || die "busybox.links has no /bin/sh"

    install -m 0755 "$GUEST_DIR/init" "$R/init"
    mkdir -p "$R/usr/share/udhcpc"
    install -m 0755 "$GUEST_DIR/udhcpc.script" "$R/usr/share/udhcpc/default.script"
    for t in $TESTS; do install -m 0755 "$ROOT/$t" "$R/tests/"; done
    [ -z "$AGENT" ] || install -m 0755 "$AGENT" "$R/usr/bin/pvkit-agent"
    [ -z "$IOBENCH" ] || install -m 0755 "$IOBENCH" "$R/usr/bin/pvkit-iobench"
    [ -z "$CLOCK" ] || install -m 0755 "$CLOCK" "$R/usr/bin/pvkit-clock"
    if [ -n "$PTP" ]; then
        mkdir -p "$R/lib/modules"
        install -m 0644 "$PTP" "$R/lib/modules/pvkit_ptp.ko"
    fi

    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$R/etc/passwd"
    printf 'root:x:0:\ntty:x:5:\n' > "$R/etc/group"
    printf 'pvkit\n' > "$R/etc/hostname"
    printf '127.0.0.1 localhost\n' > "$R/etc/hosts"
    cat > "$R/etc/profile" <<'PROFILE'
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PS1='pvkit:\w\$ '
PROFILE
    # /etc/mtab for mount/df
    ln -s ../proc/self/mounts "$R/etc/mtab"

    find "$R" -exec touch -h -d @0 {} +
    TMP=$CACHE/.tmp.$KEY.$$
    rm -rf "$TMP"; mkdir -p "$TMP"
    (cd "$R" && find . -mindepth 1 | sort |
        cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9 -n > "$TMP/initramfs.cpio.gz"
    cache_commit "$TMP" "$CDIR"
fi
install_out "$CDIR/initramfs.cpio.gz" initramfs.cpio.gz
stage "initramfs: build/guest/initramfs.cpio.gz ($(stat -c %s "$OUT/initramfs.cpio.gz") bytes)"
