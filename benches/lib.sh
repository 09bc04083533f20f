# Shared by the bench scripts (sourced, not run): where things are, the binary under test, a free
# port, and a wrk script over a URL list. Sourcing sets ROOT (the checkout) from BENCHES (this
# folder), so every script finds the fixtures the same way.
BENCHES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCHES/.." && pwd)"

# QUARTIER=/path/to/quartier measures another build (e.g. an older commit) without building;
# otherwise this checkout's release build, built here.
quartier_bin() {
  if [ -z "${QUARTIER:-}" ]; then
    (cd "$ROOT" && cargo build --release -p quartier-server --quiet)
    QUARTIER="$ROOT/target/release/quartier"
  fi
}

# A loopback port nobody listens on now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wrk_list_lua LIST OUT [HEADER VALUE]: writes OUT, a wrk script cycling through the request paths
# in LIST (one per line), with an optional extra header.
wrk_list_lua() {
  local headers="{}"
  [ $# -ge 4 ] && headers="{ [\"$3\"] = \"$4\" }"
  cat >"$2" <<EOF
local urls = {}
for line in io.lines("$1") do urls[#urls + 1] = line end
local i = 0
request = function()
  i = i % #urls + 1
  return wrk.format("GET", urls[i], $headers)
end
EOF
}
