/* SPDX-License-Identifier: MIT */
/*
 * vmopener: the file-open workload of scripts/vmtest, run inside the qemu guest.
 *
 * Built by scripts/vmtest with the host's C compiler, -static, so the guest needs no libraries
 * for it. Static glibc opens nothing by itself at start-up, so every open this process makes is
 * one of the opens below and the daemon must report exactly the counts it prints.
 *
 *   vmopener open COMM DIR N F
 *     Renames itself to COMM (prctl PR_SET_NAME), then opens DIR/file N times through each of
 *     the raw system calls open, openat, openat2 and creat (4N successful opens, creat first so
 *     the file exists), then F opens of DIR/missing that fail with ENOENT (cycling through open,
 *     openat and openat2). Then opens that make no open system call (Tests/CTestSupport, linked
 *     in): N IORING_OP_OPENAT and N IORING_OP_OPENAT2 of DIR/file, N IORING_OP_OPENAT with
 *     IOSQE_CQE_SKIP_SUCCESS (no CQE), N submitted by an SQPOLL ring's kernel thread, and F
 *     IORING_OP_OPENAT of DIR/missing (ENOENT) through io_uring, N open_by_handle_at of
 *     DIR/file's handle and F with an empty handle (EINVAL). Then it drops to uid/gid 65534 (setresuid) and makes F openat
 *     calls on DIR/file (mode 0600, owned by root) that fail with EACCES. Prints one line:
 *       pid=PID comm=COMM opens=TOTAL creates=N read=R write=W enoent=E eacces=F einval=F
 *       uring=U uring_failed=F handle=H handle_failed=F
 *     (uring and handle count attempts, failed ones included) and exits 0, or prints what went
 *     wrong and exits 1.
 *
 *   vmopener wait-open COMM DIR N F
 *     The same opens as `open`, made only once the process receives SIGUSR1 (waited for with
 *     sigwaitinfo, which opens nothing). For a service started by systemd: whatever systemd's
 *     child opened in the unit's cgroup before exec is counted by then, so the unit's count read
 *     before the signal is the baseline and the opens below are exactly what it grows by.
 *
 *   vmopener paths COMM DIR
 *     Renames itself to COMM, takes a cwd and a mount namespace of its own (unshare), bind-mounts
 *     DIR/bind-source on DIR/bind-target there, and opens through a directory fd, relative paths
 *     after chdir, `..`, the symlink DIR/link (-> sub/file), the bind mount, and three failing
 *     names (under the directory fd, relative to the cwd, absolute). DIR must have no symlink in
 *     it and hold sub/file, bind-source/inner, bind-target/ and link (the caller makes them, so
 *     that this process opens nothing else). Prints pid=PID, then one line per open in order:
 *       PATH-AS-PASSED RESOLVED-PATH RESOLUTION
 *     what the daemon's events must say for it; exits 0, or 1 on any unexpected result.
 *
 *   vmopener query SOCKET LINE
 *     Connects to the Unix stream socket SOCKET, sends LINE plus a newline, and prints the first
 *     reply line (busybox nc has no -U). Exits 1 on any failure, after a 10-second timeout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "CTestSupport.h"

static int fail(const char *what)
{
	fprintf(stderr, "vmopener: %s: %s\n", what, strerror(errno));
	return 1;
}

/* The four system calls, raw, so that glibc cannot turn one into another (open() is openat). */
static long sys_open(const char *path, int flags, mode_t mode)
{
	return syscall(SYS_open, path, flags, mode);
}

