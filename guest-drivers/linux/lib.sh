# Shared helpers for the pvkit guest build scripts (sourced, not run).
# Sets: GUEST_DIR (this folder), ROOT (repo root), OUT (build/guest),
# WORK (scratch build trees), CACHE (content-addressed output cache),
# JOBS, CROSS.

GUEST_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$GUEST_DIR/../.." && pwd)
OUT=${PVKIT_GUEST_OUT:-$ROOT/build/guest}
WORK=${PVKIT_GUEST_WORK:-$OUT/work}
CACHE=${PVKIT_CACHE:-$HOME/.cache/pvkit}/guest
JOBS=${PVKIT_JOBS:-$(nproc 2>/dev/null || echo 2)}
CROSS=${PVKIT_CROSS:-riscv64-linux-gnu-}
export LC_ALL=C

stage() { printf '[guest] %s\n' "$*" >&2; }
die() { printf '[guest] ERROR: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found (run scripts/deps.sh)"; }

# pkgver PKG: installed Debian version of PKG, or die.
pkgver() {
    v=$(dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null) || v=
    case $v in
        "install ok installed "*) echo "${v#install ok installed }" ;;
        *) die "Debian package '$1' is not installed (run scripts/deps.sh)" ;;
    esac
}

# toolchain_id: a line naming the cross compiler and binutils packages and
# versions (goes into every cache key).
toolchain_id() {
    need "${CROSS}gcc"
    gcc_real=$(readlink -f "$(command -v "${CROSS}gcc")")
    gcc_pkg=$(dpkg -S "$gcc_real" 2>/dev/null | head -n1 | cut -d: -f1)
    [ -n "$gcc_pkg" ] || gcc_pkg=gcc-riscv64-linux-gnu
    echo "gcc-riscv64-linux-gnu=$(pkgver gcc-riscv64-linux-gnu)" \
         "$gcc_pkg=$(pkgver "$gcc_pkg")" \
         "binutils-riscv64-linux-gnu=$(pkgver binutils-riscv64-linux-gnu)"
}

# cache_key WORD...: 16 hex digits over the given words; a word that names
# an existing file (relative to ROOT or absolute) stands for its contents.
cache_key() {
    for w in "$@"; do
        f=$w
        case $f in /*) ;; *) f=$ROOT/$w ;; esac
        if [ -f "$f" ]; then
            # absolute paths by base name only: keys do not depend on
            # where the tree is checked out
            case $w in /*) w=$(basename "$w") ;; esac
            printf 'file %s %s\n' "$w" "$(sha256sum < "$f" | cut -d' ' -f1)"
        else
            printf 'word %s\n' "$w"
        fi
    done | sha256sum | cut -c1-16
}

# install_out SRC NAME [MODE]: copy SRC to $OUT/NAME atomically; leave an
# identical file alone, so its mtime (and make's view of it) stays.
install_out() {
    mkdir -p "$OUT"
    if cmp -s "$1" "$OUT/$2"; then
        [ -z "${3:-}" ] || chmod "$3" "$OUT/$2"
        return 0
    fi
    cp -f "$1" "$OUT/.$2.tmp.$$"
    [ -z "${3:-}" ] || chmod "$3" "$OUT/.$2.tmp.$$"
    mv -f "$OUT/.$2.tmp.$$" "$OUT/$2"
}

# cache_commit TMPDIR DIR: publish a filled temporary cache dir atomically.
cache_commit() {
    if [ -d "$2" ]; then rm -rf "$1"; return 0; fi
    mv "$1" "$2" 2>/dev/null || rm -rf "$1"
}

# run_logged LABEL LOG CMD...: run CMD with its output in LOG, printing a
# progress line every 20 s; on failure print the tail of LOG and fail.
run_logged() {
    label=$1 log=$2; shift 2
    mkdir -p "$(dirname "$log")"
    "$@" >>"$log" 2>&1 9>&- &
    pid=$!
    rl_t0=$(date +%s)
    while kill -0 "$pid" 2>/dev/null; do
        i=0
        while [ $i -lt 20 ] && kill -0 "$pid" 2>/dev/null; do sleep 1; i=$((i + 1)); done
        if kill -0 "$pid" 2>/dev/null; then
            last=$(tail -n 1 "$log" 2>/dev/null | cut -c1-100)
            stage "$label: $(( $(date +%s) - rl_t0 ))s ... $last"
        fi
    done
    if wait "$pid"; then return 0; fi
    printf '[guest] ---- last lines of %s ----\n' "$log" >&2
    tail -n 40 "$log" >&2
    die "$label failed (full log: $log)"
}

# guest_lock: serialise guest builds sharing one output/work tree.
guest_lock() {
    [ -z "${PVKIT_GUEST_LOCKED:-}" ] || return 0
    mkdir -p "$OUT"
    exec 9>"$OUT/.lock"
    if ! flock -n 9; then
        stage "waiting for another guest build using $OUT"
        flock 9
    fi
    export PVKIT_GUEST_LOCKED=1
}
