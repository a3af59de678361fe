// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * testprograms.bpf.c - small programs and maps that the BPF module's tests load.
 *
 *   hash_map, array_map, percpu_map  - map round trips from user space (no program touches them)
 *   records + emit_records           - SEC("syscall"): writes ctx->count typed records to a ring
 *   getppid_calls + count_getppid    - a real tracepoint that counts one process's getppid() calls
 *   spare                            - never loaded by the autoload test (setAutoload(false))
 */
#include "vmlinux_subset.h"	/* the package's CO-RE header, in bpf/ */
#include <bpf/bpf_helpers.h>

#define TEST_RECORD_TAG "fileopend-test"	/* 14 characters + NUL, in a 16-byte field */

/* Load-time setting: the process whose getppid() calls count_getppid counts. */
const volatile __u32 target_tgid = 0;
/* Every record's tag, TEST_RECORD_TAG. */
const volatile char record_tag[16] = TEST_RECORD_TAG;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hash_map SEC(".maps");

/* Larger than one batch of BPFHashMap.entries(), allocated on use like the missed maps. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u64);
} big_hash_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} array_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} percpu_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} records SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} getppid_calls SEC(".maps");

/* emit_records' input, passed by bpf_prog_test_run as the context. */
struct emit_args {
	__u32 count;
	__u32 discard_every;	/* if not 0: reserve and discard every discard_every-th record */
	__u64 base;
};

#define EMIT_MAX 256

/* One ring record: 32 bytes, no implicit padding. */
struct test_record {
	__u32 seq;		/* 0, 1, ... in emission order */
	__u32 count;		/* the requested count, repeated in every record */
	__u64 value;		/* base + seq * 10 */
	char tag[16];		/* TEST_RECORD_TAG */
};

SEC("syscall")
int emit_records(struct emit_args *ctx)
{
	struct test_record record = {};
	__u32 count = ctx->count;
	__u64 base = ctx->base;
	__u32 discard_every = ctx->discard_every;
	struct test_record *slot;
	int written = 0;

	/* Copied from the object's .rodata: a string literal would add a .rodata.str1.1 map. */
	for (int i = 0; i < sizeof(record.tag); i++)
		record.tag[i] = record_tag[i];
	for (__u32 i = 0; i < EMIT_MAX && i < count; i++) {
		record.seq = i;
		record.count = count;
		record.value = base + (__u64)i * 10;
		if (discard_every && i % discard_every == discard_every - 1) {
			/* Takes its space in the ring; the reader must step over it. */
			slot = bpf_ringbuf_reserve(&records, sizeof(*slot), 0);
			if (slot)
				bpf_ringbuf_discard(slot, 0);
			continue;
		}
		if (bpf_ringbuf_output(&records, &record, sizeof(record), 0) == 0)
			written++;
	}
	return written;
}

SEC("tp/syscalls/sys_enter_getppid")
int count_getppid(void *ctx)
{
	__u32 key = 0;
	__u64 *calls;

	if ((__u32)(bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	calls = bpf_map_lookup_elem(&getppid_calls, &key);
	if (calls)
		__sync_fetch_and_add(calls, 1);
	return 0;
}

/* A program that the autoload test leaves out of the load. */
SEC("syscall")
int spare(void *ctx)
{
	return 7;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