static long sys_openat(const char *path, int flags, mode_t mode)
{
	return syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

static long sys_openat2(const char *path, int flags, mode_t mode)
{
	struct open_how how = { .flags = (unsigned long long)flags, .mode = mode };

	return syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

static long sys_creat(const char *path, mode_t mode)
{
	return syscall(SYS_creat, path, mode);
}

/* One expected success: close the descriptor (close is not an open). */
static int expect_fd(long fd, const char *what)
{
	if (fd < 0)
		return fail(what);
	close((int)fd);
	return 0;
}

/* One expected failure with errno `want`. */
static int expect_errno(long fd, int want, const char *what)
{
	if (fd >= 0) {
		fprintf(stderr, "vmopener: %s succeeded, expected %s\n", what, strerror(want));
		close((int)fd);
		return 1;
	}
	if (errno != want) {
		fprintf(stderr, "vmopener: %s failed with %s, expected %s\n", what, strerror(errno),
			strerror(want));
		return 1;
	}
	return 0;
}

static int run_opens(const char *comm, const char *dir, long n, long failures)
{
	char file[4096], missing[4096];
	long i;

	if (snprintf(file, sizeof(file), "%s/file", dir) >= (int)sizeof(file) ||
	    snprintf(missing, sizeof(missing), "%s/missing", dir) >= (int)sizeof(missing)) {
		fprintf(stderr, "vmopener: directory name too long\n");
		return 1;
	}
	if (prctl(PR_SET_NAME, comm, 0, 0, 0) != 0)
		return fail("prctl(PR_SET_NAME)");
	/* open_by_handle_at's mount is the cwd's: DIR's (the paths are absolute). */
	if (chdir(dir) != 0)
		return fail("chdir");

	for (i = 0; i < n; i++)
		if (expect_fd(sys_creat(file, 0600), "creat"))
			return 1;
	/* creat's mode applies only when it creates the file; make sure it is 0600 for EACCES. */
	if (n > 0 && chmod(file, 0600) != 0)
		return fail("chmod");
	for (i = 0; i < n; i++)
		if (expect_fd(sys_open(file, O_RDONLY, 0), "open") ||
		    expect_fd(sys_openat(file, O_RDONLY, 0), "openat") ||
		    expect_fd(sys_openat2(file, O_RDONLY, 0), "openat2"))
			return 1;

	for (i = 0; i < failures; i++) {
		long fd = i % 3 == 0 ? sys_open(missing, O_RDONLY, 0) :
			  i % 3 == 1 ? sys_openat(missing, O_RDONLY, 0) :
				       sys_openat2(missing, O_RDONLY, 0);

		if (expect_errno(fd, ENOENT, "open of a missing file"))
			return 1;
	}

	/* io_uring and open_by_handle_at: their results come back as -errno. */
	for (i = 0; i < n; i++) {
		long uring = cts_open_with(CTS_IO_URING_OPENAT, file, O_RDONLY, 0);
		long uring2 = cts_open_with(CTS_IO_URING_OPENAT2, file, O_RDONLY, 0);
		long handle = cts_open_with(CTS_OPEN_BY_HANDLE_AT, file, O_RDONLY, 0);

		if (uring < 0 || uring2 < 0 || handle < 0) {
			fprintf(stderr, "vmopener: opens of %s: io_uring openat %ld, openat2 %ld, open_by_handle_at %ld\n",
				file, uring, uring2, handle);
			return 1;
		}
	}
	if (cts_io_uring_open_skipping_success(file, O_RDONLY, n) != n) {
		fprintf(stderr, "vmopener: io_uring opens of %s with IOSQE_CQE_SKIP_SUCCESS failed\n", file);
		return 1;
	}
	for (i = 0; i < n; i++) {
		long fd = cts_io_uring_open_sqpoll(file, O_RDONLY);

		if (fd < 0) {
			fprintf(stderr, "vmopener: io_uring open of %s on an SQPOLL ring: %ld\n", file, fd);
			return 1;
		}
	}
	for (i = 0; i < failures; i++) {
		long uring = cts_open_with(CTS_IO_URING_OPENAT, missing, O_RDONLY, 0);
		long handle = cts_open_with(CTS_OPEN_BY_HANDLE_AT, missing, O_RDONLY, 0);

		if (uring != -ENOENT || handle != -EINVAL) {
			fprintf(stderr, "vmopener: io_uring open of a missing file gave %ld (want %d), "
				"open_by_handle_at with no handle %ld (want %d)\n", uring, -ENOENT, handle, -EINVAL);
			return 1;
		}
	}

	if (failures > 0) {
		if (n == 0) {
			fprintf(stderr, "vmopener: EACCES opens need N > 0 (the file is made by creat)\n");
			return 1;
		}
		if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
			return fail("setresuid(65534)");
		for (i = 0; i < failures; i++)
			if (expect_errno(sys_openat(file, O_RDONLY, 0), EACCES, "openat as uid 65534"))
				return 1;
	}

	printf("pid=%d comm=%s opens=%ld creates=%ld read=%ld write=%ld enoent=%ld eacces=%ld einval=%ld "
	       "uring=%ld uring_failed=%ld handle=%ld handle_failed=%ld\n",
	       (int)getpid(), comm, 9 * n + 4 * failures, n, 8 * n + 4 * failures, n, 2 * failures, failures,
	       failures, 4 * n + failures, failures, n + failures, failures);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* One open of run_paths(): its result checked, its expected line printed. */
static int expect_path(long fd, int fails, const char *passed, const char *dir, const char *resolved,
		       const char *resolution)
{
	if (fails ? expect_errno(fd, ENOENT, passed) : expect_fd(fd, passed))
		return 1;
	printf("%s %s%s %s\n", passed, dir, resolved, resolution);
	return 0;
}

static int run_paths(const char *comm, const char *dir)
{
	char sub[4096], source[4096], target[4096], inner[4096], absolute[4096];
	struct open_how how = { .flags = O_RDONLY };
	long dirfd;

	if (snprintf(sub, sizeof(sub), "%s/sub", dir) >= (int)sizeof(sub) ||
	    snprintf(source, sizeof(source), "%s/bind-source", dir) >= (int)sizeof(source) ||
	    snprintf(target, sizeof(target), "%s/bind-target", dir) >= (int)sizeof(target) ||
	    snprintf(inner, sizeof(inner), "%s/bind-target/inner", dir) >= (int)sizeof(inner) ||
	    snprintf(absolute, sizeof(absolute), "%s//sub/../gone/.", dir) >= (int)sizeof(absolute)) {
		fprintf(stderr, "vmopener: directory name too long\n");
		return 1;
	}
	if (prctl(PR_SET_NAME, comm, 0, 0, 0) != 0)
		return fail("prctl(PR_SET_NAME)");
	if (unshare(CLONE_FS | CLONE_NEWNS) != 0)
		return fail("unshare");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return fail("mount(MS_PRIVATE)");
	if (mount(source, target, NULL, MS_BIND, NULL) != 0)
		return fail("mount(MS_BIND)");
	printf("pid=%d\n", (int)getpid());

	/* The directory fd stays open for the opens under it. */
	dirfd = syscall(SYS_openat, AT_FDCWD, sub, O_RDONLY | O_DIRECTORY, 0);
	if (dirfd < 0)
		return fail(sub);
	printf("%s %s %s\n", sub, sub, "file");
	if (expect_path(syscall(SYS_openat, dirfd, "file", O_RDONLY, 0), 0, "file", sub, "/file", "file"))
		return 1;
	if (chdir(sub) != 0)
		return fail("chdir");
	if (expect_path(sys_open("file", O_RDONLY, 0), 0, "file", sub, "/file", "file") ||
	    expect_path(sys_open("./file", O_RDONLY, 0), 0, "./file", sub, "/file", "file") ||
	    expect_path(sys_open("../sub/../sub/file", O_RDONLY, 0), 0, "../sub/../sub/file", sub, "/file", "file") ||
	    expect_path(sys_open("../link", O_RDONLY, 0), 0, "../link", sub, "/file", "file") ||
	    expect_path(sys_open(inner, O_RDONLY, 0), 0, inner, inner, "", "file") ||
	    expect_path(syscall(SYS_openat, dirfd, "../nope/./x//y", O_RDONLY, 0), 1, "../nope/./x//y", dir,
			"/nope/x/y", "lexical") ||
	    expect_path(sys_openat("missing", O_RDONLY, 0), 1, "missing", sub, "/missing", "lexical") ||
	    expect_path(syscall(SYS_openat2, dirfd, absolute, &how, sizeof(how)), 1, absolute, dir, "/gone",
			"lexical"))
		return 1;
	close((int)dirfd);
	umount2(target, MNT_DETACH);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int run_query(const char *path, const char *line)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	char reply[65536];
	size_t length = 0;
	int fd;

	alarm(10);
	if (strlen(path) >= sizeof(address.sun_path)) {
		fprintf(stderr, "vmopener: socket path too long\n");
		return 1;
	}
	strcpy(address.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail("socket(AF_UNIX)");
	if (connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0)
		return fail(path);
	if (dprintf(fd, "%s\n", line) < 0)
		return fail("write");
	while (length < sizeof(reply) - 1) {
		ssize_t got = read(fd, reply + length, sizeof(reply) - 1 - length);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return fail("read");
		if (got == 0)
			break;
		length += (size_t)got;
		if (memchr(reply + length - got, '\n', (size_t)got))
			break;
	}
	close(fd);
	reply[length] = '\0';
	if (!strchr(reply, '\n')) {
		fprintf(stderr, "vmopener: no complete reply line from %s (got %zu bytes)\n", path, length);
		return 1;
	}
	*strchr(reply, '\n') = '\0';
	puts(reply);
	return 0;
}

/* Waits for SIGUSR1, then makes the opens of run_opens. */
static int run_gated_opens(const char *comm, const char *dir, long n, long failures)
{
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &usr1, NULL) != 0)
		return fail("sigprocmask");
	printf("waiting for SIGUSR1: pid=%d\n", (int)getpid());
	fflush(stdout);
	while (sigwaitinfo(&usr1, NULL) < 0)
		if (errno != EINTR)
			return fail("sigwaitinfo");
	return run_opens(comm, dir, n, failures);
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "open") == 0)
		return run_opens(argv[2], argv[3], atol(argv[4]), atol(argv[5]));
	if (argc == 6 && strcmp(argv[1], "wait-open") == 0)
		return run_gated_opens(argv[2], argv[3], atol(argv[4]), atol(argv[5]));
	if (argc == 4 && strcmp(argv[1], "paths") == 0)
		return run_paths(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "query") == 0)
		return run_query(argv[2], argv[3]);
	fprintf(stderr, "usage: vmopener open|wait-open COMM DIR N F | vmopener paths COMM DIR | vmopener query SOCKET LINE\n");
	return 2;
}
