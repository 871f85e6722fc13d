#!/bin/sh
# Installs every Debian package pvkit's build, guest toolchains, guest
# image and tests need, and enables source packages (`apt-get source`)
# for the guest build. Idempotent; run as root (or it uses sudo).
#
#   scripts/deps.sh          install
#   scripts/deps.sh --list   print the package names only
set -eu

PKGS="
make pkg-config clang libclang-rt-14-dev clang-format gcc libc6-dev
libfdt-dev device-tree-compiler check libsubunit-dev
libslirp-dev libfuse3-dev fuse3 libjansson-dev libpcap-dev zlib1g-dev
gnuplot-nox
gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf
gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu libc6-dev-riscv64-cross
linux-libc-dev-riscv64-cross
linux-source-6.1 bc bison flex libssl-dev libelf-dev perl xz-utils cpio gzip
dpkg-dev
qemu-system-misc qemu-utils opensbi e2fsprogs socat python3
tshark curl iproute2 iputils-ping
"

if [ "${1:-}" = "--list" ]; then
	echo $PKGS | tr ' ' '\n'
	exit 0
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

# Source packages need deb-src entries: mirror the configured binary
# sources, so the same archive serves both.
need_update=
if ! grep -rqsE '^[[:space:]]*(deb-src|Types:.*deb-src)' \
	/etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null; then
	echo "deps: enabling source packages" >&2
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		sed 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/' "$f" |
			$SUDO tee "/etc/apt/sources.list.d/pvkit-src-$(basename "$f")" >/dev/null
	done
	if [ -f /etc/apt/sources.list ]; then
		sed -n 's/^deb[[:space:]]/deb-src /p' /etc/apt/sources.list |
			$SUDO tee /etc/apt/sources.list.d/pvkit-src.list >/dev/null
	fi
	need_update=1
fi

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$need_update" ] || [ -n "$missing" ]; then
	$SUDO apt-get update -qq
fi
if [ -n "$missing" ]; then
	echo "deps: installing$missing" >&2
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
echo "deps: all packages present" >&2
