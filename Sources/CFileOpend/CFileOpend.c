#define _GNU_SOURCE
#include "CFileOpend.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/syscall.h>
#include <unistd.h>

int cfo_gettid(void)
{
	return (int)syscall(SYS_gettid);
}

#include <sys/eventfd.h>

/* accept4(2): the connection socket gets close-on-exec and non-blocking atomically. */
int cfo_accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags)
{
	return accept4(fd, addr, addrlen, flags);
}

/* eventfd(2): once written it stays readable, so one write wakes every poller. */
int cfo_wake_eventfd(void)
{
	return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

/* SO_PEERCRED: the peer's pid, uid and gid as of its connect(2); struct ucred needs _GNU_SOURCE. */
int cfo_peer_credentials(int fd, int *pid, unsigned int *uid, unsigned int *gid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return -1;
	*pid = cred.pid;
	*uid = cred.uid;
	*gid = cred.gid;
	return 0;
}

/* SO_PEERGROUPS (Linux 4.13): on ERANGE the kernel stores the size it needs in len. */
int cfo_peer_groups(int fd, unsigned int *groups, int *count)
{
	socklen_t len = (socklen_t)(*count * (int)sizeof(gid_t));
	int rc = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len);

	*count = (int)(len / sizeof(gid_t));
	return rc == 0 ? *count : -1;
}

int cfo_rename_noreplace(const char *from, const char *to)
{
	return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
}

#include <sys/prctl.h>

int cfo_set_thread_name(const char *name)
{
	return prctl(PR_SET_NAME, name, 0, 0, 0);
}

#include <malloc.h>

int cfo_malloc_fix_mmap_threshold(int bytes)
{
	return mallopt(M_MMAP_THRESHOLD, bytes);
}

int cfo_malloc_trim(void)
{
	return malloc_trim(0);
}
