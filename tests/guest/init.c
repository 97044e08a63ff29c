/* init.c: the test guest's PID 1: heartbeat on the serial port, dirty memory, verify every page,
 * power off on an ACPI power-button press */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The oracle for "nothing lost" (docs/design.md, "Test topology"; style.md G13). Built static
 * (gcc -static, glibc's libc.a) by build-guest.sh and packed as /init of the test guest's
 * initramfs. No GLib, no stdio: every line goes out in one write(2), so our lines are never
 * split by us (a kernel message printed in the middle of one can still split it).
 *
 * Parameters come from /proc/cmdline. The kernel hands neither dotted parameters ("module
 * parameters") to init's argv nor to its environment, so that file is the only place to see:
 *
 *   tern.dirty_mib=N          MiB of memory to keep rewriting (default 0: idle, heartbeats only)
 *   tern.dirty_rate_mib=N     MiB per second to rewrite (default 0: as fast as the vCPU goes)
 *   tern.hb_ms=N              heartbeat period in ms, 1..60000 (default 100)
 *   tern.selftest_corrupt=1   spoil one word of one page after the first full rewrite pass,
 *                             so tests can see corruption being caught (default 0)
 *
 * A value that is not a plain decimal number within its bounds is an error.
 *
 * Output, one line each (the tty turns "\n" into "\r\n"):
 *
 *   TERN-GUEST start dirty_mib=N rate=N hb_ms=N
 *   TERN-HB seq=S t_ms=T dirtied_mib=D st=ok|CORRUPT
 *   TERN-CORRUPT page=P want_gen=G word=K found=zero|gen-N|other value=0x...
 *   TERN-GUEST error: ...
 *   TERN-GUEST warning: ...
 *   TERN-GUEST poweroff
 *
 * seq starts at 0 and grows by exactly 1 per line. t_ms is CLOCK_MONOTONIC in ms (the guest's
 * own clock: it stops while the VM is paused, so downtime must be measured on the host).
 * dirtied_mib counts every MiB the dirtying loop has written, the first fill included. st is
 * CORRUPT from the first mismatch on, for good. A TERN-CORRUPT line is printed for each of the
 * first GUEST_CORRUPT_REPORT_MAX bad pages (each is rewritten with the right pattern and so is
 * reported once per corruption); later ones only keep st=CORRUPT. After a "TERN-GUEST error"
 * line (bad parameter, no memory) the guest prints nothing more and sleeps forever: a test
 * waiting for heartbeats then fails with that line in the log rather than passing on a guest
 * that does not do what it was asked.
 *
 * Console: we mount devtmpfs on /dev and write to /dev/ttyS0, the first serial port, directly,
 * whatever console= says (so output reaches QEMU's -serial even if the kernel's console is
 * elsewhere). Only if ttyS0 cannot be opened do we fall back to /dev/console, then to fd 1.
 *
 * Memory pattern: the buffer is dirty_mib MiB of 4 KiB pages, rewritten in passes. Pass g
 * visits pages 0..n-1 in order; visiting page i checks that it holds pattern(i, g - 1) (pass 0,
 * the first fill, checks nothing) and writes pattern(i, g). So pages below the cursor hold
 * generation g and the others g - 1, and the expected content of every page is known without
 * per-page state. pattern(i, g) is a different 64-bit word sequence for every (i, g): a page
 * that comes back zeroed, stale (an older generation) or from another page is caught.
 *
 * Rate: a token bucket of pages; at most 100 ms of unused allowance is carried over, so a
 * starved vCPU does not rewrite in a burst afterwards. Heartbeats are due every hb_ms on an
 * absolute schedule; when one is more than a period late (starved vCPU) the schedule restarts
 * from now instead of printing a burst of catch-up lines.
 *
 * Power button: so that a host can shut the guest down gracefully (QMP system_powerdown, an
 * ACPI power-button event), we load the kernel modules the initramfs carries in /lib/tern
 * (evdev.ko, then button.ko: Debian's cloud kernel has both as modules; build-guest.sh takes
 * them from the kernel's own package) with finit_module(2) (EEXIST, already loaded, is fine; a
 * missing file is skipped, for a kernel with the drivers built in), then open every
 * /dev/input/eventN whose name (EVIOCGNAME) is "Power Button" (ACPI can have two: the fixed
 * LNXPWRBN one and a PNP0C0C device). The main loop waits on them with ppoll() instead of
 * sleeping, and, when rewriting memory flat out, looks at them after every heartbeat, so the
 * heartbeat schedule is unchanged. On a KEY_POWER press we print "TERN-GUEST poweroff", wait
 * for the serial port to send it, sync() and reboot(RB_POWER_OFF): QEMU then exits (or, with
 * -no-shutdown, reports SHUTDOWN). If a module fails to load or no power button turns up,
 * one "TERN-GUEST warning" line says why and the guest runs on without one.
 *
 * Signals: none is handled (PID 1 does not get default actions for signals sent from user
 * space, so SIGTERM does nothing). SIGCHLD is ignored so that any process ever re-parented to
 * us is reaped by the kernel at once. main() never returns: init exiting panics the kernel.
 */
#define _GNU_SOURCE   /* ppoll() */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <linux/input.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define GUEST_PAGE_SIZE 4096u
#define GUEST_PAGE_WORDS (GUEST_PAGE_SIZE / sizeof(uint64_t))
#define GUEST_MIB (1024u * 1024u)
#define GUEST_PAGES_PER_MIB (GUEST_MIB / GUEST_PAGE_SIZE)
#define GUEST_NS_PER_MS 1000000ull
#define GUEST_NS_PER_SEC 1000000000ull
/* Pages rewritten between two looks at the clock: 256 KiB, well under a millisecond of work. */
#define GUEST_CHUNK_PAGES 64u
#define GUEST_CORRUPT_REPORT_MAX 16u
#define GUEST_DIRTY_MIB_MAX (1u << 20)
#define GUEST_RATE_MIB_MAX (1u << 20)
#define GUEST_HB_MS_MAX 60000u
/* Free memory the dirty buffer must leave to the kernel. */
#define GUEST_HEADROOM_MIB 16u
/* Step between consecutive words of a page's pattern (odd: every word of a page differs). */
#define GUEST_PATTERN_STEP 0x9e3779b97f4a7c15ull
/* Power-button event devices we watch (ACPI has at most two power buttons). */
#define GUEST_POWER_FDS_MAX 4
#define GUEST_POWER_NAME "Power Button"
/* How long to look for the power button after loading the modules, and how often. */
#define GUEST_POWER_FIND_TRIES 10
#define GUEST_POWER_FIND_PAUSE_US 50000

typedef struct {
    uint64_t dirtyMiB;
    uint64_t rateMiB;
    uint64_t hbMs;
    uint64_t selftestCorrupt;
} guestParams;

typedef struct {
    uint64_t *mem;
    uint64_t npages;
    uint64_t cursor;        /* next page to rewrite in this pass */
    uint64_t gen;           /* generation this pass writes; pages >= cursor hold gen - 1 */
    uint64_t pagesWritten;
    uint64_t corruptPages;
    bool corrupt;
    bool selftestCorrupt;
} guestMemory;

static int guestOut = 1;
static struct pollfd guestPowerFds[GUEST_POWER_FDS_MAX];
static nfds_t guestNPowerFds;


static void
guestWriteAll(const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(guestOut, buf, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                usleep(1000);
                continue;
            }
            return;   /* nowhere left to complain */
        }
        buf += n;
        len -= (size_t)n;
    }
}


