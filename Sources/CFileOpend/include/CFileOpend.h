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

/* epoll(7) for the servers' event loops: <sys/epoll.h> is not in Swift's Glibc either. Swift imports
 * its packed struct epoll_event with the C layout, so the calls need no wrappers. */
#include <sys/epoll.h>

/* Peer credentials of a Unix socket connection (the query server's access control). */

/* getsockopt(SO_PEERCRED): the peer's pid, uid and gid as of connect(2); 0, or -1 with errno. */
int cfo_peer_credentials(int fd, int *pid, unsigned int *uid, unsigned int *gid);

/* getsockopt(SO_PEERGROUPS): fills groups (room for *count) with the peer's supplementary groups;
 * returns their number, or -1 with errno (ERANGE: *count is then the number needed). */
int cfo_peer_groups(int fd, unsigned int *groups, int *count);

/* renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE): moves a file into place without ever
 * replacing what is there (glibc's wrapper is not visible to Swift). */
int cfo_rename_noreplace(const char *from, const char *to);

/* prctl(PR_SET_NAME): names the calling thread as the kernel shows it (/proc/PID/task/TID/comm,
 * top -H); the kernel keeps the first 15 bytes. Returns 0, or -1 with errno set. (prctl is
 * variadic and pthread_setname_np needs _GNU_SOURCE: Swift sees neither.) */
int cfo_set_thread_name(const char *name);

/* glibc's allocator (<malloc.h> is not in Swift's Glibc): see the daemon's MemoryTuning. */

/* mallopt(M_MMAP_THRESHOLD, bytes): allocations this large get their own mapping, and the threshold
 * no longer rises after a large free; returns 1 on success, 0 on failure. */
int cfo_malloc_fix_mmap_threshold(int bytes);

/* malloc_trim(0): returns free heap pages to the kernel; 1 if any memory was released. */
int cfo_malloc_trim(void);

#endif
