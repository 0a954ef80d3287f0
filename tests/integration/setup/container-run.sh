#!/usr/bin/env bash
# container-run.sh <scratch dir> --workdir DIR [--user UID:GID] [--tmpfs DEST]... [--bind SRC:DEST[:ro]]... -- <command> [args...]
# Runs a command the way `docker run` runs it in a container, without a Docker engine: in a mount
# namespace of its own, chrooted into a root built from this machine's /usr (the interpreters and
# their libraries) with nothing the image would not have added: /usr/local and the Python package
# folders start empty (tmpfs) and the caller binds in exactly what the image description lists
# (support/upstreamImages.ts), then the image's files and the `--volume`s of the docker command.
# The command starts in the image's WORKDIR as the image's USER, with exactly the environment this
# script was given (the caller passes the image's ENV plus the --env/--env-file values, nothing
# else). /etc is an overlay of this machine's (Debian 12, like the images' bookworm bases); its
# writes land in the scratch dir. Mounts are applied in the order given, so a --bind may land
# inside an earlier --tmpfs.
set -euo pipefail
if [ "${1:-}" != "--inside" ]; then
    exec unshare --mount --propagation private -- bash "$0" --inside "$@"
fi
scratch=$2
shift 2
workdir=""
user="0:0"
mounts=()
while [ $# -gt 0 ]; do
    case $1 in
    --workdir) workdir=$2; shift 2 ;;
    --user) user=$2; shift 2 ;;
    --tmpfs | --bind) mounts+=("$1" "$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "container-run.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -n "$workdir" ] || { echo "container-run.sh: --workdir is required (the image's WORKDIR)" >&2; exit 2; }

root=$scratch/root
mkdir -p "$root" "$scratch/etc-upper" "$scratch/etc-work"
mount -t tmpfs -o mode=755 rootfs "$root"
mkdir -p "$root/usr" "$root/etc" "$root/proc" "$root/dev" "$root/sys" "$root/tmp" "$root/root" "$root/home"
chmod 1777 "$root/tmp"
mount --rbind /usr "$root/usr"
mount -o remount,bind,ro "$root/usr"
for link in bin sbin lib lib64; do
    ln -s "usr/$link" "$root/$link"
done
# What the image installed itself lives here (the python:*-slim bases install Python in /usr/local).
mount -t tmpfs -o mode=755 usrlocal "$root/usr/local"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$scratch/etc-upper,workdir=$scratch/etc-work" "$root/etc"
mount --rbind /proc "$root/proc"
mount --rbind /dev "$root/dev"

at() { # the mount point inside the root, created (a file for a file, else a folder)
    local source=$1 dest=$root$2
    if [ -n "$source" ] && [ ! -d "$source" ]; then
        mkdir -p "$(dirname "$dest")"
        [ -e "$dest" ] || : >"$dest"
    else
        mkdir -p "$dest"
    fi
    printf '%s' "$dest"
}
for ((i = 0; i < ${#mounts[@]}; i += 2)); do
    kind=${mounts[i]} spec=${mounts[i + 1]}
    if [ "$kind" = --tmpfs ]; then
        mount -t tmpfs -o mode=755 tmpfs "$(at "" "$spec")"
        continue
    fi
    source=${spec%%:*} rest=${spec#*:} options=""
    dest=${rest%%:*}
    [ "$rest" = "$dest" ] || options=${rest#*:}
    [ -e "$source" ] || { echo "container-run.sh: no such file to mount: $source" >&2; exit 2; }
    target=$(at "$source" "$dest")
    mount --bind "$source" "$target"
    if [ "$options" = ro ]; then
        mount -o remount,bind,ro "$target"
    fi
done
# The image's WORKDIR exists in the image (Docker creates it), whatever the fake put there.
mkdir -p "$root$workdir"
# The dynamic linker's cache for this root, as the images' own `ldconfig` left theirs.
ldconfig -r "$root"
# shellcheck disable=SC2016 # expanded by the container's shell: the working directory, then the command
exec chroot --userspec="$user" "$root" /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "$@"