static void __attribute__((format(printf, 1, 2)))
guestPrint(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line))
        n = sizeof(line) - 1;
    guestWriteAll(line, (size_t)n);
}


static uint64_t
guestNowNs(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * GUEST_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}


static void
guestSleepUntilNs(uint64_t when)
{
    struct timespec ts = {
        .tv_sec = (time_t)(when / GUEST_NS_PER_SEC),
        .tv_nsec = (long)(when % GUEST_NS_PER_SEC),
    };

    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}


/* Never returns: the guest has failed, says so once, and stays up without heartbeats. */
static void __attribute__((noreturn))
guestHalt(void)
{
    for (;;)
        pause();
}


/* Append ", " (unless @buf is empty) and a formatted note to @buf of @size bytes, truncating. */
static void __attribute__((format(printf, 3, 4)))
guestNote(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;

    if (len > 0 && len + 2 < size) {
        memcpy(buf + len, ", ", 3);
        len += 2;
    }
    if (len + 1 >= size)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}


/* Load the module @path; false, with a note in @why, unless it loaded or was already there.
 * A missing file is no failure: the kernel may have the driver built in. */
static bool
guestLoadModule(const char *path, char *why, size_t whySize)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int err = 0;

    if (fd < 0)
        return errno == ENOENT;
    if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
        err = errno;
    close(fd);
    if (err != 0) {
        guestNote(why, whySize, "load %s: %s", path, strerror(err));
        return false;
    }
    return true;
}


