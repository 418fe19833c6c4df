#!/usr/bin/env bash
# A real Slurm test of `qcsim sweep --emit slurm` (docs/sweep.md "Scale-out on Slurm"):
# installs Debian's slurmctld, slurmd and munge when missing (as root), writes a single-node
# slurm.conf and a munge key into a temporary directory, starts munged, slurmctld and slurmd
# there (on free ports, nothing of the machine's own Slurm or munge is touched), submits the
# emitted job array with `sbatch` and waits for it (at most 120 s), merges the shards and
# compares results.jsonl, results.csv and pareto.csv with a local run of the same spec, byte
# for byte. Every exit path stops the daemons it started (by their pids) and removes the
# directory.
#
#   tests/slurm/run_slurm_test.sh QCSIM_BIN
#
# Exit status: 0 pass, 1 fail, 77 skipped (the reason is printed: not root, packages not
# installable, or a daemon that cannot start on this machine). ctest maps 77 to "skipped"
# (SKIP_RETURN_CODE in tests/CMakeLists.txt).
set -uo pipefail

qcsim=${1:?usage: run_slurm_test.sh QCSIM_BIN}
skip_code=77
started=$(date +%s)

say() { echo "slurm-test: $*"; }
skip() { say "SKIP: $*"; exit "$skip_code"; }
fail() { say "FAIL: $*"; exit 1; }

[ -x "$qcsim" ] || fail "no qcsim binary at $qcsim"
[ "$(id -u)" -eq 0 ] || skip "needs root (to install the packages and to run slurmd, which starts jobs as their user)"

pkgs=(slurmctld slurmd slurm-client munge)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || skip "${missing[*]} not installed and no apt-get"
  say "installing ${missing[*]}"
  # Debian's maintainer scripts would start the system's own daemons: forbid that for this
  # install (policy-rc.d 101), so only the daemons this test starts run.
  policy=/usr/sbin/policy-rc.d
  had_policy=0
  [ -e "$policy" ] && had_policy=1
  [ "$had_policy" = 1 ] || { printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; }
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null 2>&1
  rc=$?
  [ "$had_policy" = 1 ] || rm -f "$policy"
  [ $rc -eq 0 ] || skip "apt-get install ${missing[*]} failed (exit $rc)"
fi
command -v python3 >/dev/null || skip "python3 not found (it picks two free ports)"
for b in munged slurmctld slurmd sbatch squeue sinfo scancel; do
  command -v "$b" >/dev/null || skip "$b not found after installing ${pkgs[*]}"
done

tmp=$(mktemp -d /tmp/qcsim-slurm.XXXXXX) || fail "mktemp"
chmod 700 "$tmp"
pids=()
jobid=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$jobid" ]; then
    scancel "$jobid" >/dev/null 2>&1
    # Let the controller end the array's steps before the daemons go.
    for _ in $(seq 20); do
      [ -z "$(squeue -h -j "$jobid" 2>/dev/null)" ] && break
      sleep 0.5
    done
  fi
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for _ in $(seq 20); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.25
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$tmp"
  say "done in $(($(date +%s) - started)) s (exit $rc)"
  exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Why a daemon stopped: its log's last lines.
logs() {
  local f
  for f in "$@"; do
    [ -f "$f" ] && { echo "--- $(basename "$f"):"; tail -n 15 "$f"; }
  done
}

# Two free TCP ports (bound and released at once: another process taking one in between is
# possible but the daemons would then fail to start, and the test says so).
read -r ctld_port slurmd_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])') || fail "no free ports"

node=$(hostname -s)
cpus=$(nproc)
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/run"
chmod 755 "$tmp/run"

# munge: its own key and socket.
head -c 1024 /dev/urandom >"$tmp/munge.key"
chmod 400 "$tmp/munge.key"
munged --foreground --force --key-file="$tmp/munge.key" --socket="$tmp/run/munge.sock" \
  --pid-file="$tmp/munged.pid" --log-file="$tmp/munged.log" --seed-file="$tmp/munge.seed" \
  >"$tmp/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 40); do [ -S "$tmp/run/munge.sock" ] && break; sleep 0.25; done
[ -S "$tmp/run/munge.sock" ] || { logs "$tmp/munged.out" "$tmp/munged.log"; skip "munged did not start"; }
munge --socket="$tmp/run/munge.sock" -n </dev/null | unmunge --socket="$tmp/run/munge.sock" >/dev/null 2>&1 ||
  { logs "$tmp/munged.log"; skip "munge cannot encode and decode a credential here"; }

