# Source this file: puts Node >= 22.19 first on PATH.
#   . scripts/use-node.sh
# When the machine's node is older, Node 24 LTS is fetched once from the npm
# registry's `node-linux-<arch>` package (it carries the real binary) into
# .cache/node-<version>/ and that bin folder is put first on PATH.
BERTH_NODE_VERSION="${BERTH_NODE_VERSION:-24.21.0}"

berth_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)'
}

berth_use_node() {
  local root dir arch tgz
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  dir="$root/.cache/node-$BERTH_NODE_VERSION"
  if [ -x "$dir/bin/node" ]; then
    export PATH="$dir/bin:$PATH"
  fi
  if berth_node_ok; then return 0; fi
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "use-node: unsupported machine $(uname -m); install Node >= 22.19 yourself" >&2; return 1 ;;
  esac
  echo "use-node: fetching node-linux-$arch@$BERTH_NODE_VERSION from the npm registry" >&2
  mkdir -p "$dir.tmp" || return 1
  tgz="$(cd "$dir.tmp" && npm pack --silent "node-linux-$arch@$BERTH_NODE_VERSION" 2>/dev/null | tail -n 1)" || return 1
  tar -xzf "$dir.tmp/$tgz" -C "$dir.tmp" --strip-components=1 package/bin package/include package/LICENSE || return 1
  rm -f "$dir.tmp/$tgz"
  rm -rf "$dir" && mv "$dir.tmp" "$dir" || return 1
  export PATH="$dir/bin:$PATH"
  berth_node_ok || { echo "use-node: $dir/bin/node does not run" >&2; return 1; }
}

berth_use_node || return 1 2>/dev/null || exit 1
unset -f berth_use_node berth_node_ok
