"""libvirthosts.py: what the benchmarks need of Debian's libvirtd on the shared hosts.sh test
hosts (hostA 192.0.2.1, hostB 192.0.2.2, each a network namespace with a libvirtd): the host
as migrun.Client wants one, the hosts.sh wrapper, whether libvirtd can be measured here, and a
median that skips missing figures."""
import os
import shutil
import statistics
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
HOSTS_SH = os.path.abspath(os.path.join(HERE, "..", "..", "shared", "tools", "libvirt-hosts",
                                        "hosts.sh"))
LV_STATE = os.environ.get("STATE", "/tmp/libvirt-hosts")
LV_ADDR = {"A": "192.0.2.1", "B": "192.0.2.2"}


class LibvirtHost:
    """Host A or B of hosts.sh, as migrun.Client wants a host: commands run in its network
    namespace (like ternhosts.TestHost: "ip netns exec", so both clients start the same way)."""

    def __init__(self, name):
        self.name = name
        self.ns = "host" + name
        self.addr = LV_ADDR[name]
        self.uri_tcp = "qemu+tcp://%s/system" % self.addr

    def _cmd(self, cmd):
        if len(cmd) == 1 and isinstance(cmd[0], (list, tuple)):
            cmd = cmd[0]
        return ["ip", "netns", "exec", self.ns] + [str(c) for c in cmd]

    def exec(self, *cmd, timeout=60, env=None, input=None):
        return subprocess.run(self._cmd(cmd), capture_output=True, text=True, timeout=timeout,
                              env=env, input=input)

    def popen(self, *cmd, env=None, **kw):
        return subprocess.Popen(self._cmd(cmd), env=env, **kw)

    def log_path(self):
        return os.path.join(LV_STATE, self.name, "log", "libvirtd.log")


def hosts_sh(*args, check=True):
    p = subprocess.run(["bash", HOSTS_SH] + list(args), capture_output=True, text=True,
                       timeout=120)
    if check and p.returncode != 0:
        raise RuntimeError("hosts.sh %s: %s%s" % (" ".join(args), p.stdout, p.stderr))
    return p


def libvirtd_available(need_virt_admin=False):
    """None if libvirtd can be measured here, else why not."""
    if not os.path.exists("/usr/sbin/libvirtd"):
        return "libvirtd is not installed (libvirt-daemon, libvirt-daemon-driver-qemu)"
    if not os.path.exists(HOSTS_SH):
        return "%s is missing" % HOSTS_SH
    if need_virt_admin and not shutil.which("virt-admin"):
        return "virt-admin is missing (libvirt-clients)"
    p = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    names = [ln.split()[0] for ln in p.stdout.splitlines() if ln.strip()]
    if "hostA" in names or "hostB" in names:
        return "namespaces hostA/hostB exist already (another run of hosts.sh; `hosts.sh down`)"
    return None


def median(values):
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None
