#!/bin/bash
# --net socket (a wire between VMs), per NIC model: VM a listens on a unix
# socket, VM b connects; the two guests ping each other and b fetches a
# file from a's HTTP server and reports its md5 back. Both pcaps open in
# tshark with the pings and the HTTP in them. Then a peer that goes away:
# VM a is killed under b's feet, and b still finishes (link down, no
# hang, no crash), and a's pcap, cut short by SIGTERM, still opens.
. "$(dirname "$0")/net/common.sh"
need tshark

for model in $MODELS; do
	wire=$T/wire-$model.sock
	boot_vm a-$model "" net-wire "pvkit.role=a" \
		"socket,listen=$wire,model=$model,mac=52:54:00:00:05:0a"
	pa=$VM_PID
	for k in $(seq 100); do
		[ -S "$wire" ] && break
		kill -0 "$pa" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -S "$wire" ]; then
		wait "$pa"
		bad "a-$model: no socket at $wire: $(head -n 2 "$T/a-$model.err")"
		continue
	fi
	boot_vm b-$model "" net-wire "pvkit.role=b" \
		"socket,connect=$wire,model=$model,mac=52:54:00:00:05:0b"
	pb=$VM_PID
	finish_vm a-$model "$pa" net-wire
	finish_vm b-$model "$pb" net-wire
	for v in a-$model b-$model; do
		pcap_check "$v" &&
			pcap_count "$v" '$3 == "8"' 4 "ICMP echo requests" &&
			pcap_count "$v" '$3 == "0"' 4 "ICMP echo replies" &&
			pcap_count "$v" '$2 == "GET"' 1 "HTTP GET"
	done
	[ -e "$wire" ] && bad "a-$model left its socket file behind"

	# The peer goes away: b boots against a listener that is then
	# killed; b's guest sees its link go down and b ends normally.
	boot_vm c-$model "" net-wire "pvkit.role=a" \
		"socket,listen=$wire,model=$model,mac=52:54:00:00:05:0a"
	pc=$VM_PID
	for k in $(seq 100); do [ -S "$wire" ] && break; sleep 0.05; done
	boot_vm d-$model "" net-lonely "" \
		"socket,connect=$wire,model=$model,mac=52:54:00:00:05:0b"
	pd=$VM_PID
	# the link is up for both once d is connected; c pings d, then dies
	if wait_line d-$model "PVKIT-NET-READY" 60 "$pd" &&
		wait_line c-$model "ok:   ping 10.0.5.2" 60 "$pc"; then
		kill "$pc"
		wait "$pc" 2>/dev/null
		finish_vm d-$model "$pd" net-lonely
		# killed by SIGTERM, c's capture is still whole
		pcap_check c-$model &&
			pcap_count c-$model '$1 ~ /:arp/' 1 "ARP frames after SIGTERM"
		grep -q "peer closed the connection; the link is down" "$T/d-$model.err" &&
			note "ok: d-$model: pvkit noticed: $(grep -m1 'link is down' "$T/d-$model.err")" ||
			bad "d-$model: no link-down message from pvkit"
	else
		bad "d-$model: guest never ready"
		kill "$pc"
		finish_vm d-$model "$pd" net-lonely
	fi
done
exit $fail