/* Open every /dev/input/eventN named GUEST_POWER_NAME into guestPowerFds; how many. */
static nfds_t
guestFindPowerButtons(void)
{
    DIR *dir = opendir("/dev/input");
    struct dirent *ent;

    guestNPowerFds = 0;
    if (!dir)
        return 0;
    while ((ent = readdir(dir)) != NULL && guestNPowerFds < GUEST_POWER_FDS_MAX) {
        char name[64] = "";
        int fd;

        if (strncmp(ent->d_name, "event", 5) != 0)
            continue;
        if ((fd = openat(dirfd(dir), ent->d_name, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
            continue;
        if (ioctl(fd, EVIOCGNAME(sizeof(name) - 1), name) < 0 ||
            strcmp(name, GUEST_POWER_NAME) != 0) {
            close(fd);
            continue;
        }
        guestPowerFds[guestNPowerFds].fd = fd;
        guestPowerFds[guestNPowerFds].events = POLLIN;
        guestNPowerFds++;
    }
    closedir(dir);
    return guestNPowerFds;
}


/* Load the input modules and open the power buttons; one warning line if that fails. */
static void
guestSetupPowerButton(void)
{
    char why[200] = "";
    int tries;

    guestLoadModule("/lib/tern/evdev.ko", why, sizeof(why));
    guestLoadModule("/lib/tern/button.ko", why, sizeof(why));
    /* Both probe synchronously and devtmpfs has the node before finit_module() returns; the
     * retries are for a kernel that does either asynchronously. */
    for (tries = 0; tries < GUEST_POWER_FIND_TRIES; tries++) {
        if (tries > 0)
            usleep(GUEST_POWER_FIND_PAUSE_US);
        if (guestFindPowerButtons() > 0)
            break;
    }
    if (guestNPowerFds == 0)
        guestNote(why, sizeof(why), "no \"%s\" input device", GUEST_POWER_NAME);
    if (why[0] != '\0')
        guestPrint("TERN-GUEST warning: power button: %s%s\n", why,
                   guestNPowerFds == 0 ? ": system_powerdown will do nothing" : "");
}


/* Power off: say so, let the serial port send it, flush the disks (none, but cheap). */
static void
guestPowerOff(void)
{
    guestPrint("TERN-GUEST poweroff\n");
    tcdrain(guestOut);
    sync();
    reboot(RB_POWER_OFF);
    /* Only if the kernel refused; keep running rather than panic. */
    guestPrint("TERN-GUEST warning: reboot(RB_POWER_OFF): %s\n", strerror(errno));
}


/* Read what the power buttons have; power off on a KEY_POWER press. */
static void
guestPowerRead(void)
{
    nfds_t i;

    for (i = 0; i < guestNPowerFds; i++) {
        struct input_event ev[16];
        ssize_t n;

        if (!(guestPowerFds[i].revents & (POLLIN | POLLERR | POLLHUP)))
            continue;
        while ((n = read(guestPowerFds[i].fd, ev, sizeof(ev))) > 0) {
            size_t k;

            for (k = 0; k < (size_t)n / sizeof(ev[0]); k++) {
                if (ev[k].type == EV_KEY && ev[k].code == KEY_POWER && ev[k].value == 1)
                    guestPowerOff();
            }
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            /* The device went away: stop watching it (keep the array dense). */
            close(guestPowerFds[i].fd);
            guestPowerFds[i] = guestPowerFds[--guestNPowerFds];
            i--;
        }
    }
}


/* Wait until CLOCK_MONOTONIC @when (0: do not wait, just look), handling power-button presses
 * meanwhile. */
static void
guestWaitUntilNs(uint64_t when)
{
    for (;;) {
        uint64_t now = guestNowNs();
        uint64_t left = when > now ? when - now : 0;
        struct timespec ts = {
            .tv_sec = (time_t)(left / GUEST_NS_PER_SEC),
            .tv_nsec = (long)(left % GUEST_NS_PER_SEC),
        };
        int r;

        if (guestNPowerFds == 0) {
            if (left > 0)
                guestSleepUntilNs(when);
            return;
        }
        r = ppoll(guestPowerFds, guestNPowerFds, &ts, NULL);
        if (r > 0) {
            guestPowerRead();
        } else if (r < 0 && errno != EINTR) {
            guestSleepUntilNs(when);   /* cannot happen with valid fds; never spin */
            return;
        }
        if (left == 0 || guestNowNs() >= when)
            return;
    }
}


static void
guestSetupConsole(void)
{
    static const char *const paths[] = { "/dev/ttyS0", "/dev/console" };
    size_t i;

    for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        int fd = open(paths[i], O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        int flags;

        if (fd < 0)
            continue;
        /* O_NONBLOCK only so that open() cannot wait for a carrier; writes may block. */
        flags = fcntl(fd, F_GETFL);
        if (flags >= 0)
            fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
        guestOut = fd;
        return;
    }
}


static void
guestSetupMounts(void)
{
    mkdir("/proc", 0555);
    mkdir("/dev", 0755);
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 &&
        errno != EBUSY)
        guestPrint("TERN-GUEST warning: mount /proc: %s\n", strerror(errno));
    /* Failure is not fatal: /dev/console from the initramfs still works. */
    mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755");
}


/* Parse a plain decimal number (no sign, no spaces) of at most @max; false on anything else. */
static bool
guestParseUInt(const char *s, size_t len, uint64_t max, uint64_t *ret)
{
    uint64_t v = 0;
    size_t i;

    if (len == 0 || len > 20)
        return false;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > max)
            return false;
    }
    *ret = v;
    return true;
}


