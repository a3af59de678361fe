// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fobench-p4.bpf.c - participant P4's kernel side: the floor for any program that counts opens
 * per process. One program on sys_exit_openat adds one to its process's counter in a hash map
 * keyed by tgid: no ring buffer, no pairing, no path, no result or flags.
 */
#include "vmlinux_subset.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} opens SEC(".maps");

SEC("tp/syscalls/sys_exit_openat")
int count_openat(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *count = bpf_map_lookup_elem(&opens, &tgid);

	if (count)
		__sync_fetch_and_add(count, 1);
	else if (bpf_map_update_elem(&opens, &tgid, &one, BPF_NOEXIST))
		/* Another CPU inserted it meanwhile. */
		if ((count = bpf_map_lookup_elem(&opens, &tgid)))
			__sync_fetch_and_add(count, 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
