"""ternhost.py: start a private ternd for a test and always stop it again."""
import os
import shutil
import signal
import subprocess
import tempfile
import time


class Ternd:
    """A ternd under --root TMPDIR, stopped (by its PID) when the with-block ends."""

    def __init__(self, ternd, extra_args=(), config=None):
        self.ternd = ternd
        self.extra_args = list(extra_args)
        self.config = config
        self.root = None
        self.proc = None

    def __enter__(self):
        self.root = tempfile.mkdtemp(prefix="ternd-")
        if self.config is not None:
            os.makedirs(os.path.join(self.root, "etc/tern"))
            with open(os.path.join(self.root, "etc/tern/ternd.conf"), "w") as f:
                f.write(self.config)
        self.start()
        return self

    def start(self):
        """Start (or start again) the daemon on the same root; wait for its socket."""
        if os.path.exists(self.socket):
            os.unlink(self.socket)  # a killed daemon leaves it; wait for the new one
        self.log = open(os.path.join(self.root, "ternd.log"), "a")
        self.proc = subprocess.Popen([self.ternd, "--root", self.root] + self.extra_args,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not os.path.exists(self.socket):
            if self.proc.poll() is not None:
                raise RuntimeError("ternd exited with %d: %s" % (self.proc.returncode, self.logtext()))
            if time.monotonic() > deadline:
                raise RuntimeError("ternd did not create %s" % self.socket)
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.stop()
        self.kill_leftover_guests()
        shutil.rmtree(self.root, ignore_errors=True)
        return False

    def kill_leftover_guests(self):
        """Last resort after a failed test: QEMUs this daemon started outlive it by design
        (a restarted ternd re-attaches), so kill, by PID, any whose command line points
        into this daemon's root."""
        needle = self.root.encode()
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    args = f.read()
            except OSError:
                continue
            if b"qemu-system" in args.split(b"\0")[0] and needle in args:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.log.closed:
            self.log.close()

    def logtext(self):
        with open(os.path.join(self.root, "ternd.log")) as f:
            return f.read()

    @property
    def socket(self):
        return os.path.join(self.root, "run/tern/tern-sock")

    @property
    def socket_ro(self):
        return os.path.join(self.root, "run/tern/tern-sock-ro")

    def uri(self, driver="test", path="/default", readonly=False):
        sock = self.socket_ro if readonly else self.socket
        return "%s+unix://%s?socket=%s" % (driver, path, sock)


class Tap:
    """TAP on stdout, flushed line by line (meson shows progress), with "# " notes; failed
    lists the descriptions of the checks that failed."""

    def __init__(self):
        self.n = 0
        self.failed = []

    def ok(self, cond, desc, detail=""):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, desc), flush=True)
        if not cond:
            self.failed.append(desc)
            self.note(detail, "#   ")
        return bool(cond)

    @staticmethod
    def note(text, prefix="# "):
        for line in str(text).splitlines():
            print(prefix + line, flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)
        return 1 if self.failed else 0
