#!/bin/sh
# pvkit guest test: the virtio-console port org.qemu.guest_agent.0
# carries bytes both ways. The guest agent /init started holds the port:
# it is stopped first ("AGENT-PORT-FREE" tells the host). Then the guest
# waits pvkit.opendelay seconds, finds the port's device by name, writes
# "hello from guest" (which waits for the host end to connect), reads the
# line the host sent - the host sends it while the port is closed: pvkit
# must hold it - and answers "got: <line>".
# Exit status 0 = pass.
dev=
for p in /sys/class/virtio-ports/*; do
    [ "$(cat "$p/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] && dev=/dev/$(basename "$p")
done
[ -n "$dev" ] || { echo "FAIL: no port named org.qemu.guest_agent.0"; exit 1; }
echo "info: agent port is $dev"
if pidof pvkit-agent >/dev/null; then
    killall pvkit-agent
    i=0
    while pidof pvkit-agent >/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
fi
echo "AGENT-PORT-FREE"
sleep "${PVKIT_OPENDELAY:-0}" # lets the host's bytes wait for us
exec 3<>"$dev" || { echo "FAIL: cannot open $dev"; exit 1; }
echo "hello from guest" >&3
if ! read -r line <&3; then echo "FAIL: nothing read from $dev"; exit 1; fi
echo "info: read '$line'"
echo "got: $line" >&3
exec 3>&-
[ "$line" = "hello from host" ] || { echo "FAIL: read '$line'"; exit 1; }
echo "ok:   bytes both ways on $dev"
exit 0
