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

/* Which call cts_open_with() and cts_spawn_opener() make. */
enum cts_open_call {
	CTS_OPEN = 1,
	CTS_OPENAT = 2,
	CTS_OPENAT2 = 3,
	CTS_CREAT = 4,
};

/* One open of `path` through `call` (creat ignores flags), closing a returned fd at once. */
long cts_open_with(enum cts_open_call call, const char *path, int flags, unsigned int mode);

/* setresgid(2) then setresuid(2) as raw syscalls: only the calling thread changes. */
int cts_set_thread_credentials(unsigned int uid, unsigned int gid);

/* prctl(PR_SET_NAME): the calling thread's comm (at most 15 bytes). */
int cts_set_thread_comm(const char *name);

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

#endif
