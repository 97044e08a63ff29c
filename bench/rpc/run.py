#!/usr/bin/env python3
"""run.py: bench/rpc: lookup rate and latency from 1 and 16 clients over the UNIX socket, and
ternd's idle and loaded RSS; the same against Debian's libvirtd when it is installed, measured
in the same run, with ratios. Usage: run.py [--builddir build] [--seconds 5]"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                "integration"))
from ternhost import Ternd  # noqa: E402


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def measure(bench, uri, pid, seconds):
    """Run the 1- and 16-client loads; sample the server's RSS while loaded."""
    res = {"idle_rss": rss_kib(pid)}
    peak = [0]
    stop = threading.Event()

    def sampler():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.05)

    th = threading.Thread(target=sampler)
    th.start()
    try:
        for n in (1, 16):
            out = subprocess.run([bench, uri, "test", str(n), str(seconds)], check=True,
                                 capture_output=True, text=True).stdout
            res[n] = dict(kv.split("=") for kv in out.split())
    finally:
        stop.set()
        th.join()
    res["loaded_rss"] = peak[0]
    return res


class Libvirtd:
    """Debian's libvirtd in a private mount namespace (its own /etc/libvirt, /run/libvirt,
    /var/lib/libvirt, ... and a passwd with the libvirt-qemu user its QEMU driver insists on),
    serving a private UNIX socket; stopped by its PID."""

    PRIVATE = ["/etc/libvirt", "/run/libvirt", "/var/lib/libvirt", "/var/log/libvirt",
               "/var/cache/libvirt"]

    def __init__(self, binary):
        self.binary = binary

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="libvirtd-")
        conf = os.path.join(self.dir, "libvirtd.conf")
        with open(conf, "w") as f:
            f.write('unix_sock_dir = "%s"\nlisten_tcp = 0\nlisten_tls = 0\n'
                    'auth_unix_rw = "none"\nauth_unix_ro = "none"\n' % self.dir)
        with open("/etc/passwd") as f:
            passwd = f.read()
        with open("/etc/group") as f:
            group = f.read()
        if "\nlibvirt-qemu:" not in "\n" + passwd:
            passwd += "libvirt-qemu:x:64055:64055:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin\n"
        if "\nlibvirt-qemu:" not in "\n" + group:
            group += "libvirt-qemu:x:64055:\n"
        for name, text in (("passwd", passwd), ("group", group)):
            with open(os.path.join(self.dir, name), "w") as f:
                f.write(text)
        mounts = ["mount --bind %s/passwd /etc/passwd" % self.dir,
                  "mount --bind %s/group /etc/group" % self.dir]
        for i, path in enumerate(self.PRIVATE):
            priv = os.path.join(self.dir, "m%d" % i)
            os.makedirs(priv)
            os.makedirs(path, exist_ok=True)
            mounts.append("mount --bind %s %s" % (priv, path))
        script = " && ".join(mounts) + " && exec %s --config %s" % (self.binary, conf)
        self.log = open(os.path.join(self.dir, "libvirtd.log"), "w")
        # unshare execs sh in place and sh execs libvirtd: proc.pid is libvirtd's pid
        self.proc = subprocess.Popen(["unshare", "-m", "--propagation", "private", "--",
                                      "sh", "-c", script], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        sock = os.path.join(self.dir, "libvirt-sock")
        for _ in range(1000):
            if os.path.exists(sock) or self.proc.poll() is not None:
                break
            time.sleep(0.02)
        if not os.path.exists(sock):
            raise RuntimeError("libvirtd did not start; see %s" % self.log.name)
        self.uri = "test+unix:///default?socket=" + sock
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", default="build")
    ap.add_argument("--seconds", type=float, default=5)
    args = ap.parse_args()
    bench = os.path.join(args.builddir, "bench/bench-rpc")
    ternd = os.path.join(args.builddir, "src/daemon/ternd")

    results = {}
    with Ternd(ternd) as d:
        time.sleep(0.5)
        results["ternd"] = measure(bench, d.uri(), d.proc.pid, args.seconds)
    libvirtd = shutil.which("libvirtd") or (os.path.exists("/usr/sbin/libvirtd") and "/usr/sbin/libvirtd")
    if libvirtd:
        with Libvirtd(libvirtd) as lv:
            time.sleep(0.5)
            results["libvirtd"] = measure(bench, lv.uri, lv.proc.pid, args.seconds)

    print("bench/rpc: ternDomainLookupByName over the UNIX socket, %gs per run" % args.seconds)
    print("%-9s %8s %12s %9s %9s %12s %14s" % ("daemon", "clients", "calls/s", "p50 us",
                                                "p99 us", "idle RSS", "loaded RSS"))
    for name, r in results.items():
        for n in (1, 16):
            print("%-9s %8d %12s %9s %9s %9d KiB %11d KiB" % (name, n, r[n]["rate"], r[n]["p50_us"],
                                                             r[n]["p99_us"], r["idle_rss"],
                                                             r["loaded_rss"]))
    if "libvirtd" in results:
        t, l = results["ternd"], results["libvirtd"]
        for n in (1, 16):
            print("ratio ternd/libvirtd rate, %2d clients: %.2f" %
                  (n, float(t[n]["rate"]) / float(l[n]["rate"])))
        print("ratio ternd/libvirtd loaded RSS: %.2f" % (t["loaded_rss"] / l["loaded_rss"]))
    else:
        print("(libvirtd not installed: apt-get install libvirt-daemon for the side-by-side run)")


if __name__ == "__main__":
    main()
