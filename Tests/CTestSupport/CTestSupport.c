#define _GNU_SOURCE
#include "CTestSupport.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
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

/* A ring of our own, mapped with raw system calls (io_uring_setup and mmap open no file). */
struct cts_ring {
	int fd;
	struct io_uring_params params;
	void *sq, *cq;
	struct io_uring_sqe *sqes;
	size_t sq_size, cq_size, sqes_size;
};

static unsigned int *ring_word(void *base, __u32 offset)
{
	return (unsigned int *)((char *)base + offset);
}

static void ring_close(struct cts_ring *ring)
{
	if (ring->sq != MAP_FAILED)
		munmap(ring->sq, ring->sq_size);
	if (ring->cq != MAP_FAILED)
		munmap(ring->cq, ring->cq_size);
	if ((void *)ring->sqes != MAP_FAILED)
		munmap(ring->sqes, ring->sqes_size);
	syscall(SYS_close, ring->fd);
}

static int ring_open(struct cts_ring *ring, unsigned int entries, __u32 setup_flags)
{
	*ring = (struct cts_ring){ .sq = MAP_FAILED, .cq = MAP_FAILED, .sqes = MAP_FAILED };
	ring->params.flags = setup_flags;
	ring->fd = (int)syscall(SYS_io_uring_setup, entries, &ring->params);
	if (ring->fd < 0)
		return -errno;
	ring->sq_size = ring->params.sq_off.array + ring->params.sq_entries * sizeof(unsigned int);
	ring->cq_size = ring->params.cq_off.cqes + ring->params.cq_entries * sizeof(struct io_uring_cqe);
	ring->sqes_size = ring->params.sq_entries * sizeof(struct io_uring_sqe);
	ring->sq = mmap(NULL, ring->sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring->fd,
			IORING_OFF_SQ_RING);
	ring->cq = mmap(NULL, ring->cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring->fd,
			IORING_OFF_CQ_RING);
	ring->sqes = mmap(NULL, ring->sqes_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring->fd,
			  IORING_OFF_SQES);
	if (ring->sq == MAP_FAILED || ring->cq == MAP_FAILED || (void *)ring->sqes == MAP_FAILED) {
		ring_close(ring);
		return -ENOMEM;
	}
	return 0;
}

/* Queues a copy of `sqe` (the ring has room: one submission at a time). */
static void ring_queue(struct cts_ring *ring, const struct io_uring_sqe *sqe)
{
	unsigned int *tail = ring_word(ring->sq, ring->params.sq_off.tail);
	unsigned int mask = *ring_word(ring->sq, ring->params.sq_off.ring_mask);
	unsigned int index = *tail & mask;

	ring->sqes[index] = *sqe;
	ring_word(ring->sq, ring->params.sq_off.array)[index] = index;
	__atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
}

/* Submits what is queued and waits for `wait` completions; returns the first's result. */
static long ring_submit(struct cts_ring *ring, unsigned int submit, unsigned int wait)
{
	unsigned int *head = ring_word(ring->cq, ring->params.cq_off.head);
	unsigned int mask = *ring_word(ring->cq, ring->params.cq_off.ring_mask);
	struct io_uring_cqe *cqes = (struct io_uring_cqe *)((char *)ring->cq + ring->params.cq_off.cqes);
	long first = 0;

	/* With SQPOLL its thread submits: wake it in case it sleeps. */
	__u32 flags = (wait ? IORING_ENTER_GETEVENTS : 0) |
		      (ring->params.flags & IORING_SETUP_SQPOLL ? IORING_ENTER_SQ_WAKEUP : 0);

	if (syscall(SYS_io_uring_enter, ring->fd, submit, wait, flags, NULL, 0) < 0)
		return -errno;
	for (unsigned int i = 0; i < wait; i++) {
		long res = cqes[(*head + i) & mask].res;

		if (i == 0)
			first = res;
		else if (res >= 0 && cqes[(*head + i) & mask].user_data == 1)
			syscall(SYS_close, res);
	}
	__atomic_store_n(head, *head + wait, __ATOMIC_RELEASE);
	return first;
}

/* An open SQE for `path` relative to the cwd (user_data 1: its result may be an fd to close). */
static struct io_uring_sqe open_sqe(const char *path, int flags, unsigned int mode, const struct open_how *how)
{
	struct io_uring_sqe sqe = { .fd = -100 /* AT_FDCWD */, .addr = (__u64)(unsigned long)path, .user_data = 1 };

	if (how) {
		sqe.opcode = IORING_OP_OPENAT2;
		sqe.len = sizeof(*how);
		sqe.addr2 = (__u64)(unsigned long)how;
	} else {
		sqe.opcode = IORING_OP_OPENAT;
		sqe.open_flags = (__u32)flags;
		sqe.len = mode;
	}
	return sqe;
}