/* Read the tern.* parameters from /proc/cmdline into @params (defaults already set). */
static bool
guestParamsParse(guestParams *params)
{
    static const struct {
        const char *key;
        size_t offset;
        uint64_t min;
        uint64_t max;
    } keys[] = {
        { "tern.dirty_mib=", offsetof(guestParams, dirtyMiB), 0, GUEST_DIRTY_MIB_MAX },
        { "tern.dirty_rate_mib=", offsetof(guestParams, rateMiB), 0, GUEST_RATE_MIB_MAX },
        { "tern.hb_ms=", offsetof(guestParams, hbMs), 1, GUEST_HB_MS_MAX },
        { "tern.selftest_corrupt=", offsetof(guestParams, selftestCorrupt), 0, 1 },
    };
    char buf[4096];
    ssize_t len = 0;
    size_t pos = 0;
    int fd;

    if ((fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC)) < 0) {
        guestPrint("TERN-GUEST error: open /proc/cmdline: %s\n", strerror(errno));
        return false;
    }
    while ((len = read(fd, buf, sizeof(buf) - 1)) < 0 && errno == EINTR)
        ;
    close(fd);
    if (len < 0) {
        guestPrint("TERN-GUEST error: read /proc/cmdline: %s\n", strerror(errno));
        return false;
    }
    buf[len] = '\0';

    while (pos < (size_t)len) {
        const char *tok = buf + pos;
        size_t toklen = strcspn(tok, " \t\n");
        size_t k;

        pos += toklen + 1;
        for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            size_t keylen = strlen(keys[k].key);
            uint64_t *field = (uint64_t *)((char *)params + keys[k].offset);

            if (toklen < keylen || memcmp(tok, keys[k].key, keylen) != 0)
                continue;
            if (!guestParseUInt(tok + keylen, toklen - keylen, keys[k].max, field) ||
                *field < keys[k].min) {
                guestPrint("TERN-GUEST error: %.*s: want a number in %llu..%llu\n",
                           (int)toklen, tok, (unsigned long long)keys[k].min,
                           (unsigned long long)keys[k].max);
                return false;
            }
        }
    }
    return true;
}


