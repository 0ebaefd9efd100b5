#!/usr/bin/env bash
# A Podman engine serving the Docker Engine API on a unix socket, for the Docker
# runtime's tests, bench/docker.ts and CI. Everything (configuration, storage, the
# socket) lives in one folder, so it never touches another Podman or Docker.
#
#   scripts/podman-engine.sh install   apt-get install podman runc busybox-static (CI)
#   scripts/podman-engine.sh start     start the engine (or reuse a running one), import
#                                      the test images; prints unix://…/podman.sock
#   scripts/podman-engine.sh stop      stop the engine this script started
#
# BERTH_PODMAN_DIR       the folder (default: ${TMPDIR:-/tmp}/berth-podman-UID)
# BERTH_PODMAN_IDLE_SECONDS  the engine exits after this long without a request (default 600)
#
# Test images (a busybox-static rootfs; no registry is needed):
#   localhost/berth-busybox:1        runs as root
#   localhost/berth-busybox-user:1   USER 1000:1000
set -euo pipefail

DIR="${BERTH_PODMAN_DIR:-${TMPDIR:-/tmp}/berth-podman-$(id -u)}"
SOCK="$DIR/podman.sock"
PIDFILE="$DIR/service.pid"
IDLE="${BERTH_PODMAN_IDLE_SECONDS:-600}"
export CONTAINERS_CONF="$DIR/containers.conf"
export CONTAINERS_STORAGE_CONF="$DIR/storage.conf"

say() { echo "podman-engine: $*" >&2; }

install() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v runc >/dev/null || missing+=(runc)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc busybox-static >/dev/null
}

write_config() {
  mkdir -p "$DIR"
  # crun fails on hosts with hybrid cgroups; runc works. No CNI/netavark set-up: containers
  # get no network unless a step asks (the runtime's BERTH_DOCKER_NETWORK decides).
  cat >"$CONTAINERS_CONF" <<EOF
[containers]
netns = "none"
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$DIR/events.log"
tmp_dir = "$DIR/tmp"
EOF
  cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "vfs"
runroot = "$DIR/run"
graphroot = "$DIR/storage"
EOF
}

running() {
  [ -S "$SOCK" ] && [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

import_image() {
  local name="$1"
  shift
  podman image exists "$name" && return 0
  local root
  root="$(mktemp -d "$DIR/rootfs.XXXXXX")"
  chmod 755 "$root"
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list-full); do
    mkdir -p "$root/$(dirname "$applet")"
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/tmp:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nuser:x:1000:\n' >"$root/etc/group"
  tar -C "$root" -cf "$root.tar" .
  if ! podman import "$@" "$root.tar" "$name" >"$DIR/import.log" 2>&1; then
    cat "$DIR/import.log" >&2
    exit 1
  fi
  rm -rf "$root" "$root.tar"
}

start() {
  if ! command -v podman >/dev/null || ! command -v runc >/dev/null || [ ! -x /bin/busybox ]; then
    say "podman, runc or busybox-static is not installed (scripts/podman-engine.sh install)"
    exit 3
  fi
  write_config
  exec 9>"$DIR/lock"
  flock 9
  if ! running; then
    rm -f "$SOCK"
    # 9>&-: the engine must not inherit (and hold forever) the lock.
    setsid podman system service --time="$IDLE" "unix://$SOCK" >>"$DIR/service.log" 2>&1 </dev/null 9>&- &
    echo $! >"$PIDFILE"
    for _ in $(seq 100); do
      [ -S "$SOCK" ] && break
      sleep 0.1
    done
    if [ ! -S "$SOCK" ]; then
      say "the engine did not open $SOCK; its log:"
      tail -20 "$DIR/service.log" >&2
      exit 1
    fi
  fi
  import_image localhost/berth-busybox:1 --change 'CMD ["/bin/sh"]'
  import_image localhost/berth-busybox-user:1 --change 'CMD ["/bin/sh"]' --change 'USER 1000:1000'
  echo "unix://$SOCK"
}

stop() {
  if running; then kill "$(cat "$PIDFILE")"; fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
install) install ;;
start) start ;;
stop) stop ;;
*)
  echo "usage: $0 install|start|stop" >&2
  exit 2
  ;;
esac
