/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fileopend.h - the record ABI between bpf/fileopend.bpf.c and user space.
 *
 * One layout, two readers: the BPF program writes these structs and Swift reads the very same
 * declarations through the CFileOpend module. Fixed-width types only; never copy an offset.
 */
#ifndef FILEOPEND_H
#define FILEOPEND_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* Longest path delivered, in bytes, without the NUL (the kernel's PATH_MAX less one). */
#define FILEOPEND_PATH_MAX 4095
#define FILEOPEND_COMM_LEN 16

enum fileopend_record_kind {
	FILEOPEND_RECORD_OPEN = 1,	/* an open attempt and its result */
	FILEOPEND_RECORD_EXIT = 2,	/* the last thread of a process exited */
};

/* Which system call made the open; UNKNOWN when the attach mode cannot tell. */
enum fileopend_syscall {
	FILEOPEND_SYSCALL_UNKNOWN = 0,
	FILEOPEND_SYSCALL_OPEN = 1,
	FILEOPEND_SYSCALL_OPENAT = 2,
	FILEOPEND_SYSCALL_OPENAT2 = 3,
	FILEOPEND_SYSCALL_CREAT = 4,
};

enum fileopend_record_flag {
	FILEOPEND_PATH_TRUNCATED = 1 << 0,	/* the path was longer than FILEOPEND_PATH_MAX */
	FILEOPEND_PATH_UNREADABLE = 1 << 1,	/* the user pointer could not be read at exit */
};

/*
 * Why a record was lost. Each lost record counts once, under its first cause, in the per-CPU
 * drops map; lost opens are also counted per process in the missed map so totals stay exact.
 */
enum fileopend_drop_reason {
	FILEOPEND_DROP_RINGBUF_FULL = 0,	/* open record did not fit in the ring buffer */
	FILEOPEND_DROP_PENDING_FULL = 1,	/* enter could not park its arguments for exit */
	FILEOPEND_DROP_EXIT_RINGBUF_FULL = 2,	/* process-exit record did not fit */
	FILEOPEND_DROP_MISSED_FULL = 3,		/* a lost open could not be charged to its process */
	FILEOPEND_DROP_REASON_COUNT = 4,
};

/*
 * A process identity: a reused pid with a new start time is a new process. Key of the missed
 * map, and the identity the aggregator uses.
 */
struct fileopend_process_key {
	__u64 start_ns;		/* group leader's start, ns since boot (CLOCK_BOOTTIME) */
	__u32 tgid;
	__u32 reserved;		/* zero: keeps the key free of padding bytes */
};

/*
 * A value of the missed map: how many of a process's opens lost their record, and the comm of
 * the first one, so user space can name a process it never received a record from.
 */
struct fileopend_missed_opens {
	__u64 opens;
	char comm[FILEOPEND_COMM_LEN];
};

/*
 * Every record starts with this header; an open record is followed by path_len path bytes
 * (no NUL), so a record is exactly sizeof(struct fileopend_record) + path_len bytes long.
 */
struct fileopend_record {
	__u64 timestamp_ns;	/* bpf_ktime_get_boot_ns() at exit */
	__u64 process_start_ns;	/* group leader's start_boottime */
	__u64 cgroup_id;
	__s64 result;		/* open: fd or -errno; exit: the exit code */
	__u32 tgid;		/* the process id */
	__u32 tid;		/* the thread that called open */
	__u32 uid;
	__u32 open_flags;	/* O_* flags as passed (creat: O_CREAT|O_WRONLY|O_TRUNC) */
	__u32 mode;
	__u16 kind;		/* enum fileopend_record_kind */
	__u16 syscall;		/* enum fileopend_syscall */
	__u16 path_len;
	__u16 record_flags;	/* enum fileopend_record_flag */
	char comm[FILEOPEND_COMM_LEN];
	__u32 reserved;		/* zero: the header has no implicit padding */
};

#endif /* FILEOPEND_H */
