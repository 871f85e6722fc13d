#!/bin/bash
# --net tap (link layer), per NIC model: a TAP device in a network
# namespace this test creates, pvkit on it; the guest and the namespace
# ping each other and move a file both ways over HTTP and TCP, and the
# run's pcap opens in tshark with the ICMP and HTTP in it.
. "$(dirname "$0")/net/common.sh"
static_link_test tap 10.0.3
exit $fail
