/* The libbpf API (Debian's libbpf-dev 1.1.2 and later) as one Clang module for the BPF target. */
#ifndef CLIBBPF_SHIM_H
#define CLIBBPF_SHIM_H

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <sys/epoll.h>	/* RingBuffer.wait: not in the Glibc module */

/*
 * Ordered access to a BPF ring buffer's shared positions and record headers, as the kernel and
 * libbpf's own reader pair them: the producer publishes with release stores, so the consumer
 * loads with acquire; the consumer hands space back with a release store.
 */
static inline __u64 clibbpf_load_acquire_u64(const __u64 *word)
{
	return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

static inline __u32 clibbpf_load_acquire_u32(const __u32 *word)
{
	return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

static inline void clibbpf_store_release_u64(__u64 *word, __u64 value)
{
	__atomic_store_n(word, value, __ATOMIC_RELEASE);
}

#endif
