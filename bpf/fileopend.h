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
	FILEOPEND_RECORD_CGROUP_MKDIR = 3,	/* a v2 cgroup was made: cgroup_id, its path as the path */
	FILEOPEND_RECORD_CGROUP_RMDIR = 4,	/* a v2 cgroup was removed: cgroup_id, its path as the path */
};

/*
 * Which call made the open; UNKNOWN when the attach mode cannot tell. The io_uring ones were
 * submitted to a ring (no open system call), attributed to the submitting process; an
 * open_by_handle_at record has no path (the call names no file: path_len 0).
 */
enum fileopend_syscall {
	FILEOPEND_SYSCALL_UNKNOWN = 0,
	FILEOPEND_SYSCALL_OPEN = 1,
	FILEOPEND_SYSCALL_OPENAT = 2,
	FILEOPEND_SYSCALL_OPENAT2 = 3,
	FILEOPEND_SYSCALL_CREAT = 4,
	FILEOPEND_SYSCALL_IO_URING_OPENAT = 5,	/* IORING_OP_OPENAT */
	FILEOPEND_SYSCALL_IO_URING_OPENAT2 = 6,	/* IORING_OP_OPENAT2 */
	FILEOPEND_SYSCALL_OPEN_BY_HANDLE_AT = 7,
};

/*
 * The ways to open besides the open system calls, each counted by the kernel at every detail
 * level in the per-CPU `api_opens` map, at index api * 2 + (1 if it failed, else 0).
 */
enum fileopend_api {
	FILEOPEND_API_IO_URING = 0,
	FILEOPEND_API_OPEN_BY_HANDLE_AT = 1,
	FILEOPEND_API_COUNT = 2,
};

enum fileopend_record_flag {
	FILEOPEND_PATH_TRUNCATED = 1 << 0,	/* the path was longer than FILEOPEND_PATH_MAX */
	FILEOPEND_PATH_UNREADABLE = 1 << 1,	/* the user pointer could not be read at exit */
	/* The resolved path lost its leading components: longer than FILEOPEND_PATH_MAX, deeper than
	 * FILEOPEND_RESOLVE_DEPTH, or a name longer than FILEOPEND_NAME_MAX on the way. */
	FILEOPEND_RESOLVED_TRUNCATED = 1 << 2,
	/* The walk ended at the top of a mount tree that is not the process's root (a pseudo file
	 * system, a detached mount, a root outside the caller's): the path is relative to that top. */
	FILEOPEND_RESOLVED_UNREACHABLE = 1 << 3,
};

/* How the resolved path of an open record was found (its `resolution`). */
enum fileopend_resolution {
	FILEOPEND_RESOLUTION_NONE = 0,		/* not resolved: resolved_len is 0 */
	FILEOPEND_RESOLUTION_FILE = 1,		/* the opened file's own path (fd -> struct file -> f_path) */
	FILEOPEND_RESOLUTION_LEXICAL = 2,	/* a failed open: the resolved bytes are the directory it
						 * started from (the dirfd's, the cwd, or the root for an
						 * absolute name); user space joins the name. Not verified. */
};

/* Longest walk from a dentry to the process's root: components plus mounts crossed. */
#define FILEOPEND_RESOLVE_DEPTH 256
/* Longest component name the walk copies (the kernel's NAME_MAX). */
#define FILEOPEND_NAME_MAX 255

/*
 * Why a record was lost, or what a lost one cost. Each lost record counts once, under its first
 * cause, in the per-CPU drops map; a lost open is also counted in the missed map (access mode,
 * O_CREAT, result), so user space counts it exactly without the record.
 */
enum fileopend_drop_reason {
	FILEOPEND_DROP_RINGBUF_FULL = 0,	/* open record did not fit in the ring buffer */
	FILEOPEND_DROP_PENDING_FULL = 1,	/* enter could not park its arguments for exit */
	FILEOPEND_DROP_EXIT_RINGBUF_FULL = 2,	/* process-exit record did not fit */
	FILEOPEND_DROP_MISSED_FULL = 3,		/* no room in the missed map: counted by comm */
	FILEOPEND_DROP_MISSED_COMM_FULL = 4,	/* ... nor in missed_comms: in no count but this */
	FILEOPEND_DROP_EXIT_UNMARKED = 5,	/* a lost exit found no room for its mark either */
	FILEOPEND_DROP_CGROUP_RINGBUF_FULL = 6,	/* a cgroup mkdir/rmdir record did not fit */
	FILEOPEND_DROP_REASON_COUNT = 7,
};

/* How much the program reports: the `detail_level` of the `settings` map. */
enum fileopend_detail_level {
	FILEOPEND_LEVEL_EVENTS = 0,	/* a ring record per open; the missed map counts lost ones */
	FILEOPEND_LEVEL_COUNTS = 1,	/* no record per open: the missed map counts every open */
};

/* The settings user space changes while the program runs (key 0 of the `settings` map). */
struct fileopend_settings {
	__u32 detail_level;	/* enum fileopend_detail_level */
	__u32 filters;		/* enum fileopend_filter_flag bits, the generation above them */
};

