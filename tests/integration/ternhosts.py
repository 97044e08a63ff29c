#!/usr/bin/env python3
"""ternhosts.py: two or three test hosts (network namespaces), one ternd on each.

A "host" (design.md, "Test topology") is a network namespace with its own ternd, its own
root (state, runtime and configuration directories under ternd --root), its own host UUID
and its own address in 192.0.2.0/24, the documentation range:

    with TestHosts(ternd_binary, n=2) as hosts:
        a, b = hosts
        r = a.exec("virsh", "-c", b.uri_tcp, "list", "--all")

Topology. Host i (names a, b, c) is the namespace tern-<pid>-<name> with address 192.0.2.i
(a = .1, b = .2, c = .3). Every pair of hosts is joined by its own veth pair (a full mesh:
one link for two hosts, three for three); in host a the end towards b is called eth-b, and
so on. Each end carries the host's address as a point-to-point address whose peer is the
other host ("ip addr add 192.0.2.1/32 peer 192.0.2.2/32 dev eth-b"), so the kernel itself
keeps the route to each peer on the right link, removes it when the link goes down and puts
it back when it comes up. A per-pair link means one pair can be cut while the others keep
talking. Nothing is created in the caller's own namespace.

Runs are exclusive. Every run uses the same addresses and the same ternd port; the namespaces
keep concurrent runs apart at the packet level, but the machine has two cores (machine-notes
5) and the leftovers of a crashed run must be told apart from a live run's hosts. So a run
holds an exclusive flock(2) on /run/tern-testhosts.lock from before it creates anything until
everything is removed again; a second run waits for it (lock_timeout seconds, 300 by
default; the holder's PID is written into the file). The lock file itself is never deleted.

Cleanup. The teardown is registered before anything is created: the with-block's exit, an
atexit handler, and SIGTERM/SIGINT/SIGHUP handlers (they raise Interrupted, a SystemExit
whose code is 128 + the signal, so the with-block unwinds; a SIGINT or SIGHUP the process
started with ignored stays ignored) all run the same idempotent
teardown: SIGTERM to each ternd (SIGKILL after 10 s) by its PID, SIGKILL by PID to any QEMU
whose command line points into a host's root and to any process left in the namespaces
(everything in them was started by this run or by its ternds), "ip netns del", and removal of
the roots. Each run records itself in /run/tern-testhosts/<pid>.json (its PID, the start time
of that PID, its namespaces and its directory) before it creates them; a run killed with
SIGKILL leaves that record behind, and

    python3 tests/integration/ternhosts.py cleanup

(run automatically at the start of every run, under the lock) removes what such runs left:
only namespaces named tern-<pid>-<a|b|c> whose <pid> is no longer the process that made them.

Requires root, iproute2 (ip) and python3 inside the namespaces; no iptables, no ping, no DNS
(machine-notes 6): reachability is a TCP connect.
"""
import atexit
import errno
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

LOCK_PATH = "/run/tern-testhosts.lock"
STATE_DIR = "/run/tern-testhosts"
NS_PREFIX = "tern-"
NS_RE = re.compile(r"^tern-(\d+)-([abc])$")
HOST_NAMES = "abc"
SUBNET = "192.0.2."
TERND_PORT = 16509
TERND_STOP_TIMEOUT = 10
READY_TIMEOUT = 20
# a locally administered MAC that no test host has: frames sent to it are dropped by the peer
NOWHERE_MAC = "02:00:00:74:65:00"

# Runs inside a namespace: try TCP connects until all succeed or the time is up.
# argv: total_seconds per_try_seconds host:port...; prints one line per target, exits 0 if all
# connected. With total_seconds 0 each target is tried once.
_PROBE = r"""
import errno, socket, sys, time
total, per_try = float(sys.argv[1]), float(sys.argv[2])
deadline = time.monotonic() + total
rc = 0
for target in sys.argv[3:]:
    host, port = target.rsplit(":", 1)
    while True:
        t0 = time.monotonic()
        try:
            socket.create_connection((host, int(port)), per_try).close()
            print("%s ok %.3f" % (target, time.monotonic() - t0))
            break
        except OSError as e:
            if time.monotonic() + 0.05 >= deadline:
                name = errno.errorcode.get(
                    e.errno, "ETIMEDOUT" if isinstance(e, TimeoutError) else "E?")
                print("%s %s %.3f %s" % (target, name, time.monotonic() - t0, e))
                rc = 1
                break
            time.sleep(0.05)
sys.stdout.flush()
sys.exit(rc)
"""


