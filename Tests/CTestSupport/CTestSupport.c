#define _GNU_SOURCE
#include "CTestSupport.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long cts_result(long ret)
{
	return ret < 0 ? -errno : ret;
}

long cts_sys_open(const char *path, int flags, unsigned int mode)
{
#ifdef SYS_open
	return cts_result(syscall(SYS_open, path, flags, mode));
#else
	return -ENOSYS;
#endif
}

long cts_sys_creat(const char *path, unsigned int mode)
{
#ifdef SYS_creat
	return cts_result(syscall(SYS_creat, path, mode));
#else
	return -ENOSYS;
#endif
}

long cts_sys_openat(int dirfd, const char *path, int flags, unsigned int mode)
{
	return cts_result(syscall(SYS_openat, dirfd, path, flags, mode));
}

long cts_sys_openat2(int dirfd, const char *path, __u64 flags, __u64 mode, __u64 resolve)
{
	struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };

	return cts_result(syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
}

long cts_open_with(enum cts_open_call call, const char *path, int flags, unsigned int mode)
{
	long fd;

	switch (call) {
	case CTS_OPEN: fd = cts_sys_open(path, flags, mode); break;
	case CTS_OPENAT: fd = cts_sys_openat(-100 /* AT_FDCWD */, path, flags, mode); break;
	case CTS_OPENAT2: fd = cts_sys_openat2(-100, path, (__u64)flags, mode, 0); break;
	case CTS_CREAT: fd = cts_sys_creat(path, mode); break;
	default: return -EINVAL;
	}
	if (fd >= 0)
		syscall(SYS_close, fd);
	return fd;
}

int cts_set_thread_credentials(unsigned int uid, unsigned int gid)
{
	if (syscall(SYS_setresgid, gid, gid, gid) < 0)
		return -errno;
	if (syscall(SYS_setresuid, uid, uid, uid) < 0)
		return -errno;
	return 0;
}

int cts_set_thread_comm(const char *name)
{
	return prctl(PR_SET_NAME, name, 0, 0, 0) < 0 ? -errno : 0;
}

int cts_thread_private_fs(void)
{
	if (unshare(CLONE_FS | CLONE_NEWNS))
		return -errno;
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ? -errno : 0;
}

int cts_bind_mount(const char *source, const char *target)
{
	return mount(source, target, NULL, MS_BIND, NULL) ? -errno : 0;
}

int cts_umount(const char *target)
{
	return umount2(target, MNT_DETACH) ? -errno : 0;
}

int cts_chdir(const char *path)
{
	return chdir(path) ? -errno : 0;
}

int cts_close(int fd)
{
	return close(fd) ? -errno : 0;
}

static int spawn_opener(int wanted, const char *comm, enum cts_open_call call, const char *path, int flags,
			long count)
{
	long i;
	pid_t pid = fork();

	if (pid != 0)
		return pid < 0 ? -errno : pid;
	if (wanted > 0 && getpid() != wanted)
		syscall(SYS_exit_group, 0);
	prctl(PR_SET_NAME, comm, 0, 0, 0);
	for (i = 0; i < count; i++)
		cts_open_with(call, path, flags, 0600);
	syscall(SYS_exit_group, 0);
	return 0;	/* not reached */
}

int cts_spawn_opener(const char *comm, enum cts_open_call call, const char *path, int flags, long count)
{
	return spawn_opener(0, comm, call, path, flags, count);
}

int cts_spawn_opener_at_pid(int wanted, const char *comm, enum cts_open_call call, const char *path, int flags,
			    long count)
{
	return spawn_opener(wanted, comm, call, path, flags, count);
}

int cts_spawn_gated_opener(const char *comm, enum cts_open_call call, const char *path, int flags, long before,
			   int gate_fd, long after)
{
	char byte;
	pid_t pid = fork();

	if (pid != 0)
		return pid < 0 ? -errno : pid;
	prctl(PR_SET_NAME, comm, 0, 0, 0);
	for (long i = 0; i < before; i++)
		cts_open_with(call, path, flags, 0600);
	syscall(SYS_read, gate_fd, &byte, 1);
	for (long i = 0; i < after; i++)
		cts_open_with(call, path, flags, 0600);
	syscall(SYS_exit_group, 0);
	return 0;	/* not reached */
}

struct churn_child {
	const char *comm;
	const struct cts_open_step *script;
	int steps;
};

/* A churn child: runs on the parent's memory (CLONE_VM), so it only reads its arguments. */
static int churn_child(void *argument)
{
	const struct churn_child *child = argument;

	syscall(SYS_prctl, PR_SET_NAME, child->comm, 0, 0, 0);
	for (int i = 0; i < child->steps; i++)
		cts_open_with(child->script[i].call, child->script[i].path, child->script[i].flags, 0600);
	syscall(SYS_exit, 0);
	return 0;	/* not reached */
}

int cts_spawn_churn(const char *parent_comm, const char *comm, long processes, const struct cts_open_step *script,
		    int steps)
{
	const size_t stack_size = 64 * 1024;
	struct churn_child child = { .comm = comm, .script = script, .steps = steps };
	pid_t pid = fork();

	if (pid != 0)
		return pid < 0 ? -errno : pid;
	syscall(SYS_prctl, PR_SET_NAME, parent_comm, 0, 0, 0);
	char *stack = (char *)syscall(SYS_mmap, NULL, stack_size, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		syscall(SYS_exit_group, 1);
	for (long i = 0; i < processes; i++) {
		int status = 0;
		/* CLONE_VFORK: this returns once the child has exited, so one stack serves them all. */
		long child_pid = clone(churn_child, stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &child);

		if (child_pid < 0 || syscall(SYS_wait4, child_pid, &status, 0, NULL) != child_pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			syscall(SYS_exit_group, 1);
	}
	syscall(SYS_exit_group, 0);
	return 0;	/* not reached */
}

int cts_spawn_flooder(const char *comm, const char *path, int stop_fd, int report_fd)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid < 0 ? -errno : pid;
	syscall(SYS_prctl, PR_SET_NAME, comm, 0, 0, 0);
	long opens = 0;
	for (;;) {
		struct pollfd stop = { .fd = stop_fd, .events = POLLIN };

		for (int i = 0; i < 256; i++, opens++)
			cts_open_with(CTS_OPENAT, path, O_RDONLY, 0);
		if (syscall(SYS_poll, &stop, 1, 0) > 0)
			break;
	}
	syscall(SYS_write, report_fd, &opens, sizeof(opens));
	syscall(SYS_exit_group, 0);
	return 0;	/* not reached */
}
