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

#include <malloc.h>

int cfo_malloc_fix_mmap_threshold(int bytes)
{
	return mallopt(M_MMAP_THRESHOLD, bytes);
}

int cfo_malloc_trim(void)
{
	return malloc_trim(0);
}

#include <errno.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>

struct cfo_code_pages {
	long bytes;
	int error;
};

/* Whether the object's code was relocated in place (DT_TEXTREL): its "read-only" pages are then
 * private copies, which MADV_DONTNEED would throw away. Debian forbids it; check all the same. */
static int cfo_has_text_relocations(const struct dl_phdr_info *info)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Dyn) *entry;

		if (info->dlpi_phdr[i].p_type != PT_DYNAMIC)
			continue;
		for (entry = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
		     entry->d_tag != DT_NULL; entry++) {
			if (entry->d_tag == DT_TEXTREL ||
			    (entry->d_tag == DT_FLAGS && (entry->d_un.d_val & DF_TEXTREL)))
				return 1;
		}
	}
	return 0;
}

static int cfo_code_pages_of(struct dl_phdr_info *info, size_t size, void *data)
{
	struct cfo_code_pages *pages = data;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	(void)size;
	/* The vDSO is the kernel's own special mapping, not a file: leave it alone. */
	if ((info->dlpi_name && strstr(info->dlpi_name, "linux-vdso")) || cfo_has_text_relocations(info))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + segment->p_vaddr;
		uintptr_t end = start + segment->p_memsz;

		/* Writable segments hold data (and RELRO, written at start): never drop those. */
		if (segment->p_type != PT_LOAD || (segment->p_flags & PF_W))
			continue;
		start &= ~(page - 1);
		end = (end + page - 1) & ~(page - 1);
		if (madvise((void *)start, end - start, MADV_DONTNEED) != 0) {
			pages->error = errno;
			return 1;
		}
		pages->bytes += (long)(end - start);
	}
	return 0;
}

long cfo_release_code_pages(void)
{
	struct cfo_code_pages pages = { 0 };

	dl_iterate_phdr(cfo_code_pages_of, &pages);
	if (pages.error) {
		errno = pages.error;
		return -1;
	}
	return pages.bytes;
}