def _log(msg):
    sys.stderr.write("# ternhosts: %s\n" % msg)
    sys.stderr.flush()


def _ip(*args, check=True):
    """Run ip(8); raise with its stderr when @check and it fails."""
    p = subprocess.run(["ip"] + list(args), capture_output=True, text=True, timeout=30)
    if check and p.returncode != 0:
        raise RuntimeError("ip %s: %s" % (" ".join(args), p.stderr.strip()))
    return p


def _proc_starttime(pid):
    """The start time (clock ticks since boot) of @pid, or None if it does not exist."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid):
    """True if @pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _wait_gone(pids, timeout):
    deadline = time.monotonic() + timeout
    while any(_alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _kill(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def netns_list():
    """The names of all network namespaces ip(8) knows."""
    p = _ip("netns", "list", check=False)
    return [line.split()[0] for line in p.stdout.splitlines() if line.strip()]


def netns_pids(ns):
    """PIDs of the processes in network namespace @ns."""
    p = _ip("netns", "pids", ns, check=False)
    return [int(x) for x in p.stdout.split() if x.isdigit()]


def qemu_pids_under(path):
    """PIDs of QEMU processes whose command line mentions @path (e.g. a host's root)."""
    needle = path.encode()
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                args = f.read()
        except OSError:
            continue
        if b"qemu-system" in args.split(b"\0")[0] and needle in args:
            pids.append(int(pid))
    return pids


def _remove_namespace(ns):
    """Kill (by PID) what is left in @ns, then delete it. Returns the PIDs killed."""
    pids = [p for p in netns_pids(ns) if p != os.getpid()]
    for p in pids:
        _kill(p, signal.SIGKILL)
    if pids and not _wait_gone(pids, 5):
        _log("processes in %s still alive after SIGKILL: %s" % (ns, pids))
    if ns in netns_list():
        _ip("netns", "del", ns, check=False)
    return pids


def cleanup_stale(verbose=True):
    """Remove what runs that no longer exist left behind (their record, namespaces, roots and
    processes). A run is gone when its PID does not exist or now belongs to a process started
    at another time. Returns the namespaces removed."""
    removed = []
    records = []
    try:
        names = os.listdir(STATE_DIR)
    except FileNotFoundError:
        names = []
    for name in names:
        path = os.path.join(STATE_DIR, name)
        try:
            with open(path) as f:
                rec = json.load(f)
            pid, start = int(rec["pid"]), rec["start"]
        except (OSError, ValueError, KeyError, TypeError):
            _log("ignoring unreadable record %s" % path)
            continue
        if _proc_starttime(pid) == start:
            records.append(pid)  # a live run
            continue
        for ns in rec.get("namespaces", []):
            if NS_RE.match(ns) and ns in netns_list():
                killed = _remove_namespace(ns)
                removed.append(ns)
                if verbose:
                    _log("removed namespace %s of dead run %d%s" % (
                        ns, pid, " (killed %s)" % killed if killed else ""))
        workdir = rec.get("workdir")
        if workdir and os.path.basename(workdir).startswith("tern-hosts-%d-" % pid):
            for p in qemu_pids_under(workdir):
                _kill(p, signal.SIGKILL)
            shutil.rmtree(workdir, ignore_errors=True)
        os.unlink(path)
    # namespaces of our scheme with no record (a run killed between "ip netns add" and ...):
    # the record is written first, so this is only for records lost some other way
    for ns in netns_list():
        m = NS_RE.match(ns)
        if not m or ns in removed:
            continue
        pid = int(m.group(1))
        if pid in records or pid == os.getpid():
            continue
        if _proc_starttime(pid) is not None:
            if verbose:
                _log("leaving %s: no record, but process %d exists" % (ns, pid))
            continue
        killed = _remove_namespace(ns)
        removed.append(ns)
        if verbose:
            _log("removed namespace %s (no record, process %d gone)%s" % (
                ns, pid, " (killed %s)" % killed if killed else ""))
    return removed


class Interrupted(SystemExit):
    """Raised by the signal handlers TestHosts installs: unwinds the with-block, and exits the
    program with status 128 + the signal number if nobody catches it."""

    def __init__(self, signum):
        super().__init__(128 + signum)
        self.signum = signum


class TestHost:
    """One test host: a namespace, an address, a root and the ternd running there."""

    def __init__(self, hosts, index, ns, root):
        self.hosts = hosts
        self.index = index
        self.name = HOST_NAMES[index]
        self.addr = SUBNET + str(index + 1)
        self.ns = ns
        self.root = root
        self.host_uuid = str(uuid.uuid4())
        self.proc = None
        self._log = None

    def __repr__(self):
        return "<TestHost %s %s ns=%s>" % (self.name, self.addr, self.ns)

    @property
    def uri_tcp(self):
        return "qemu+tcp://%s/system" % self.addr

    @property
    def test_uri_tcp(self):
        return "test+tcp://%s/default" % self.addr

    @property
    def socket(self):
        return os.path.join(self.root, "run/tern/tern-sock")

    @property
    def socket_ro(self):
        return os.path.join(self.root, "run/tern/tern-sock-ro")

    def uri(self, driver="qemu", path="/system", readonly=False):
        """A URI for this host's UNIX socket (usable from anywhere on the machine)."""
        sock = self.socket_ro if readonly else self.socket
        return "%s+unix://%s?socket=%s" % (driver, path, sock)

    @property
    def config_path(self):
        return os.path.join(self.root, "etc/tern/ternd.conf")

    @property
    def log_path(self):
        return os.path.join(self.root, "ternd.log")

    @property
    def pid(self):
        """ternd's PID ("ip netns exec" execs it in place), or None if it is not running."""
        if self.proc is not None and self.proc.poll() is None:
            return self.proc.pid
        return None

    def logtext(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def _cmd(self, cmd):
        if len(cmd) == 1 and isinstance(cmd[0], (list, tuple)):
            cmd = cmd[0]
        return ["ip", "netns", "exec", self.ns] + [str(c) for c in cmd]

    @staticmethod
    def _env(env):
        if env is not None:
            return env
        e = dict(os.environ, LC_ALL="C")
        for k in ("LIBVIRT_DEFAULT_URI", "VIRSH_DEFAULT_CONNECT_URI", "TERN_DEFAULT_URI"):
            e.pop(k, None)
        return e

    def exec(self, *cmd, timeout=60, env=None, input=None):
        """Run @cmd (arguments, or one list) inside this host's namespace; return the
        subprocess.CompletedProcess (text stdout/stderr). A timeout raises
        subprocess.TimeoutExpired after the command has been killed. By default the
        environment is the caller's with LC_ALL=C and no default-URI variables."""
        return subprocess.run(self._cmd(cmd), capture_output=True, text=True, timeout=timeout,
                              env=self._env(env), input=input)

    def popen(self, *cmd, env=None, **kw):
        """Start @cmd inside this host's namespace; returns the Popen (its pid is the
        command's own). The teardown kills it if it is still running then."""
        return subprocess.Popen(self._cmd(cmd), env=self._env(env), **kw)

    def connect(self, addr, port=TERND_PORT, timeout=2.0):
        """One TCP connect from this host to @addr:@port (an address or a TestHost). Returns
        None on success, else a short error such as "ECONNREFUSED ...", "ENETUNREACH ..." or
        "ETIMEDOUT ..."."""
        if isinstance(addr, TestHost):
            addr = addr.addr
        r = self._probe(["%s:%d" % (addr, port)], 0, timeout)
        return None if r.returncode == 0 else (r.stdout.strip().split(" ", 1)[-1] or r.stderr)

    def _probe(self, targets, total, per_try):
        return self.exec(sys.executable, "-c", _PROBE, str(total), str(per_try), *targets,
                         timeout=total + per_try * len(targets) + 30)

    def write_config(self, extra=""):
        os.makedirs(os.path.dirname(self.config_path), exist_ok=True)
        with open(self.config_path, "w") as f:
            f.write("# written by tests/integration/ternhosts.py for test host %s (%s)\n"
                    "listen_tcp = 1\n"
                    "listen_addr = \"%s\"\n"
                    "auth_tcp = \"none\"\n"
                    "host_uuid = \"%s\"\n"
                    "migration_address = \"%s\"\n"
                    "migration_host = \"%s\"\n"
                    % (self.name, self.ns, self.addr, self.host_uuid, self.addr, self.addr))
            if extra:
                f.write(extra if extra.endswith("\n") else extra + "\n")


class TestHosts:
    """2 or 3 test hosts with a ternd each; see the module's documentation.

    Iterating gives the TestHost objects in order (a, b, c); hosts[0] and hosts["a"] both name
    host a. Methods that take a host accept a TestHost, its name or its index."""

    def __init__(self, ternd, n=2, extra_args=(), extra_config="", lock_timeout=300,
                 ready_timeout=READY_TIMEOUT):
        if n not in (2, 3):
            raise ValueError("TestHosts: n must be 2 or 3")
        self.ternd = os.path.abspath(ternd)
        self.n = n
        self.extra_args = list(extra_args)
        self.extra_config = extra_config
        self.lock_timeout = lock_timeout
        self.ready_timeout = ready_timeout
        self.hosts = []
        self.workdir = None
        self.namespaces = []
        self.record = None
        self._lock_fd = None
        self._old_handlers = {}
        self._closing = False
        self._closed = False
        self._pending_signal = None

    # -- access ---------------------------------------------------------------------------

    def __iter__(self):
        return iter(self.hosts)

    def __len__(self):
        return len(self.hosts)

    def __getitem__(self, key):
        return self.host(key)

    def host(self, h):
        if isinstance(h, TestHost):
            return h
        if isinstance(h, str):
            return self.hosts[HOST_NAMES.index(h)]
        return self.hosts[h]

    # -- setup ----------------------------------------------------------------------------

    def __enter__(self):
        # teardown first: whatever happens from here on is undone
        atexit.register(self._close_at_exit)
        self._install_signal_handlers()
        try:
            self._setup()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def _install_signal_handlers(self):
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            try:
                if sig != signal.SIGTERM and signal.getsignal(sig) == signal.SIG_IGN:
                    continue  # started in the background or under nohup: stay so
                self._old_handlers[sig] = signal.signal(sig, self._on_signal)
            except ValueError:  # not the main thread: atexit and the with-block only
                break

    def _restore_signal_handlers(self):
        for sig, old in self._old_handlers.items():
            try:
                signal.signal(sig, old if old is not None else signal.SIG_DFL)
            except ValueError:
                pass
        self._old_handlers = {}

    def _on_signal(self, signum, frame):
        if self._closing:
            self._pending_signal = signum  # finish the teardown first
            return
        raise Interrupted(signum)

    def _lock(self):
        os.makedirs(os.path.dirname(LOCK_PATH), exist_ok=True)
        fd = os.open(LOCK_PATH, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        deadline = time.monotonic() + self.lock_timeout
        said = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    os.close(fd)
                    raise
            if time.monotonic() > deadline:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
                os.close(fd)
                raise RuntimeError("%s is held (by pid %s) for more than %d s" %
                                   (LOCK_PATH, holder or "?", self.lock_timeout))
            if not said:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
                _log("waiting for %s (held by pid %s)" % (LOCK_PATH, holder or "?"))
                said = True
            time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, b"%d\n" % os.getpid(), 0)
        self._lock_fd = fd

    def _write_record(self):
        os.makedirs(STATE_DIR, exist_ok=True)
        self.record = os.path.join(STATE_DIR, "%d.json" % os.getpid())
        tmp = self.record + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"pid": os.getpid(), "start": _proc_starttime(os.getpid()),
                       "namespaces": self.namespaces, "workdir": self.workdir}, f)
        os.rename(tmp, self.record)

    def _setup(self):
        self._lock()
        cleanup_stale()
        pid = os.getpid()
        self.workdir = tempfile.mkdtemp(prefix="tern-hosts-%d-" % pid)
        self.namespaces = ["%s%d-%s" % (NS_PREFIX, pid, HOST_NAMES[i]) for i in range(self.n)]
        self._write_record()  # before any namespace exists
        for i, ns in enumerate(self.namespaces):
            if ns in netns_list():
                raise RuntimeError("namespace %s exists already" % ns)
            self.hosts.append(TestHost(self, i, ns, os.path.join(self.workdir, HOST_NAMES[i])))
            _ip("netns", "add", ns)
            _ip("-n", ns, "link", "set", "lo", "up")
        for i in range(self.n):
            for j in range(i + 1, self.n):
                self._link(self.hosts[i], self.hosts[j])
        for h in self.hosts:
            os.makedirs(h.root)
            h.write_config(self.extra_config)
            self._spawn(h)
        for h in self.hosts:
            self._wait_ready(h)
        # the mesh: every host reaches every ternd (its own too)
        targets = ["%s:%d" % (h.addr, TERND_PORT) for h in self.hosts]
        for h in self.hosts:
            r = h._probe(targets, self.ready_timeout, 2)
            if r.returncode != 0:
                raise RuntimeError("host %s cannot reach every ternd:\n%s%s" %
                                   (h.name, r.stdout, r.stderr))

    @staticmethod
    def _dev(a, b):
        """The name, inside host @a, of a's end of the link to host @b."""
        return "eth-" + b.name

    def _link(self, a, b):
        _ip("-n", a.ns, "link", "add", self._dev(a, b), "type", "veth",
            "peer", "name", self._dev(b, a), "netns", b.ns)
        for x, y in ((a, b), (b, a)):
            _ip("-n", x.ns, "addr", "add", x.addr + "/32", "peer", y.addr + "/32",
                "dev", self._dev(x, y))
            _ip("-n", x.ns, "link", "set", self._dev(x, y), "up")

    def _spawn(self, h):
        for s in (h.socket, h.socket_ro):
            if os.path.lexists(s):
                os.unlink(s)  # a killed ternd leaves them; wait for the new ones
        log = open(h.log_path, "a")
        try:
            # a session of its own: a ^C on the terminal reaches only the test, whose
            # teardown then stops ternd in order
            h.proc = subprocess.Popen(
                ["ip", "netns", "exec", h.ns, self.ternd, "--root", h.root, "--listen"] +
                self.extra_args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        finally:
            log.close()

    def _wait_ready(self, h):
        """Wait until @h's ternd has made its UNIX socket and accepts TCP on its address,
        connecting from inside its own namespace."""
        deadline = time.monotonic() + self.ready_timeout
        while not os.path.exists(h.socket):
            if h.proc.poll() is not None:
                raise RuntimeError("ternd on host %s exited with %d:\n%s" %
                                   (h.name, h.proc.returncode, h.logtext()))
            if time.monotonic() > deadline:
                raise RuntimeError("ternd on host %s did not create %s:\n%s" %
                                   (h.name, h.socket, h.logtext()))
            time.sleep(0.02)
        left = max(1.0, deadline - time.monotonic())
        r = h._probe(["%s:%d" % (h.addr, TERND_PORT)], left, 1)
        if r.returncode != 0:
            raise RuntimeError("ternd on host %s does not accept TCP on %s:%d: %s\n%s" %
                               (h.name, h.addr, TERND_PORT, r.stdout.strip(), h.logtext()))

    # -- faults ---------------------------------------------------------------------------

    def cut_link(self, a, b, how="down"):
        """Cut the link between hosts @a and @b (the others keep theirs).

        how="down": both veth ends go down; a new connect fails at once (ENETUNREACH) and
        established connections get no packet through (TCP keeps retransmitting).
        how="drop": the link stays up but each end sends its frames to a MAC nobody has, so
        every packet vanishes silently: connects time out, as behind a dead switch."""
        a, b = self.host(a), self.host(b)
        if how == "down":
            for x, y in ((a, b), (b, a)):
                _ip("-n", x.ns, "link", "set", self._dev(x, y), "down")
        elif how == "drop":
            for x, y in ((a, b), (b, a)):
                _ip("-n", x.ns, "neigh", "replace", y.addr, "lladdr", NOWHERE_MAC,
                    "nud", "permanent", "dev", self._dev(x, y))
        else:
            raise ValueError("cut_link: how must be 'down' or 'drop'")

    def restore_link(self, a, b):
        """Undo cut_link(@a, @b), whichever way it was cut."""
        a, b = self.host(a), self.host(b)
        for x, y in ((a, b), (b, a)):
            _ip("-n", x.ns, "neigh", "del", y.addr, "dev", self._dev(x, y), check=False)
            _ip("-n", x.ns, "link", "set", self._dev(x, y), "up")

    def kill_ternd(self, h, sig=signal.SIGKILL, wait=True, timeout=TERND_STOP_TIMEOUT):
        """Send @sig to host @h's ternd (by its PID). With @wait, wait up to @timeout s for it
        to exit and return its exit status (negative: the signal); pass wait=False for
        signals that do not end it (SIGSTOP, SIGCONT, SIGHUP). QEMUs it started keep
        running, as they would after a crash."""
        h = self.host(h)
        if h.pid is None:
            raise RuntimeError("ternd on host %s is not running" % h.name)
        h.proc.send_signal(sig)
        if not wait:
            return None
        return h.proc.wait(timeout=timeout)

    def start_ternd(self, h):
        """Start host @h's ternd again (same root, same configuration) and wait until it
        accepts TCP connections."""
        h = self.host(h)
        if h.pid is not None:
            raise RuntimeError("ternd on host %s is running (pid %d)" % (h.name, h.pid))
        self._spawn(h)
        self._wait_ready(h)

    # -- teardown -------------------------------------------------------------------------

    def _close_at_exit(self):
        self.close(raise_pending=False)

    def close(self, raise_pending=True):
        """Remove everything this run made; idempotent, never raises for a cleanup step.
        A SIGTERM/SIGINT/SIGHUP that arrives meanwhile is held until the end, then raised
        as Interrupted."""
        if self._closed or self._closing:
            return
        self._closing = True
        try:
            self._teardown()
        finally:
            self._closed = True
            self._closing = False
            self._restore_signal_handlers()
            atexit.unregister(self._close_at_exit)
        if raise_pending and self._pending_signal is not None and sys.exc_info()[0] is None:
            sig, self._pending_signal = self._pending_signal, None
            raise Interrupted(sig)

    def _teardown(self):
        def step(what, fn, *args):
            try:
                fn(*args)
            except BaseException as e:  # noqa: B036 -- keep tearing down
                _log("teardown: %s: %r" % (what, e))

        step("stop ternds", self._stop_all_ternds)
        for h in self.hosts:
            step("QEMUs of host %s" % h.name, self._kill_guests, h)
        for ns in self.namespaces:
            step("namespace %s" % ns, _remove_namespace, ns)
        if self.workdir:
            step("roots", shutil.rmtree, self.workdir, True)
        if self.record:
            step("record", os.unlink, self.record)
            self.record = None
        if self._lock_fd is not None:
            step("lock", os.close, self._lock_fd)
            self._lock_fd = None

    def _stop_all_ternds(self):
        running = [h for h in self.hosts if h.pid is not None]
        for h in running:
            h.proc.send_signal(signal.SIGTERM)
            h.proc.send_signal(signal.SIGCONT)  # in case a test stopped it
        deadline = time.monotonic() + TERND_STOP_TIMEOUT
        for h in running:
            try:
                h.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _log("ternd on host %s (pid %d) ignored SIGTERM for %d s: SIGKILL" %
                     (h.name, h.proc.pid, TERND_STOP_TIMEOUT))
                h.proc.kill()
                h.proc.wait()

    @staticmethod
    def _kill_guests(h):
        """QEMUs a ternd started outlive it by design (a restarted ternd re-attaches): kill,
        by PID, any whose command line points into this host's root."""
        pids = qemu_pids_under(h.root)
        for p in pids:
            _kill(p, signal.SIGKILL)
        if pids and not _wait_gone(pids, 5):
            _log("QEMUs of host %s still alive: %s" % (h.name, pids))


def main(argv):
    if len(argv) == 2 and argv[1] == "cleanup":
        if os.geteuid() != 0:
            sys.stderr.write("ternhosts.py cleanup: needs root\n")
            return 1
        removed = cleanup_stale()
        print("removed %d namespace(s)%s" %
              (len(removed), ": " + " ".join(removed) if removed else ""))
        return 0
    sys.stderr.write("usage: %s cleanup\n"
                     "  remove the namespaces, ternds, QEMUs and roots that crashed runs of\n"
                     "  TestHosts left behind (namespaces tern-<pid>-<a|b|c> whose <pid> is gone)\n"
                     % argv[0])
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
