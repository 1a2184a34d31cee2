# Sourced by the Node-based test runners: starts BINARY (the first argument) on a free loopback
# port with a fresh database and any further arguments, sets $addr, and stops the server when
# the calling script exits.
bin=$(realpath "$1")
shift
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; wait "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" serve --db "$work/kb.db" --addr 127.0.0.1:0 --access-log=false --rate 0 "$@" >"$work/log" 2>&1 &
pid=$!
addr=""
for _ in $(seq 100); do
  # The log may not exist yet (the shell opens it when the server process starts): under set -e a
  # failed read here would end the calling script.
  addr=$(sed -n 's/.*msg=serving addr=\([^ ]*\).*/\1/p' "$work/log" 2>/dev/null || true)
  [ -n "$addr" ] && break
  sleep 0.1
done
if [ -z "$addr" ]; then
  echo "the server did not start:"; cat "$work/log"; exit 1
fi
