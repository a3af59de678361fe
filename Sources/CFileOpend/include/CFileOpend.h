/*
 * CFileOpend - the record ABI shared with the kernel program (bpf/fileopend.h), and the few
 * Linux calls Swift cannot see. Every symbol is prefixed cfo_.
 */
#ifndef CFILEOPEND_H
#define CFILEOPEND_H

#include "../../../bpf/fileopend.h"

/* gettid(2): the calling thread's id (glibc's wrapper is not visible to Swift). */
int cfo_gettid(void);

/* Socket calls for the HTTP server (FileOpenServer). */
#include <sys/socket.h>

/* accept4(2) with SOCK_CLOEXEC/SOCK_NONBLOCK flags: glibc declares it only under _GNU_SOURCE. */
int cfo_accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);

/* eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK): a wake fd for poll(2); <sys/eventfd.h> is not in Swift's Glibc. */
int cfo_wake_eventfd(void);

#endif
