#define _GNU_SOURCE
#include "CFileOpend.h"

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
