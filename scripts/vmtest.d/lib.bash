# scripts/vmtest.d/lib.bash - what scripts/vmtest, its helpers and scripts/package-deb share about
# locks and the descriptors their children inherit. Sourced, not run.
#
# Locks are held with `flock --close`: flock(1) holds the lock in its own process for as long as
# the command it runs, and closes its descriptor before running it, so neither that command nor
# anything it starts has a descriptor on the lock file. A lock descriptor held by the shell (exec
# 9>lock) would be inherited by every child: mmdebstrap's hooks, run by dash with `cat >&N`, then
# see their pipe land on fd 10 or above, which dash cannot redirect ("Bad fd number").

# with_lock FILE COMMAND...: runs COMMAND holding an exclusive lock on FILE (waiting for it, and
# saying so when another run holds it).
with_lock() {
    local file=$1
    shift
    if ! flock --nonblock --close "$file" true 2>/dev/null; then
        printf '%s: waiting for the lock %s (another run holds it)\n' "${0##*/}" "$file" >&2
    fi
    flock --close "$file" "$@"
}

# no_inherited_locks WHAT: fails when a child started now would inherit a descriptor on a lock
# file (it asks a child, find, which lists its own descriptors), so that a leak is caught where it
# happens instead of as "Bad fd number" deep in mmdebstrap's log. WHAT names the child about to run.
no_inherited_locks() {
    local leaked
    leaked=$(find /proc/self/fd -mindepth 1 -maxdepth 1 -lname '*lock' \
        -printf 'fd %f -> %l; ' 2>/dev/null || true)
    if [[ -n $leaked ]]; then
        printf '%s: %s would inherit lock descriptors: %s (see scripts/vmtest.d/lib.bash)\n' \
            "${0##*/}" "$1" "${leaked%; }" >&2
        return 1
    fi
}
