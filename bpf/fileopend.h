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
 * Why a record was lost, or what a lost one cost. Each lost record counts once, under its first
 * cause, in the per-CPU drops map; a lost open is also charged to the missed map with its access
 * mode, result and O_CREAT, so user space counts it exactly without the record.
 */
enum fileopend_drop_reason {
	FILEOPEND_DROP_RINGBUF_FULL = 0,	/* open record did not fit in the ring buffer */
	FILEOPEND_DROP_PENDING_FULL = 1,	/* enter could not park its arguments for exit */
	FILEOPEND_DROP_EXIT_RINGBUF_FULL = 2,	/* process-exit record did not fit */
	FILEOPEND_DROP_MISSED_FULL = 3,		/* a missed-map entry could not be made: charged by comm */
	FILEOPEND_DROP_MISSED_COMM_FULL = 4,	/* ... nor a missed_comms entry: in no count but this */
	FILEOPEND_DROP_EXIT_UNMARKED = 5,	/* a lost exit found no room for its mark either */
	FILEOPEND_DROP_REASON_COUNT = 6,
};

/* The `error` of a missed key for a result outside the kernel's errno range (1..4095). */
#define FILEOPEND_ERROR_UNKNOWN 4096

/*
 * Key of the missed maps. In `missed`: a process's totals (error 0) or its failures with one
 * errno; in `missed_comms` (used when `missed` is full): the same for a comm. A process is its
 * tgid and start time, so a reused pid with a new start time is a new process.
 */
struct fileopend_missed_key {
	__u64 start_ns;		/* group leader's start, ns since boot (CLOCK_BOOTTIME); 0 for a comm */
	__u32 tgid;		/* 0 for a comm */
	__u32 error;		/* 0: the totals; an errno, or FILEOPEND_ERROR_UNKNOWN: those failures */
	char comm[FILEOPEND_COMM_LEN];	/* missed_comms: the comm; missed: zero */
};

/*
 * A value of the missed maps: what the lost opens were. An errno entry uses `opens` alone (its
 * failures). A process's totals entry also carries the time its process exited, set by the exit
 * program whether or not the exit record reached user space, so user space always learns the
 * exit and deletes the process's entries once it has counted them.
 */
struct fileopend_missed_counts {
	__u64 opens;		/* every lost open (totals), or lost failures with the key's errno */
	__u64 reads;		/* totals: by access mode (O_ACCMODE 0, 1, 2 or 3) */
	__u64 writes;
	__u64 read_writes;
	__u64 creates;		/* totals: with O_CREAT */
	__u64 exit_ns;		/* process totals: exit time, ns since boot; 0 while it runs */
	char comm[FILEOPEND_COMM_LEN];	/* process totals: the comm at the first loss (or exit) */
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
