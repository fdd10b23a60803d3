#!/usr/bin/env bash
# A real S3 on loopback for the tests: Ceph radosgw from Debian's packages (one mon, one mgr, one
# memstore OSD, pools of size 1, no cephx, beast frontend on 127.0.0.1). Data lives in RAM and
# is gone when it stops.
#
#   bash scripts/ci/radosgw.sh start   # ~20 s; writes $RGW_DIR/env (TEST_S3_* for the tests)
#   bash scripts/ci/radosgw.sh stop    # stops the daemons by their pid files, removes $RGW_DIR
#
# Needs: apt-get install -y --no-install-recommends ceph-mon ceph-osd ceph-mgr radosgw ceph-common uuid-runtime
# Ports (all loopback): RGW_PORT (S3, default 17480), RGW_MON_PORT (msgr2, default 13300 — not
# the mon's default 3300, which a portal might use), RGW_MON_V1_PORT (default 16789), daemons bind
# in 16800–16899.
set -euo pipefail

RGW_DIR="${RGW_DIR:-/tmp/portal-radosgw}"
RGW_PORT="${RGW_PORT:-17480}"
MON_PORT="${RGW_MON_PORT:-13300}"
MON_V1_PORT="${RGW_MON_V1_PORT:-16789}"
ACCESS_KEY="${RGW_ACCESS_KEY:-portaltestaccess}"
SECRET_KEY="${RGW_SECRET_KEY:-portaltestsecret0123456789abcdef}"
CONF="$RGW_DIR/ceph.conf"

log() { echo "[radosgw] $*" >&2; }
ceph_() { timeout 20 ceph -c "$CONF" "$@"; }

stop() {
  [ -d "$RGW_DIR" ] || return 0
  for pidfile in "$RGW_DIR"/run/*.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 50); do
    alive=0
    for pidfile in "$RGW_DIR"/run/*.pid; do
      [ -f "$pidfile" ] || continue
      kill -0 "$(cat "$pidfile")" 2>/dev/null && alive=1
    done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pidfile in "$RGW_DIR"/run/*.pid; do
    [ -f "$pidfile" ] || continue
    kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  done
  rm -rf "$RGW_DIR"
  log "остановлен"
}

wait_for() { # what, seconds, command…
  local what="$1" secs="$2"; shift 2
  for _ in $(seq 1 $((secs * 5))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  log "не дождался: $what"; tail -n 30 "$RGW_DIR"/log/*.log >&2 || true
  return 1
}

start() {
  for bin in ceph-mon ceph-osd ceph-mgr radosgw radosgw-admin ceph ceph-authtool monmaptool uuidgen node; do
    command -v "$bin" >/dev/null || { log "нет $bin: apt-get install -y --no-install-recommends ceph-mon ceph-osd ceph-mgr radosgw ceph-common uuid-runtime"; exit 1; }
  done
  stop
  mkdir -p "$RGW_DIR"/{run,log,mon,osd,mgr,rgw}
  FSID="$(uuidgen)"
  cat >"$CONF" <<EOF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_V1_PORT]
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
ms bind port min = 16800
ms bind port max = 16899
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
osd crush chooseleaf type = 0
mon warn on pool no redundancy = false
run dir = $RGW_DIR/run
admin socket = $RGW_DIR/run/\$cluster-\$name.asok
pid file = $RGW_DIR/run/\$name.pid
log file = $RGW_DIR/log/\$name.log
keyring = $RGW_DIR/keyring
mon data = $RGW_DIR/mon/\$name
osd data = $RGW_DIR/osd/\$name
mgr data = $RGW_DIR/mgr/\$name
debug ms = 0

[osd]
osd objectstore = memstore
memstore device bytes = ${RGW_MEMSTORE_BYTES:-2147483648}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
osd max object name len = 256
osd max object namespace len = 64

[client.rgw.portal]
auth client required = none
ms mon client mode = crc
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $RGW_DIR/rgw
rgw dns name = 127.0.0.1
rgw enable usage log = false
EOF

  ceph-authtool --create-keyring "$RGW_DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$RGW_DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
  monmaptool --create --addv a "[v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_V1_PORT]" --fsid "$FSID" "$RGW_DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$RGW_DIR/monmap" --keyring "$RGW_DIR/keyring"
  ceph-mon -c "$CONF" -i a
  wait_for "монитор" 30 ceph_ -s
  log "монитор запущен"
  ceph-mgr -c "$CONF" -i x
  OSD_UUID="$(uuidgen)"
  OSD_ID="$(ceph_ osd new "$OSD_UUID")"
  mkdir -p "$RGW_DIR/osd/osd.$OSD_ID"
  ceph-osd -c "$CONF" -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >/dev/null 2>&1
  ceph-osd -c "$CONF" -i "$OSD_ID"
  wait_for "OSD" 60 bash -c "timeout 10 ceph -c '$CONF' osd stat | grep -q '1 up'"
  log "OSD $OSD_ID запущен"
  radosgw -c "$CONF" -n client.rgw.portal
  wait_for "radosgw на порту $RGW_PORT" 90 node -e "fetch('http://127.0.0.1:$RGW_PORT/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
  timeout 60 radosgw-admin -c "$CONF" -n client.rgw.portal --admin-socket "$RGW_DIR/run/radosgw-admin.asok" user create --uid=portal --display-name="Portal tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
  cat >"$RGW_DIR/env" <<EOF
export TEST_S3_ENDPOINT=http://127.0.0.1:$RGW_PORT
export TEST_S3_ACCESS_KEY_ID=$ACCESS_KEY
export TEST_S3_SECRET_ACCESS_KEY=$SECRET_KEY
export TEST_S3_REGION=default
export TEST_S3_KIND=radosgw
EOF
  log "S3 готов: http://127.0.0.1:$RGW_PORT (переменные — в $RGW_DIR/env)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "использование: $0 start|stop" >&2; exit 2 ;;
esac
