#!/bin/bash
# --net user (slirp), per NIC model: the guest gets a DHCP lease
# (10.0.2.15), fetches a file from an HTTP server on the host's loopback
# through 10.0.2.2 and another by TFTP (tftp=DIR), talks to a host
# command through guestfwd; a host client reaches
# the guest's HTTP server and uploads a file through hostfwd, bound to
# 127.0.0.1. The run's pcap opens in tshark with the DHCP and HTTP in it.
. "$(dirname "$0")/net/common.sh"
need python3 curl tshark

make_blob "$T/blob"
sum=$(md5 "$T/blob")
mkdir -p "$T/www" && cp "$T/blob" "$T/www/blob"
http=$(free_port)
http_server "" 127.0.0.1 "$http" "$T/www" || exit 1

for model in $MODELS; do
	name=user-$model
	fwd_http=$(free_port)
	fwd_up=$(free_port)
	boot_vm "$name" "" net-user \
		"pvkit.httpport=$http pvkit.blobmd5=$sum pvkit.tftp=1 pvkit.guestfwd=pvkit-guestfwd" \
		"user,model=$model,tftp=$T/www,hostfwd=tcp:127.0.0.1:$fwd_http-:8080,hostfwd=tcp::$fwd_up-:8081,guestfwd=tcp:10.0.2.100:1234-cmd:echo pvkit-guestfwd"
	pid=$VM_PID
	servers_up "$name" "$pid" net-user || continue
	# hostfwd listens on loopback only, also when the address is left out
	if ss -ltn "sport = :$fwd_up" | grep -q "127.0.0.1:$fwd_up"; then
		note "ok: hostfwd tcp::$fwd_up-:8081 listens on 127.0.0.1 only"
	else
		bad "hostfwd :$fwd_up not on 127.0.0.1: $(ss -ltn "sport = :$fwd_up" | tail -n +2)"
	fi
	fetch_check "" "http://127.0.0.1:$fwd_http/guest.txt" "$sum" "$name: host -> guest HTTP via hostfwd"
	upload "" 127.0.0.1 "$fwd_up" "$T/blob" || bad "$name: upload via hostfwd failed"
	finish_vm "$name" "$pid" net-user
	pcap_check "$name" &&
		pcap_count "$name" '$1 ~ /:dhcp/' 4 "DHCP packets" &&
		pcap_count "$name" '$2 == "GET"' 2 "HTTP GETs" &&
		pcap_count "$name" '$1 ~ /:tftp/' 10 "TFTP packets"
done
exit $fail