cat >"$tmp/slurm.conf" <<CONF
ClusterName=qcsimtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/run/munge.sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MaxArraySize=1001
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=qcsim Nodes=$node Default=YES MaxTime=10 State=UP
CONF
export SLURM_CONF="$tmp/slurm.conf"

slurmctld -D -c -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$node" >"$tmp/slurmd.out" 2>&1 &
pids+=($!)
state=""
for _ in $(seq 60); do
  state=$(sinfo -h -n "$node" -o %T 2>/dev/null | head -n 1)
  [ "$state" = idle ] && break
  for p in "${pids[@]}"; do
    kill -0 "$p" 2>/dev/null || { logs "$tmp/slurmctld.out" "$tmp/slurmctld.log" "$tmp/slurmd.out" "$tmp/slurmd.log"; skip "a Slurm daemon exited at start (logs above)"; }
  done
  sleep 0.5
done
[ "$state" = idle ] || { logs "$tmp/slurmctld.log" "$tmp/slurmd.log"; skip "the node did not become idle in 30 s (state '${state:-none}')"; }
say "slurmctld and slurmd up on $node (ports $ctld_port, $slurmd_port, $cpus CPUs)"

# The sweep: four points on two workloads, eight runs.
cat >"$tmp/spec.json" <<'SPEC'
{"schema": "qcsim.sweep/1", "name": "slurm-test",
 "workloads": [{"spec": "mobilenext:resolution=64"}, {"spec": "mobilenext:resolution=64,identity_div=2"}],
 "parameters": [{"path": "dram.channels", "values": [1, 2, 4, 8]}],
 "objectives": ["cycles", "energy_uj", "area_mm2"]}
SPEC
"$qcsim" sweep "$tmp/spec.json" --out "$tmp/local" --jobs 2 >/dev/null 2>"$tmp/local.err" ||
  { cat "$tmp/local.err"; fail "the local sweep failed"; }
"$qcsim" sweep "$tmp/spec.json" --out "$tmp/sweep" --emit slurm --shards 2 >/dev/null ||
  fail "--emit slurm failed"

jobid=$(cd "$tmp/sweep" && sbatch --parsable --time=5 sweep.sbatch 2>"$tmp/sbatch.err") ||
  { cat "$tmp/sbatch.err"; fail "sbatch refused the array"; }
jobid=${jobid%%;*}
say "sbatch: job array $jobid submitted"
# Wait for it, bounded (the controller keeps an ended job's state for MinJobAge, 300 s).
deadline=$((SECONDS + 120))
while [ -n "$(squeue -h -j "$jobid" 2>/dev/null)" ]; do
  if [ $SECONDS -ge $deadline ]; then
    squeue -j "$jobid"
    logs "$tmp/sweep/logs/0.out" "$tmp/sweep/logs/1.out" "$tmp/slurmctld.log" "$tmp/slurmd.log"
    fail "the array did not end within 120 s"
  fi
  sleep 0.5
done
states=$(scontrol -o show job "$jobid" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | tr -s ' ' | tr '\n' ' ')
say "array $jobid ended: ${states:-no state}"
if [ "$(scontrol -o show job "$jobid" 2>/dev/null | grep -c 'JobState=COMPLETED')" -ne 2 ]; then
  logs "$tmp/sweep/logs/0.out" "$tmp/sweep/logs/1.out" "$tmp/slurmctld.log" "$tmp/slurmd.log"
  fail "expected both array tasks COMPLETED"
fi
jobid=""
for i in 0 1; do
  n=$(wc -l <"$tmp/sweep/shards/$i-of-2.jsonl" 2>/dev/null || echo 0)
  say "shard $i/2: $n runs (logs/$i.out: $(tr '\n' ' ' <"$tmp/sweep/logs/$i.out" | cut -c1-160))"
  # Shard i of 2 holds points i and i+2, each on both workloads: 4 runs.
  [ "$n" -eq 4 ] || fail "shard $i/2 holds $n runs, expected 4"
done
"$qcsim" sweep merge "$tmp/sweep" >/dev/null 2>"$tmp/merge.err" || { cat "$tmp/merge.err"; fail "merge failed"; }
for f in results.jsonl results.csv pareto.csv; do
  cmp "$tmp/local/$f" "$tmp/sweep/$f" || fail "$f of the Slurm run differs from the local run"
done
say "PASS: the Slurm array's merge equals the local run (results.jsonl, results.csv, pareto.csv)"
exit 0