/* One open on a new ring made with `setup_flags`. */
static long ring_open_once(const char *path, int flags, unsigned int mode, int openat2, __u32 setup_flags)
{
	struct open_how how = { .flags = (__u64)flags, .mode = mode };
	struct io_uring_sqe sqe = open_sqe(path, flags, mode, openat2 ? &how : NULL);
	struct cts_ring ring;
	long result = ring_open(&ring, 4, setup_flags);

	if (result < 0)
		return result;
	ring_queue(&ring, &sqe);
	result = ring_submit(&ring, 1, 1);
	if (result >= 0)
		syscall(SYS_close, result);
	ring_close(&ring);
	return result;
}

long cts_io_uring_open(const char *path, int flags, unsigned int mode, int openat2)
{
	return ring_open_once(path, flags, mode, openat2, 0);
}

long cts_io_uring_open_sqpoll(const char *path, int flags)
{
	return ring_open_once(path, flags, 0600, 0, IORING_SETUP_SQPOLL);
}

long cts_io_uring_open_skipping_success(const char *path, int flags, long count)
{
	struct io_uring_sqe open = open_sqe(path, flags, 0600, NULL);
	struct io_uring_sqe nop = { .opcode = IORING_OP_NOP };
	struct cts_ring ring;
	long result = ring_open(&ring, 4, 0), succeeded = 0;

	if (result < 0)
		return result;
	open.flags = IOSQE_CQE_SKIP_SUCCESS | IOSQE_IO_LINK;
	for (long i = 0; i < count; i++) {
		/*
		 * One CQE a round: the NOP's once the open succeeded, or the open's failure (the NOP's
		 * cancellation is skipped with the head's CQE, REQ_F_SKIP_LINK_CQES).
		 */
		ring_queue(&ring, &open);
		ring_queue(&ring, &nop);
		unsigned int *head = ring_word(ring.cq, ring.params.cq_off.head);
		unsigned int mask = *ring_word(ring.cq, ring.params.cq_off.ring_mask);
		struct io_uring_cqe *cqes = (struct io_uring_cqe *)((char *)ring.cq + ring.params.cq_off.cqes);
		__u64 which;

		if (syscall(SYS_io_uring_enter, ring.fd, 2, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) {
			result = -errno;
			goto out;
		}
		which = cqes[*head & mask].user_data;
		__atomic_store_n(head, *head + 1, __ATOMIC_RELEASE);
		succeeded += which != 1;
	}
	/* Two NOPs reuse the last round's two requests. */
	ring_queue(&ring, &nop);
	ring_queue(&ring, &nop);
	result = ring_submit(&ring, 2, 2);
	if (result >= 0)
		result = succeeded;
out:
	ring_close(&ring);
	return result;
}

long cts_open_by_handle(const char *path, int flags)
{
	struct {
		struct file_handle handle;
		unsigned char bytes[128];	/* MAX_HANDLE_SZ */
	} h = { .handle.handle_bytes = 128 };
	int mount_id;

	if (syscall(SYS_name_to_handle_at, -100, path, &h.handle, &mount_id, 0) < 0)
		h.handle.handle_bytes = 0;	/* no handle: open_by_handle_at fails with EINVAL */
	return cts_result(syscall(SYS_open_by_handle_at, -100, &h.handle, flags));
}

long cts_open_with(enum cts_open_call call, const char *path, int flags, unsigned int mode)
{
	long fd;

	switch (call) {
	case CTS_OPEN: fd = cts_sys_open(path, flags, mode); break;
	case CTS_OPENAT: fd = cts_sys_openat(-100 /* AT_FDCWD */, path, flags, mode); break;
	case CTS_OPENAT2: fd = cts_sys_openat2(-100, path, (__u64)flags, mode, 0); break;
	case CTS_CREAT: fd = cts_sys_creat(path, mode); break;
	case CTS_IO_URING_OPENAT: return cts_io_uring_open(path, flags, mode, 0);
	case CTS_IO_URING_OPENAT2: return cts_io_uring_open(path, flags, mode, 1);
	case CTS_OPEN_BY_HANDLE_AT: fd = cts_open_by_handle(path, flags); break;
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

/* chdir(2) to the directory `path` names a file in (no open); nothing when it has none. */
static void enter_directory_of(const char *path)
{
	char directory[4096];
	const char *slash = strrchr(path, '/');
	size_t length = slash ? (size_t)(slash - path) : 0;

	if (!slash || length >= sizeof(directory))
		return;
	memcpy(directory, path, length);
	directory[length] = 0;
	syscall(SYS_chdir, length ? directory : "/");
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
	if (call == CTS_OPEN_BY_HANDLE_AT)
		enter_directory_of(path);
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

int cts_spawn_opener_as(unsigned int uid, unsigned int gid, const char *comm, enum cts_open_call call,
			const char *path, int flags, long count)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid < 0 ? -errno : pid;
	prctl(PR_SET_NAME, comm, 0, 0, 0);
	if (cts_set_thread_credentials(uid, gid) < 0)
		syscall(SYS_exit_group, 1);
	for (long i = 0; i < count; i++)
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
