# The CPU time of a command's whole process tree, for docs/ci.md's figures: `time` misses Chromium's and the
# vite preview server's processes (they start their own sessions, and nobody waits for them). A process counts
# if its parent or its session leader counts; /proc is polled every 0.3 s and each process's last reading
# (its own user + system time, never its children's) counts, so a process living under 0.3 s is missed.
# Usage: python3 scripts/tree-cpu.py -- bash .ci/run   (prints TREECPU and the 15 largest kinds on stderr)
import os, sys, time, subprocess
tck = os.sysconf('SC_CLK_TCK')
cmd = sys.argv[sys.argv.index('--') + 1:]
p = subprocess.Popen(cmd)
tracked = {p.pid}
cpu = {}
kind = {}
def scan():
    procs = {}
    for d in os.listdir('/proc'):
        if not d.isdigit(): continue
        try: s = open(f'/proc/{d}/stat').read()
        except OSError: continue
        r = s.rsplit(')', 1)[1].split()
        procs[int(d)] = (int(r[1]), int(r[3]), (int(r[11]) + int(r[12])) / tck)
    changed = True
    while changed:
        changed = False
        for pid, (ppid, sid, _) in procs.items():
            if pid not in tracked and (ppid in tracked or sid in tracked):
                tracked.add(pid); changed = True
    for pid in tracked:
        if pid in procs:
            cpu[pid] = procs[pid][2]
            if pid not in kind:
                try:
                    argv = open(f'/proc/{pid}/cmdline','rb').read().split(b'\0')
                    t = [a.decode() for a in argv if a.startswith(b'--type=') or a.startswith(b'--utility-sub-type=')]
                    kind[pid] = os.path.basename(argv[0].decode() or '?') + ' ' + ' '.join(t) + ' ' + ' '.join(a.decode()[:40] for a in argv[1:3] if not a.startswith(b'--'))
                except OSError: kind[pid] = '?'
start = time.time()
while p.poll() is None:
    scan(); time.sleep(0.3)
scan()
print(f'TREECPU {sum(cpu.values()):.1f} s CPU over {len(cpu)} processes, {time.time()-start:.1f} s wall, rc {p.returncode}', file=sys.stderr)
import collections
agg = collections.Counter()
for pid, c in cpu.items(): agg[kind.get(pid, '?')] += c
for k, c in agg.most_common(15): print(f'  {c:7.1f} s  {k}', file=sys.stderr)
sys.exit(p.returncode)