/* The first word of pattern(@index, @gen); word k is this + k * GUEST_PATTERN_STEP. */
static uint64_t
guestPatternSeed(uint64_t index, uint64_t gen)
{
    /* Injective while gen < 2^32 (years of rewriting), then splitmix64's bijective mixer. */
    uint64_t x = (index << 32) ^ (gen & 0xffffffffull);

    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}


/* Name what word @k of page @index holds instead of generation gen - 1, and print it. */
static void
guestMemoryReport(guestMemory *m, uint64_t index, size_t k, uint64_t found)
{
    uint64_t want = m->gen - 1;
    char what[32] = "other";
    uint64_t g;

    if (found == 0) {
        snprintf(what, sizeof(what), "zero");
    } else {
        /* The generations a stale or early page could hold: want - 8 .. want + 1. */
        for (g = want + 2; g > 0 && g + 10 > want; g--) {
            if (found == guestPatternSeed(index, g - 1) + k * GUEST_PATTERN_STEP) {
                snprintf(what, sizeof(what), "gen-%llu", (unsigned long long)(g - 1));
                break;
            }
        }
    }
    guestPrint("TERN-CORRUPT page=%llu want_gen=%llu word=%zu found=%s value=0x%016llx\n",
               (unsigned long long)index, (unsigned long long)want, k, what,
               (unsigned long long)found);
}


/* Check the page at the cursor holds generation gen - 1, write generation gen, advance. */
static void
guestMemoryRewriteOne(guestMemory *m)
{
    uint64_t *page = m->mem + m->cursor * GUEST_PAGE_WORDS;
    uint64_t oldw = m->gen > 0 ? guestPatternSeed(m->cursor, m->gen - 1) : 0;
    uint64_t neww = guestPatternSeed(m->cursor, m->gen);
    size_t badWord = GUEST_PAGE_WORDS;
    uint64_t badValue = 0;
    size_t k;

    for (k = 0; k < GUEST_PAGE_WORDS; k++) {
        uint64_t v = page[k];

        if (__builtin_expect(v != oldw, 0) && badWord == GUEST_PAGE_WORDS) {
            badWord = k;
            badValue = v;
        }
        page[k] = neww;
        oldw += GUEST_PATTERN_STEP;
        neww += GUEST_PATTERN_STEP;
    }

    if (m->gen > 0 && badWord != GUEST_PAGE_WORDS) {
        m->corrupt = true;
        if (m->corruptPages++ < GUEST_CORRUPT_REPORT_MAX)
            guestMemoryReport(m, m->cursor, badWord, badValue);
    }

    m->pagesWritten++;
    if (++m->cursor == m->npages) {
        m->cursor = 0;
        m->gen++;
        if (m->gen == 2 && m->selftestCorrupt) {
            /* Self-test: spoil one word of a page that pass 2 is about to check. */
            m->mem[(m->npages / 2) * GUEST_PAGE_WORDS + 5] ^= 1;
        }
    }
}


static void
guestMemoryRewrite(guestMemory *m, uint64_t npages)
{
    /* The buffer changes behind the compiler's back (that is the point): read it afresh. */
    __asm__ __volatile__("" ::: "memory");
    while (npages-- > 0)
        guestMemoryRewriteOne(m);
    __asm__ __volatile__("" ::: "memory");
}


static void
guestHeartbeat(const guestMemory *m, uint64_t seq, uint64_t now)
{
    guestPrint("TERN-HB seq=%llu t_ms=%llu dirtied_mib=%llu st=%s\n",
               (unsigned long long)seq, (unsigned long long)(now / GUEST_NS_PER_MS),
               (unsigned long long)(m->pagesWritten / GUEST_PAGES_PER_MIB),
               m->corrupt ? "CORRUPT" : "ok");
}


