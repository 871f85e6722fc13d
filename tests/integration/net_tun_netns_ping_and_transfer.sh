#!/bin/bash
# --net tun (network layer), per NIC model: a TUN device in a network
# namespace this test creates; pvkit adds and strips Ethernet and answers
# the guest's ARP; the guest and the namespace ping each other and move a
# file both ways, and the run's pcap (Ethernet, as the guest saw it)
# opens in tshark with the ARP exchange, ICMP and HTTP in it.
. "$(dirname "$0")/net/common.sh"
static_link_test tun 10.0.4
exit $fail
