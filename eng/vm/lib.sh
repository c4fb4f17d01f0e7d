# Shared helpers of the eng/vm scripts (sourced, not run).

# vm_note MESSAGE...: progress line on stderr, prefixed with the calling script.
vm_note() { echo "[${0##*/}] $*" >&2; }

# vm_die MESSAGE...: error on stderr, exit 1. Messages say what is wrong and how to fix it.
vm_die() { echo "[${0##*/}] error: $*" >&2; exit 1; }

# vm_need_packages PKG...: installs the Debian packages that are missing (apt-get),
# running `apt-get update` only when the first attempt fails (stale lists).
vm_need_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	command -v apt-get >/dev/null || vm_die "missing packages ${missing[*]} and no apt-get: install them by hand"
	vm_note "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
		apt-get update -qq >/dev/null || vm_die "apt-get update failed: check network access to the Debian mirrors"
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
			vm_die "apt-get install ${missing[*]} failed: see the apt output above"
	}
}

# vm_hash FILE...: 12 hex digits identifying the files' contents (cache keys).
vm_hash() { cat "$@" | sha256sum | cut -c1-12; }
