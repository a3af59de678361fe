/*
 * CTestSupport - system calls the tests make exactly as named, which Swift cannot: syscall(2) is
 * variadic, glibc implements open() and creat() with openat, and glibc's setresuid() changes
 * every thread. Every symbol is prefixed cts_. Functions return the result or -errno.
 */
#ifndef CTESTSUPPORT_H
#define CTESTSUPPORT_H

#include <linux/types.h>

/* The open system calls, made directly. open/creat return -ENOSYS where they do not exist. */
long cts_sys_open(const char *path, int flags, unsigned int mode);
long cts_sys_creat(const char *path, unsigned int mode);
long cts_sys_openat(int dirfd, const char *path, int flags, unsigned int mode);
long cts_sys_openat2(int dirfd, const char *path, __u64 flags, __u64 mode, __u64 resolve);

/*
 * Which call cts_open_with() and cts_spawn_opener() make (the values of enum fileopend_syscall).
 * The io_uring ones set up a ring of their own (io_uring_setup, three mmaps: no open), submit one
 * IORING_OP_OPENAT/OPENAT2 and wait for its completion. CTS_OPEN_BY_HANDLE_AT gets the path's
 * handle with name_to_handle_at (no open) and opens it relative to the cwd, which must be on the
 * file's mount (cts_spawn_opener's child enters the file's directory first); a path with no
 * handle (a missing file) is tried with an empty handle instead, which fails with EINVAL.
 */
enum cts_open_call {
	CTS_OPEN = 1,
	CTS_OPENAT = 2,
	CTS_OPENAT2 = 3,
	CTS_CREAT = 4,
	CTS_IO_URING_OPENAT = 5,
	CTS_IO_URING_OPENAT2 = 6,
	CTS_OPEN_BY_HANDLE_AT = 7,
};

/* One open of `path` (relative to the cwd) submitted to a new io_uring ring: the CQE's result. */
long cts_io_uring_open(const char *path, int flags, unsigned int mode, int openat2);

/* One IORING_OP_OPENAT of `path` (mode 0600) on a new IORING_SETUP_SQPOLL ring, whose kernel
 * thread (iou-sqp-PID, a thread of this process) submits it; needs root before Linux 5.11. */
long cts_io_uring_open_sqpoll(const char *path, int flags);

/*
 * `count` IORING_OP_OPENAT of `path` (mode 0600) on one ring, each with IOSQE_CQE_SKIP_SUCCESS
 * (no CQE when it succeeds) and a linked NOP to learn it is over, then two NOPs. Returns how
 * many succeeded (their fds stay open until exit: nothing says which), or -errno.
 */
long cts_io_uring_open_skipping_success(const char *path, int flags, long count);

/* name_to_handle_at(path) then open_by_handle_at(AT_FDCWD, handle, flags), as above. */
long cts_open_by_handle(const char *path, int flags);

/* One open of `path` through `call` (creat ignores flags), closing a returned fd at once. */
long cts_open_with(enum cts_open_call call, const char *path, int flags, unsigned int mode);

/* setresgid(2) then setresuid(2) as raw syscalls: only the calling thread changes. */
int cts_set_thread_credentials(unsigned int uid, unsigned int gid);

/* prctl(PR_SET_NAME): the calling thread's comm (at most 15 bytes). */
int cts_set_thread_comm(const char *name);

/*
 * unshare(CLONE_FS | CLONE_NEWNS), then every mount made private: the calling thread gets its own
 * cwd and a mount namespace of its own, so chdir() and mount() change nothing for the rest of
 * the process or the host, and its mounts vanish with it. Opens nothing. 0 or -errno.
 */
int cts_thread_private_fs(void);

/* mount(source, target, NULL, MS_BIND): 0 or -errno. */
int cts_bind_mount(const char *source, const char *target);

/* umount2(target, MNT_DETACH), chdir(path), close(fd): raw calls that open nothing. 0 or -errno. */
int cts_umount(const char *target);
int cts_chdir(const char *path);
int cts_close(int fd);

/*
 * Forks a child that names itself `comm`, makes exactly `count` opens of `path` through `call`
 * (closing each fd) and exits with status 0. After fork it makes raw system calls only, so it
 * is safe from a threaded parent and performs no other open. Returns the child's pid; reap it
 * with waitpid(2).
 */
int cts_spawn_opener(const char *comm, enum cts_open_call call, const char *path, int flags, long count);

/* cts_spawn_opener, except that a child that did not get pid `wanted` exits at once, opening
 * nothing: for tests that reuse a pid on purpose and retry until they get it. */
int cts_spawn_opener_at_pid(int wanted, const char *comm, enum cts_open_call call, const char *path, int flags,
			    long count);

/* cts_spawn_opener, as user `uid` and group `gid` (set before the first open; exits 1 if it cannot). */
int cts_spawn_opener_as(unsigned int uid, unsigned int gid, const char *comm, enum cts_open_call call,
			const char *path, int flags, long count);

/*
 * cts_spawn_opener, in two halves: `before` opens, then it waits until a byte can be read from
 * `gate_fd` (a pipe the caller writes to), then `after` opens, and exits 0.
 */
int cts_spawn_gated_opener(const char *comm, enum cts_open_call call, const char *path, int flags, long before,
			   int gate_fd, long after);

/* One open of a churn child's script: which call, which path, which flags (mode 0600). */
struct cts_open_step {
	enum cts_open_call call;
	const char *path;
	int flags;
};

/*
 * Forks a "churn parent" named `parent_comm` that runs `processes` short-lived children one after
 * another and then exits with status 0 (1 if a child could not be started or did not exit 0).
 * Each child is named `comm`, makes the `steps` opens of `script` in order (closing each fd) and
 * exits. The children share the parent's memory until they exit (CLONE_VM | CLONE_VFORK), so
 * thousands start per second; after the fork only raw system calls are made and nothing else is
 * opened. Returns the churn parent's pid (reap it with waitpid(2)), or -errno.
 */
int cts_spawn_churn(const char *parent_comm, const char *comm, long processes, const struct cts_open_step *script,
		    int steps);

/*
 * Forks a child named `comm` that opens `path` O_RDONLY (closing any fd) as fast as it can until a
 * byte can be read from `stop_fd`, then writes how many opens it made (a long) to `report_fd` and
 * exits with status 0. Raw system calls only after the fork. Returns its pid, or -errno.
 */
int cts_spawn_flooder(const char *comm, const char *path, int stop_fd, int report_fd);

#endif
