# Shared by scripts/run and scripts/test: toolchain on PATH, system packages installed.

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

# ensure_packages PKG...: installs the Debian packages that are missing (needs root).
ensure_packages() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        echo "error: ${missing[*]} missing and not running as root to install them" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # The freeradius packages start a service on install; keep it from taking port 1812/1813.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    local rc=$?
    rm -f /usr/sbin/policy-rc.d
    return $rc
}

# postgres_bindir: where initdb/pg_ctl/postgres live (Debian keeps them off PATH).
postgres_bindir() {
    local dir
    dir=$(pg_config --bindir 2>/dev/null)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
    done
    return 1
}