static void __attribute__((noreturn))
guestRun(const guestParams *params, guestMemory *m)
{
    const uint64_t hbNs = params->hbMs * GUEST_NS_PER_MS;
    const uint64_t ratePages = params->rateMiB * GUEST_PAGES_PER_MIB;   /* per second */
    const uint64_t maxDebt = ratePages / 10 > GUEST_CHUNK_PAGES ? ratePages / 10 : GUEST_CHUNK_PAGES;
    uint64_t now = guestNowNs();
    uint64_t nextHb = now;
    uint64_t seq = 0;
    const uint64_t paceStart = now;   /* pages allowed: (now - paceStart) * ratePages / 1 s */
    uint64_t paceDone = 0;            /* pages written, or forgiven, against that allowance */

    for (;;) {
        uint64_t allowed;
        uint64_t due;

        now = guestNowNs();
        if (now >= nextHb) {
            guestHeartbeat(m, seq++, now);
            nextHb += hbNs;
            if (nextHb <= now)
                nextHb = now + hbNs;
            /* When rewriting flat out we never wait below: look at the buttons here. */
            guestWaitUntilNs(0);
            continue;
        }

        if (m->npages == 0) {
            guestWaitUntilNs(nextHb);
            continue;
        }
        if (ratePages == 0) {
            guestMemoryRewrite(m, GUEST_CHUNK_PAGES);
            continue;
        }

        allowed = (uint64_t)((unsigned __int128)(now - paceStart) * ratePages / GUEST_NS_PER_SEC);
        if (allowed > paceDone + maxDebt)
            paceDone = allowed - maxDebt;   /* starved: forget the rest, do not burst later */
        if (allowed > paceDone) {
            uint64_t todo = allowed - paceDone;

            if (todo > GUEST_CHUNK_PAGES)
                todo = GUEST_CHUNK_PAGES;
            guestMemoryRewrite(m, todo);
            paceDone += todo;
            continue;
        }

        /* Ahead of the rate: sleep until the next chunk is due, or the next heartbeat. */
        due = paceStart + (uint64_t)((unsigned __int128)(paceDone + GUEST_CHUNK_PAGES) *
                                     GUEST_NS_PER_SEC / ratePages);
        guestWaitUntilNs(due < nextHb ? due : nextHb);
    }
}


int
main(void)
{
    guestParams params = { .dirtyMiB = 0, .rateMiB = 0, .hbMs = 100 };
    guestMemory m = { .mem = NULL };

    signal(SIGCHLD, SIG_IGN);
    guestSetupMounts();
    guestSetupConsole();

    if (!guestParamsParse(&params))
        guestHalt();

    /* The leading newline ends whatever firmware or kernel left unterminated on the line. */
    guestPrint("\nTERN-GUEST start dirty_mib=%llu rate=%llu hb_ms=%llu%s\n",
               (unsigned long long)params.dirtyMiB, (unsigned long long)params.rateMiB,
               (unsigned long long)params.hbMs,
               params.selftestCorrupt ? " selftest_corrupt=1" : "");
    guestSetupPowerButton();

    if (params.dirtyMiB > 0) {
        size_t bytes = (size_t)params.dirtyMiB * GUEST_MIB;
        struct sysinfo si;
        void *mem;

        /* mmap() overcommits; touching more than there is would get PID 1 OOM-killed. */
        if (sysinfo(&si) == 0 &&
            bytes + GUEST_HEADROOM_MIB * GUEST_MIB > (uint64_t)si.freeram * si.mem_unit) {
            guestPrint("TERN-GUEST error: dirty_mib=%llu does not fit: %llu MiB free, "
                       "%u MiB kept for the kernel\n", (unsigned long long)params.dirtyMiB,
                       (unsigned long long)((uint64_t)si.freeram * si.mem_unit / GUEST_MIB),
                       GUEST_HEADROOM_MIB);
            guestHalt();
        }
        mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED) {
            guestPrint("TERN-GUEST error: cannot map %llu MiB: %s\n",
                       (unsigned long long)params.dirtyMiB, strerror(errno));
            guestHalt();
        }
        m.mem = mem;
        m.npages = params.dirtyMiB * GUEST_PAGES_PER_MIB;
        m.selftestCorrupt = params.selftestCorrupt != 0;
    }

    guestRun(&params, &m);
}