/*
 * Filters (the `filters` setting): which kinds have rules, in the low bits of `filters`. The rules
 * themselves are entries of the filter maps keyed with a generation (the high bits): user space
 * fills the next generation's entries, then switches `filters` in one write, then deletes the
 * old ones, so each open is judged by one whole set of rules. An open filtered out is counted
 * only in the `filtered` per-CPU array, under the first kind that excluded it.
 */
enum fileopend_filter_flag {
	FILEOPEND_FILTER_INCLUDE_UID = 1 << 0,	/* only the uids marked included pass */
	FILEOPEND_FILTER_EXCLUDE_UID = 1 << 1,	/* the uids marked excluded do not */
	FILEOPEND_FILTER_INCLUDE_COMM = 1 << 2,
	FILEOPEND_FILTER_EXCLUDE_COMM = 1 << 3,
	FILEOPEND_FILTER_INCLUDE_UNIT = 1 << 4,	/* only cgroups marked included (a unit's subtree) */
	FILEOPEND_FILTER_EXCLUDE_UNIT = 1 << 5,
	FILEOPEND_FILTER_FAILED_ONLY = 1 << 6,	/* only opens that failed pass (decided at exit) */
};

#define FILEOPEND_FILTER_FLAGS			0xff
#define FILEOPEND_FILTER_GENERATION_SHIFT	8
#define FILEOPEND_FILTER_GENERATION_MASK	0xffffff	/* after the shift: generations wrap */

/* A filter map's value: what the rules say of a uid, comm, unit name or cgroup (exclusion wins). */
enum fileopend_filter_match {
	FILEOPEND_MATCH_INCLUDED = 1 << 0,
	FILEOPEND_MATCH_EXCLUDED = 1 << 1,
};

/* Why an open was filtered out: the index of the `filtered` per-CPU array. */
enum fileopend_filter_reason {
	FILEOPEND_FILTERED_UID = 0,
	FILEOPEND_FILTERED_COMM = 1,
	FILEOPEND_FILTERED_UNIT = 2,
	FILEOPEND_FILTERED_SUCCEEDED = 3,	/* failed-only, and the open succeeded */
	FILEOPEND_FILTERED_REASON_COUNT = 4,
};

/* Longest unit (cgroup directory) name a filter names, without the NUL (kernfs's NAME_MAX). */
#define FILEOPEND_UNIT_NAME_MAX 255

struct fileopend_uid_filter_key {
	__u32 uid;		/* in the initial user namespace */
	__u32 generation;
};

struct fileopend_comm_filter_key {
	char comm[FILEOPEND_COMM_LEN];	/* NUL-padded */
	__u32 generation;
	__u32 reserved;		/* zero */
};

/* A unit name a rule names: a cgroup made with this directory name is marked like the rule says. */
struct fileopend_unit_filter_key {
	char name[FILEOPEND_UNIT_NAME_MAX + 1];	/* NUL-padded */
	__u32 generation;
	__u32 reserved;		/* zero */
};

/* A v2 cgroup in (or under) a unit a rule names: marked by user space's walk or at its mkdir. */
struct fileopend_cgroup_filter_key {
	__u64 cgroup_id;
	__u32 generation;
	__u32 reserved;		/* zero */
};

/* The `error` of a count key for a result outside the kernel's errno range (1..4095). */
#define FILEOPEND_ERROR_UNKNOWN 4096

/*
 * Key of the missed map: one process (tgid and start time, so a reused pid is a new process)
 * in one v2 cgroup (the caller's at the open: a process moved to another cgroup counts there
 * from then on) and one result: error 0 for the opens that succeeded (or whose result is
 * unknown), an errno for those that failed with it. A process with entries in a cgroup always
 * has its error-0 entry there; the exit program marks the one of the cgroup it exits in.
 */
struct fileopend_count_key {
	__u64 start_ns;		/* group leader's start, ns since boot (CLOCK_BOOTTIME) */
	__u64 cgroup_id;	/* the caller's v2 cgroup (its cgroupfs inode) */
	__u32 tgid;
	__u32 error;		/* 0, an errno, or FILEOPEND_ERROR_UNKNOWN */
};

/* Key of the missed_comms map, where opens are counted when the missed map is full. */
struct fileopend_comm_key {
	char comm[FILEOPEND_COMM_LEN];
	__u32 error;		/* as in struct fileopend_count_key */
	__u32 reserved;		/* zero */
};

/*
 * A value of the missed maps: opens the program counted itself (at the events level those
 * whose record was lost; at the counts level every one), for the key's owner and result.
 */
struct fileopend_counts {
	__u64 reads;		/* by access mode (O_ACCMODE 0, 1, 2 or 3): their sum is the opens */
	__u64 writes;
	__u64 read_writes;
	__u64 creates;		/* with O_CREAT */
	__u64 exit_ns;		/* a process's error-0 entry: its exit, ns since boot; 0 while it runs */
	char comm[FILEOPEND_COMM_LEN];	/* the comm when the entry was made */
};

/*
 * Every record starts with this header; an open record is followed by path_len bytes of the path
 * as passed, then resolved_len bytes of the resolved path (no NULs), so it is exactly
 * sizeof(struct fileopend_record) + path_len + resolved_len bytes long. Other records have no
 * resolved path (resolved_len 0).
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
	__u16 resolved_len;	/* at most FILEOPEND_PATH_MAX */
	__u16 resolution;	/* enum fileopend_resolution */
};

#endif /* FILEOPEND_H */
