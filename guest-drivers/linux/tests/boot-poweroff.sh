#!/bin/sh
# pvkit bench boot: reaching this script is "init ran"; returning at once
# makes the run start-to-poweroff.
exit 0
